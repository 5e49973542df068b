//! The registry's secondary indexes: unit ids by status and by award year, each in id order
//! so that a filtered page starts with a seek past its cursor.

use std::collections::{BTreeMap, BTreeSet};

use liangye_events::catalogue::{Status, Year};
use uuid::Uuid;

use crate::statistics::UnitFacts;

/// Unit ids by status and award year, as the registry stands: the criteria a filter may
/// select few units by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Indexes {
    pub(super) by_status: BTreeMap<Status, BTreeSet<Uuid>>,
    pub(super) by_award_year: BTreeMap<Year, BTreeSet<Uuid>>,
}

impl Indexes {
    /// Moves unit `id` from where `before` put it to where `after` puts it.
    pub(super) fn change(&mut self, id: Uuid, before: Option<UnitFacts>, after: Option<UnitFacts>) {
        if before == after {
            return;
        }
        match before {
            None => {}
            Some(before) => {
                remove(&mut self.by_status, before.status, id);
                if let Some(year) = before.award_year {
                    remove(&mut self.by_award_year, year, id);
                }
            }
        }
        let Some(after) = after else {
            return;
        };
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
