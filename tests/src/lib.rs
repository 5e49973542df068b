//! Shared helpers for the end-to-end, conformance and reliability tests and the benchmark
//! harness: a fresh database per test on SQLite (always) and PostgreSQL (when
//! `TEST_DATABASE_URL` is set).

pub mod app;
pub mod testdb;

pub use app::TestApp;
pub use testdb::TestDb;
pub mod bench;

/// Declares each listed `async fn NAME(db: &TestDb)` of the calling module as two tests:
/// `sqlite::NAME` on a fresh SQLite file, and `postgres::NAME` on a fresh PostgreSQL
/// database when `TEST_DATABASE_URL` is set (skipped, saying so, when it is not).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let db = $crate::TestDb::sqlite();
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(db) = $crate::TestDb::postgres().await else {
                        eprintln!("skipped: TEST_DATABASE_URL is not set");
                        return;
                    };
                    super::$name(&db).await;
                }
            )*
        }
    };
}
