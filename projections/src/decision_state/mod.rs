//! [`DecisionState`]: everything a decision is judged against, folded from the log.
//!
//! The fold trusts the log (every event in it was decided against this same state), so
//! `apply` never fails: an event about a unit it does not know changes nothing but the
//! position. It is cheap per event (hash-map lookups, no cloning of the state) and
//! deterministic: its contents depend only on the events applied, and every ordered view it
//! gives ([`DecisionState::units`], [`DecisionState::tokens`]) is sorted.

mod access;
mod identifiers;
mod unit;
mod years;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use thin_vec::ThinVec;

use liangye_events::catalogue::{
    CityCode, CreditCode, DivisionCode, DomainEvent, EventType, PilotListed, RecordedEvent, ReviewOutcome,
    ReviewStage, SecretSha256, Status, UnitAmended, Year, ZoneCode,
};
use uuid::Uuid;

use crate::HashMap;

pub use access::AccessToken;
pub use identifiers::{Identifiers, zone_name_key};
pub use unit::{
    Amendment, Award, Commendation, DecisionRef, Delisting, Evaluation, IndicatorReport, Recommendation,
    ReviewProgress, Subsidy, Unit, UnitData,
};
pub use years::YearRecord;

/// The state commands are decided against: units, identifier indexes, per-year quotas and
/// awards, and access tokens, as of [`DecisionState::position`].
///
/// Units are shared between clones and copied on write: a clone costs the maps, not the
/// units, and folding an event into either copy copies only the one unit it changes. The
/// engine's writer starts from a clone of the live registry's state this way, so a server
/// holds one copy of the units the two have in common instead of two.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecisionState {
    position: i64,
    units: HashMap<Uuid, Arc<Unit>>,
    identifiers: Identifiers,
    years: BTreeMap<Year, YearRecord>,
    tokens: BTreeMap<Uuid, AccessToken>,
    tokens_by_secret: HashMap<SecretSha256, Uuid>,
}

impl DecisionState {
    /// The empty state, before position 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// The position of the last event applied (0 for none).
    pub fn position(&self) -> i64 {
        self.position
    }

