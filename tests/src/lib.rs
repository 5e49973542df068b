//! The one test kit of the workspace, for the end-to-end, conformance, reliability, hardening
//! and browser tests and the benchmark harness:
//! - [`TestDb`]: a fresh database per test on SQLite (always) and PostgreSQL (when
//!   `TEST_DATABASE_URL` is set), and [`on_both_backends!`] to run a test on each;
//! - [`TestApp`]: the application on port 0 in this process, built as `serve` builds it, with
//!   one token per role and GraphQL/websocket helpers;
//! - [`process`]: the `liangye` binary as a process (`serve`, `verify`, `export`, …);
//! - [`excel`]: pilot lists as workbooks, and the multipart bodies that upload them.
//!
//! Rules are tested given/when/then beside `decide` (`liangye-services`' `decide::tests`).

pub mod app;
pub mod bench;
pub mod excel;
pub mod process;
pub mod testdb;

pub use app::TestApp;

/// The HTTP client settings every helper uses: no proxy (the servers are on loopback) and
/// [`app::PATIENCE`] per request; add e.g. `.redirect(Policy::none())` before `build`.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().no_proxy().timeout(app::PATIENCE)
}

/// [`http_client_builder`], built.
pub fn http_client() -> reqwest::Client {
    http_client_builder().build().expect("HTTP client")
}

use liangye_events::{Metadata, NewEvent, StoredEvent};
use liangye_services::{EventStore, StoreError};
use serde_json::Value;

/// Append `events` straight to the log in one write transaction (as the engine's writer
/// does, without deciding): for tests that need raw events — payloads of other schema
/// versions, events no command makes. All or nothing.
pub async fn append(store: &EventStore, events: Vec<NewEvent>) -> Result<Vec<StoredEvent>, StoreError> {
    let mut tx = store.begin_write().await?;
    let stored = tx.append(events).await?;
    tx.commit().await?;
    Ok(stored)
}
pub use testdb::{TestDb, skip};

/// The event types of a unit's history from listing to award: listed, recommended, the four
/// reviews passed, awarded.
pub const LISTED_TO_AWARDED: [&str; 7] = [
    "PilotListed",
    "Recommended",
    "ReviewRecorded",
    "ReviewRecorded",
    "ReviewRecorded",
    "ReviewRecorded",
    "Awarded",
];

/// A raw event for [`append`]: `event_type` (schema version 1, as no command makes it) on
/// `stream` with `payload`, recorded by `actor` as PROVINCIAL.
pub fn raw_event(stream: impl Into<String>, event_type: &str, payload: Value, actor: &str) -> NewEvent {
    NewEvent {
        event_id: uuid::Uuid::now_v7(),
        stream_id: stream.into(),
        event_type: event_type.to_owned(),
        schema_version: 1,
        payload,
        metadata: Metadata {
            actor: actor.to_owned(),
            role: "PROVINCIAL".to_owned(),
            ..Metadata::default()
        },
    }
}

/// Declares each listed `async fn NAME(db: &TestDb)` of the calling module as the test
/// `postgres::NAME` on a fresh PostgreSQL database: for what only PostgreSQL can do (several
/// servers on one database, a restarted server). Skipped, saying so in the output, when
/// `TEST_DATABASE_URL` is not set; failing under CI.
#[macro_export]
macro_rules! on_postgres {
    ($($name:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let test = concat!(module_path!(), "::", stringify!($name));
                    let Some(db) = $crate::TestDb::postgres_or_skip(test).await else {
                        return;
                    };
                    super::$name(&db).await;
                }
            )*
        }
    };
}

/// Declares each listed `async fn NAME(db: &TestDb)` of the calling module as two tests:
/// `sqlite::NAME` on a fresh SQLite file, and `postgres::NAME` on a fresh PostgreSQL
/// database when `TEST_DATABASE_URL` is set (skipped, saying so in the output, when it is
/// not; failing under CI).
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
        $crate::on_postgres!($($name),*);
    };
}
