//! [`FactLog`]: every change to what statistics count of a unit, in position order, with a
//! copy of the running tally every [`CHECKPOINT_EVERY`] changes — so the statistics as of
//! any position are a checkpoint plus at most that many changes, whatever the registry's
//! size.

use liangye_events::catalogue::{CityCode, Status, UnitKind, Year};

use crate::statistics::{Tally, UnitFacts};

/// Changes between two kept tallies (a handful in this crate's own tests, so that they
/// cross many checkpoints).
pub const CHECKPOINT_EVERY: usize = if cfg!(test) { 3 } else { 4096 };

/// A unit's counted facts changed at `position` (`before` is `None` when it was listed,
/// `after` when its listing was retracted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Change {
    pub(super) position: i64,
    pub(super) before: Option<UnitFacts>,
    pub(super) after: Option<UnitFacts>,
}

/// A [`Change`] in 16 bytes (the registry keeps a few per unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Packed {
    position: i64,
    /// [`NOTHING`] when the unit was listed (`after`: when its listing was retracted).
    before: u16,
    after: u16,
}

/// The packed `before` of a listing.
const NOTHING: u16 = u16::MAX;

/// City (4 bits), kind (2), status (3), award year − 2019 or 0 (7).
fn pack(facts: UnitFacts) -> u16 {
    let city = CityCode::all().position(|c| c == facts.city).unwrap_or(0) as u16;
    let kind = UnitKind::ALL.iter().position(|k| *k == facts.kind).unwrap_or(0) as u16;
    let status = Status::ALL.iter().position(|s| *s == facts.status).unwrap_or(0) as u16;
    let year = facts
        .award_year
        .map_or(0, |y| u16::try_from(y.get() - 2019).unwrap_or(0) & 0x7f);
    city | kind << 4 | status << 6 | year << 9
}

fn unpack(packed: u16) -> Option<UnitFacts> {
    if packed == NOTHING {
        return None;
    }
    let year = packed >> 9;
    Some(UnitFacts {
        city: CityCode::all().nth(usize::from(packed & 0xf))?,
        kind: *UnitKind::ALL.get(usize::from(packed >> 4 & 0x3))?,
        status: *Status::ALL.get(usize::from(packed >> 6 & 0x7))?,
        award_year: if year == 0 {
            None
        } else {
            Some(Year::new(2019 + i64::from(year)).ok()?)
        },
    })
}

impl Packed {
    fn of(change: Change) -> Self {
        Self {
            position: change.position,
            before: change.before.map_or(NOTHING, pack),
            after: change.after.map_or(NOTHING, pack),
        }
    }

    /// Applies the change to `tally`.
    fn apply(self, tally: &mut Tally) {
        tally.change(unpack(self.before), unpack(self.after));
    }
}

/// The changes, and the tally after every [`CHECKPOINT_EVERY`]-th.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct FactLog {
    changes: Vec<Packed>,
    /// `checkpoints[i]` is the tally after the first `(i + 1) * CHECKPOINT_EVERY` changes.
    checkpoints: Vec<Tally>,
}

impl FactLog {
    /// Records a change (if anything changed); `tally` already counts it.
    pub(super) fn record(&mut self, change: Change, tally: &Tally) {
        if change.before == change.after {
            return;
        }
        self.changes.push(Packed::of(change));
        if self.changes.len().is_multiple_of(CHECKPOINT_EVERY) {
            self.checkpoints.push(tally.clone());
        }
    }

    /// Records changes given in position order, keeping `tally` up to date.
    pub(super) fn replay(changes: impl IntoIterator<Item = Change>, tally: &mut Tally) -> Self {
        let mut log = Self::default();
        for change in changes {
            tally.change(change.before, change.after);
            log.record(change, tally);
        }
        log
    }

    /// The tally as of position `at`.
    pub(super) fn tally_at(&self, at: i64) -> Tally {
        let count = self.changes.partition_point(|c| c.position <= at);
        // The checkpoint before `at`, if there is one (there always is, by construction; a
        // missing one only costs folding from the start).
        let (kept, mut tally) = match (count / CHECKPOINT_EVERY).checked_sub(1) {
            Some(index) => match self.checkpoints.get(index) {
                Some(tally) => (index + 1, tally.clone()),
                None => (0, Tally::default()),
            },
            None => (0, Tally::default()),
        };
        for change in &self.changes[kept * CHECKPOINT_EVERY..count] {
            change.apply(&mut tally);
        }
        tally
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fact_packs_and_unpacks() {
        for city in CityCode::all() {
            for kind in UnitKind::ALL {
                for status in Status::ALL {
                    for award_year in [
                        None,
                        Some(Year::MIN),
                        Some(Year::new(2025).unwrap()),
                        Some(Year::new(2100).unwrap()),
                    ] {
                        let facts = UnitFacts {
                            city,
                            kind: *kind,
                            status: *status,
                            award_year,
                        };
                        assert_ne!(pack(facts), NOTHING);
                        assert_eq!(unpack(pack(facts)), Some(facts));
                    }
                }
            }
        }
    }
}
