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
mod tests;

use std::collections::{BTreeMap, HashMap};

use liangye_events::catalogue::{
    CityCode, CreditCode, DivisionCode, DomainEvent, PilotListed, RecordedEvent, ReviewOutcome, ReviewStage,
    SecretSha256, Status, Year, ZoneCode,
};
use uuid::Uuid;

pub use access::AccessToken;
pub use identifiers::{Identifiers, zone_name_key};
pub use unit::{Award, Commendation, Delisting, Evaluation, Recommendation, ReviewProgress, Unit};
pub use years::YearRecord;

/// The state commands are decided against: units, identifier indexes, per-year quotas and
/// awards, and access tokens, as of [`DecisionState::position`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecisionState {
    position: i64,
    units: HashMap<Uuid, Box<Unit>>,
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
                        position: recorded.position,
                        year: e.year,
                        city: e.city_code,
                        figures: e.figures,
                        decided_on: e.decision.decided_on,
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
                        ReviewOutcome::Passed => progress.pass(e.stage),
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
                        position: recorded.position,
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
                        position: recorded.position,
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
                        position: recorded.position,
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
                        position: recorded.position,
                        reason: e.reason.clone(),
                        evaluation_year: e.evaluation_year,
                        decided_on: e.decision.decided_on,
                    });
                }
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
                        granted_at: recorded.position,
                        revoked_at: None,
                    },
                );
            }
            DomainEvent::AccessRevoked(e) => {
                if let Some(token) = self.tokens.get_mut(&e.token_id) {
                    token.revoked = true;
                    token.revoked_at.get_or_insert(recorded.position);
                }
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
        let unit = Box::new(Unit {
            id: e.unit_id,
            name: e.name.clone(),
            kind: e.kind,
            city: e.city_code,
            division_code: e.division_code,
            credit_code: e.credit_code,
            credit_code_check_overridden: e.credit_code_check_overridden,
            zone_code: e.zone_code,
            industries: e.industries.clone(),
            pilot_batch: e.batch,
            status: Status::Pilot,
            version,
            current_attempt: None,
            recommendations: Vec::new(),
            reviews: Vec::new(),
            award: None,
            evaluations: Vec::new(),
            commendations: Vec::new(),
            delisting: None,
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
            state.units.insert(unit.id, Box::new(unit));
        }
        state.years = years.into_iter().collect();
        for token in tokens {
            state.tokens_by_secret.insert(token.secret_sha256, token.id);
            state.tokens.insert(token.id, token);
        }
        state
    }

    /// The unit an event is about, with its version moved to the event's.
    fn unit_at(&mut self, id: Uuid, version: i64) -> Option<&mut Unit> {
        let unit = self.units.get_mut(&id)?;
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
