//! A cache of encoded GraphQL responses for the live registry's current position.
//!
//! Other systems poll the same few reads (`designations(first: 50)`, a designation,
//! `statistics`) far more often than decisions are recorded, and async-graphql spends most of
//! a request on its per-field machinery and on encoding ~15 KB of JSON. So a response to a
//! read of the registry as it stands is kept, encoded, keyed by the request's exact body
//! (query, variables, operation name) and the caller's role and city (everything the
//! resolvers consult about the caller), for the position of the live registry it was
//! computed at:
//!
//! - an entry is used only while the live registry is still at that position; the first
//!   request after the registry folds anything (a decision, a token issued or revoked) finds
//!   the cache of an older position and computes afresh. A mutation answers only once this
//!   node's registry holds its decision, so the very next request sees it;
//! - only single queries whose root fields all read the live registry as it stands are kept
//!   ([`CACHEABLE_ROOT_FIELDS`], none with `asOf`), only when they had no error, and only
//!   when the registry did not move while they ran; the raw log, the tree head, proofs,
//!   checkpoints, tokens and every mutation always run;
//! - the token is checked on every request before the cache is looked at (a revoked token
//!   is refused, cached response or not).

use std::collections::HashMap;
use std::sync::RwLock;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use axum::body::Bytes;

/// Root fields whose answer is a function of the live registry as it stands.
pub const CACHEABLE_ROOT_FIELDS: &[&str] = &[
    "designations",
    "designation",
    "designationByCode",
    "statistics",
    "applications",
    "__typename",
];

/// Most responses kept for one position.
const MAX_ENTRIES: usize = 512;
/// Largest request body whose response is kept.
pub const MAX_KEY_BYTES: usize = 8 * 1024;
/// Largest encoded response kept.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Who asks, as far as the resolvers of the cacheable fields can tell: role and city.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Audience {
    pub role: &'static str,
    pub city: Option<&'static str>,
}

#[derive(Default)]
struct Entries {
    position: i64,
    responses: HashMap<(Audience, Bytes), Bytes>,
}

/// The responses kept for the live registry's current position.
#[derive(Default)]
pub struct ResponseCache {
    entries: RwLock<Entries>,
}

impl ResponseCache {
    /// The response kept for this request at `position`, if any.
    pub fn get(&self, position: i64, audience: &Audience, body: &Bytes) -> Option<Bytes> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        if entries.position != position {
            return None;
        }
        entries.responses.get(&(audience.clone(), body.clone())).cloned()
    }

    /// Keep `response` for this request at `position` (dropping what older positions kept).
    pub fn put(&self, position: i64, audience: Audience, body: Bytes, response: Bytes) {
        if body.len() > MAX_KEY_BYTES || response.len() > MAX_RESPONSE_BYTES {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.position != position {
            if position < entries.position {
                return;
            }
            entries.position = position;
            entries.responses.clear();
        }
        if entries.responses.len() < MAX_ENTRIES {
            entries.responses.insert((audience, body), response);
        }
    }
}

/// Whether the operation `operation_name` of `query` (or its only one) is a query whose root
/// fields are all in [`CACHEABLE_ROOT_FIELDS`], none with an `asOf` argument.
pub fn cacheable(query: &str, operation_name: Option<&str>) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op,
            None => return false,
        },
        // One named operation, sent without its name.
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => match ops.values().next() {
            Some(op) => op,
            None => return false,
        },
        (DocumentOperations::Multiple(_), None) => return false,
    };
    operation.node.ty == OperationType::Query
        && root_fields_cacheable(&document, &operation.node.selection_set.node, 0)
}

fn root_fields_cacheable(document: &ExecutableDocument, set: &SelectionSet, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    set.items.iter().all(|item| match &item.node {
        Selection::Field(field) => {
            let field = &field.node;
            CACHEABLE_ROOT_FIELDS.contains(&field.name.node.as_str())
                && !field.arguments.iter().any(|(name, _)| name.node == "asOf")
        }
        Selection::InlineFragment(fragment) => {
            root_fields_cacheable(document, &fragment.node.selection_set.node, depth + 1)
        }
        Selection::FragmentSpread(spread) => document
            .fragments
            .get(&spread.node.fragment_name.node)
            .is_some_and(|f| root_fields_cacheable(document, &f.node.selection_set.node, depth + 1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reads_of_the_registry_as_it_stands_are_cacheable() {
        for (query, name, want) in [
            ("{ designations(first: 50) { totalCount } }", None, true),
            (
                "query Q { statistics { total } designation(id: \"x\") { id } }",
                None,
                true,
            ),
            (
                "{ designations(first: 5, asOf: { position: 3 }) { totalCount } }",
                None,
                false,
            ),
            ("{ logHead { position } }", None, false),
            (
                "{ designations { totalCount } events { nodes { position } } }",
                None,
                false,
            ),
            ("mutation { revokePilot(input: {}) { position } }", None, false),
            ("subscription { events { position } }", None, false),
            (
                "{ ...F } fragment F on QueryRoot { designations { totalCount } }",
                None,
                true,
            ),
            (
                "{ ...F } fragment F on QueryRoot { checkpoint { size } }",
                None,
                false,
            ),
            ("{ ... on QueryRoot { treeHead(size: 1) { size } } }", None, false),
            (
                "query A { statistics { total } } query B { logHead { position } }",
                Some("A"),
                true,
            ),
            (
                "query A { statistics { total } } query B { logHead { position } }",
                Some("B"),
                false,
            ),
            (
                "query A { statistics { total } } query B { logHead { position } }",
                None,
                false,
            ),
            ("{ designations(", None, false),
        ] {
            assert_eq!(cacheable(query, name), want, "{query} {name:?}");
        }
    }

    #[test]
    fn entries_live_for_one_position() {
        let cache = ResponseCache::default();
        let who = Audience {
            role: "READER",
            city: None,
        };
        let body = Bytes::from_static(b"{\"query\":\"{ statistics { total } }\"}");
        cache.put(5, who.clone(), body.clone(), Bytes::from_static(b"five"));
        assert_eq!(cache.get(5, &who, &body).as_deref(), Some(&b"five"[..]));
        assert_eq!(cache.get(6, &who, &body), None);
        let other = Audience {
            role: "CITY",
            city: Some("320500"),
        };
        assert_eq!(cache.get(5, &other, &body), None);
        // A later position replaces the older one's entries; an older one is never kept.
        cache.put(6, who.clone(), body.clone(), Bytes::from_static(b"six"));
        cache.put(5, who.clone(), body.clone(), Bytes::from_static(b"five"));
        assert_eq!(cache.get(5, &who, &body), None);
        assert_eq!(cache.get(6, &who, &body).as_deref(), Some(&b"six"[..]));
    }
}
