//! The test tree keeps its own rules (issue 22, "Tests"): the C programs
//! the tests run live in `tests/*.c`, built by `common::cc_static`, never
//! as C source in a Rust string; and no `tests/*.c` is left unused.
use std::fs;
use std::path::{Path, PathBuf};

/// The files of `tests/` (or a folder of it) whose names end in `ext`, sorted.
fn files(under: &str, ext: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(under);
    let mut found: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("harness: cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    found.sort();
    found
}

/// Every Rust source of the tests: `tests/*.rs` and `tests/common/*.rs`.
fn rust_sources() -> Vec<(PathBuf, String)> {
    let mut all = files("tests", "rs");
    all.extend(files("tests/common", "rs"));
    assert!(all.len() > 10, "harness: too few Rust sources found: {all:?}");
    all.into_iter().map(|p| (p.clone(), fs::read_to_string(&p).unwrap())).collect()
}

/// The lines of `text` that open a C header, as `LINE: TEXT`.
fn c_in(text: &str) -> Vec<String> {
    // Spelled in two halves, so this file does not break its own rule.
    let include = concat!("#inc", "lude <");
    text.lines().enumerate().filter(|(_, l)| l.contains(include)).map(|(i, l)| format!("{}: {l}", i + 1)).collect()
}

#[test]
fn the_check_finds_c_in_a_rust_string() {
    // Control: the check is not blind.
    let src = concat!("const X_C: &str = r#\"\n#inc", "lude <stdio.h>\nint main(void) { return 0; }\n\"#;\n");
    assert_eq!(c_in(src), [concat!("2: #inc", "lude <stdio.h>")]);
    assert!(c_in("let a = 1;\n// include <stdio.h>\n").is_empty());
}

#[test]
fn no_c_source_in_a_rust_file_of_the_tests() {
    let found: Vec<String> = rust_sources()
        .into_iter()
        .flat_map(|(p, text)| c_in(&text).into_iter().map(move |l| format!("{}:{l}", p.display())))
        .collect();
    assert!(
        found.is_empty(),
        "C source in Rust files (put it in tests/NAME.c, build it with cc_static):\n{}",
        found.join("\n")
    );
}

#[test]
fn every_c_program_of_the_tests_is_built_by_a_test() {
    let rust: String = rust_sources().into_iter().map(|(_, text)| text).collect();
    let programs = files("tests", "c");
    assert!(programs.iter().any(|p| p.ends_with("probe.c")), "{programs:?}");
    for p in programs {
        let name = p.file_stem().unwrap().to_str().unwrap();
        assert!(
            rust.contains(&format!("\"{name}\")")),
            "{} is built by no test (cc_static(dir, \"{name}\"))",
            p.display()
        );
    }
}