    /// Folds one event in. Events must come in position order.
    pub fn apply(&mut self, recorded: &RecordedEvent) {
        self.position = recorded.position;
        let version = recorded.stream_version;
        let position = recorded.position;
        match &recorded.event {
            DomainEvent::PilotListed(e) => self.list(e, version),
            DomainEvent::PilotRevoked(e) => {
                if let Some(unit) = self.unit_at(e.unit_id, version) {
                    unit.status = Status::PilotRevoked;
                    unit.current_attempt = None;
                }
            }
            DomainEvent::Recommended(e) => {
                if let Some(unit) = self.unit_at(e.unit_id, version) {
                    unit.status = Status::Recommended;
                    unit.current_attempt = Some(e.year);
                    unit.recommendations.retain(|r| r.year != e.year);
                    unit.recommendations.reserve_exact(1);
                    unit.recommendations.push(Recommendation {
                        position,
                        year: e.year,
                        city: e.city_code,
                        figures: e.figures,
                        decided_on: e.decision.decided_on,
                        closed: None,
                    });
                    unit.reviews.retain(|r| r.year != e.year);
                    unit.reviews.reserve_exact(1);
                    unit.reviews.push(ReviewProgress::new(e.year));
                }
            }
            DomainEvent::ReviewRecorded(e) => {
                if let Some(unit) = self.unit_at(e.unit_id, version) {
                    let progress = unit.reviews_of_mut(e.year);
                    if e.stage == ReviewStage::Expert {
                        progress.expert_score = e.score;
                    }
                    match e.outcome {
                        ReviewOutcome::Passed => {
                            progress.pass(e.stage);
                            if e.stage == ReviewStage::SiteInspection {
                                progress.site_inspection_on = Some(e.decision.decided_on);
                            }
                        }
                        ReviewOutcome::Failed => {
                            progress.failed = Some(e.stage);
                            if unit.current_attempt == Some(e.year) {
                                unit.status = Status::Pilot;
                                unit.current_attempt = None;
                            }
                        }
                    }
                }
            }
            DomainEvent::Awarded(e) => {
                if let Some(unit) = self.unit_at(e.unit_id, version) {
                    unit.status = Status::Awarded;
                    unit.current_attempt = None;
                    unit.award = Some(Award {
                        position,
                        year: e.year,
                        certificate_no: e.certificate_no,
                        decided_on: e.decision.decided_on,
                    });
                }
                let year = self.years.entry(e.year).or_default();
                year.awards_made = year.awards_made.saturating_add(1);
                year.last_serial = year.last_serial.max(e.certificate_no.serial());
            }
            DomainEvent::AnnualQuotaSet(e) => {
                let year = self.years.entry(e.year).or_default();
                year.quota = Some(e.total);
                year.quota_version = version;
            }
            DomainEvent::EvaluationRecorded(e) => {
                if let Some(unit) = self.unit_at(e.unit_id, version) {
                    unit.evaluations.retain(|v| v.year != e.year);
                    unit.evaluations.reserve_exact(1);
                    unit.evaluations.push(Evaluation {
                        position,
                        year: e.year,
                        grade: e.grade,
                        score: e.score,
                        decided_on: e.decision.decided_on,
                    });
                }
            }
            DomainEvent::Commended(e) => {
                if let Some(unit) = self.unit_at(e.unit_id, version) {
                    unit.commendations.reserve_exact(1);
                    unit.commendations.push(Commendation {
                        position,
                        year: e.year,
                        citation: e.citation.clone(),
                        decided_on: e.decision.decided_on,
                    });
                }
            }
            DomainEvent::Delisted(e) => {
                if let Some(unit) = self.unit_at(e.unit_id, version) {
                    unit.status = Status::Delisted;
                    unit.delisting = Some(Delisting {
                        position,
                        reason: e.reason.clone(),
                        ground: e.ground,
                        evaluation_year: e.evaluation_year,
                        decided_on: e.decision.decided_on,
                    });
                }
            }
            DomainEvent::RecommendationWithdrawn(e) => {
                self.close_attempt(
                    e.unit_id,
                    version,
                    e.year,
                    position,
                    EventType::RecommendationWithdrawn,
                );
            }
            DomainEvent::NotSelected(e) => {
                self.close_attempt(e.unit_id, version, e.year, position, EventType::NotSelected);
            }
            DomainEvent::IndicatorsReported(e) => {
                if let Some(unit) = self.unit_at(e.unit_id, version) {
                    unit.indicators.retain(|r| r.year != e.year);
                    unit.indicators.push(IndicatorReport {
                        position,
                        year: e.year,
                        figures: e.figures,
                        below_standard: e.below_standard,
                        decided_on: e.decision.decided_on,
                    });
                }
            }
            DomainEvent::SubsidyGranted(e) => {
                if let Some(unit) = self.unit_at(e.unit_id, version) {
                    unit.subsidies.push(Subsidy {
                        position,
                        year: e.year,
                        amount_yuan: e.amount_yuan,
                        fund: e.fund.clone(),
                        decided_on: e.decision.decided_on,
                    });
                }
            }
            DomainEvent::UnitAmended(e) => self.amend(e, version, position),
            DomainEvent::DecisionRetracted(e) => {
                self.retract(e.unit_id, e.position, version);
                if let Some(unit) = self.units.get_mut(&e.unit_id).map(Arc::make_mut) {
                    unit.last_retraction = Some(DecisionRef {
                        position,
                        event_type: EventType::DecisionRetracted,
                        year: None,
                        decided_on: e.decision.decided_on,
                    });
                }
                return;
            }
            DomainEvent::AccessGranted(e) => {
                self.tokens_by_secret.insert(e.secret_sha256, e.token_id);
                self.tokens.insert(
                    e.token_id,
                    AccessToken {
                        id: e.token_id,
                        name: e.name.clone(),
                        role: e.role,
                        city: e.city,
                        secret_sha256: e.secret_sha256,
                        revoked: false,
                        granted_at: position,
                        revoked_at: None,
                    },
                );
            }
            DomainEvent::AccessRevoked(e) => {
                if let Some(token) = self.tokens.get_mut(&e.token_id) {
                    token.revoked = true;
                    token.revoked_at.get_or_insert(position);
                }
            }
        }
        self.note_decision(recorded);
    }

    /// Adds a unit event (other than a retraction) to its unit's decisions that stand.
    fn note_decision(&mut self, recorded: &RecordedEvent) {
        let event = &recorded.event;
        let (Some(id), Some(decision)) = (event.unit_id(), event.decision()) else {
            return;
        };
        if let Some(unit) = self.units.get_mut(&id).map(Arc::make_mut) {
            unit.decisions.push(DecisionRef {
                position: recorded.position,
                event_type: event.kind(),
                year: event.year(),
                decided_on: decision.decided_on,
            });
        }
    }

