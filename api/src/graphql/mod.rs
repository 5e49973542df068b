//! The GraphQL API of DESIGN.md §4.

pub mod auth;
pub mod enums;
pub mod error;
pub mod inputs;
pub mod mutation;
pub mod query;
mod read;
pub mod scalars;
pub mod state;
pub mod subscription;
pub mod types;

use async_graphql::Schema;

pub use state::AppState;

/// Deepest nesting a query may have.
pub const MAX_DEPTH: usize = 12;
/// Largest complexity a query may have; a list counts by its page size.
pub const MAX_COMPLEXITY: usize = 20_000;

pub type RegistrySchema = Schema<query::QueryRoot, mutation::MutationRoot, subscription::SubscriptionRoot>;

/// The schema, with its limits; `state` is attached as data (absent for `liangye schema`).
pub fn schema(state: Option<AppState>) -> RegistrySchema {
    let builder = Schema::build(
        query::QueryRoot,
        mutation::MutationRoot,
        subscription::SubscriptionRoot,
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_recursive_depth(32)
    .limit_directives(8);
    match state {
        Some(state) => builder.data(state).finish(),
        None => builder.finish(),
    }
}

/// The SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    schema(None).sdl()
}
