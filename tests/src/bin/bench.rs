//! The benchmark harness: `cargo run --release -p liangye-tests --bin bench -- --events N --json`.
//! Every figure is printed beside a baseline measured in the same run (see BENCHMARKS.md).

use clap::Parser;
use liangye_tests::bench::{self, Figure};

/// The allocator `liangye` runs with, so that the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Liangye Registry benchmark harness")]
struct Args {
    /// Events in the realistic log the rebuild, as-of, verify, HTTP and memory workloads run on.
    #[arg(long, default_value_t = 1_000_000)]
    events: usize,
    /// Events appended by the bulk-append workloads.
    #[arg(long, default_value_t = 100_000)]
    append_events: usize,
    /// Decisions made by the 64 concurrent writers.
    #[arg(long, default_value_t = 20_000)]
    decisions: usize,
    /// Seconds the 64 HTTP connections send requests for (wrk's `-d`).
    #[arg(long, default_value_t = 10.0)]
    http_seconds: f64,
    /// Small sizes for every workload, for CI: figures are meaningless, the code path is not.
    #[arg(long)]
    quick: bool,
    /// Print one JSON object a line (otherwise a readable table).
    #[arg(long)]
    json: bool,
    /// Run on PostgreSQL: the URL of a server database to create fresh databases from
    /// (e.g. postgres://postgres@127.0.0.1:5432/test); they are dropped at the end.
    #[arg(long)]
    database: Option<String>,
    /// Run only these workloads (comma-separated names: append_bulk, decisions_concurrent,
    /// rebuild, as_of, verify, stages, http_designations, rss, append_tree, export); all when
    /// absent.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Keep the N-event log in this SQLite file between runs (built when absent, reused when
    /// it holds N events). `append_tree` appends to it, so it is then rebuilt next time.
    #[arg(long)]
    keep_log: Option<std::path::PathBuf>,
    /// Internal: serve the log at this URL in this process (the `rss` workload's child).
    #[arg(long, hide = true)]
    serve_only: Option<String>,
    /// Internal: export the registry of the log at this URL on request (the `export`
    /// workload's child).
    #[arg(long, hide = true)]
    export_only: Option<String>,
    /// Internal: time `rebuild` or `verify` of the log at `--log` once, in this fresh
    /// process (the child of those workloads).
    #[arg(long, hide = true, requires = "log")]
    time_only: Option<String>,
    /// Internal: the log's URL for `--time-only`.
    #[arg(long, hide = true)]
    log: Option<String>,
}

fn print(f: &Figure, json: bool) -> bench::Result<()> {
    if json {
        println!("{}", serde_json::to_string(f)?);
    } else {
        let baseline = f
            .baseline
            .as_ref()
            .map(|b| format!("  (baseline {} {}: {})", b.value, f.unit, b.what))
            .unwrap_or_default();
        let p99 = f.p99_ms.map(|p| format!(", p99 {p} ms")).unwrap_or_default();
        println!(
            "{:<20} {:>12} {}{p99}{baseline}   goal: {}",
            f.name, f.value, f.unit, f.goal
        );
    }
    Ok(())
}

fn main() -> bench::Result<()> {
    // As `liangye` does, before any thread starts: the figures are the binary's.
    liangye_services::store::keep_sqlite_buffers_in_the_heap();
    liangye_services::store::without_transparent_huge_pages();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(Args::parse()))
}

async fn run(args: Args) -> bench::Result<()> {
    if let Some(url) = &args.serve_only {
        return bench::http::serve_only(url).await;
    }
    if let Some(url) = &args.export_only {
        return bench::export::export_only(url).await;
    }
    if let (Some(work), Some(url)) = (&args.time_only, &args.log) {
        return bench::time_only(work, url).await;
    }
    let mut target = bench::Target::new(args.database.clone())?;
    if let Some(file) = &args.keep_log {
        target = target.keep_log(file.clone())?;
    }
    let known = [
        "append_bulk",
        "decisions_concurrent",
        "rebuild",
        "as_of",
        "verify",
        "http_designations",
        "rss",
        "append_tree",
        "export",
        "stages",
    ];
    if let Some(unknown) = args.only.iter().find(|n| !known.contains(&n.as_str())) {
        return Err(format!("unknown workload {unknown:?}; known: {}", known.join(", ")).into());
    }
    let wanted = |name: &str| args.only.is_empty() || args.only.iter().any(|n| n == name);
    let q = args.quick;
    let (append_events, decisions, events, http_seconds) = if q {
        (5_000, 1_000, 5_000, 0.5)
    } else {
        (args.append_events, args.decisions, args.events, args.http_seconds)
    };
    let json = args.json;
    // append_tree reports its rate beside the fresh append's, so it needs that one too.
    let mut fresh_rate = None;
    if wanted("append_bulk") || wanted("append_tree") {
        let append = bench::append::run(&target, append_events).await?;
        fresh_rate = Some(append.value);
        print(&append, json)?;
    }
    if wanted("decisions_concurrent") {
        print(&bench::decisions::run(&target, decisions).await?, json)?;
    }
    if wanted("rebuild") {
        print(&bench::rebuild::run(&target, events).await?, json)?;
    }
    if wanted("as_of") {
        print(&bench::as_of::run(&target, events).await?, json)?;
    }
    // The N-event log, for the workloads below that need it (built once, or reused).
    let on_log = [
        "verify",
        "stages",
        "http_designations",
        "rss",
        "export",
        "append_tree",
    ];
    let log = match on_log.iter().any(|name| wanted(name)) {
        true => bench::rebuild::ensure_log(&target, events).await?,
        false => String::new(),
    };
    if wanted("verify") {
        print(&bench::verify::run(&log, events).await?, json)?;
    }
    if wanted("stages") {
        for figure in bench::stages::run(&log).await? {
            print(&figure, json)?;
        }
    }
    if wanted("http_designations") {
        print(
            &bench::http::run(&log, std::time::Duration::from_secs_f64(http_seconds)).await?,
            json,
        )?;
    }
    if wanted("rss") {
        print(&bench::http::rss(&log, events).await?, json)?;
    }
    if wanted("export") {
        for figure in bench::export::run(&log, events).await? {
            print(&figure, json)?;
        }
    }
    if let Some(fresh_rate) = fresh_rate.filter(|_| wanted("append_tree")) {
        print(
            &bench::verify::append_tree(&log, append_events, fresh_rate).await?,
            json,
        )?;
    }
    Ok(())
}
