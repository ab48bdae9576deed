//! JSONPath evaluation over a case. Paths are compiled once; singular paths (only names and
//! indices, the common case) are walked directly, the rest go through jsonpath-rust.

use jsonpath_rust::parser::model::{
    Comparable, Filter, FilterAtom, FnArg, JpQuery, Segment, Selector, SingularQuery, SingularQuerySegment, Test,
    TestFunction,
};
use jsonpath_rust::query::js_path_process;

use crate::value::Value;

/// One step of a singular path.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Name(String),
    Index(i64),
}

/// The steps of a path made only of names and indices, or `None` when it can match several nodes.
pub fn singular_steps(q: &JpQuery) -> Option<Vec<Step>> {
    q.segments
        .iter()
        .map(|s| match s {
            Segment::Selector(Selector::Name(n)) => Some(Step::Name(n.clone())),
            Segment::Selector(Selector::Index(i)) => Some(Step::Index(*i)),
            _ => None,
        })
        .collect()
}

/// A compiled path.
#[derive(Debug)]
pub struct CompiledPath {
    /// As the rubric wrote it (`sample.output_json.passages`), for messages.
    pub display: String,
    /// What the path reads, each as the leading field names of a subtree of the case: the path's own
    /// prefix, then the prefix of every `$`-rooted query inside its filters (`$` is the whole case).
    pub reads: Vec<Vec<String>>,
    kind: PathKind,
}

#[derive(Debug)]
enum PathKind {
    Singular(Vec<Step>),
    Query(JpQuery),
}

impl CompiledPath {
    pub fn new(jsonpath: &str) -> Result<CompiledPath, String> {
        let q = jsonpath_rust::parser::parse_json_path(jsonpath).map_err(|e| e.to_string())?;
        let display = match jsonpath.strip_prefix("$.") {
            Some(rest) if rest.starts_with("sample") || rest.starts_with("item") => rest.to_string(),
            _ => format!("case{}", &jsonpath[1..]),
        };
        let mut reads = vec![name_prefix(&q.segments)];
        absolute_reads_in_segments(&q.segments, &mut reads);
        let kind = match singular_steps(&q) {
            Some(steps) => PathKind::Singular(steps),
            None => PathKind::Query(q),
        };
        Ok(CompiledPath { display, reads, kind })
    }

    pub fn eval(&self, case: &Value) -> Value {
        match &self.kind {
            PathKind::Singular(steps) => match walk(case, steps) {
                Some(v) => v.clone(),
                None => Value::Missing(self.display.as_str().into()),
            },
            // jsonpath-rust queries serde_json values: convert the subtree under the path's prefix.
            PathKind::Query(q) => {
                let doc = case.to_json();
                match js_path_process(q, &doc) {
                    Ok(found) => Value::list(found.into_iter().map(|r| Value::from_json(r.val())).collect()),
                    Err(e) => Value::error(format!("path `{}` failed: {e}", self.display)),
                }
            }
        }
    }
}

