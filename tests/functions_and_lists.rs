//! Author-defined functions, object literals and the list tools, one line per behaviour: a rubric
//! body, a case's `sample`, and the score (or the error) it must give.

use rubric::Grader;

/// Grades `sample` with `rubric t "t" { BODY }`: the score and the error.
fn grade(body: &str, sample: &str) -> (f64, Option<String>) {
    let source = format!("rubric t \"t\" {{\n{body}\n}}\n");
    let grader = Grader::from_source("t.rubric", &source).unwrap_or_else(|e| panic!("{}\n{source}", e.render()));
    let result = grader.grade(&format!("{{\"id\": \"c\", \"item\": {{}}, \"sample\": {sample}}}"));
    (result.score, result.error)
}

#[track_caller]
fn scores(body: &str, sample: &str, score: f64) {
    assert_eq!(grade(body, sample), (score, None), "{body}\nsample: {sample}");
}

#[track_caller]
fn fails(body: &str, sample: &str, because: &str) {
    let (score, error) = grade(body, sample);
    let error = error.unwrap_or_else(|| panic!("no error for {body}: score {score}"));
    assert!(error.contains(because), "{body}\nerror: {error}");
}

/// The diagnostic codes of a rubric that does not compile.
#[track_caller]
fn rejected(body: &str) -> Vec<&'static str> {
    let source = format!("rubric t \"t\" {{\n{body}\n}}\n");
    match Grader::from_source("t.rubric", &source) {
        Ok(_) => panic!("compiles: {body}"),
        Err(rubric::LoadError::Rubric { diagnostics, .. }) => {
            diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code.as_str()).collect()
        }
        Err(other) => panic!("{other}"),
    }
}

const SIM: &str = "fn parent(c) = split(c, \".\")[0]\n\
                   fn sim(p, r) = if p == r then 1 else if parent(p) == parent(r) then 0.5 else 0";