    /// A withdrawal or a non-selection: the attempt of `year` ends, the unit is PILOT again.
    fn close_attempt(&mut self, id: Uuid, version: i64, year: Year, position: i64, how: EventType) {
        if let Some(unit) = self.unit_at(id, version) {
            if let Some(r) = unit.recommendations.iter_mut().find(|r| r.year == year) {
                r.closed = Some((position, how));
            }
            if unit.current_attempt == Some(year) {
                unit.status = Status::Pilot;
                unit.current_attempt = None;
            }
        }
    }

    fn amend(&mut self, e: &UnitAmended, version: i64, position: i64) {
        let Some(unit) = self.units.get_mut(&e.unit_id).map(Arc::make_mut) else {
            return;
        };
        unit.version = version;
        self.identifiers.remove(unit);
        let previous = unit.data();
        if let Some(name) = &e.name {
            unit.name.clone_from(name);
        }
        if let Some(sectors) = &e.sectors {
            unit.sectors = sectors.as_slice().into();
        }
        if let Some(industries) = &e.industries {
            unit.industries = industries.as_slice().into();
        }
        if let Some(county) = e.county_code {
            unit.county_code = Some(county);
        }
        if let Some(code) = e.credit_code {
            unit.credit_code = Some(code);
            unit.credit_code_check_overridden = e.credit_code_check_overridden.unwrap_or(false);
        }
        if let Some(code) = e.division_code {
            unit.division_code = Some(code);
        }
        if let Some(code) = e.zone_code {
            unit.zone_code = Some(code);
        }
        unit.amendments.push(Amendment { position, previous });
        self.identifiers.insert(unit);
    }

    /// Folds the unit as if its decision at `position` (its latest that stands) had never
    /// been made. Decisions are undone newest first, so each undo restores exactly what
    /// held before that decision: the status it left, the records it added, the year's
    /// award count (a certificate serial is never given back).
    fn retract(&mut self, id: Uuid, position: i64, version: i64) {
        let Some(unit) = self.units.get_mut(&id).map(Arc::make_mut) else {
            return;
        };
        unit.version = version;
        let Some(index) = unit.decisions.iter().rposition(|d| d.position == position) else {
            return;
        };
        let undone = unit.decisions.remove(index);
        let year = undone.year;
        match undone.event_type {
            EventType::PilotListed => {
                if let Some(unit) = self.units.remove(&id) {
                    self.identifiers.remove(&unit);
                }
            }
            EventType::PilotRevoked => unit.status = Status::Pilot,
            EventType::Recommended => {
                unit.recommendations.retain(|r| r.position != position);
                if let Some(year) = year {
                    unit.reviews.retain(|r| r.year != year);
                }
                unit.status = Status::Pilot;
                unit.current_attempt = None;
            }
            EventType::ReviewRecorded => {
                if let Some(year) = year {
                    let progress = unit.reviews_of_mut(year);
                    match progress.failed.take() {
                        // A failed expert review carried its score: it goes with it.
                        Some(ReviewStage::Expert) => progress.expert_score = None,
                        Some(_) => {}
                        None => progress.unpass(),
                    }
                    unit.status = Status::Recommended;
                    unit.current_attempt = Some(year);
                }
            }
            EventType::Awarded => {
                if let Some(award) = unit.award.take() {
                    unit.current_attempt = Some(award.year);
                    let record = self.years.entry(award.year).or_default();
                    record.awards_made = record.awards_made.saturating_sub(1);
                }
                unit.status = Status::Recommended;
            }
            EventType::EvaluationRecorded => unit.evaluations.retain(|e| e.position != position),
            EventType::Commended => unit.commendations.retain(|c| c.position != position),
            EventType::Delisted => {
                unit.delisting = None;
                unit.status = Status::Awarded;
            }
            EventType::RecommendationWithdrawn | EventType::NotSelected => {
                if let Some(r) = unit.recommendations.iter_mut().find(|r| Some(r.year) == year) {
                    r.closed = None;
                }
                unit.status = Status::Recommended;
                unit.current_attempt = year;
            }
            EventType::IndicatorsReported => unit.indicators.retain(|r| r.position != position),
            EventType::SubsidyGranted => unit.subsidies.retain(|s| s.position != position),
            EventType::UnitAmended => {
                if let Some(at) = unit.amendments.iter().rposition(|a| a.position == position) {
                    let amendment = unit.amendments.remove(at);
                    self.identifiers.remove(unit);
                    unit.restore_data(amendment.previous);
                    self.identifiers.insert(unit);
                }
            }
            EventType::AnnualQuotaSet
            | EventType::AccessGranted
            | EventType::AccessRevoked
            | EventType::DecisionRetracted => {}
        }
    }

