//! Snapshots of the registry: its state at a position as JSON text, cut into chunks of at
//! most [`UNITS_PER_CHUNK`] units, so that start-up and standalone as-of replay fold only
//! the events after one, and neither writing nor reading one holds more than a chunk of text.
//!
//! The body holds what cannot be derived — the units with every recorded decision, their
//! timelines, the records statistics count and every attempt (application); in chunk 0 also the years' records and quota decisions and the tokens — and
//! nothing that can (the identifier, secret and filter indexes, the statistics tally and its
//! change log are rebuilt on load). Its shape is versioned by [`SNAPSHOT_FORMAT`]: a change
//! to it bumps the format, and snapshots of other formats are simply not used.
//!
//! Writing: [`Registry::snapshot_chunks`] says how many chunks there are, and
//! [`Registry::snapshot_chunk`] writes them in order, each continuing after the last unit of
//! the one before. Reading: a [`SnapshotLoader`] takes the chunks in order and
//! [`SnapshotLoader::finish`] gives the registry.

use liangye_events::catalogue::Year;
use serde::{Deserialize, Serialize};
use thin_vec::ThinVec;
use uuid::Uuid;

use super::changes::{Change, FactLog};
use super::timeline::Timeline;
use super::{Entry, Registry};
use crate::applications::{ApplicationIndex, Attempt, result_among};
use crate::decision_state::{AccessToken, DecisionState, Unit, YearRecord};
use crate::statistics::Record;

