//! The scoring rules, one line each: a rubric body, a case's `sample`, the score and every
//! criterion's status (`id:status`, in result order). Each rule has a line that fails when the
//! rule is broken.

use rubric::{Grader, Status};

/// Grades `sample` with `rubric t "t" { BODY }` and returns the score, the statuses and the error.
fn grade(body: &str, sample: &str) -> (f64, String, Option<String>) {
    let source = format!("rubric t \"t\" {{\n{body}\n}}\n");
    let grader = Grader::from_source("t.rubric", &source).unwrap_or_else(|e| panic!("{}\n{source}", e.render()));
    let result = grader.grade(&format!("{{\"id\": \"c\", \"item\": {{}}, \"sample\": {sample}}}"));
    let statuses = result
        .criteria
        .iter()
        .map(|c| {
            let status = match c.status {
                Status::Met => "met",
                Status::Unmet => "unmet",
                Status::Error => "error",
                Status::Skipped => "skipped",
            };
            format!("{}:{status}", c.id)
        })
        .collect::<Vec<_>>()
        .join(" ");
    (result.score, statuses, result.error)
}

/// Asserts one rule: the score (exactly) and the statuses.
#[track_caller]
fn rule(body: &str, sample: &str, score: f64, statuses: &str) {
    let (got, got_statuses, error) = grade(body, sample);
    assert_eq!((got, got_statuses.as_str()), (score, statuses), "{body}\nsample: {sample}\nerror: {error:?}");
}

/// Asserts that the case fails with the on-error score and an error mentioning `because`.
#[track_caller]
fn fails(body: &str, sample: &str, score: f64, because: &str) {
    let (got, statuses, error) = grade(body, sample);
    assert_eq!(got, score, "{body}\nstatuses: {statuses}");
    let error = error.unwrap_or_else(|| panic!("no error for {body}"));
    assert!(error.contains(because), "{body}\nerror: {error}");
}

