//! Snapshots of the registry: its state at a position as one JSON document, so that start-up
//! and standalone as-of replay fold only the events after it.
//!
//! The body holds what cannot be derived — the units with every recorded decision, their
//! timelines, the years' records and quota decisions, the tokens — and nothing that can
//! (the identifier, secret and filter indexes and the statistics tally are rebuilt on
//! load). Its shape is versioned by [`SNAPSHOT_FORMAT`]: a change to it bumps the format,
//! and snapshots of other formats are simply not used.

use liangye_events::catalogue::Year;
use serde::{Deserialize, Serialize};

use super::timeline::Timeline;
use super::{Registry, facts_now};
use crate::decision_state::{AccessToken, DecisionState, Unit, YearRecord};

/// The shape of snapshot bodies this build writes and reads.
pub const SNAPSHOT_FORMAT: i32 = 1;

/// A snapshot body cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("snapshot body cannot be written: {0}")]
    Write(serde_json::Error),
    #[error("snapshot body cannot be read: {0}")]
    Read(serde_json::Error),
    #[error("snapshot body is inconsistent: {0}")]
    Inconsistent(String),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BodyOut<'a> {
    position: i64,
    units: Vec<UnitOut<'a>>,
    years: Vec<YearOut<'a>>,
    tokens: Vec<&'a AccessToken>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UnitOut<'a> {
    unit: &'a Unit,
    timeline: &'a Timeline,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct YearOut<'a> {
    year: Year,
    record: YearRecord,
    quota_sets: &'a [(i64, u32)],
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BodyIn {
    position: i64,
    units: Vec<UnitIn>,
    years: Vec<YearIn>,
    tokens: Vec<AccessToken>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UnitIn {
    unit: Unit,
    timeline: Timeline,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct YearIn {
    year: Year,
    record: YearRecord,
    quota_sets: Vec<(i64, u32)>,
}

impl Registry {
    /// The registry as a snapshot body (format [`SNAPSHOT_FORMAT`]).
    pub fn to_snapshot(&self) -> Result<String, SnapshotError> {
        let mut years: Vec<Year> = self
            .state
            .years()
            .map(|(year, _)| year)
            .chain(self.quota_sets.keys().copied())
            .collect();
        years.sort_unstable();
        years.dedup();
        let body = BodyOut {
            position: self.position(),
            units: self
                .timelines
                .iter()
                .filter_map(|(id, timeline)| {
                    Some(UnitOut {
                        unit: self.state.unit(*id)?,
                        timeline,
                    })
                })
                .collect(),
            years: years
                .into_iter()
                .map(|year| YearOut {
                    year,
                    record: self.state.year(year),
                    quota_sets: self.quota_sets.get(&year).map_or(&[], Vec::as_slice),
                })
                .collect(),
            tokens: self.state.tokens().collect(),
        };
        serde_json::to_string(&body).map_err(SnapshotError::Write)
    }

    /// The registry a snapshot body (format [`SNAPSHOT_FORMAT`]) holds, with every index and
    /// the statistics tally rebuilt.
    pub fn from_snapshot(body: &str) -> Result<Self, SnapshotError> {
        let body: BodyIn = serde_json::from_str(body).map_err(SnapshotError::Read)?;
        let mut registry = Registry::default();
        let mut units = Vec::with_capacity(body.units.len());
        for UnitIn { unit, timeline } in body.units {
            if timeline.steps().is_empty() || timeline.version_at(i64::MAX) != unit.version {
                return Err(SnapshotError::Inconsistent(format!(
                    "unit {} is at version {} but its timeline has {} steps",
                    unit.id,
                    unit.version,
                    timeline.steps().len()
                )));
            }
            if timeline
                .steps()
                .iter()
                .any(|step| step.position() > body.position)
            {
                return Err(SnapshotError::Inconsistent(format!(
                    "unit {} has an event after the snapshot's position {}",
                    unit.id, body.position
                )));
            }
            let facts = facts_now(&unit);
            registry.indexes.change(unit.id, None, facts);
            registry.tally.add(facts);
            registry.timelines.insert(unit.id, timeline);
            units.push(unit);
        }
        let mut years = Vec::with_capacity(body.years.len());
        for YearIn {
            year,
            record,
            quota_sets,
        } in body.years
        {
            if record != YearRecord::default() {
                years.push((year, record));
            }
            if !quota_sets.is_empty() {
                registry.quota_sets.insert(year, quota_sets);
            }
        }
        registry.state = DecisionState::restore(body.position, units, years, body.tokens);
        Ok(registry)
    }
}
