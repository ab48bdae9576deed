fn main() -> std::process::ExitCode {
    rubric::cli::main()
}

// Grading allocates many small values per case; mimalloc halves the time spent in the allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
