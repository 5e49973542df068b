//! Workloads of the benchmark harness (`--bin bench`). Each prints one JSON object a line:
//! `name`, `value`, `unit`, and where it applies `baseline` (with what it is) and `p99_ms`.

pub mod append;
pub mod as_of;
pub mod decisions;
pub mod export;
pub mod http;
pub mod rebuild;
pub mod stages;
pub mod verify;

use serde::Serialize;

/// A boxed error: enough for a harness.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// One measured figure.
#[derive(Debug, Serialize)]
pub struct Figure {
    pub name: &'static str,
    pub value: f64,
    pub unit: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p99_ms: Option<f64>,
    /// Further baselines measured in the same run (e.g. SHA-256 alone beside `verify`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Baseline>,
    /// The goal of DESIGN.md §6 for this figure, in words.
    pub goal: &'static str,
}

/// A baseline measured in the same run.
#[derive(Debug, Serialize)]
pub struct Baseline {
    pub value: f64,
    pub what: &'static str,
}

/// The CPU seconds this process has used, user and system, all threads: fields 14 and 15
/// of `/proc/self/stat`, in the kernel's user-visible clock ticks (100 a second on Linux).
/// `None` where there is no such file.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let mut fields = after_name.split(' ').skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) as f64 / 100.0)
}

/// What a fresh process timed (see [`timed_in_fresh_process`]).
pub struct Timed {
    /// Events rebuilt or verified.
    pub events: u64,
    pub seconds: f64,
    /// The CPU seconds the process used meanwhile, where the system tells.
    pub cpu_seconds: Option<f64>,
}

impl Timed {
    /// The timing's same-run figures: its wall-clock seconds (described by `wall`) and the
    /// CPU seconds the process used meanwhile.
    pub fn baselines(&self, wall: &'static str) -> Vec<Baseline> {
        let mut out = vec![Baseline {
            value: round3(self.seconds),
            what: wall,
        }];
        out.extend(self.cpu_seconds.map(|used| Baseline {
            value: round3(used),
            what: "CPU seconds that process used meanwhile, every thread (two busy cores: twice the seconds it took)",
        }));
        out
    }
}

/// Runs `work` (`rebuild` or `verify`) over the log at `url` in a fresh process of this
/// harness (`--time-only WORK --log URL`), as `liangye verify` and a server's start-up run
/// it, and returns what that process timed. In this process the work would run in whatever
/// memory the workloads before it left behind: a rebuild timed right after the row-by-row
/// scan took up to 1.8 times as long (BENCHMARKS.md, seventh run).
pub async fn timed_in_fresh_process(work: &str, url: &str) -> Result<Timed> {
    let output = tokio::process::Command::new(std::env::current_exe()?)
        .args(["--time-only", work, "--log", url])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .await?;
    let text = String::from_utf8(output.stdout)?;
    if !output.status.success() {
        return Err(format!(
            "timing {work} in a fresh process failed ({}): {text}",
            output.status
        )
        .into());
    }
    let reply: serde_json::Value = serde_json::from_str(text.trim())?;
    let number = |key: &str| reply[key].as_f64();
    Ok(Timed {
        events: reply["events"].as_u64().ok_or("no events in the child's reply")?,
        seconds: number("seconds").ok_or("no seconds in the child's reply")?,
        cpu_seconds: number("cpu_seconds"),
    })
}

/// `--time-only WORK --log URL`: the child of [`timed_in_fresh_process`]. Connects to the
/// log, runs `work` once, timed, and prints `{"events":…,"seconds":…,"cpu_seconds":…}`.
pub async fn time_only(work: &str, url: &str) -> Result<()> {
    let store = liangye_services::EventStore::connect(url).await?;
    let cpu = process_cpu_seconds();
    let start = std::time::Instant::now();
    // The rebuilt registry outlives the clock, as a server keeps it after its start-up.
    let mut rebuilt = None;
    let events = match work {
        "rebuild" => {
            let registry = rebuilt.insert(liangye_services::live::rebuild(&store).await?);
            u64::try_from(registry.position())?
        }
        "verify" => {
            let options = liangye_services::verify::VerifyOptions::default();
            let verified = liangye_services::verify::verify_log(&store, &options)
                .await?
                .map_err(|e| format!("the benchmark log does not verify: {e}"))?;
            u64::try_from(verified)?
        }
        other => return Err(format!("--time-only takes rebuild or verify, not {other:?}").into()),
    };
    let seconds = start.elapsed().as_secs_f64();
    let cpu_seconds = cpu.zip(process_cpu_seconds()).map(|(a, b)| b - a);
    drop(rebuilt);
    store.close().await;
    println!(
        "{}",
        serde_json::json!({"events": events, "seconds": seconds, "cpu_seconds": cpu_seconds})
    );
    Ok(())
}

/// Rounds to the thousandth (seconds to the millisecond).
fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Where the workloads' databases live: fresh SQLite files in a temporary directory (the
/// default), or fresh databases created on a PostgreSQL server (`--database URL`) and dropped
/// at the end. Each name gets one database, made on first use and reused after.
pub struct Target {
    dir: tempfile::TempDir,
    postgres: Option<String>,
    made: tokio::sync::Mutex<std::collections::HashMap<String, crate::TestDb>>,
    /// A SQLite file kept between runs for the N-event log (`--keep-log`).
    kept_log: Option<std::path::PathBuf>,
}

impl Target {
    /// SQLite files, or databases on the PostgreSQL server of `postgres` when given.
    pub fn new(postgres: Option<String>) -> Result<Self> {
        Ok(Self {
            dir: tempfile::tempdir()?,
            postgres,
            made: Default::default(),
            kept_log: None,
        })
    }

    /// Keep the N-event log in this SQLite file: built when absent, reused when it holds N
    /// events (building a 1,000,000-event log takes about a minute). SQLite only.
    pub fn keep_log(mut self, file: std::path::PathBuf) -> Result<Self> {
        if self.postgres.is_some() {
            return Err("--keep-log keeps a SQLite file; it cannot be used with --database".into());
        }
        self.kept_log = Some(file);
        Ok(self)
    }

    /// The SQLite file kept for the N-event log, if any.
    pub fn kept_log(&self) -> Option<&std::path::Path> {
        self.kept_log.as_deref()
    }

    /// The URL of the N-event log's database: the kept file, or a fresh database.
    pub async fn log_database(&self, events: usize) -> Result<String> {
        match &self.kept_log {
            Some(file) => Ok(format!("sqlite://{}", file.display())),
            None => self.database(&format!("log-{events}")).await,
        }
    }

    /// The URL of the database called `name`, empty when first asked for.
    pub async fn database(&self, name: &str) -> Result<String> {
        let mut made = self.made.lock().await;
        if let Some(db) = made.get(name) {
            return Ok(db.url.clone());
        }
        let db = match &self.postgres {
            Some(admin) => crate::TestDb::postgres_on(admin).await,
            None => crate::TestDb::sqlite(),
        };
        let url = db.url.clone();
        made.insert(name.to_owned(), db);
        Ok(url)
    }

    /// True when the databases are PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// A scratch directory for files.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

/// Round to one decimal for printing.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
