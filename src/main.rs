fn main() -> std::process::ExitCode {
    rubric::alloc::disable_transparent_huge_pages();
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
