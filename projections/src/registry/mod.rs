//! [`Registry`]: the read model GraphQL's `designations`, `designation`,
//! `designationByCode`, `statistics` and the access checks are answered from, now or as of
//! any earlier position.
//!
//! It wraps the [`DecisionState`] (every unit with all its lifecycle data, the identifier
//! indexes, each year's quota and awards, the access tokens) and adds what reading needs:
//!
//! - a [`Timeline`] per unit: the unit's status after each event of its stream, with the
//!   event's position. Together with the positions every recorded decision carries, it
//!   tells what any unit looked like at any earlier position, so an as-of question about
//!   the registry is a filter over what is in memory, not a replay;
//! - indexes by city, kind, status and award year, in unit-id order, for filtered pages;
//! - a [`Tally`] of the statistics, kept as events are folded;
//! - each year's quota decisions with their positions.
//!
//! Histories are not held here (see [`crate::history`]): they are folded on demand from a
//! unit's own stream.
//!
//! Like every projection it is a deterministic fold: [`Registry::apply`] in position order
//! always rebuilds exactly the same registry, and [`Registry::to_snapshot`] /
//! [`Registry::from_snapshot`] round-trip it.

mod code;
mod designation;
mod indexes;
mod query;
mod snapshot;
mod timeline;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use liangye_events::catalogue::{DomainEvent, RecordedEvent, SecretSha256, Year};
use uuid::Uuid;

pub use code::{UnitCode, UnitCodeError};
pub use designation::Designation;
pub use query::{
    DEFAULT_FIRST, DesignationFilter, MAX_FIRST, MAX_NAME_CONTAINS, Page, PageError, PageRequest,
    decode_cursor, encode_cursor,
};
pub use snapshot::{SNAPSHOT_FORMAT, SnapshotError};
pub use timeline::{Step, Timeline};

use indexes::Indexes;

use crate::access::{AccessDenied, TokenView};
use crate::decision_state::{DecisionState, Unit};
use crate::statistics::{Statistics, Tally, UnitFacts};

/// The registry read model at [`Registry::position`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Registry {
    state: DecisionState,
    /// Every unit's timeline, by id: also the registry's listing order.
    timelines: BTreeMap<Uuid, Timeline>,
    /// Each year's quota decisions: (position, total), in order.
    quota_sets: BTreeMap<Year, Vec<(i64, u32)>>,
    indexes: Indexes,
    tally: Tally,
}

/// What statistics and indexes know of a unit as it stands.
fn facts_now(unit: &Unit) -> UnitFacts {
    UnitFacts {
        city: unit.city,
        kind: unit.kind,
        status: unit.status,
        award_year: unit.award.map(|a| a.year),
    }
}

impl Registry {
    /// The empty registry, before position 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// The position of the last event folded in (0 for none).
    pub fn position(&self) -> i64 {
        self.state.position()
    }

    /// The decision state inside (units with every lifecycle detail, identifiers, years,
    /// tokens), as it stands.
    pub fn decision_state(&self) -> &DecisionState {
        &self.state
    }

    /// Folds one event in. Events must come in position order.
    pub fn apply(&mut self, recorded: &RecordedEvent) {
        let unit_id = recorded.event.unit_id();
        let before = unit_id.and_then(|id| self.state.unit(id)).map(facts_now);
        self.state.apply(recorded);
        if let Some(id) = unit_id
            && let Some(unit) = self.state.unit(id)
        {
            let after = facts_now(unit);
            self.timelines
                .entry(id)
                .or_default()
                .push(recorded.position, after.status);
            self.indexes.change(id, before, after);
            self.tally.change(before, after);
        }
        if let DomainEvent::AnnualQuotaSet(e) = &recorded.event {
            self.quota_sets
                .entry(e.year)
                .or_default()
                .push((recorded.position, e.total));
        }
    }

