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