    /// [`DecisionState::apply`], returning what it takes to put the state back exactly as it
    /// was ([`DecisionState::undo`]): the engine folds a batch that must be all or nothing
    /// (a pilot-list import, a dry run) this way, and undoes it when the batch is refused.
    /// Costs a copy of the one unit (or token) the event is about, and of the year table
    /// for events that count awards or set quotas.
    pub fn apply_undoable(&mut self, recorded: &RecordedEvent) -> Undo {
        let event = &recorded.event;
        let unit = event.unit_id().map(|id| (id, self.units.get(&id).cloned()));
        let years = matches!(
            event,
            DomainEvent::Awarded(_) | DomainEvent::AnnualQuotaSet(_) | DomainEvent::DecisionRetracted(_)
        )
        .then(|| self.years.clone());
        let token = match event {
            DomainEvent::AccessGranted(e) => Some(TokenUndo {
                id: e.token_id,
                token: self.tokens.get(&e.token_id).cloned(),
                secret: Some((
                    e.secret_sha256,
                    self.tokens_by_secret.get(&e.secret_sha256).copied(),
                )),
            }),
            DomainEvent::AccessRevoked(e) => Some(TokenUndo {
                id: e.token_id,
                token: self.tokens.get(&e.token_id).cloned(),
                secret: None,
            }),
            _ => None,
        };
        let undo = Undo {
            position: self.position,
            unit,
            years,
            token,
        };
        self.apply(recorded);
        undo
    }

    /// Puts back what [`DecisionState::apply_undoable`] changed. Undo the latest first: a
    /// batch's events in reverse order.
    pub fn undo(&mut self, undo: Undo) {
        self.position = undo.position;
        if let Some((id, before)) = undo.unit {
            if let Some(after) = self.units.remove(&id) {
                self.identifiers.remove(&after);
            }
            if let Some(before) = before {
                self.identifiers.insert(&before);
                self.units.insert(id, before);
            }
        }
        if let Some(years) = undo.years {
            self.years = years;
        }
        if let Some(token) = undo.token {
            match token.token {
                Some(before) => self.tokens.insert(token.id, before),
                None => self.tokens.remove(&token.id),
            };
            if let Some((secret, before)) = token.secret {
                match before {
                    Some(id) => self.tokens_by_secret.insert(secret, id),
                    None => self.tokens_by_secret.remove(&secret),
                };
            }
        }
    }