    /// Folds events in, in order.
    pub fn apply_all<'a>(&mut self, events: impl IntoIterator<Item = &'a RecordedEvent>) {
        for event in events {
            self.apply(event);
        }
    }

    /// `at` as a moment before the registry's own, or `None` for the registry as it stands
    /// (also for any `at` at or beyond its position).
    fn earlier(&self, at: Option<i64>) -> Option<i64> {
        at.filter(|at| *at < self.position())
    }

    /// The number of units listed (as of `at`).
    pub fn unit_count(&self, at: Option<i64>) -> usize {
        match self.earlier(at) {
            None => self.timelines.len(),
            Some(at) => self.timelines.values().filter(|t| t.is_listed_at(at)).count(),
        }
    }

    /// A unit's timeline.
    pub fn timeline(&self, id: Uuid) -> Option<&Timeline> {
        self.timelines.get(&id)
    }

    /// The designation with this id, as it stands or as of position `at`.
    pub fn designation(&self, id: Uuid, at: Option<i64>) -> Option<Designation> {
        let unit = self.state.unit(id)?;
        let timeline = self.timelines.get(&id)?;
        match self.earlier(at) {
            None => Some(Designation::current(unit, timeline)),
            Some(at) => Designation::at(unit, timeline, at),
        }
    }

    /// The designation holding this credit code, division code (a county's own) or zone
    /// code, as it stands or as of position `at`.
    pub fn designation_by_code(&self, code: &UnitCode, at: Option<i64>) -> Option<Designation> {
        let identifiers = self.state.identifiers();
        let id = match code {
            UnitCode::Credit(c) => identifiers.by_credit_code(c),
            UnitCode::Division(d) => identifiers.by_division_code(d),
            UnitCode::Zone(z) => identifiers.by_zone_code(z),
        }?;
        self.designation(id, at)
    }

    /// One page of the designations `filter` selects, in id order, as they stand or as of
    /// position `at`.
    pub fn designations(&self, filter: &DesignationFilter, page: PageRequest, at: Option<i64>) -> Page {
        let mut items = Vec::with_capacity(page.first.min(MAX_FIRST));
        let mut has_next_page = false;
        self.scan(filter, page.after, at, |unit, timeline, at| {
            if items.len() == page.first {
                has_next_page = true;
                return false;
            }
            let designation = match at {
                None => Some(Designation::current(unit, timeline)),
                Some(at) => Designation::at(unit, timeline, at),
            };
            items.extend(designation);
            true
        });
        Page {
            items,
            has_next_page,
            has_previous_page: page.after.is_some(),
        }
    }

    /// How many designations `filter` selects (the connection's total count).
    pub fn count(&self, filter: &DesignationFilter, at: Option<i64>) -> usize {
        let mut count = 0;
        self.scan(filter, None, at, |_, _, _| {
            count += 1;
            true
        });
        count
    }

    /// Every designation, in id order, as they stand or as of position `at`.
    pub fn all_designations(&self, at: Option<i64>) -> Vec<Designation> {
        let at = self.earlier(at);
        self.timelines
            .iter()
            .filter_map(|(id, timeline)| {
                let unit = self.state.unit(*id)?;
                match at {
                    None => Some(Designation::current(unit, timeline)),
                    Some(at) => Designation::at(unit, timeline, at),
                }
            })
            .collect()
    }

    /// Calls `visit` with every unit `filter` selects after `after`, in id order, until it
    /// returns false. Walks the smallest index that applies.
    fn scan(
        &self,
        filter: &DesignationFilter,
        after: Option<Uuid>,
        at: Option<i64>,
        mut visit: impl FnMut(&Unit, &Timeline, Option<i64>) -> bool,
    ) {
        let at = self.earlier(at);
        let from = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut each = |id: &Uuid| -> bool {
            let (Some(unit), Some(timeline)) = (self.state.unit(*id), self.timelines.get(id)) else {
                return true;
            };
            if !self.selects(filter, unit, timeline, at) {
                return true;
            }
            visit(unit, timeline, at)
        };
        match self.smallest_index(filter, at) {
            Some(ids) => {
                for id in ids.range((from, Bound::Unbounded)) {
                    if !each(id) {
                        break;
                    }
                }
            }
            None => {
                for id in self.timelines.range((from, Bound::Unbounded)).map(|(id, _)| id) {
                    if !each(id) {
                        break;
                    }
                }
            }
        }
    }

    /// The smallest index holding every unit `filter` can select (`None`: walk them all).
    /// Status and award year are indexed as they stand, so they help only then.
    fn smallest_index(&self, filter: &DesignationFilter, at: Option<i64>) -> Option<&BTreeSet<Uuid>> {
        static EMPTY: BTreeSet<Uuid> = BTreeSet::new();
        let ix = &self.indexes;
        let mut sets: Vec<&BTreeSet<Uuid>> = Vec::with_capacity(4);
        if let Some(city) = filter.city {
            sets.push(ix.by_city.get(&city).unwrap_or(&EMPTY));
        }
        if let Some(kind) = filter.kind {
            sets.push(ix.by_kind.get(&kind).unwrap_or(&EMPTY));
        }
        if at.is_none() {
            if let Some(status) = filter.status {
                sets.push(ix.by_status.get(&status).unwrap_or(&EMPTY));
            }
            if let Some(year) = filter.award_year {
                sets.push(ix.by_award_year.get(&year).unwrap_or(&EMPTY));
            }
        }
        sets.into_iter().min_by_key(|set| set.len())
    }

    /// Whether `filter` selects the unit (as of `at`, when given).
    fn selects(&self, filter: &DesignationFilter, unit: &Unit, timeline: &Timeline, at: Option<i64>) -> bool {
        let (status, award) = match at {
            None => (unit.status, unit.award),
            Some(at) => match timeline.status_at(at) {
                None => return false,
                Some(status) => (status, unit.award.filter(|a| a.position <= at)),
            },
        };
        filter.city.is_none_or(|c| c == unit.city)
            && filter.kind.is_none_or(|k| k == unit.kind)
            && filter.status.is_none_or(|s| s == status)
            && filter
                .award_year
                .is_none_or(|y| award.is_some_and(|a| a.year == y))
            && filter.name_matches(&unit.name)
    }

    /// The statistics as they stand (from the kept tally), or as of position `at` (counted
    /// afresh over the registry as it stood then).
    pub fn statistics(&self, at: Option<i64>) -> Statistics {
        match self.earlier(at) {
            None => self.tally.statistics(self.position(), &self.quotas_at(None)),
            Some(at) => self.recount_statistics(Some(at)),
        }
    }

    /// The statistics counted afresh over every unit (as of `at`), not from the kept
    /// tally: what [`Registry::statistics`] must always equal.
    pub fn recount_statistics(&self, at: Option<i64>) -> Statistics {
        let at = self.earlier(at);
        let mut tally = Tally::default();
        for (id, timeline) in &self.timelines {
            let Some(unit) = self.state.unit(*id) else {
                continue;
            };
            let facts = match at {
                None => facts_now(unit),
                Some(at) => match timeline.status_at(at) {
                    None => continue,
                    Some(status) => UnitFacts {
                        status,
                        award_year: unit.award.filter(|a| a.position <= at).map(|a| a.year),
                        ..facts_now(unit)
                    },
                },
            };
            tally.add(facts);
        }
        tally.statistics(at.unwrap_or(self.position()), &self.quotas_at(at))
    }

    /// Each year's quota as of `at` (as it stands when `None`): the last one set by then.
    fn quotas_at(&self, at: Option<i64>) -> BTreeMap<Year, u32> {
        self.quota_sets
            .iter()
            .filter_map(|(year, sets)| {
                let last = match at {
                    None => sets.last(),
                    Some(at) => sets.iter().rev().find(|(position, _)| *position <= at),
                };
                last.map(|(_, total)| (*year, *total))
            })
            .collect()
    }

    /// Every token issued (as of `at`), with what it could do then, in id order.
    pub fn tokens(&self, at: Option<i64>) -> Vec<TokenView> {
        let at = self.earlier(at).unwrap_or(self.position());
        self.state
            .tokens()
            .filter_map(|token| TokenView::at(token, at))
            .collect()
    }

    /// The token whose secret hashes to `secret_sha256`, if it worked (as of `at`).
    pub fn authenticate(
        &self,
        secret_sha256: &SecretSha256,
        at: Option<i64>,
    ) -> Result<TokenView, AccessDenied> {
        let at = self.earlier(at).unwrap_or(self.position());
        let token = self
            .state
            .token_by_secret(secret_sha256)
            .and_then(|token| TokenView::at(token, at))
            .ok_or(AccessDenied::Unknown)?;
        match token.revoked_at {
            Some(revoked_at) => Err(AccessDenied::Revoked {
                id: token.id,
                name: token.name,
                revoked_at,
            }),
            None => Ok(token),
        }
    }
}
