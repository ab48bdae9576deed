//! Never panic, never hang: mutated rubrics through the checker, hostile cases through the engine.

use rubric::{Grader, LoadError};

const SHIPPED: [&str; 7] = ["chipstack", "runloop", "harvey", "tax", "nova_tool", "chem", "nova_math"];

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn shipped(name: &str) -> String {
    std::fs::read_to_string(format!("{}/rubrics/{name}.rubric", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Whitespace-separated tokens of a source (good enough to drop and shuffle).
fn tokens(src: &str) -> Vec<&str> {
    src.split_whitespace().collect()
}

fn mutate(src: &str, rng: &mut Rng) -> Vec<u8> {
    let bytes = src.as_bytes();
    match rng.below(5) {
        0 => bytes[..rng.below(bytes.len())].to_vec(),
        1 => {
            let mut b = bytes.to_vec();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            b
        }
        2 => {
            let mut t = tokens(src);
            let i = rng.below(t.len());
            t.remove(i);
            t.join(" ").into_bytes()
        }
        3 => {
            let mut t = tokens(src);
            for _ in 0..2 {
                let (i, j) = (rng.below(t.len()), rng.below(t.len()));
                t.swap(i, j);
            }
            t.join(" ").into_bytes()
        }
        _ => {
            let mut b = bytes.to_vec();
            let i = rng.below(b.len());
            let junk: &[&[u8]] = &[
                b"(",
                b")",
                b"{",
                b"}",
                b"\"",
                b"/",
                b"$",
                b"%",
                b"[",
                b"]",
                b"??",
                b".",
                b"\xff",
                b"\0",
                b"for x in",
            ];
            b.splice(i..i, junk[rng.below(junk.len())].iter().copied());
            b
        }
    }
}

#[test]
fn mutated_rubrics_never_panic_and_every_rejection_says_where() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut rejected = 0;
    for name in SHIPPED {
        let src = shipped(name);
        for _ in 0..500 {
            let bytes = mutate(&src, &mut rng);
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if let Err(e) = Grader::from_source(&format!("{name}.rubric"), &text) {
                let LoadError::Rubric { file, diagnostics } = e else { panic!("{e}") };
                rejected += 1;
                let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
                assert!(!errors.is_empty(), "rejected without an error:\n{text}");
                for d in errors {
                    assert!(d.code.as_str().starts_with("rubric::"), "{d:?}");
                    let span = d.primary_span();
                    assert!(span.start <= text.len() && span.end <= text.len(), "span outside the source: {d:?}");
                    assert!(file.location(span.start).starts_with(&format!("{name}.rubric:")));
                }
            }
        }
    }
    assert!(rejected > 1000, "only {rejected} of 3000 mutants were rejected: the mutator is too gentle");
}

fn hostile_lines() -> Vec<Vec<u8>> {
    let deep = format!(
        "{{\"id\":\"deep\",\"item\":{{}},\"sample\":{{\"output_json\":{}1{}}}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let big = "x".repeat(10 << 20);
    let mut lines: Vec<Vec<u8>> = vec![
        deep.into_bytes(),
        format!(r#"{{"id":"big","item":{{"reference_answer":{{"passages":["{big}"]}}}},"sample":{{"output_text":"{big}","output_json":{{"passages":["{big}"]}}}}}}"#).into_bytes(),
        br#"{"id":"types","item":{"reference_answer":[1,{"a":null}]},"sample":{"output_text":5,"output_json":"x","output_tools":{}}}"#.to_vec(),
        br#"{"id":"types2","item":{"reference_answer":"s","messages":7},"sample":{"output_text":null,"output_json":[[[]]],"output_tools":[null,1]}}"#.to_vec(),
        br#"{"id":"types3","item":{"reference_answer":{"passages":[1,true,null,{}],"ast_greps":7,"tool_called":[],"tool_parameters":{"x":1e308}}},"sample":{"output_text":"<plan>a</plan><code>```ts a.ts\nx(\n```</code>","output_json":{"predicted":[{"name":[1],"value":{}}],"passages":"abc"}}}"#.to_vec(),
        b"{\"id\":\"utf8\",\"item\":{},\"sample\":{\"output_text\":\"\xff\xfe\"}}".to_vec(),
        b"\x00\x01\x02".to_vec(),
        br#"{"id":1e400,"item":{},"sample":{}}"#.to_vec(),
        b"{\"id\":\"nul\",\"item\":{},\"sample\":{\"output_text\":\"a\\u0000b\\ud800\"}}".to_vec(),
    ];
    let mut rng = Rng(42);
    for i in 0..200 {
        let corpus = std::fs::read_to_string(format!(
            "{}/tests/corpus/{}/cases.jsonl",
            env!("CARGO_MANIFEST_DIR"),
            SHIPPED[i % SHIPPED.len()]
        ))
        .unwrap();
        let line = corpus.lines().nth(rng.below(200)).unwrap().as_bytes().to_vec();
        let mut m = line.clone();
        let cut = rng.below(m.len());
        match i % 3 {
            0 => m.truncate(cut),
            1 => m[cut] ^= 0x20,
            _ => m.insert(cut, b'"'),
        }
        lines.push(m);
    }
    lines
}

#[test]
fn hostile_cases_get_one_result_each_and_never_panic() {
    // Graders run on threads with `run::STACK` bytes of stack; an unoptimised build needs it for
    // the deeply nested lines.
    let grading = std::thread::Builder::new().stack_size(rubric::STACK_SIZE).spawn(grade_hostile_lines);
    grading.expect("a thread starts").join().expect("no assertion fails");
}

fn grade_hostile_lines() {
    let lines = hostile_lines();
    for name in SHIPPED {
        let program = Grader::load(&format!("{}/rubrics/{name}.rubric", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_else(|e| panic!("{}", e.render()));
        let mut scratch = program.scratch();
        for (i, line) in lines.iter().enumerate() {
            let g = program.grade_line(line, i + 1, &mut scratch);
            let v: serde_json::Value = serde_json::from_str(g.to_json_line())
                .unwrap_or_else(|e| panic!("{name} line {}: not JSON: {e}", i + 1));
            assert!(v["score"].is_f64(), "{name} line {}: {}", i + 1, g.to_json_line());
            if g.malformed {
                assert_eq!(v["line"], i + 1);
                assert!(v["error"].as_str().unwrap().starts_with(&format!("line {}: ", i + 1)));
            }
        }
    }
}
