//! `export`: the registry of the N-event log exported as the server exports it
//! (`liangye_api::excel::registry`, what `GET /exports/registry.xlsx` and `.csv` run), in a
//! child process holding the live registry, as xlsx and as CSV: the time of each, beside the
//! time of reading the same designations as of the same position without writing anything
//! (the as-of query of the same data); and the peak resident memory each adds to the
//! process above what it held before (Linux: `VmHWM` after `clear_refs`).

use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

use super::{Baseline, Figure, Result, round1};

/// `--export-only URL`: the child. Builds the application on the log, prints `ready`, then
/// for each line on standard input (`read`, `xlsx`, `csv`) runs that pass over the registry
/// and prints `done SECONDS ROWS BYTES`.
pub async fn export_only(url: &str) -> Result<()> {
    use liangye_api::app::{App, Options};
    use liangye_api::excel::{self, registry};
    let app = App::start(url, Options::default()).await?;
    let head = app.ready().await?;
    let live = app.state.live.clone();
    let dir = tempfile::tempdir()?;
    println!("ready {head}");
    // Standard input, line by line, from a thread of its own.
    let (sender, mut requests) = tokio::sync::mpsc::channel::<String>(1);
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if sender.blocking_send(line).is_err() {
                break;
            }
        }
    });
    while let Some(line) = requests.recv().await {
        let moment = excel::moment(&live, None).await?;
        let (live, path) = (live.clone(), dir.path().join(format!("registry.{line}")));
        let pass = line.clone();
        let (seconds, rows, bytes) = tokio::task::spawn_blocking(move || -> Result<(f64, u64, u64)> {
            let start = Instant::now();
            let rows = match pass.as_str() {
                "read" => registry::for_each(&live, &moment, |d| {
                    std::hint::black_box(d);
                    Ok(())
                })?,
                "xlsx" => {
                    let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
                    registry::write_xlsx(&live, &moment, &registry::About::default(), file)?
                }
                "csv" => {
                    let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
                    registry::write_csv(&live, &moment, file)?
                }
                other => return Err(format!("unknown pass {other:?}").into()),
            };
            let seconds = start.elapsed().as_secs_f64();
            let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            Ok((seconds, rows, bytes))
        })
        .await??;
        println!("done {seconds} {rows} {bytes}");
    }
    Ok(())
}

/// A line of `/proc/PID/status` in MiB (`VmRSS`, `VmHWM`).
fn status_mib(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .trim_start_matches(':')
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Reset the process's peak resident set to its current one (Linux ≥ 4.0).
fn reset_peak(pid: u32) -> Result<()> {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5")?;
    Ok(())
}

/// One pass's figures: seconds, rows, bytes, and the peak memory above what was resident
/// before it.
struct Pass {
    seconds: f64,
    rows: u64,
    bytes: u64,
    peak_above: f64,
}

pub async fn run(log_url: &str, events: usize) -> Result<Vec<Figure>> {
    let exe = std::env::current_exe()?;
    let mut child = tokio::process::Command::new(exe)
        .arg("--export-only")
        .arg(log_url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("child stdin")?;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().ok_or("child stdout")?).lines();
    while let Some(line) = lines.next_line().await? {
        if line.starts_with("ready") {
            break;
        }
    }
    let pid = child.id().ok_or("child pid")?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let resident = status_mib(pid, "VmRSS").ok_or("cannot read the child's VmRSS")?;
    let mut pass = async |name: &str| -> Result<Pass> {
        reset_peak(pid)?;
        let before = status_mib(pid, "VmRSS").ok_or("VmRSS")?;
        stdin.write_all(format!("{name}\n").as_bytes()).await?;
        stdin.flush().await?;
        let line = lines.next_line().await?.ok_or("the child stopped")?;
        let mut parts = line.strip_prefix("done ").ok_or("unexpected output")?.split(' ');
        let mut next = || parts.next().ok_or("short output");
        let seconds: f64 = next()?.parse()?;
        let rows: u64 = next()?.parse()?;
        let bytes: u64 = next()?.parse()?;
        let peak = status_mib(pid, "VmHWM").ok_or("VmHWM")?;
        Ok(Pass {
            seconds,
            rows,
            bytes,
            peak_above: (peak - before).max(0.0),
        })
    };
    let read = pass("read").await?;
    let xlsx = pass("xlsx").await?;
    let csv = pass("csv").await?;
    let _ = child.kill().await;
    let what = "reading the same designations as of the same position, nothing written";
    let timed = |name, pass: &Pass| Figure {
        name,
        value: round1(pass.seconds * 1000.0),
        unit: "ms",
        baseline: Some(Baseline {
            value: round1(read.seconds * 1000.0),
            what,
        }),
        p99_ms: None,
        also: Vec::new(),
        goal: "none (issue 15: time and peak memory of exporting the registry)",
    };
    let mib = |bytes: u64| round1(bytes as f64 / (1024.0 * 1024.0));
    // A harness prints a handful of these once: leaking the text is harmless.
    let rows: &'static str = Box::leak(
        format!(
            "{} units in each file ({events} events in the log)",
            xlsx.rows.max(csv.rows)
        )
        .into_boxed_str(),
    );
    let held: &'static str = Box::leak(
        format!(
            "the workbook is never held in memory whole: constant in the number of rows \
             (the process held {} MiB resident before exporting)",
            round1(resident)
        )
        .into_boxed_str(),
    );
    let peak_baseline = Baseline {
        value: round1(read.peak_above),
        what: "peak above resident of the read-only pass",
    };
    Ok(vec![
        timed("export_xlsx", &xlsx),
        Figure {
            name: "export_xlsx_peak",
            value: round1(xlsx.peak_above),
            unit: "MiB above resident",
            baseline: Some(Baseline {
                value: peak_baseline.value,
                what: peak_baseline.what,
            }),
            p99_ms: None,
            also: Vec::new(),
            goal: held,
        },
        timed("export_csv", &csv),
        Figure {
            name: "export_csv_peak",
            value: round1(csv.peak_above),
            unit: "MiB above resident",
            baseline: Some(peak_baseline),
            p99_ms: None,
            also: Vec::new(),
            goal: "streamed: constant in the number of rows",
        },
        Figure {
            name: "export_size",
            value: mib(xlsx.bytes),
            unit: "MiB xlsx",
            baseline: Some(Baseline {
                value: mib(csv.bytes),
                what: "MiB of the CSV",
            }),
            p99_ms: None,
            also: Vec::new(),
            goal: rows,
        },
    ])
}
