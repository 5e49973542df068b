//! The Liangye Registry's API: GraphQL on axum and the `liangye` command line. No business
//! rules live here: commands are decided by `liangye-services`, reads come from its live
//! read models.

pub mod app;
pub mod cli;
pub mod connections;
pub mod console;
pub mod demo;
pub mod excel;
pub mod graphiql;
pub mod graphql;
pub mod limits;
pub mod metrics;
pub mod response_cache;
pub mod server;
pub mod telemetry;
pub mod ws;
