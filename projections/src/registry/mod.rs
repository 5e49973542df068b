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
//! - beside each timeline, the unit's city, kind and award, so that walking the units in id
//!   order judges a filter without looking units up;
//! - indexes by status and by award year (as the registry stands), in unit-id order, for
//!   filtered pages that select few units;
//! - the position of every listing, in order (how many units there were at any moment);
//! - a [`Tally`] of the statistics, kept as events are folded, and a log of every change to
//!   what it counts with a copy of the tally every few thousand changes, so that statistics
//!   (and most counts) as of any position cost a checkpoint plus a short tail;
//! - each year's quota decisions with their positions.
//!
//! Costs: a page of designations walks the units in id order from the cursor (or, as the
//! registry stands, the status or award-year index when the filter names one), judging each
//! by the facts beside its timeline and looking a unit up only to match its name or show
//! it. Statistics, and the counts of filters without a name and with at most one of city
//! and kind, are read off a tally at any position; other counts walk. In memory: a server
//! holding a 1,000,000-event log of 166,666 units settles at about 480 MiB in all (the `rss`
//! figure in BENCHMARKS.md), about 2.9 KB a unit with everything the process holds.
//!
//! Histories are not held here (see [`crate::history`]): they are folded on demand from a
//! unit's own stream.
//!
//! Like every projection it is a deterministic fold: [`Registry::apply`] in position order
//! always rebuilds exactly the same registry, and [`Registry::to_snapshot`] /
//! [`Registry::from_snapshot`] round-trip it.

mod changes;
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

use liangye_events::catalogue::{
    CityCode, DivisionCode, DomainEvent, RecordedEvent, SecretSha256, Status, UnitKind, Year,
};
use thin_vec::ThinVec;
use uuid::Uuid;

pub use code::{UnitCode, UnitCodeError};
pub use designation::Designation;
pub use query::{
    DEFAULT_FIRST, DesignationFilter, MAX_FIRST, MAX_NAME_CONTAINS, Page, PageError, PageRequest,
    decode_cursor, encode_cursor,
};
pub use snapshot::{SNAPSHOT_FORMAT, SnapshotError, SnapshotLoader, UNITS_PER_CHUNK};
pub use timeline::{Step, Timeline};

use changes::{Change, FactLog};
use indexes::Indexes;

use crate::access::{AccessDenied, TokenView};
use crate::applications::{
    Application, ApplicationFilter, ApplicationIndex, ApplicationPage, Attempt, result_among,
};
use crate::decision_state::{DecisionState, Unit};
use crate::statistics::{Record, SectorSet, Statistics, Tally, UnitFacts};

/// The registry read model at [`Registry::position`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Registry {
    state: DecisionState,
    /// Every unit's timeline and filterable facts, by id: also the registry's order.
    entries: BTreeMap<Uuid, Entry>,
    /// Each year's quota decisions: (position, total), in order.
    quota_sets: BTreeMap<Year, Vec<(i64, u32)>>,
    indexes: Indexes,
    tally: Tally,
    facts: FactLog,
    /// Every (year, unit) with an attempt ever recorded, in the order of `applications`,
    /// with what a filter is judged by.
    applications: BTreeMap<(Year, Uuid), ApplicationIndex>,
}

/// What a page or count filters on, held beside the unit's timeline so that walking the
/// units in id order does not need to look each one up; and what a retraction or an
/// amendment replaced, so that the unit as it stood before one is still at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    timeline: Timeline,
    city: CityCode,
    kind: UnitKind,
    /// Every award the unit was given: its position, its year and, once retracted, the
    /// retraction's position. The standing award (if any) is the one not retracted.
    awards: ThinVec<(i64, Year, Option<i64>)>,
    /// The unit as it stood just before each retraction or amendment about it, with that
    /// event's position, in order (rare: most units have none).
    revisions: ThinVec<(i64, Box<Unit>)>,
    /// The unit's sectors and county as it stands (as of an earlier moment: those of the
    /// first revision after it, if there is one).
    sectors: SectorSet,
    county: Option<DivisionCode>,
    /// Every record statistics count (evaluations, subsidies, monitoring reports): its
    /// position, and the position that took it back (a retraction, or a later report of the
    /// same year replacing it), if one did.
    records: ThinVec<(i64, Option<i64>, Record)>,
    /// Every recommendation of the unit and the decisions of its year (see
    /// [`crate::applications`]).
    attempts: ThinVec<Attempt>,
}