    /// Folds events in, in order.
    pub fn apply_all<'a>(&mut self, events: impl IntoIterator<Item = &'a RecordedEvent>) {
        for event in events {
            self.apply(event);
        }
    }

    fn list(&mut self, e: &PilotListed, version: i64) {
        let unit = Arc::new(Unit {
            id: e.unit_id,
            name: e.name.clone(),
            kind: e.kind,
            city: e.city_code,
            division_code: e.division_code,
            credit_code: e.credit_code,
            credit_code_check_overridden: e.credit_code_check_overridden,
            zone_code: e.zone_code,
            industries: e.industries.as_slice().into(),
            sectors: e.sectors.as_slice().into(),
            county_code: e.county_code,
            pilot_batch: e.batch,
            status: Status::Pilot,
            version,
            current_attempt: None,
            recommendations: ThinVec::new(),
            reviews: ThinVec::new(),
            award: None,
            evaluations: ThinVec::new(),
            commendations: ThinVec::new(),
            delisting: None,
            indicators: ThinVec::new(),
            subsidies: ThinVec::new(),
            amendments: ThinVec::new(),
            decisions: ThinVec::new(),
            last_retraction: None,
        });
        self.identifiers.insert(&unit);
        self.units.insert(e.unit_id, unit);
    }

    /// Rebuilds a state from what [`DecisionState::units`], [`DecisionState::years`] and
    /// [`DecisionState::tokens`] gave at `position` (a snapshot): the identifier and secret
    /// indexes are derived again.
    pub fn restore(
        position: i64,
        units: impl IntoIterator<Item = Unit>,
        years: impl IntoIterator<Item = (Year, YearRecord)>,
        tokens: impl IntoIterator<Item = AccessToken>,
    ) -> Self {
        let mut state = Self {
            position,
            ..Self::default()
        };
        for unit in units {
            state.identifiers.insert(&unit);
            state.units.insert(unit.id, Arc::new(unit));
        }
        state.years = years.into_iter().collect();
        for token in tokens {
            state.tokens_by_secret.insert(token.secret_sha256, token.id);
            state.tokens.insert(token.id, token);
        }
        state
    }

    /// Gives back the spare capacity of every unit's lists and of the indexes (see
    /// [`Unit::shrink_to_fit`]).
    pub fn shrink_to_fit(&mut self) {
        // A unit shared with a copy of this state (see [`DecisionState`]) is left as it is.
        self.units
            .values_mut()
            .filter_map(Arc::get_mut)
            .for_each(Unit::shrink_to_fit);
        self.units.shrink_to_fit();
        self.identifiers.shrink_to_fit();
        self.tokens_by_secret.shrink_to_fit();
    }

    /// The unit an event is about, with its version moved to the event's.
    fn unit_at(&mut self, id: Uuid, version: i64) -> Option<&mut Unit> {
        let unit = self.units.get_mut(&id).map(Arc::make_mut)?;
        unit.version = version;
        Some(unit)
    }

    /// A unit by id.
    pub fn unit(&self, id: Uuid) -> Option<&Unit> {
        self.units.get(&id).map(|unit| &**unit)
    }

    /// The number of units ever listed.
    pub fn unit_count(&self) -> usize {
        self.units.len()
    }

    /// Every unit, sorted by id.
    pub fn units(&self) -> Vec<&Unit> {
        let mut units: Vec<&Unit> = self.units.values().map(|unit| &**unit).collect();
        units.sort_unstable_by_key(|unit| unit.id);
        units
    }

    /// The identifier indexes.
    pub fn identifiers(&self) -> &Identifiers {
        &self.identifiers
    }

    /// The unit holding this credit code.
    pub fn unit_by_credit_code(&self, code: &CreditCode) -> Option<&Unit> {
        self.identifiers.by_credit_code(code).and_then(|id| self.unit(id))
    }

    /// The county holding this division code.
    pub fn unit_by_division_code(&self, code: &DivisionCode) -> Option<&Unit> {
        self.identifiers
            .by_division_code(code)
            .and_then(|id| self.unit(id))
    }

    /// The zone (development or industrial) of this name in this city; names are compared
    /// by [`zone_name_key`].
    pub fn zone_by_name(&self, city: CityCode, name: &str) -> Option<&Unit> {
        self.identifiers
            .by_zone_name(city, name)
            .and_then(|id| self.unit(id))
    }

    /// The development zone holding this zone code.
    pub fn unit_by_zone_code(&self, code: &ZoneCode) -> Option<&Unit> {
        self.identifiers.by_zone_code(code).and_then(|id| self.unit(id))
    }

    /// A year's quota and awards (all empty for a year nothing happened in).
    pub fn year(&self, year: Year) -> YearRecord {
        self.years.get(&year).copied().unwrap_or_default()
    }

    /// Every year with a quota or an award, in order.
    pub fn years(&self) -> impl Iterator<Item = (Year, &YearRecord)> {
        self.years.iter().map(|(year, record)| (*year, record))
    }

    /// An access token by id, revoked or not.
    pub fn token(&self, id: Uuid) -> Option<&AccessToken> {
        self.tokens.get(&id)
    }

    /// The token whose secret has this SHA-256, revoked or not.
    pub fn token_by_secret(&self, secret_sha256: &SecretSha256) -> Option<&AccessToken> {
        self.tokens_by_secret
            .get(secret_sha256)
            .and_then(|id| self.tokens.get(id))
    }

    /// Every token ever issued, sorted by id.
    pub fn tokens(&self) -> impl Iterator<Item = &AccessToken> {
        self.tokens.values()
    }
}

/// What one [`DecisionState::apply_undoable`] changed: the position before it, and the
/// unit, year table or token as they were.
#[derive(Debug, Clone)]
pub struct Undo {
    position: i64,
    unit: Option<(Uuid, Option<Arc<Unit>>)>,
    years: Option<BTreeMap<Year, YearRecord>>,
    token: Option<TokenUndo>,
}

#[derive(Debug, Clone)]
struct TokenUndo {
    id: Uuid,
    token: Option<AccessToken>,
    /// The secret's entry as it was, for a grant.
    secret: Option<(SecretSha256, Option<Uuid>)>,
}
