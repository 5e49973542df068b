//! Shared helpers for the end-to-end, conformance and reliability tests and the benchmark
//! harness: a fresh database per test on SQLite (always) and PostgreSQL (when
//! `TEST_DATABASE_URL` is set).

pub mod app;
pub mod testdb;

pub use app::TestApp;
pub use testdb::TestDb;
pub mod bench;