/// The leading member names of a query: everything it can reach lies below them.
fn name_prefix(segments: &[Segment]) -> Vec<String> {
    segments
        .iter()
        .map_while(|s| match s {
            Segment::Selector(Selector::Name(n)) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

/// Collects the prefix of every absolute (`$`) query inside the filters of `segments`, at any depth
/// (nested filters, function arguments). The reader builds only what the plan reads, so a filter
/// such as `[?@.id == $.item.target_id]` must count `item.target_id` as read. A query that cannot be
/// narrowed (`$..x`, `$[*]`) gives an empty prefix: the whole case.
fn absolute_reads_in_segments(segments: &[Segment], reads: &mut Vec<Vec<String>>) {
    for segment in segments {
        absolute_reads_in_segment(segment, reads);
    }
}

fn absolute_reads_in_segment(segment: &Segment, reads: &mut Vec<Vec<String>>) {
    match segment {
        Segment::Descendant(inner) => absolute_reads_in_segment(inner, reads),
        Segment::Selector(selector) => absolute_reads_in_selector(selector, reads),
        Segment::Selectors(selectors) => selectors.iter().for_each(|s| absolute_reads_in_selector(s, reads)),
    }
}

fn absolute_reads_in_selector(selector: &Selector, reads: &mut Vec<Vec<String>>) {
    if let Selector::Filter(filter) = selector {
        absolute_reads_in_filter(filter, reads);
    }
}

fn absolute_reads_in_filter(filter: &Filter, reads: &mut Vec<Vec<String>>) {
    match filter {
        Filter::Or(fs) | Filter::And(fs) => fs.iter().for_each(|f| absolute_reads_in_filter(f, reads)),
        Filter::Atom(FilterAtom::Filter { expr, .. }) => absolute_reads_in_filter(expr, reads),
        Filter::Atom(FilterAtom::Test { expr, .. }) => absolute_reads_in_test(expr, reads),
        Filter::Atom(FilterAtom::Comparison(cmp)) => {
            let (left, right) = cmp.vals();
            absolute_reads_in_comparable(left, reads);
            absolute_reads_in_comparable(right, reads);
        }
    }
}

fn absolute_reads_in_test(test: &Test, reads: &mut Vec<Vec<String>>) {
    match test {
        Test::RelQuery(segments) => absolute_reads_in_segments(segments, reads),
        Test::AbsQuery(q) => {
            reads.push(name_prefix(&q.segments));
            absolute_reads_in_segments(&q.segments, reads);
        }
        Test::Function(f) => absolute_reads_in_function(f, reads),
    }
}

fn absolute_reads_in_comparable(c: &Comparable, reads: &mut Vec<Vec<String>>) {
    match c {
        Comparable::Literal(_) | Comparable::SingularQuery(SingularQuery::Current(_)) => {}
        Comparable::SingularQuery(SingularQuery::Root(steps)) => reads.push(
            steps
                .iter()
                .map_while(|s| match s {
                    SingularQuerySegment::Name(n) => Some(n.clone()),
                    SingularQuerySegment::Index(_) => None,
                })
                .collect(),
        ),
        Comparable::Function(f) => absolute_reads_in_function(f, reads),
    }
}

fn absolute_reads_in_function(f: &TestFunction, reads: &mut Vec<Vec<String>>) {
    let args: Vec<&FnArg> = match f {
        TestFunction::Custom(_, args) => args.iter().collect(),
        TestFunction::Length(a) => vec![&**a],
        TestFunction::Value(a) | TestFunction::Count(a) => vec![a],
        TestFunction::Search(a, b) | TestFunction::Match(a, b) => vec![a, b],
    };
    for arg in args {
        match arg {
            FnArg::Literal(_) => {}
            FnArg::Test(t) => absolute_reads_in_test(t, reads),
            FnArg::Filter(f) => absolute_reads_in_filter(f, reads),
        }
    }
}

fn walk<'a>(mut v: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    for s in steps {
        v = match (s, v) {
            (Step::Name(n), Value::Object(o)) => o.get(n.as_str())?,
            (Step::Index(i), Value::List(a)) => {
                let i = if *i < 0 { a.len() as i64 + *i } else { *i };
                if i < 0 {
                    return None;
                }
                a.get(i as usize)?
            }
            _ => return None,
        };
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(path: &str, doc: serde_json::Value) -> String {
        CompiledPath::new(path).unwrap().eval(&Value::from_json(&doc)).short(200)
    }

    #[test]
    fn singular_path_finds_a_value() {
        assert_eq!(eval("$.sample.a[1]", json!({"sample": {"a": [1, 2]}})), "2");
    }
    #[test]
    fn negative_index_counts_from_the_end() {
        assert_eq!(eval("$.sample.a[-1]", json!({"sample": {"a": [1, 2]}})), "2");
    }
    #[test]
    fn singular_path_that_matches_nothing_is_missing() {
        assert_eq!(eval("$.sample.b", json!({"sample": {"a": 1}})), "missing (sample.b)");
    }
    #[test]
    fn index_into_an_object_is_missing() {
        assert_eq!(eval("$.sample[0]", json!({"sample": {"0": 1}})), "missing (sample[0])");
    }
    #[test]
    fn wildcard_path_gives_a_list() {
        assert_eq!(eval("$.item.xs[*].n", json!({"item": {"xs": [{"n": 1}, {"n": 2}, {}]}})), "[1,2]");
    }
    #[test]
    fn filter_path_gives_a_list() {
        assert_eq!(eval("$.item.xs[?@.n > 1].n", json!({"item": {"xs": [{"n": 1}, {"n": 2}]}})), "[2]");
    }
    fn reads(path: &str) -> Vec<String> {
        CompiledPath::new(path).unwrap().reads.iter().map(|r| r.join(".")).collect()
    }

    #[test]
    fn a_path_reads_its_prefix() {
        assert_eq!(reads("$.sample.xs[*].n"), ["sample.xs"]);
    }
    #[test]
    fn a_filter_reads_its_absolute_references() {
        assert_eq!(reads("$.sample.xs[?@.id == $.item.id[0].k]"), ["sample.xs", "item.id"]);
    }
    #[test]
    fn nested_filters_and_function_arguments_read_their_absolute_references() {
        assert_eq!(reads("$.sample.xs[?@[?match(@, $.item.p)]]"), ["sample.xs", "item.p"]);
        assert_eq!(reads("$.sample.xs[?count($.item.ys[?@ == $.item.z]) > 0]"), ["sample.xs", "item.ys", "item.z"]);
    }
    #[test]
    fn a_descendant_reference_reads_the_whole_case() {
        assert_eq!(reads("$.sample.xs[?@ == value($..id)]"), ["sample.xs", ""]);
    }
    #[test]
    fn case_paths_display_with_their_root() {
        assert_eq!(eval("$.id", json!({})), "missing (case.id)");
    }
}
