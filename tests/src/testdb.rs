//! A fresh database for one test: a new SQLite file in a temporary directory, or a new
//! PostgreSQL database created on the server named by `TEST_DATABASE_URL` and dropped when
//! the [`TestDb`] is dropped (also when the test panics).

use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::PgConnection;
use uuid::Uuid;

/// The environment variable naming the PostgreSQL server for tests.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

pub struct TestDb {
    pub url: String,
    /// A temporary directory of the test's own: the SQLite file, servers' logs, side files.
    dir: tempfile::TempDir,
    pg: Option<PgDrop>,
}

struct PgDrop {
    admin_url: String,
    name: String,
}

impl TestDb {
    /// A new, empty SQLite database file.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("liangye.db").display());
        Self { url, dir, pg: None }
    }

    /// A new, empty PostgreSQL database, or `None` when `TEST_DATABASE_URL` is not set.
    pub async fn postgres() -> Option<Self> {
        let admin_url = std::env::var(TEST_DATABASE_URL).ok().filter(|s| !s.is_empty())?;
        Some(Self::postgres_on(&admin_url).await)
    }

    /// A new, empty PostgreSQL database on the server of `admin_url` (dropped with the value).
    pub async fn postgres_on(admin_url: &str) -> Self {
        let admin_url = admin_url.to_owned();
        let name = format!("liangye_t_{}", Uuid::now_v7().simple());
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL}={admin_url} is not reachable: {e}"));
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("CREATE DATABASE");
        let _ = admin.close().await;
        let url = replace_database(&admin_url, &name);
        Self {
            url,
            dir: tempfile::tempdir().expect("temporary directory"),
            pg: Some(PgDrop { admin_url, name }),
        }
    }

    /// A database of the named backend (`"sqlite"` or `"postgres"`); `None` when PostgreSQL
    /// is not configured.
    pub async fn of(backend: &str) -> Option<Self> {
        match backend {
            "sqlite" => Some(Self::sqlite()),
            "postgres" => Self::postgres().await,
            other => panic!("unknown backend {other}"),
        }
    }

    /// A new, empty PostgreSQL database, or — when `TEST_DATABASE_URL` is not set — `None`
    /// after saying in the test output that `test` was skipped (and failing instead under
    /// CI, where nothing may be skipped).
    pub async fn postgres_or_skip(test: &str) -> Option<Self> {
        let db = Self::postgres().await;
        if db.is_none() {
            skip(test, "TEST_DATABASE_URL is not set");
        }
        db
    }

    /// The test's own temporary directory.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// A file in the test's own temporary directory.
    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }
}

/// Report that `test` did not run, and why: in the test output for everyone to see (past
/// the test harness's capture), or, when `CI` is set, as a failure — CI skips nothing.
pub fn skip(test: &str, reason: &str) {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{test} cannot run: {reason}; under CI nothing may be skipped");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "skipped: {test}: {reason}");
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(pg) = self.pg.take() else { return };
        // Drop from a thread of its own: this may run inside an async test's runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
            let Ok(rt) = rt else { return };
            rt.block_on(async move {
                let connect = PgConnection::connect(&pg.admin_url);
                if let Ok(Ok(mut admin)) = tokio::time::timeout(Duration::from_secs(10), connect).await {
                    let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg.name);
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Replace the database name in a PostgreSQL URL (keeping any query string).
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_and_path = &base[scheme_end..];
    let prefix = match host_and_path.find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_database("postgres://h:1/test?sslmode=disable", "x"),
            "postgres://h:1/x?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://h", "x"), "postgres://h/x");
    }
}
