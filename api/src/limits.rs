//! What one GraphQL operation may ask for, checked before anything is resolved, over HTTP
//! and the websocket alike (the README's limits table lists every figure):
//!
//! - **Shape**, on the parsed document, fragments expanded (their cycles and depth bounded):
//!   depth ([`MAX_DEPTH`], counted outside introspection), nesting of selection sets
//!   ([`MAX_NESTING`]), fields after expansion ([`MAX_FIELDS`]), aliases that repeat work
//!   ([`MAX_ALIASES`]), directives per field ([`MAX_DIRECTIVES`]).
//! - **Introspection** (`__schema`, `__type`) is not counted in that depth: graphql-js's
//!   `getIntrospectionQuery()` nests 13 deep through `ofType`, and GraphiQL and code
//!   generators send it first. It has its own bounds instead: [`MAX_INTROSPECTION_DEPTH`]
//!   inside `__schema`/`__type`, and at most [`MAX_INTROSPECTION_LISTS`] of the member lists
//!   (`fields`, `inputFields`, `interfaces`, `possibleTypes`) nested along any path, which is
//!   what makes introspection explode (as graphql-js's `MaxIntrospectionDepthRule` does).
//! - **Cost**, what the fields read: a list counts by its page size, a unit's `history` by
//!   [`HISTORY_COST`] entries, an `events(type: …)` scan by [`EVENT_SCAN_COST`]; at most
//!   [`MAX_COMPLEXITY`] an operation and [`MAX_BATCH_COMPLEXITY`] a batched request.
//! - **Heavy reads** (cost ≥ [`HEAVY_COST`]) run at most [`heavy_reads`] at a time; the rest
//!   wait their turn within the request's time limit, and light requests never wait.
//!
//! Every refusal is a [`ServerError`] made here with `extensions.code = QUERY_TOO_COMPLEX`:
//! recognised by how it was made, never by its text.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest, NextValidation,
};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult};
use liangye_services::decide::ErrorCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Deepest nesting of fields outside introspection.
pub const MAX_DEPTH: usize = 12;
/// Deepest nesting inside `__schema` / `__type` (counted from them).
pub const MAX_INTROSPECTION_DEPTH: usize = 15;
/// Member lists of a type (`fields`, `inputFields`, `interfaces`, `possibleTypes`) nested
/// along one introspection path.
pub const MAX_INTROSPECTION_LISTS: usize = 2;
/// Deepest nesting of selection sets, fragment spreads included.
pub const MAX_NESTING: usize = 32;
/// Fields in an operation once its fragments are expanded.
pub const MAX_FIELDS: usize = 2_000;
/// Aliased fields that repeat work (take arguments or select fields) in an operation.
pub const MAX_ALIASES: usize = 32;
/// Directives on one field or fragment.
pub const MAX_DIRECTIVES: usize = 8;
/// Largest cost of one operation.
pub const MAX_COMPLEXITY: usize = 20_000;
/// Largest cost of all operations of one batched request together.
pub const MAX_BATCH_COMPLEXITY: usize = 40_000;
/// The entries a unit's `history` is counted as (most units have fewer than 15 events).
pub const HISTORY_COST: usize = 20;
/// The cost of an `events(type: …)` scan, which may read up to 10,000 events to fill a page.
pub const EVENT_SCAN_COST: usize = 1_000;
/// An operation costing this much or more is a heavy read.
pub const HEAVY_COST: usize = 1_000;

/// How many heavy reads run at once: the machine's cores, at least 2.
pub fn heavy_reads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).max(2)
}

/// A refusal for going over a limit.
pub fn too_complex(message: impl Into<String>) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", ErrorCode::QueryTooComplex.as_str());
    error
}

/// The cost of `events(first, type, streamId)`: its page, plus a scan when it looks for a
/// type across the whole log.
pub fn events_cost(first: Option<i32>, scans_for_type: bool, child_complexity: usize) -> usize {
    let page = first.unwrap_or(20).clamp(0, 100) as usize;
    let scan = if scans_for_type { EVENT_SCAN_COST } else { 0 };
    page.saturating_mul(child_complexity).saturating_add(1 + scan)
}

/// The cost the operations of one batched request have used so far (request data).
#[derive(Default)]
pub struct BatchBudget(AtomicUsize);

/// The heavy-read permits (schema data).
#[derive(Clone)]
pub struct HeavyReads(Arc<Semaphore>);

impl HeavyReads {
    pub fn new(permits: usize) -> Self {
        Self(Arc::new(Semaphore::new(permits)))
    }
}

/// The extension that enforces all of the above; added to the schema once.
pub struct QueryLimits;

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OperationLimits {
            cost: AtomicUsize::new(0),
        })
    }
}

