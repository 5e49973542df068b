//! The GraphQL API end to end: real HTTP and websockets against the real server on a random
//! loopback port ([`liangye_tests::TestApp`]), each case on SQLite and (when
//! `TEST_DATABASE_URL` is set) PostgreSQL.
//!
//! - `roles`: the role matrix of DESIGN.md §1 for every mutation and every read;
//! - `errors`: every error code of §4, and no database text in any message;
//! - `lifecycle`: a unit's whole life through mutations, and idempotent `commandId`s;
//! - `reads`: pagination, filters and as-of;
//! - `merkle`: tree heads and proofs, verified as an auditor would;
//! - `subscription`: catch-up then live over `graphql-transport-ws`;
//! - `transport`: malformed and oversized requests, batches, `/healthz`, `/metrics`.

// Defined before the modules, which use it.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = liangye_tests::TestDb::sqlite();
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = liangye_tests::TestDb::postgres().await else {
                        eprintln!("skipped: TEST_DATABASE_URL is not set");
                        return;
                    };
                    super::$name(&db).await;
                }
            )*
        }
    };
}

mod errors;
mod lifecycle;
mod merkle;
mod reads;
mod roles;
mod subscription;
mod support;
mod transport;
