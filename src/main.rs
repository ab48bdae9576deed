fn main() -> std::process::ExitCode {
    no_transparent_huge_pages();
    // Expressions are evaluated recursively; their depth is bounded by the parser, and a large
    // stack keeps that bound comfortably away from an overflow.
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(rubric::cli::main)
        .ok()
        .and_then(|t| t.join().ok())
        .unwrap_or(std::process::ExitCode::from(70))
}

#[global_allocator]
static GLOBAL: rubric::alloc::Allocator = rubric::alloc::Allocator;

/// Turns transparent huge pages off for this process. mimalloc is built with `no_thp`, so it no
/// longer asks for them (with it, the kernel zeroed, and sometimes compacted memory for, 2 MB at the
/// first touch of each region: up to a tenth of a harvey run's CPU, with no gain in the grading loop,
/// whose working set is small); this also keeps them off where the system enables them for every
/// mapping (`always`), from the first allocation after `main` on.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` only sets a flag of the calling process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