struct OperationLimits {
    /// The operation's cost, once validated.
    cost: AtomicUsize,
}

#[async_graphql::async_trait::async_trait]
impl Extension for OperationLimits {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let document = match async_graphql::parser::parse_query(&request.query) {
            Ok(document) => document,
            Err(async_graphql::parser::Error::RecursionLimitExceeded) => {
                return Err(too_complex(format!(
                    "the query nests deeper than {MAX_NESTING} selection sets"
                )));
            }
            Err(e) => {
                let mut error: ServerError = e.into();
                error
                    .extensions
                    .get_or_insert_with(Default::default)
                    .set("code", ErrorCode::ValidationFailed.as_str());
                return Err(error);
            }
        };
        check_shape(&document)?;
        request.set_parsed_query(document);
        next.run(ctx, request).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if result.complexity > MAX_COMPLEXITY {
            return Err(vec![too_complex(format!(
                "the query costs {} (a list counts by its page size, a history by {HISTORY_COST} \
                 entries a unit, an event-type scan {EVENT_SCAN_COST}); at most {MAX_COMPLEXITY} \
                 is allowed: ask for smaller pages or fewer fields",
                result.complexity
            ))]);
        }
        if let Some(budget) = ctx.data_opt::<Arc<BatchBudget>>() {
            let used = budget.0.fetch_add(result.complexity, Ordering::Relaxed) + result.complexity;
            if used > MAX_BATCH_COMPLEXITY {
                return Err(vec![too_complex(format!(
                    "the operations of this batch cost {used} together; at most \
                     {MAX_BATCH_COMPLEXITY} is allowed in one request"
                ))]);
            }
        }
        self.cost.store(result.complexity, Ordering::Relaxed);
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let _permit: Option<OwnedSemaphorePermit> = if self.cost.load(Ordering::Relaxed) >= HEAVY_COST {
            match ctx.data_opt::<HeavyReads>() {
                Some(heavy) => heavy.0.clone().acquire_owned().await.ok(),
                None => None,
            }
        } else {
            None
        };
        next.run(ctx, operation_name).await
    }
}

/// Depth, nesting, size, aliases, directives and introspection bounds of every operation in
/// the document.
pub fn check_shape(document: &ExecutableDocument) -> ServerResult<()> {
    let operations: Vec<&SelectionSet> = match &document.operations {
        DocumentOperations::Single(op) => vec![&op.node.selection_set.node],
        DocumentOperations::Multiple(ops) => ops.values().map(|op| &op.node.selection_set.node).collect(),
    };
    for selection_set in operations {
        let mut walk = Walk {
            document,
            fields: 0,
            aliases: 0,
            fragments: HashSet::new(),
        };
        walk.selection_set(selection_set, Place::default())?;
    }
    Ok(())
}

/// Where a selection set lies.
#[derive(Clone, Copy, Default)]
struct Place {
    /// Field depth outside introspection.
    depth: usize,
    /// Selection sets and spreads entered.
    nesting: usize,
    /// Inside `__schema`/`__type`: the depth there and the member lists passed.
    introspection: Option<(usize, usize)>,
}

struct Walk<'a> {
    document: &'a ExecutableDocument,
    fields: usize,
    aliases: usize,
    /// The fragments being expanded (a cycle is left to validation to report).
    fragments: HashSet<&'a str>,
}

