//! The benchmark harness: `cargo run --release -p liangye-tests --bin bench -- --events N --json`.
//! Every figure is printed beside a baseline measured in the same run (see BENCHMARKS.md).

use clap::Parser;
use liangye_tests::bench::{self, Figure};

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
    /// Requests sent by the 64 HTTP connections.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
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
    /// Internal: serve the log at this URL in this process (the `rss` workload's child).
    #[arg(long, hide = true)]
    serve_only: Option<String>,
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

#[tokio::main]
async fn main() -> bench::Result<()> {
    let args = Args::parse();
    if let Some(url) = &args.serve_only {
        return bench::http::serve_only(url).await;
    }
    let target = bench::Target::new(args.database.clone())?;
    let q = args.quick;
    let (append_events, decisions, events, requests) = if q {
        (5_000, 1_000, 5_000, 640)
    } else {
        (args.append_events, args.decisions, args.events, args.requests)
    };
    let json = args.json;
    let append = bench::append::run(&target, append_events).await?;
    let fresh_rate = append.value;
    print(&append, json)?;
    print(&bench::decisions::run(&target, decisions).await?, json)?;
    print(&bench::rebuild::run(&target, events).await?, json)?;
    print(&bench::as_of::run(&target, events).await?, json)?;
    let log = bench::rebuild::ensure_log(&target, events).await?;
    print(&bench::verify::run(&log, events).await?, json)?;
    print(&bench::http::run(&log, requests).await?, json)?;
    print(&bench::http::rss(&log, events).await?, json)?;
    print(
        &bench::verify::append_tree(&log, append_events, fresh_rate).await?,
        json,
    )?;
    Ok(())
}