#[test]
fn a_function_is_called_with_its_arguments() {
    scores("fn double(x) = 2 * x\nscore double(sample.n)", r#"{"n": 4}"#, 8.0);
    scores("fn minus(a, b) = a - b\nscore minus(b: 1, a: 5)", "{}", 4.0);
    scores(&format!("{SIM}\nscore sim(\"A1.1\", \"A1.2\")"), "{}", 0.5);
}

#[test]
fn a_function_reads_the_bindings_above_it() {
    scores("let k = sample.k\nfn scaled(x) = k * x\nscore scaled(3)", r#"{"k": 2}"#, 6.0);
}

#[test]
fn an_argument_may_call_the_same_function() {
    scores("fn minus(a, b) = a - b\nscore minus(10, minus(3, 1))", "{}", 8.0);
}

#[test]
fn a_typed_parameter_checks_its_argument() {
    fails(
        "fn first(s: string) = split(s, \" \")[0]\nscore len(first(sample.n))",
        r#"{"n": 4}"#,
        "argument `s` must be a string",
    );
    scores("fn first(s: string) = split(s, \" \")[0]\nscore len(first(sample.t))", r#"{"t": "ab c"}"#, 2.0);
}

#[test]
fn sums_of_best_similarities() {
    let body = format!("{SIM}\nscore sum(for p in sample.p: max(for r in sample.r: sim(p, r)))");
    scores(&body, r#"{"p": ["A1.2", "B2", "C"], "r": ["A1.1", "B2"]}"#, 1.5);
}

#[test]
fn best_match_takes_an_author_similarity() {
    // precision (1 + 0.5 + 0) / 3, recall (0.5 + 1) / 2: F1 = 2 * 0.5 * 0.75 / 1.25
    let body = format!("{SIM}\nscore best_match_f1(sample.p, sample.r, similarity: sim)");
    scores(&body, r#"{"p": ["B2", "A1.2", "C"], "r": ["A1.1", "B2"]}"#, 0.6);
    scores("score best_match_f1(sample.p, sample.r, similarity: ratio)", r#"{"p": ["ab"], "r": ["ab"]}"#, 1.0);
}

#[test]
fn objects_are_values() {
    scores("let o = {a: sample.n, \"b c\": [1, 2]}\nscore o.a + len(o[\"b c\"])", r#"{"n": 3}"#, 5.0);
    scores("score if {a: 1, b: [2]} == sample.o then 1 else 0", r#"{"o": {"b": [2], "a": 1.0}}"#, 1.0);
}

#[test]
fn ranges_and_nested_comprehensions_walk_index_pairs() {
    let body = "let xs = sample.xs\n\
                score sum(for i in range(len(xs)): count(for j in range(i + 1, len(xs)): xs[i] == xs[j]))";
    scores(body, r#"{"xs": ["a", "b", "a", "a"]}"#, 3.0);
    scores("score count(for p in pairs(sample.xs): p[0] == p[1])", r#"{"xs": ["a", "b", "a", "a"]}"#, 3.0);
}

#[test]
fn enumerate_and_zip_give_pairs() {
    scores("score sum(for p in enumerate(sample.xs): p[0] * p[1])", r#"{"xs": [5, 6, 7]}"#, 20.0);
    scores("score count(for p in zip(sample.a, sample.b): p[0] == p[1])", r#"{"a": [1, 2, 3], "b": [1, 0]}"#, 1.0);
}

#[test]
fn sort_by_an_author_key() {
    let body = "fn size(x) = len(x)\nscore if sort(sample.xs, key: size) == sample.want then 1 else 0";
    scores(body, r#"{"xs": ["ccc", "a", "bb", "d"], "want": ["a", "d", "bb", "ccc"]}"#, 1.0);
    scores("score if sort(sample.xs, key: lower) == [\"a\", \"B\"] then 1 else 0", r#"{"xs": ["B", "a"]}"#, 1.0);
    fails("score len(sort(sample.xs))", r#"{"xs": [1, "a"]}"#, "cannot order a number and a string");
}

#[test]
fn unique_keeps_the_first_of_each_key() {
    let body = format!("{SIM}\nscore if unique(sample.xs, key: parent) == [\"A1.1\", \"B\"] then 1 else 0");
    scores(&body, r#"{"xs": ["A1.1", "B", "A1.2"]}"#, 1.0);
}

#[test]
fn match_greedy_pairs_each_reference_with_its_preferred_candidate() {
    // Reference 0 prefers predicted 1 (closest number); reference 1 then has only predicted 0.
    let body = "fn near(r, p) = abs(r - p) <= 5\nfn distance(r, p) = abs(r - p)\n\
                score len(match_greedy(sample.r, sample.p, accept: near, prefer: distance))";
    scores(body, r#"{"r": [10, 12], "p": [14, 11]}"#, 2.0);
    let pairs = "fn near(r, p) = abs(r - p) <= 5\nfn distance(r, p) = abs(r - p)\n\
                 score if match_greedy(sample.r, sample.p, accept: near, prefer: distance) == [[0, 1], [1, 0]] then 1 else 0";
    scores(pairs, r#"{"r": [10, 12], "p": [14, 11]}"#, 1.0);
    let ties = "fn any_pair(r, p) = true\nscore if match_greedy(sample.r, sample.p, accept: any_pair) == [[0, 0]] then 1 else 0";
    scores(ties, r#"{"r": [1], "p": [2, 3]}"#, 1.0);
}

#[test]
fn misuse_is_reported_before_grading() {
    assert_eq!(rejected("fn f(x) = f(x)\nscore f(1)"), ["rubric::recursive_function"]);
    assert_eq!(rejected("fn f(x) = g(x)\nfn g(x) = x\nscore f(1)"), ["rubric::used_before_defined"]);
    assert_eq!(rejected("fn f(x) = x\nscore f(1, 2)"), ["rubric::arity"]);
    assert_eq!(rejected("fn f(x) = x\nscore len(sort([1], key: g))"), ["rubric::unknown_name"]);
    assert_eq!(rejected("fn f(x) = x\nscore f"), ["rubric::function_as_value"]);
    assert_eq!(rejected("score len(sort([1], key: 2))"), ["rubric::not_a_function"]);
    assert_eq!(rejected("fn f(a, b) = a\nscore len(sort([1], key: f))"), ["rubric::arity"]);
    assert_eq!(rejected("fn len(x) = x\nscore 1"), ["rubric::duplicate_name"]);
    assert_eq!(rejected("score len({a: 1, a: 2})"), ["rubric::duplicate_key"]);
}

#[test]
fn a_penalty_grows_per_offending_item_up_to_its_weight() {
    let body = "criterion base +1 { true }\n\
                criterion duplicates -1 { min([1, 0.25 * count(for p in pairs(sample.xs): p[0] == p[1])]) }";
    scores(body, r#"{"xs": ["a", "b"]}"#, 1.0);
    scores(body, r#"{"xs": ["a", "a", "b", "b"]}"#, 0.5);
    scores(body, r#"{"xs": ["a", "a", "a", "a", "a"]}"#, 0.0);
    let uncapped = "let f1 = sample.f1\nscore max([0, f1 - 0.25 * len(sample.bad)])";
    scores(uncapped, r#"{"f1": 1, "bad": [1, 2]}"#, 0.5);
}

#[test]
fn match_greedy_prefers_by_lists_compared_element_by_element() {
    let body = "fn same_day(r, p) = r.date == p.date\n\
                fn distance(r, p) = [abs(r.hour - p.hour), p.title != r.title]\n\
                score if match_greedy(sample.r, sample.p, accept: same_day, prefer: distance) == [[0, 1]] then 1 else 0";
    let sample = r#"{"r": [{"date": 1, "hour": 9, "title": "a"}],
                     "p": [{"date": 1, "hour": 10, "title": "b"}, {"date": 1, "hour": 8, "title": "a"}, {"date": 2, "hour": 9, "title": "a"}]}"#;
    scores(body, sample, 1.0);
}