/// The shape of snapshot bodies this build writes and reads.
pub const SNAPSHOT_FORMAT: i32 = 3;
/// Units per chunk, at most (a chunk is then a few megabytes of text; two in this crate's
/// own tests, so that they cross chunks).
pub const UNITS_PER_CHUNK: usize = if cfg!(test) { 2 } else { 4096 };

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
struct ChunkOut<'a> {
    position: i64,
    chunk: usize,
    units: Vec<UnitOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    years: Option<Vec<YearOut<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tokens: Option<Vec<&'a AccessToken>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UnitOut<'a> {
    id: Uuid,
    /// `None` once the unit's listing was retracted.
    unit: Option<&'a Unit>,
    timeline: &'a Timeline,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    awards: &'a [(i64, Year, Option<i64>)],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    revisions: &'a [(i64, Box<Unit>)],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    records: &'a [(i64, Option<i64>, Record)],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    attempts: &'a [Attempt],
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
struct ChunkIn {
    position: i64,
    chunk: usize,
    units: Vec<UnitIn>,
    #[serde(default)]
    years: Option<Vec<YearIn>>,
    #[serde(default)]
    tokens: Option<Vec<AccessToken>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UnitIn {
    id: Uuid,
    unit: Option<Unit>,
    timeline: Timeline,
    #[serde(default)]
    awards: ThinVec<(i64, Year, Option<i64>)>,
    #[serde(default)]
    revisions: ThinVec<(i64, Box<Unit>)>,
    #[serde(default)]
    records: ThinVec<(i64, Option<i64>, Record)>,
    #[serde(default)]
    attempts: ThinVec<Attempt>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct YearIn {
    year: Year,
    record: YearRecord,
    quota_sets: Vec<(i64, u32)>,
}

impl Registry {
    /// How many chunks a snapshot of the registry has (at least one).
    pub fn snapshot_chunks(&self) -> usize {
        self.entries.len().div_ceil(UNITS_PER_CHUNK).max(1)
    }

    /// Chunk `chunk` of the registry's snapshot: the (up to [`UNITS_PER_CHUNK`]) units after
    /// unit `after` (the last unit of the chunk before; `None` for chunk 0). Returns the
    /// text and the last unit in it, to pass as `after` for the next chunk.
    pub fn snapshot_chunk(
        &self,
        chunk: usize,
        after: Option<Uuid>,
    ) -> Result<(String, Option<Uuid>), SnapshotError> {
        let from = after.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded);
        let units: Vec<UnitOut<'_>> = self
            .entries
            .range((from, std::ops::Bound::Unbounded))
            .map(|(id, entry)| UnitOut {
                id: *id,
                unit: self.state.unit(*id),
                timeline: &entry.timeline,
                awards: &entry.awards,
                revisions: &entry.revisions,
                records: &entry.records,
                attempts: &entry.attempts,
            })
            .take(UNITS_PER_CHUNK)
            .collect();
        let last = units.last().map(|u| u.id).or(after);
        let (years, tokens) = if chunk == 0 {
            let mut years: Vec<Year> = self
                .state
                .years()
                .map(|(year, _)| year)
                .chain(self.quota_sets.keys().copied())
                .collect();
            years.sort_unstable();
            years.dedup();
            let years = years
                .into_iter()
                .map(|year| YearOut {
                    year,
                    record: self.state.year(year),
                    quota_sets: self.quota_sets.get(&year).map_or(&[], Vec::as_slice),
                })
                .collect();
            (Some(years), Some(self.state.tokens().collect()))
        } else {
            (None, None)
        };
        let body = ChunkOut {
            position: self.position(),
            chunk,
            units,
            years,
            tokens,
        };
        let text = serde_json::to_string(&body).map_err(SnapshotError::Write)?;
        Ok((text, last))
    }

    /// The whole snapshot, chunk by chunk (for tests and small registries).
    pub fn to_snapshot(&self) -> Result<Vec<String>, SnapshotError> {
        let mut chunks = Vec::with_capacity(self.snapshot_chunks());
        let mut after = None;
        for chunk in 0..self.snapshot_chunks() {
            let (text, last) = self.snapshot_chunk(chunk, after)?;
            chunks.push(text);
            after = last;
        }
        Ok(chunks)
    }

    /// The registry a whole snapshot holds.
    pub fn from_snapshot(chunks: &[String]) -> Result<Self, SnapshotError> {
        let mut loader = SnapshotLoader::default();
        for chunk in chunks {
            loader.add(chunk)?;
        }
        loader.finish()
    }
}

/// Rebuilds a registry from a snapshot's chunks, given one at a time in order.
#[derive(Debug, Default)]
pub struct SnapshotLoader {
    position: Option<i64>,
    next_chunk: usize,
    previous_unit: Option<Uuid>,
    units: Vec<Unit>,
    registry: Registry,
    changes: Vec<Change>,
    years: Vec<(Year, YearRecord)>,
    tokens: Vec<AccessToken>,
}

impl SnapshotLoader {
    /// Takes the next chunk.
    pub fn add(&mut self, text: &str) -> Result<(), SnapshotError> {
        let chunk: ChunkIn = serde_json::from_str(text).map_err(SnapshotError::Read)?;
        let inconsistent = |message: String| Err(SnapshotError::Inconsistent(message));
        if chunk.chunk != self.next_chunk {
            return inconsistent(format!(
                "chunk {} came where chunk {} was due",
                chunk.chunk, self.next_chunk
            ));
        }
        if self.position.is_some_and(|p| p != chunk.position) {
            return inconsistent(format!("chunk {} is of another position", chunk.chunk));
        }
        self.position = Some(chunk.position);
        self.next_chunk += 1;
        if chunk.chunk == 0 {
            let (Some(years), Some(tokens)) = (chunk.years, chunk.tokens) else {
                return inconsistent("chunk 0 lacks the years or the tokens".to_owned());
            };
            for YearIn {
                year,
                record,
                quota_sets,
            } in years
            {
                if record != YearRecord::default() {
                    self.years.push((year, record));
                }
                if !quota_sets.is_empty() {
                    self.registry.quota_sets.insert(year, quota_sets);
                }
            }
            self.tokens = tokens;
        }
        for unit in chunk.units {
            self.add_unit(unit, chunk.position)?;
        }
        Ok(())
    }

    fn add_unit(&mut self, unit_in: UnitIn, position: i64) -> Result<(), SnapshotError> {
        let inconsistent = |message: String| Err(SnapshotError::Inconsistent(message));
        let UnitIn {
            id,
            unit,
            timeline,
            awards,
            revisions,
            records,
            attempts,
        } = unit_in;
        if self.previous_unit.is_some_and(|previous| previous >= id) {
            return inconsistent(format!("unit {id} is out of order"));
        }
        self.previous_unit = Some(id);
        if let Some(unit) = &unit
            && (unit.id != id || timeline.is_empty() || timeline.version_at(i64::MAX) != unit.version)
        {
            return inconsistent(format!(
                "unit {} is at version {} but its timeline has {} steps",
                unit.id,
                unit.version,
                timeline.len()
            ));
        }
        let Some(shape) = unit.as_ref().or(revisions.last().map(|(_, u)| &**u)) else {
            return inconsistent(format!("unit {id} is neither in the registry nor revised"));
        };
        if timeline.steps().any(|step| step.position() > position) {
            return inconsistent(format!(
                "unit {id} has an event after the snapshot's position {position}"
            ));
        }
        let registry = &mut self.registry;
        let mut entry = Entry::of(shape, timeline);
        entry.awards = awards;
        entry.revisions = revisions;
        // Each application's result after every decision that may have changed it.
        let mut years: Vec<Year> = attempts.iter().map(|a| a.year).collect();
        years.sort_unstable();
        years.dedup();
        for year in years {
            let mut positions: Vec<i64> = attempts
                .iter()
                .filter(|a| a.year == year)
                .flat_map(Attempt::positions)
                .collect();
            positions.sort_unstable();
            positions.dedup();
            let index = registry
                .applications
                .entry((year, id))
                .or_insert_with(|| ApplicationIndex::new(entry.city, entry.kind));
            for position in positions {
                index.follow(position, result_among(&attempts, year, Some(position)));
            }
        }
        entry.attempts = attempts;
        for (at, removed, record) in &records {
            self.changes.push(Change::record(*at, *record, true));
            if let Some(removed) = removed {
                self.changes.push(Change::record(*removed, *record, false));
            }
        }
        entry.records = records;
        registry.indexes.change(id, None, entry.facts_at(None));
        // Every change to the unit's counted facts, step by step.
        let mut before = None;
        for step in entry.timeline.steps() {
            let after = entry.facts_at(Some(step.position()));
            if before != after {
                self.changes.push(Change::unit(step.position(), before, after));
                before = after;
            }
        }
        registry.entries.insert(id, entry);
        self.units.extend(unit);
        Ok(())
    }

    /// The registry, once every chunk was added.
    pub fn finish(mut self) -> Result<Registry, SnapshotError> {
        let Some(position) = self.position else {
            return Err(SnapshotError::Inconsistent("no chunk was given".to_owned()));
        };
        let mut registry = self.registry;
        self.changes.sort_by_key(|change| change.position);
        registry.facts = FactLog::replay(self.changes, &mut registry.tally);
        registry.state = DecisionState::restore(position, self.units, self.years, self.tokens);
        Ok(registry)
    }
}
