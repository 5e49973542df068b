//! The registry of a past moment as JSON: what `liangye replay --as-of POSITION|RFC3339`
//! prints.

use crate::EventStore;
use liangye_projections::Registry;
use serde_json::{Value, json};

use super::LiveError;
use super::as_of::{AsOf, Moment, resolve};
use super::replay::registry_at;

/// The registry as it stood at `as_of`, rebuilt from the store alone (the nearest snapshot,
/// then the tail up to the moment), as JSON; see [`registry_json`] for the shape. Bad
/// moments are [`super::AsOfError`]s.
pub async fn replay_registry_json(store: &EventStore, as_of: AsOf) -> Result<Value, LiveError> {
    let moment = resolve(store, as_of).await?;
    let registry = registry_at(store, moment.position).await?;
    Ok(registry_json(&registry, &moment))
}

/// `registry` as of `moment` (which must not lie beyond it) as JSON:
///
/// ```json
/// { "asOf": { "position": 1234, "recordedAt": "2025-01-02T03:04:05.678901Z" },
///   "designations": [ { "id": …, "name": …, "status": …, … }, … ],
///   "statistics": { "units": …, "byStatus": { … }, "byCity": [ … ], … },
///   "tokens": [ { "id": …, "name": …, "role": …, "active": …, "capabilities": { … } }, … ] }
/// ```
///
/// Designations are in unit-id (listing) order with the fields of GraphQL's `Designation`
/// (without history); tokens never show secrets or their hashes.
pub fn registry_json(registry: &Registry, moment: &Moment) -> Value {
    let at = Some(moment.position);
    let designations: Vec<Value> = registry
        .all_designations(at)
        .iter()
        .map(|d| d.to_json())
        .collect();
    json!({
        "asOf": { "position": moment.position, "recordedAt": moment.recorded_at },
        "designations": designations,
        "statistics": registry.statistics(at),
        "tokens": registry.tokens(at),
    })
}