impl Entry {
    /// Gives back the spare capacity of every list beside the timeline, and of the
    /// timeline's.
    fn shrink_to_fit(&mut self) {
        self.timeline.shrink_to_fit();
        self.awards.shrink_to_fit();
        self.revisions
            .iter_mut()
            .for_each(|(_, unit)| unit.shrink_to_fit());
        self.revisions.shrink_to_fit();
        self.records.shrink_to_fit();
        self.attempts.iter_mut().for_each(Attempt::shrink_to_fit);
        self.attempts.shrink_to_fit();
    }

    fn of(unit: &Unit, timeline: Timeline) -> Self {
        Self {
            timeline,
            city: unit.city,
            kind: unit.kind,
            awards: unit
                .award
                .map(|a| (a.position, a.year, None))
                .into_iter()
                .collect(),
            revisions: ThinVec::new(),
            sectors: SectorSet::of(&unit.sectors),
            county: unit.county_code,
            records: ThinVec::new(),
            attempts: ThinVec::new(),
        }
    }

    /// Follows the records and attempts through one event about the unit; returns the
    /// record changes it made, in order.
    fn follow_records(&mut self, recorded: &RecordedEvent) -> Vec<(Record, bool)> {
        let position = recorded.position;
        let mut changes = Vec::new();
        let record = match &recorded.event {
            DomainEvent::EvaluationRecorded(e) => Some(Record::Evaluation {
                year: e.year,
                grade: e.grade,
            }),
            DomainEvent::SubsidyGranted(e) => Some(Record::Subsidy {
                year: e.year,
                city: self.city,
                amount: e.amount_yuan,
            }),
            DomainEvent::IndicatorsReported(e) => Some(Record::Indicators {
                year: e.year,
                below_standard: e.below_standard,
            }),
            DomainEvent::DecisionRetracted(e) => {
                if let Some((_, removed, record)) = self
                    .records
                    .iter_mut()
                    .find(|(at, removed, _)| *at == e.position && removed.is_none())
                {
                    *removed = Some(position);
                    changes.push((*record, false));
                }
                for attempt in &mut self.attempts {
                    if attempt.retract(e.position, position) {
                        break;
                    }
                }
                None
            }
            DomainEvent::Recommended(_) => {
                // Exact growth: most units have one attempt, and the registry keeps them all.
                self.attempts.reserve_exact(1);
                self.attempts.extend(Attempt::recommended(recorded));
                None
            }
            _ => {
                if let Some((year, step)) = Attempt::step(recorded)
                    && let Some(attempt) = self
                        .attempts
                        .iter_mut()
                        .rev()
                        .find(|a| a.year == year && a.retracted_at.is_none())
                {
                    attempt.steps.reserve_exact(1);
                    attempt.steps.push(step);
                }
                None
            }
        };
        if let Some(record) = record {
            // A second evaluation or report of the same year replaces the first (as the
            // decision state does).
            let same_year = |r: &Record| match (r, &record) {
                (Record::Evaluation { year: a, .. }, Record::Evaluation { year: b, .. })
                | (Record::Indicators { year: a, .. }, Record::Indicators { year: b, .. }) => a == b,
                _ => false,
            };
            for (_, removed, old) in &mut self.records {
                if removed.is_none() && same_year(old) {
                    *removed = Some(position);
                    changes.push((*old, false));
                }
            }
            self.records.reserve_exact(1);
            self.records.push((position, None, record));
            changes.push((record, true));
        }
        changes
    }

