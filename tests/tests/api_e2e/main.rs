//! The GraphQL API end to end: real HTTP and websockets against the real server on a random
//! loopback port ([`liangye_tests::TestApp`]), each case on SQLite and (when
//! `TEST_DATABASE_URL` is set) PostgreSQL.
//!
//! - `roles`: the role matrix of DESIGN.md §1 for every mutation and every read;
//! - `errors`: every error code of §4, and no database text in any message;
//! - `lifecycle`: a unit's whole life through mutations, and idempotent `commandId`s;
//! - `reads`: pagination, filters and as-of;
//! - `programme`: corrections, closures, dates and grounds, sectors, monitoring, subsidies;
//! - `merkle`: tree heads and proofs, verified as an auditor would;
//! - `subscription`: catch-up then live over `graphql-transport-ws`;
//! - `cached_reads`: the response cache never serves a stale or another role's answer;
//! - `transport`: malformed and oversized requests, batches, `/healthz`, `/metrics`;
//! - `wave2_reads`: applications, the new statistics, sync (`changedAfter`) and push
//!   (`designationChanged`), the auditors' event filters and typed history (issue 14).

// `on_both_backends!` (from liangye-tests) is used by every module.
#[macro_use]
extern crate liangye_tests;

mod cached_reads;
mod errors;
mod lifecycle;
mod merkle;
mod programme;
mod reads;
mod roles;
mod subscription;
mod support;
mod transport;
mod wave2_reads;