impl<'a> Walk<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet, place: Place) -> ServerResult<()> {
        let place = Place {
            nesting: place.nesting + 1,
            ..place
        };
        if place.nesting > MAX_NESTING {
            return Err(too_complex(format!(
                "the query nests deeper than {MAX_NESTING} selection sets (fragments included)"
            )));
        }
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    self.fields += 1;
                    if self.fields > MAX_FIELDS {
                        return Err(too_complex(format!(
                            "the query asks for more than {MAX_FIELDS} fields once its fragments are \
                             expanded"
                        )));
                    }
                    directives(field.directives.len())?;
                    let selects = !field.selection_set.node.items.is_empty();
                    if field.alias.is_some() && (selects || !field.arguments.is_empty()) {
                        self.aliases += 1;
                        if self.aliases > MAX_ALIASES {
                            return Err(too_complex(format!(
                                "the query has more than {MAX_ALIASES} aliased fields that take \
                                 arguments or have fields of their own; split it into several \
                                 requests"
                            )));
                        }
                    }
                    let name = field.name.node.as_str();
                    let inner = match place.introspection {
                        None if matches!(name, "__schema" | "__type") => Place {
                            introspection: Some((1, 0)),
                            ..place
                        },
                        None => {
                            let depth = place.depth + 1;
                            if depth > MAX_DEPTH {
                                return Err(too_complex(format!(
                                    "the query nests fields deeper than {MAX_DEPTH}"
                                )));
                            }
                            Place { depth, ..place }
                        }
                        Some((depth, lists)) => {
                            let depth = depth + 1;
                            let lists = lists
                                + usize::from(matches!(
                                    name,
                                    "fields" | "inputFields" | "interfaces" | "possibleTypes"
                                ));
                            if depth > MAX_INTROSPECTION_DEPTH || lists > MAX_INTROSPECTION_LISTS {
                                return Err(too_complex(format!(
                                    "the introspection query nests deeper than \
                                     {MAX_INTROSPECTION_DEPTH}, or nests more than \
                                     {MAX_INTROSPECTION_LISTS} of fields/inputFields/interfaces/\
                                     possibleTypes (getIntrospectionQuery() of graphql-js is \
                                     within both)"
                                )));
                            }
                            Place {
                                introspection: Some((depth, lists)),
                                ..place
                            }
                        }
                    };
                    if selects {
                        self.selection_set(&field.selection_set.node, inner)?;
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let spread = &spread.node;
                    directives(spread.directives.len())?;
                    self.fields += 1;
                    if self.fields > MAX_FIELDS {
                        return Err(too_complex(format!(
                            "the query asks for more than {MAX_FIELDS} fields and fragments once \
                             its fragments are expanded"
                        )));
                    }
                    let name = spread.fragment_name.node.as_str();
                    let Some(fragment) = self.document.fragments.get(&spread.fragment_name.node) else {
                        continue;
                    };
                    if !self.fragments.insert(name) {
                        continue;
                    }
                    directives(fragment.node.directives.len())?;
                    let result = self.selection_set(&fragment.node.selection_set.node, place);
                    self.fragments.remove(name);
                    result?;
                }
                Selection::InlineFragment(inline) => {
                    directives(inline.node.directives.len())?;
                    self.selection_set(&inline.node.selection_set.node, place)?;
                }
            }
        }
        Ok(())
    }
}

fn directives(count: usize) -> ServerResult<()> {
    if count > MAX_DIRECTIVES {
        return Err(too_complex(format!(
            "a field carries {count} directives; at most {MAX_DIRECTIVES} are allowed"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(query: &str) -> Result<(), String> {
        let document = async_graphql::parser::parse_query(query).map_err(|e| e.to_string())?;
        check_shape(&document).map_err(|e| e.message)
    }

    /// `getIntrospectionQuery()` of graphql-js 16 (all options on).
    pub const INTROSPECTION_QUERY: &str = include_str!("../tests/data/introspection_query.graphql");

    #[test]
    fn answers_the_standard_introspection_query() {
        shape(INTROSPECTION_QUERY).unwrap();
    }

    #[test]
    fn refuses_hostile_depth_inside_and_outside_introspection() {
        let mut deep = String::from("name");
        for _ in 0..14 {
            deep = format!("ofType {{ {deep} }}");
        }
        assert!(
            shape(&format!(
                "{{ __schema {{ types {{ fields {{ type {{ {deep} }} }} }} }} }}"
            ))
            .is_err()
        );
        let lists = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
        assert!(shape(lists).unwrap_err().contains("fields"));
        let mut nested = String::from("position");
        for _ in 0..12 {
            nested = format!("history {{ {nested} }}");
        }
        assert!(shape(&format!("{{ designations {{ nodes {{ {nested} }} }} }}")).is_err());
        let aliases: String = (0..33)
            .map(|i| format!("a{i}: designations(first: 1) {{ totalCount }} "))
            .collect();
        assert!(
            shape(&format!("{{ {aliases} }}"))
                .unwrap_err()
                .contains("aliased")
        );
        let leaves: String = (0..300).map(|i| format!("f{i}: name ")).collect();
        shape(&format!("{{ designations {{ nodes {{ {leaves} }} }} }}")).unwrap();
    }

    #[test]
    fn bounds_fragment_expansion() {
        // Each fragment spreads the next twice: 2^20 fields if expanded naively.
        let mut query = String::from("{ ...F0 }\n");
        for i in 0..20 {
            query.push_str(&format!(
                "fragment F{i} on QueryRoot {{ ...F{} ...F{} }}\n",
                i + 1,
                i + 1
            ));
        }
        query.push_str("fragment F20 on QueryRoot { logHead { position } }\n");
        assert!(shape(&query).unwrap_err().contains("fields"));
        // A cycle is left to validation, not looped on.
        shape("{ ...A } fragment A on QueryRoot { ...B } fragment B on QueryRoot { ...A }").unwrap();
    }
}