    /// The records that stood at `at` (now when `None`).
    fn records_at(&self, at: Option<i64>) -> impl Iterator<Item = Record> + '_ {
        self.records
            .iter()
            .filter(move |(position, removed, _)| match at {
                None => removed.is_none(),
                Some(at) => *position <= at && removed.is_none_or(|r| r > at),
            })
            .map(|(_, _, record)| *record)
    }

    /// The sectors and county at `at` (as they stand when `None`).
    fn place_at(&self, at: Option<i64>) -> (SectorSet, Option<DivisionCode>) {
        let revised = at.and_then(|at| self.revisions.iter().find(|(position, _)| *position > at));
        match revised {
            Some((_, unit)) => (SectorSet::of(&unit.sectors), unit.county_code),
            None => (self.sectors, self.county),
        }
    }

    /// Brings the awards in line with the unit's standing award after the event at
    /// `position`: a standing award the unit no longer holds was retracted there.
    fn follow_award(&mut self, award: Option<(i64, Year)>, position: i64) {
        for (at, _, retracted) in &mut self.awards {
            if retracted.is_none() && award.is_none_or(|(p, _)| p != *at) {
                *retracted = Some(position);
            }
        }
        if let Some((at, year)) = award
            && !self.awards.iter().any(|(p, _, _)| *p == at)
        {
            self.awards.push((at, year, None));
        }
    }

    /// The award year as of `at` (as it stands when `None`).
    fn award_year_at(&self, at: Option<i64>) -> Option<Year> {
        self.awards
            .iter()
            .find(|(p, _, retracted)| match at {
                None => retracted.is_none(),
                Some(at) => *p <= at && retracted.is_none_or(|r| r > at),
            })
            .map(|(_, year, _)| *year)
    }

    /// The unit's counted facts at `at` (as it stands when `None`); `None` before listing
    /// and once its listing was retracted.
    fn facts_at(&self, at: Option<i64>) -> Option<UnitFacts> {
        let status = match at {
            None => self.timeline.status()?,
            Some(at) => self.timeline.status_at(at)?,
        };
        let (sectors, county) = self.place_at(at);
        Some(UnitFacts {
            city: self.city,
            kind: self.kind,
            status,
            award_year: self.award_year_at(at),
            sectors,
            county,
        })
    }

    /// The unit as it stood at `at` (as it stands, `current`, when `None`): the revision
    /// kept at the first retraction or amendment after `at`, if there is one.
    fn unit_at<'a>(&'a self, current: Option<&'a Unit>, at: Option<i64>) -> Option<&'a Unit> {
        match at {
            None => current,
            Some(at) => self
                .revisions
                .iter()
                .find(|(position, _)| *position > at)
                .map(|(_, unit)| &**unit)
                .or(current),
        }
    }
}

/// What statistics and indexes know of a unit as it stands.
fn facts_now(unit: &Unit) -> UnitFacts {
    UnitFacts {
        city: unit.city,
        kind: unit.kind,
        status: unit.status,
        award_year: unit.award.map(|a| a.year),
        sectors: SectorSet::of(&unit.sectors),
        county: unit.county_code,
    }
}