#[test]
fn criteria_earn_their_weight_a_share_of_it_or_nothing() {
    rule("criterion a +0.3 { sample.x == 1 }", r#"{"x": 1}"#, 0.3, "a:met");
    rule("criterion a +0.3 { sample.x == 1 }", r#"{"x": 2}"#, 0.0, "a:unmet");
    rule("criterion a +0.5 { sample.f }", r#"{"f": 0.4}"#, 0.2, "a:met");
    rule("criterion a +0.5 { sample.f }", r#"{"f": 0}"#, 0.0, "a:unmet");
    rule("criterion a +1 { sample.x == 1 and sample.y == 2 }", r#"{"x": 1, "y": 3}"#, 0.0, "a:unmet");
    rule("criterion a +0.1 { true }\ncriterion b +0.2 { true }", "{}", 0.1 + 0.2, "a:met b:met");
}

#[test]
fn a_share_outside_zero_to_one_is_an_error() {
    fails("criterion a +0.5 { sample.f }", r#"{"f": 1.5}"#, 0.0, "outside 0..=1");
}

#[test]
fn penalties_subtract_when_met_and_cost_nothing_otherwise() {
    rule("criterion a +1 { true }\ncriterion p -0.25 { sample.bad }", r#"{"bad": true}"#, 0.75, "a:met p:met");
    rule("criterion a +1 { true }\ncriterion p -0.25 { sample.bad }", r#"{"bad": false}"#, 1.0, "a:met p:unmet");
}

#[test]
fn a_group_without_mode_or_weight_sums_its_members() {
    let body = "group g { criterion a +0.5 { sample.a } criterion b +0.25 { sample.b } }";
    rule(body, r#"{"a": true, "b": false}"#, 0.5, "g:met a:met b:unmet");
    rule(body, r#"{"a": false, "b": false}"#, 0.0, "g:unmet a:unmet b:unmet");
}

#[test]
fn a_weighted_group_earns_its_weight_times_the_share_of_positive_weight_earned() {
    let body = "group g +0.4 { criterion c +1 { sample.c } criterion d +3 { sample.d } }";
    rule(body, r#"{"c": true, "d": false}"#, 0.1, "g:met c:met d:unmet");
    rule(body, r#"{"c": true, "d": true}"#, 0.4, "g:met c:met d:met");
    // A member penalty lowers the share; the share never goes below 0.
    let body = "group g +0.4 { criterion c +1 { true } criterion p -0.5 { sample.p } }";
    rule(body, r#"{"p": true}"#, 0.2, "g:met c:met p:met");
    let body = "group g +0.4 { criterion c +1 { false } criterion p -0.5 { sample.p } }";
    rule(body, r#"{"p": true}"#, 0.0, "g:unmet c:unmet p:met");
}

#[test]
fn group_modes_all_any_and_at_least_pay_the_whole_weight_or_nothing() {
    let all = "group g +0.6 all { criterion a +1 { sample.a } criterion b +1 { sample.b } }";
    rule(all, r#"{"a": true, "b": true}"#, 0.6, "g:met a:met b:met");
    rule(all, r#"{"a": true, "b": false}"#, 0.0, "g:unmet a:met b:unmet");
    let any = "group g +0.6 any { criterion a +1 { sample.a } criterion b +1 { sample.b } }";
    rule(any, r#"{"a": false, "b": true}"#, 0.6, "g:met a:unmet b:met");
    rule(any, r#"{"a": false, "b": false}"#, 0.0, "g:unmet a:unmet b:unmet");
    let two = "group g +0.6 at_least 2 { criterion a +1 { sample.a } criterion b +1 { sample.b } criterion c +1 { sample.c } }";
    rule(two, r#"{"a": true, "b": false, "c": true}"#, 0.6, "g:met a:met b:unmet c:met");
    rule(two, r#"{"a": true, "b": false, "c": false}"#, 0.0, "g:unmet a:met b:unmet c:unmet");
}

#[test]
fn a_ladder_adds_steps_in_order_and_stops_at_the_first_unmet_one() {
    let body = "ladder l {\n step s1 +0.5: sample.a\n step s2 +0.3: sample.b\n step s3 +0.2: sample.c\n}";
    rule(body, r#"{"a": true, "b": true, "c": true}"#, 1.0, "l:met s1:met s2:met s3:met");
    rule(body, r#"{"a": true, "b": false, "c": true}"#, 0.5, "l:met s1:met s2:unmet s3:skipped");
    rule(body, r#"{"a": false, "b": true, "c": true}"#, 0.0, "l:unmet s1:unmet s2:skipped s3:skipped");
}

#[test]
fn the_first_gate_that_holds_decides_and_skips_everything_after_it() {
    let body = "criterion a +0.1 { true }\nwhen sample.x == 1 => 0.7\nwhen sample.x >= 1 => 0.2\ncriterion b +1 { true }\ngroup g { criterion c +1 { true } }\nladder l { step s +1: true }";
    rule(body, r#"{"x": 1}"#, 0.7, "a:met b:skipped g:skipped c:skipped l:skipped s:skipped");
    rule(body, r#"{"x": 2}"#, 0.2, "a:met b:skipped g:skipped c:skipped l:skipped s:skipped");
    rule(body, r#"{"x": 0}"#, 0.1 + 1.0 + 1.0 + 1.0, "a:met b:met g:met c:met l:met s:met");
    // A gate sees the criteria before it by name.
    rule(
        "criterion a +0.5 { sample.a }\nwhen a < 0.5 => a - 1\ncriterion b +0.5 { true }",
        r#"{"a": false}"#,
        -1.0,
        "a:unmet b:skipped",
    );
}

#[test]
fn a_score_expression_replaces_the_total_and_sees_it_so_far() {
    rule("criterion a +0.25 { true }\nscore total * 2", "{}", 0.5, "a:met");
    rule("criterion a +0.25 { true }\nscore round(total + 0.123456, 2)", "{}", 0.37, "a:met");
    rule(
        "criterion a +0.5 { sample.a }\ncriterion b +0.5 { sample.b }\nscore min([a, b])",
        r#"{"a": true, "b": false}"#,
        0.0,
        "a:met b:unmet",
    );
}

#[test]
fn max_is_a_declaration_checked_against_the_weights_not_a_cap() {
    rule("max 1\ncriterion a +0.6 { true }\ncriterion b +0.4 { true }", "{}", 1.0, "a:met b:met");
    rule("max 0.5\ncriterion a +0.5 { true }\nscore total * 3", "{}", 1.5, "a:met");
}

#[test]
fn a_data_error_gives_the_on_error_score_and_names_the_criterion_and_path() {
    fails("criterion a +1 { len(sample.items) > 0 }", "{}", 0.0, "criterion `a`");
    fails("on_error 0.25\ncriterion a +1 { len(sample.items) > 0 }", "{}", 0.25, "sample.items");
    fails("on_error -1\nscore len(sample.items)", r#"{"items": 3}"#, -1.0, "score");
    fails("when len(sample.items) > 0 => 1\ncriterion a +1 { true }", "{}", 0.0, "gate");
    // The first error is reported; the criteria after it are still graded.
    let (_, statuses, error) =
        grade("criterion a +1 { len(sample.x) > 0 }\ncriterion b +1 { len(sample.y) > 0 }", "{}");
    assert_eq!(statuses, "a:error b:error");
    assert!(error.unwrap().contains("criterion `a`"));
}

#[test]
fn a_missing_value_compares_unequal_but_fails_an_operation() {
    rule("criterion a +1 { sample.nope == 1 }", "{}", 0.0, "a:unmet");
    rule("criterion a +1 { sample.nope != 1 }", "{}", 1.0, "a:met");
    rule("criterion a +1 { sample.nope is missing }", "{}", 1.0, "a:met");
    fails("criterion a +1 { sample.nope + 1 > 0 }", "{}", 0.0, "sample.nope");
    fails("criterion a +1 { required(sample.nope) == 1 }", "{}", 0.0, "sample.nope");
}

#[test]
fn a_default_replaces_missing_null_and_errors_but_not_false() {
    rule("criterion a +1 { (sample.nope ?? 3) == 3 }", "{}", 1.0, "a:met");
    rule("criterion a +1 { (sample.n ?? 3) == 3 }", r#"{"n": null}"#, 1.0, "a:met");
    rule("criterion a +1 { (len(sample.n) ?? 0) == 0 }", r#"{"n": 5}"#, 1.0, "a:met");
    rule("criterion a +1 { sample.b ?? true }", r#"{"b": false}"#, 0.0, "a:unmet");
}

#[test]
fn sums_run_left_to_right_in_doubles_like_python() {
    // 0.1 + 0.2 + 0.3 in that order is 0.6000000000000001 in Python too.
    rule(
        "criterion a +0.1 { true }\ncriterion b +0.2 { true }\ncriterion c +0.3 { true }",
        "{}",
        0.1 + 0.2 + 0.3,
        "a:met b:met c:met",
    );
    assert_ne!(0.1 + 0.2 + 0.3, 0.3 + 0.2 + 0.1);
}
