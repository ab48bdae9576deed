//! Links the `rubric` binary as a position-dependent executable on Linux (GNU toolchains).
//!
//! A position-independent executable is relocated by the dynamic loader at every start: pages of
//! pointers written, each a copy-on-write page fault, a visible share of the start-up cost of
//! grading a small file (BENCHMARKS.md has the measurement). Only the binary is linked so; the
//! library and the tests are unchanged.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
