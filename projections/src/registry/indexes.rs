//! The registry's secondary indexes: unit ids by city, kind, status and award year, each
//! in id order so that a filtered page starts with a seek past its cursor.

use std::collections::{BTreeMap, BTreeSet};

use liangye_events::catalogue::{CityCode, Status, UnitKind, Year};
use uuid::Uuid;

use crate::statistics::UnitFacts;

/// Unit ids by what designations are filtered on. City and kind never change, so those two
/// hold at every earlier position too (for units listed by then); status and award year
/// describe the registry as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Indexes {
    pub(super) by_city: BTreeMap<CityCode, BTreeSet<Uuid>>,
    pub(super) by_kind: BTreeMap<UnitKind, BTreeSet<Uuid>>,
    pub(super) by_status: BTreeMap<Status, BTreeSet<Uuid>>,
    pub(super) by_award_year: BTreeMap<Year, BTreeSet<Uuid>>,
}

impl Indexes {
    /// Moves unit `id` from where `before` put it to where `after` puts it.
    pub(super) fn change(&mut self, id: Uuid, before: Option<UnitFacts>, after: UnitFacts) {
        match before {
            None => {
                self.by_city.entry(after.city).or_default().insert(id);
                self.by_kind.entry(after.kind).or_default().insert(id);
            }
            Some(before) if before == after => return,
            Some(before) => {
                remove(&mut self.by_status, before.status, id);
                if let Some(year) = before.award_year {
                    remove(&mut self.by_award_year, year, id);
                }
            }
        }
        self.by_status.entry(after.status).or_default().insert(id);
        if let Some(year) = after.award_year {
            self.by_award_year.entry(year).or_default().insert(id);
        }
    }
}

/// Takes `id` out of `index[key]`, dropping the set once empty (so that equal registries
/// have equal indexes however they were built).
fn remove<K: Ord>(index: &mut BTreeMap<K, BTreeSet<Uuid>>, key: K, id: Uuid) {
    if let Some(set) = index.get_mut(&key) {
        set.remove(&id);
        if set.is_empty() {
            index.remove(&key);
        }
    }
}
