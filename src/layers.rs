//! The crate's layers, top to bottom. A module may import only from modules on lower floors (or
//! its own); the test below reads every source file and fails on an import that points up or
//! sideways, so the layering in the README cannot drift from the code.

/// Floors from the top; modules on one floor do not import each other.
#[cfg_attr(not(test), allow(dead_code))]
const FLOORS: &[&[&str]] = &[
    &["cli"],
    &["review"],
    &["api"],
    &["run"],
    &["output"],
    &["check"],
    &["eval"],
    &["builtins"],
    &["plan", "fmt"],
    &["pattern", "input", "judge"],
    &["syntax"],
    &["diagnostic"],
    &["value"],
    &["bytescan", "alloc"],
];

#[cfg(test)]
mod tests {
    use super::FLOORS;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn floor(module: &str) -> Option<usize> {
        FLOORS.iter().position(|f| f.contains(&module))
    }

    /// `crate::NAME` imports in the non-test code of `text` (test modules may reach anywhere).
    fn imports(text: &str) -> BTreeSet<String> {
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
        let mut found = BTreeSet::new();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
                found.insert(name);
            }
        }
        found
    }

    fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }

    #[test]
    fn every_import_points_down() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        visit(&src, &mut files);
        let mut wrong = Vec::new();
        for path in files {
            let relative = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            let module = relative.split('/').next().unwrap().trim_end_matches(".rs").to_string();
            let Some(own) = floor(&module) else {
                // The crate root, the binary, these tests and the test-only fixture modules.
                assert!(
                    ["lib", "main", "layers", "fixture_tests"].contains(&module.as_str()),
                    "{relative}: module `{module}` is on no floor; add it to FLOORS"
                );
                continue;
            };
            if relative.ends_with("fixture_tests.rs") {
                continue;
            }
            for import in imports(&std::fs::read_to_string(&path).unwrap()) {
                match floor(&import) {
                    Some(f) if f > own || import == module => {}
                    Some(_) => wrong.push(format!("{relative} imports `{import}`, which is not below `{module}`")),
                    None if import == "testing" => {}
                    None => wrong.push(format!("{relative} imports `{import}`, which is on no floor")),
                }
            }
        }
        assert!(wrong.is_empty(), "imports that break the layers:\n{}", wrong.join("\n"));
    }
}
