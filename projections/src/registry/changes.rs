//! [`FactLog`]: every change to what statistics count — of a unit, or a record about one —
//! in position order, with a copy of the running tally every [`CHECKPOINT_EVERY`] changes,
//! so the statistics as of any position are a checkpoint plus at most that many changes,
//! whatever the registry's size.

use liangye_events::catalogue::{CityCode, DivisionCode, Status, UnitKind, Year};

use crate::statistics::{Record, SectorSet, Tally, UnitFacts};

/// Changes between two kept tallies (a handful in this crate's own tests, so that they
/// cross many checkpoints).
pub const CHECKPOINT_EVERY: usize = if cfg!(test) { 3 } else { 4096 };

/// What statistics count changed at `position`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Change {
    pub(super) position: i64,
    pub(super) what: Changed,
}

/// What changed: a unit's counted facts, or a record standing or no longer standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Changed {
    /// `before` is `None` when the unit was listed, `after` when its listing was retracted.
    Unit {
        before: Option<UnitFacts>,
        after: Option<UnitFacts>,
    },
    /// A record was made (`added`) or its decision retracted.
    Record { record: Record, added: bool },
}

impl Change {
    pub(super) fn unit(position: i64, before: Option<UnitFacts>, after: Option<UnitFacts>) -> Self {
        Self {
            position,
            what: Changed::Unit { before, after },
        }
    }

    pub(super) fn record(position: i64, record: Record, added: bool) -> Self {
        Self {
            position,
            what: Changed::Record { record, added },
        }
    }

    /// Whether it changes nothing.
    fn is_empty(&self) -> bool {
        matches!(self.what, Changed::Unit { before, after } if before == after)
    }

    /// Applies the change to `tally`.
    pub(super) fn apply(&self, tally: &mut Tally) {
        match self.what {
            Changed::Unit { before, after } => tally.change(before, after),
            Changed::Record { record, added } => tally.record(record, added),
        }
    }
}

/// A [`Change`], packed (the registry keeps a few per unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Packed {
    Unit {
        position: i64,
        /// [`NOTHING`] when the unit was listed (`after`: when its listing was retracted).
        before: u64,
        after: u64,
    },
    Record {
        position: i64,
        record: Record,
        added: bool,
    },
}

/// The packed `before` of a listing.
const NOTHING: u64 = u64::MAX;

/// City (4 bits), kind (2), status (3), award year − 2019 or 0 (7), sectors (16), county
/// code + 1 or 0 (20).
fn pack(facts: UnitFacts) -> u64 {
    let city = CityCode::all().position(|c| c == facts.city).unwrap_or(0) as u64;
    let kind = UnitKind::ALL.iter().position(|k| *k == facts.kind).unwrap_or(0) as u64;
    let status = Status::ALL.iter().position(|s| *s == facts.status).unwrap_or(0) as u64;
    let year = facts
        .award_year
        .map_or(0, |y| u64::try_from(y.get() - 2019).unwrap_or(0) & 0x7f);
    let sectors = u64::from(facts.sectors.bits());
    let county = facts.county.map_or(0, |c| u64::from(c.number()) + 1) & 0xf_ffff;
    city | kind << 4 | status << 6 | year << 9 | sectors << 16 | county << 32
}

fn unpack(packed: u64) -> Option<UnitFacts> {
    if packed == NOTHING {
        return None;
    }
    let year = packed >> 9 & 0x7f;
    let county = packed >> 32 & 0xf_ffff;
    Some(UnitFacts {
        city: CityCode::all().nth((packed & 0xf) as usize)?,
        kind: *UnitKind::ALL.get((packed >> 4 & 0x3) as usize)?,
        status: *Status::ALL.get((packed >> 6 & 0x7) as usize)?,
        award_year: if year == 0 {
            None
        } else {
            Some(Year::new(2019 + year as i64).ok()?)
        },
        sectors: SectorSet::from_bits((packed >> 16 & 0xffff) as u16),
        county: if county == 0 {
            None
        } else {
            Some(DivisionCode::from_number(u32::try_from(county - 1).ok()?)?)
        },
    })
}

impl Packed {
    fn of(change: Change) -> Self {
        match change.what {
            Changed::Unit { before, after } => Self::Unit {
                position: change.position,
                before: before.map_or(NOTHING, pack),
                after: after.map_or(NOTHING, pack),
            },
            Changed::Record { record, added } => Self::Record {
                position: change.position,
                record,
                added,
            },
        }
    }

    fn position(self) -> i64 {
        match self {
            Self::Unit { position, .. } | Self::Record { position, .. } => position,
        }
    }

    /// Applies the change to `tally`.
    fn apply(self, tally: &mut Tally) {
        match self {
            Self::Unit { before, after, .. } => tally.change(unpack(before), unpack(after)),
            Self::Record { record, added, .. } => tally.record(record, added),
        }
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
    /// Gives back the spare capacity of the changes and checkpoints.
    pub(super) fn shrink_to_fit(&mut self) {
        self.changes.shrink_to_fit();
        self.checkpoints.shrink_to_fit();
    }

    /// Records a change (if anything changed); `tally` already counts it.
    pub(super) fn record(&mut self, change: Change, tally: &Tally) {
        if change.is_empty() {
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
            change.apply(tally);
            log.record(change, tally);
        }
        log
    }

    /// The tally as of position `at`.
    pub(super) fn tally_at(&self, at: i64) -> Tally {
        let count = self.changes.partition_point(|c| c.position() <= at);
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
    use liangye_events::catalogue::Sector;

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
                            sectors: SectorSet::of(&[Sector::IntegratedCircuits, Sector::Other]),
                            county: DivisionCode::parse("320507").ok(),
                        };
                        assert_ne!(pack(facts), NOTHING);
                        assert_eq!(unpack(pack(facts)), Some(facts));
                    }
                }
            }
        }
    }
}
