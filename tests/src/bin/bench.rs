//! The benchmark harness: `cargo run --release -p liangye-tests --bin bench -- --json`.
//! Every figure is printed beside a baseline measured in the same run.

use clap::Parser;
use liangye_tests::bench::{self, Figure};

#[derive(Parser)]
#[command(about = "Liangye Registry benchmark harness")]
struct Args {
    /// Events appended by the bulk-append workload.
    #[arg(long, default_value_t = 100_000)]
    append_events: usize,
    /// Decisions made by the 64 concurrent writers.
    #[arg(long, default_value_t = 20_000)]
    decisions: usize,
    /// Events in the log the rebuild and as-of workloads run on.
    #[arg(long, default_value_t = 1_000_000)]
    log_events: usize,
    /// Small sizes for every workload, for CI.
    #[arg(long)]
    quick: bool,
    /// Print one JSON object a line (otherwise a readable table).
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() -> bench::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let append_events = if args.quick { 5_000 } else { args.append_events };
    let decisions = if args.quick { 1_000 } else { args.decisions };
    let log_events = if args.quick { 5_000 } else { args.log_events };
    let figures: Vec<Figure> = vec![
        bench::append::run(dir.path(), append_events).await?,
        bench::decisions::run(dir.path(), decisions).await?,
        bench::rebuild::run(dir.path(), log_events).await?,
        bench::as_of::run(dir.path(), log_events).await?,
    ];
    for f in &figures {
        if args.json {
            println!("{}", serde_json::to_string(f)?);
        } else {
            let baseline = f
                .baseline
                .as_ref()
                .map(|b| format!("  (baseline {} {}: {})", b.value, f.unit, b.what))
                .unwrap_or_default();
            println!(
                "{:<22} {:>12} {}{}   goal {}",
                f.name, f.value, f.unit, baseline, f.goal
            );
        }
    }
    Ok(())
}
