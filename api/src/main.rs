//! `liangye`: the registry's command line (DESIGN.md §5).

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: replay, GraphQL resolution and JSON allocate
/// and free many small objects, often on different threads, where glibc's malloc spends a
/// large share of the time (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    liangye_services::store::keep_sqlite_buffers_in_the_heap();
    liangye_services::store::without_transparent_huge_pages();
    let args = liangye_api::cli::Args::parse();
    liangye_api::telemetry::init(args.log_json);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(liangye_api::cli::run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