impl Registry {
    /// Gives back the spare capacity of everything the registry holds. Lists grow by
    /// doubling while a log is folded or a snapshot read; once the registry has caught up
    /// (at start-up), this returns the unused part, a sizeable share of a large registry's
    /// memory. Later events grow the lists again one at a time.
    pub fn shrink_to_fit(&mut self) {
        self.state.shrink_to_fit();
        self.entries.values_mut().for_each(Entry::shrink_to_fit);
        self.quota_sets.values_mut().for_each(Vec::shrink_to_fit);
        self.facts.shrink_to_fit();
        self.applications
            .values_mut()
            .for_each(ApplicationIndex::shrink_to_fit);
    }

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
        let before_unit = unit_id.and_then(|id| self.state.unit(id));
        let before = before_unit.map(facts_now);
        let revision = match recorded.event {
            DomainEvent::DecisionRetracted(_) | DomainEvent::UnitAmended(_) => {
                before_unit.map(|unit| Box::new(unit.clone()))
            }
            _ => None,
        };
        self.state.apply(recorded);
        if let Some(id) = unit_id {
            let unit = self.state.unit(id);
            let after = unit.map(facts_now);
            let entry = match (self.entries.get_mut(&id), unit) {
                (Some(entry), _) => Some(entry),
                (None, Some(unit)) => Some(
                    self.entries
                        .entry(id)
                        .or_insert_with(|| Entry::of(unit, Timeline::default())),
                ),
                (None, None) => None,
            };
            if let Some(entry) = entry
                && (before.is_some() || after.is_some())
            {
                entry.timeline.push(recorded.position, after.map(|f| f.status));
                let award = unit.and_then(|u| u.award).map(|a| (a.position, a.year));
                entry.follow_award(award, recorded.position);
                if let Some(revision) = revision {
                    entry.revisions.push((recorded.position, revision));
                }
                // Only a listing, an amendment or a retraction (of one) moves sectors or county.
                if let Some(unit) = unit
                    && matches!(
                        recorded.event,
                        DomainEvent::PilotListed(_)
                            | DomainEvent::UnitAmended(_)
                            | DomainEvent::DecisionRetracted(_)
                    )
                {
                    entry.sectors = SectorSet::of(&unit.sectors);
                    entry.county = unit.county_code;
                }
                let records = entry.follow_records(recorded);
                let touches_attempts = matches!(
                    recorded.event,
                    DomainEvent::Recommended(_)
                        | DomainEvent::ReviewRecorded(_)
                        | DomainEvent::RecommendationWithdrawn(_)
                        | DomainEvent::NotSelected(_)
                        | DomainEvent::Awarded(_)
                        | DomainEvent::DecisionRetracted(_)
                );
                if touches_attempts {
                    for attempt in &entry.attempts {
                        let year = attempt.year;
                        let result = result_among(&entry.attempts, year, None);
                        self.applications
                            .entry((year, id))
                            .or_insert_with(|| ApplicationIndex::new(entry.city, entry.kind))
                            .follow(recorded.position, result);
                    }
                }
                self.indexes.change(id, before, after);
                self.tally.change(before, after);
                self.facts
                    .record(Change::unit(recorded.position, before, after), &self.tally);
                for (record, added) in records {
                    self.tally.record(record, added);
                    self.facts
                        .record(Change::record(recorded.position, record, added), &self.tally);
                }
            }
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

    /// The number of units in the registry (as of `at`): listed, and the listing not
    /// retracted.
    pub fn unit_count(&self, at: Option<i64>) -> usize {
        let total = match self.earlier(at) {
            None => self.tally.by_status().total(),
            Some(at) => self.facts.tally_at(at).by_status().total(),
        };
        usize::try_from(total).unwrap_or(usize::MAX)
    }

    /// A unit's timeline.
    pub fn timeline(&self, id: Uuid) -> Option<&Timeline> {
        self.entries.get(&id).map(|e| &e.timeline)
    }

    /// The designation with this id, as it stands or as of position `at`.
    pub fn designation(&self, id: Uuid, at: Option<i64>) -> Option<Designation> {
        let entry = self.entries.get(&id)?;
        let at = self.earlier(at);
        let unit = entry.unit_at(self.state.unit(id), at)?;
        match at {
            None => Some(Designation::current(unit, &entry.timeline)),
            Some(at) => Designation::at(unit, &entry.timeline, at),
        }
    }

    /// The designation holding this credit code, division code (a county's own) or zone
    /// code, as it stands or as of position `at`.
    ///
    /// As of an earlier position the unit must have held the code then: an amendment or a
    /// retracted listing may have moved a code since, so units with revisions are looked at
    /// too (they are few).
    pub fn designation_by_code(&self, code: &UnitCode, at: Option<i64>) -> Option<Designation> {
        let identifiers = self.state.identifiers();
        let id = match code {
            UnitCode::Credit(c) => identifiers.by_credit_code(c),
            UnitCode::Division(d) => identifiers.by_division_code(d),
            UnitCode::Zone(z) => identifiers.by_zone_code(z),
        };
        let at = self.earlier(at);
        if at.is_none() {
            return self.designation(id?, None);
        }
        let holds = |d: &Designation| match code {
            UnitCode::Credit(c) => d.credit_code == Some(*c),
            UnitCode::Division(c) => d.kind == UnitKind::County && d.division_code == Some(*c),
            UnitCode::Zone(c) => d.zone_code == Some(*c),
        };
        let revised = self
            .entries
            .iter()
            .filter(|(_, entry)| !entry.revisions.is_empty())
            .map(|(id, _)| *id);
        id.into_iter()
            .chain(revised)
            .filter_map(|id| self.designation(id, at))
            .find(holds)
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

    /// How many designations `filter` selects (the connection's total count). Without a
    /// name, and with at most one of city and kind, it is read off a tally (the kept one,
    /// or a checkpoint and a short tail as of `at`); otherwise counted by walking.
    pub fn count(&self, filter: &DesignationFilter, at: Option<i64>) -> usize {
        let at = self.earlier(at);
        let by_name = filter
            .name_contains
            .as_deref()
            .is_some_and(|n| !n.trim().is_empty());
        let by_unit = filter.pilot_batch.is_some()
            || filter.recommended_year.is_some()
            || filter.changed_after.is_some();
        if !by_name && !by_unit {
            let counted = match at {
                None => count_from_tally(&self.tally, filter),
                Some(at) => count_from_tally(&self.facts.tally_at(at), filter),
            };
            if let Some(count) = counted {
                return usize::try_from(count).unwrap_or(usize::MAX);
            }
        }
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
        self.entries
            .iter()
            .filter_map(|(id, entry)| {
                let unit = entry.unit_at(self.state.unit(*id), at)?;
                match at {
                    None => Some(Designation::current(unit, &entry.timeline)),
                    Some(at) => Designation::at(unit, &entry.timeline, at),
                }
            })
            .collect()
    }

    /// Calls `visit` with every unit `filter` selects after `after`, in id order, until it
    /// returns false. Walks the smallest index that applies, judging units by the facts
    /// beside their timelines; looks a unit up only to match its name or to visit it.
    fn scan(
        &self,
        filter: &DesignationFilter,
        after: Option<Uuid>,
        at: Option<i64>,
        mut visit: impl FnMut(&Unit, &Timeline, Option<i64>) -> bool,
    ) {
        let at = self.earlier(at);
        let from = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut each = |id: &Uuid, entry: &Entry| -> bool {
            let Some(facts) = entry.facts_at(at) else {
                return true;
            };
            let selected = filter.city.is_none_or(|c| c == facts.city)
                && filter.kind.is_none_or(|k| k == facts.kind)
                && filter.status.is_none_or(|s| s == facts.status)
                && filter.award_year.is_none_or(|y| facts.award_year == Some(y))
                && filter.sector.is_none_or(|s| facts.sectors.contains(s))
                && filter.county.is_none_or(|c| facts.county == Some(c))
                && filter
                    .changed_after
                    .is_none_or(|p| entry.timeline.last_position_at(at).is_some_and(|last| last > p));
            if !selected {
                return true;
            }
            let Some(unit) = entry.unit_at(self.state.unit(*id), at) else {
                return true;
            };
            if !filter.name_matches(&unit.name)
                || filter.pilot_batch.is_some_and(|b| b != unit.pilot_batch)
                || filter
                    .recommended_year
                    .is_some_and(|y| designation::recommended_year_at(unit, facts.status, at) != Some(y))
            {
                return true;
            }
            visit(unit, &entry.timeline, at)
        };
        match self.smallest_index(filter, at) {
            Some(ids) => {
                for id in ids.range((from, Bound::Unbounded)) {
                    let Some(entry) = self.entries.get(id) else {
                        continue;
                    };
                    if !each(id, entry) {
                        break;
                    }
                }
            }
            None => {
                for (id, entry) in self.entries.range((from, Bound::Unbounded)) {
                    if !each(id, entry) {
                        break;
                    }
                }
            }
        }
    }

    /// The smallest index holding every unit `filter` can select (`None`: walk them all).
    /// Status and award year are indexed as they stand, so they help only then. (City and
    /// kind are not indexed: the walk judges them from the facts beside each timeline, a
    /// few nanoseconds a unit.)
    fn smallest_index(&self, filter: &DesignationFilter, at: Option<i64>) -> Option<&BTreeSet<Uuid>> {
        static EMPTY: BTreeSet<Uuid> = BTreeSet::new();
        if at.is_some() {
            return None;
        }
        let ix = &self.indexes;
        let by_status = filter
            .status
            .map(|status| ix.by_status.get(&status).unwrap_or(&EMPTY));
        let by_year = filter
            .award_year
            .map(|year| ix.by_award_year.get(&year).unwrap_or(&EMPTY));
        by_status.into_iter().chain(by_year).min_by_key(|set| set.len())
    }

    /// One page of the applications `filter` selects, in (year, unit id) order, as they
    /// stand or as of position `at`, with how many it selects in all.
    pub fn applications(
        &self,
        filter: &ApplicationFilter,
        first: usize,
        after: Option<(Year, Uuid)>,
        at: Option<i64>,
    ) -> ApplicationPage {
        let at = self.earlier(at);
        let mut page = ApplicationPage {
            has_previous_page: after.is_some(),
            ..ApplicationPage::default()
        };
        let keys = match filter.year {
            Some(year) => self.applications.range((year, Uuid::nil())..=(year, Uuid::max())),
            None => self.applications.range(..),
        };
        for ((year, id), index) in keys {
            if filter.city.is_some_and(|c| c != index.city) || filter.kind.is_some_and(|k| k != index.kind) {
                continue;
            }
            let Some(result) = index.result_at(at) else {
                continue;
            };
            if filter.result.is_some_and(|r| r != result) {
                continue;
            }
            page.total += 1;
            if after.is_some_and(|after| (*year, *id) <= after) {
                continue;
            }
            if page.items.len() == first {
                page.has_next_page = true;
                continue;
            }
            page.items.extend(self.application(*id, *year, at));
        }
        page
    }

    /// The application of unit `id` for `year`, as it stands or as of position `at`.
    pub fn application(&self, id: Uuid, year: Year, at: Option<i64>) -> Option<Application> {
        let at = self.earlier(at);
        let entry = self.entries.get(&id)?;
        entry
            .attempts
            .iter()
            .rev()
            .find(|a| a.year == year && a.stood_at(at))?
            .at(id, entry.city, entry.kind, at)
    }

    /// Every year with an application (as of `at`), in order.
    pub fn application_years(&self, at: Option<i64>) -> Vec<Year> {
        let at = self.earlier(at);
        let mut years: Vec<Year> = self
            .applications
            .iter()
            .filter(|(_, index)| index.result_at(at).is_some())
            .map(|((year, _), _)| *year)
            .collect();
        years.dedup();
        years
    }

    /// The statistics as they stand (from the kept tally), or as of position `at` (the
    /// tally kept at the last checkpoint before it, and the changes since).
    pub fn statistics(&self, at: Option<i64>) -> Statistics {
        match self.earlier(at) {
            None => self.tally.statistics(self.position(), &self.quotas_at(None)),
            Some(at) => self.facts.tally_at(at).statistics(at, &self.quotas_at(Some(at))),
        }
    }

    /// The statistics counted afresh over every unit (as of `at`), not from any kept
    /// tally: what [`Registry::statistics`] must always equal (property-tested; also a check
    /// for `verify`).
    pub fn recount_statistics(&self, at: Option<i64>) -> Statistics {
        let at = self.earlier(at);
        let mut tally = Tally::default();
        for (id, entry) in &self.entries {
            let facts = match at {
                None => self.state.unit(*id).map(facts_now),
                Some(at) => entry.facts_at(Some(at)),
            };
            if let Some(facts) = facts {
                tally.add(facts);
            }
            for record in entry.records_at(at) {
                tally.record(record, true);
            }
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

/// `filter`'s count read off `tally`, when the tally holds it: no name, no award year
/// together with a city or kind, and not both a city and a kind.
fn count_from_tally(tally: &Tally, filter: &DesignationFilter) -> Option<u64> {
    let counts = match (
        filter.city,
        filter.kind,
        filter.award_year,
        filter.sector,
        filter.county,
    ) {
        (None, None, None, None, None) => tally.by_status(),
        (Some(city), None, None, None, None) => tally.by_city(city),
        (None, Some(kind), None, None, None) => tally.by_kind(kind),
        (None, None, None, Some(sector), None) => tally.by_sector(sector),
        (None, None, None, None, Some(county)) => tally.by_county(county),
        (None, None, Some(year), None, None) => {
            let awards = tally.by_award_year(year);
            return Some(match filter.status {
                None => awards.awarded,
                Some(Status::Awarded) => awards.still_awarded,
                Some(Status::Delisted) => awards.delisted,
                Some(_) => 0,
            });
        }
        _ => return None,
    };
    Some(match filter.status {
        None => counts.total(),
        Some(status) => counts.get(status),
    })
}
