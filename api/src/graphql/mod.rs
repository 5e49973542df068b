//! The GraphQL API of DESIGN.md §4.

pub mod auth;
pub mod enums;
pub mod error;
pub mod inputs;
pub mod mutation;
pub mod query;
mod read;
pub mod reads;
pub mod scalars;
pub mod state;
pub mod subscription;
pub mod types;

use async_graphql::Schema;

pub use state::AppState;

pub use crate::limits::{MAX_COMPLEXITY, MAX_DEPTH};

pub type RegistrySchema = Schema<query::QueryRoot, mutation::MutationRoot, subscription::SubscriptionRoot>;

/// The schema, with its limits (`crate::limits`: checked by its extension, so that every
/// refusal carries its code); `state` is attached as data (absent for `liangye schema`).
pub fn schema(state: Option<AppState>) -> RegistrySchema {
    let builder = Schema::build(
        query::QueryRoot,
        mutation::MutationRoot,
        subscription::SubscriptionRoot,
    )
    .extension(crate::limits::QueryLimits)
    .data(crate::limits::HeavyReads::new(crate::limits::heavy_reads()))
    // Backstops only: the extension refuses before these are reached.
    .limit_recursive_depth(crate::limits::MAX_NESTING + 8)
    .limit_directives(crate::limits::MAX_DIRECTIVES + 8);
    match state {
        Some(state) => builder.data(state).finish(),
        None => builder.finish(),
    }
}

/// The SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    schema(None).sdl()
}
