//! [`Statistics`]: what the province reports — units by status, city, kind and award year,
//! each year's quota and its use, and progress toward the programme's target of 100
//! benchmarks by 2025 (policy §一).
//!
//! The live registry keeps a [`Tally`] up to date as events are folded (a unit moving from
//! one status to another is taken out of its old counts and put into its new ones), so
//! statistics now cost nothing to produce. Statistics as of an earlier position are counted
//! afresh over the registry as it stood then. Both are built by the same [`Tally`], and a
//! property test checks that the kept counts always equal a recount over the registry.

use std::collections::BTreeMap;

use liangye_events::catalogue::{CityCode, Status, UnitKind, Year};
use serde::Serialize;

/// The programme's target: 打造省级两业融合发展标杆引领典型100家.
pub const TARGET_BENCHMARKS: u64 = 100;
/// The year the target is to be reached by.
pub const TARGET_YEAR: i64 = 2025;

/// Units per status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusCounts {
    pub pilot: u64,
    pub recommended: u64,
    pub awarded: u64,
    pub delisted: u64,
    pub pilot_revoked: u64,
}

impl StatusCounts {
    /// The units in `status`.
    pub const fn get(&self, status: Status) -> u64 {
        match status {
            Status::Pilot => self.pilot,
            Status::Recommended => self.recommended,
            Status::Awarded => self.awarded,
            Status::Delisted => self.delisted,
            Status::PilotRevoked => self.pilot_revoked,
        }
    }

    /// Every unit counted, whatever its status.
    pub const fn total(&self) -> u64 {
        self.pilot + self.recommended + self.awarded + self.delisted + self.pilot_revoked
    }

    fn slot(&mut self, status: Status) -> &mut u64 {
        match status {
            Status::Pilot => &mut self.pilot,
            Status::Recommended => &mut self.recommended,
            Status::Awarded => &mut self.awarded,
            Status::Delisted => &mut self.delisted,
            Status::PilotRevoked => &mut self.pilot_revoked,
        }
    }

    fn add(&mut self, status: Status) {
        let slot = self.slot(status);
        *slot = slot.saturating_add(1);
    }

    fn remove(&mut self, status: Status) {
        let slot = self.slot(status);
        *slot = slot.saturating_sub(1);
    }
}

/// The units of one city.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CityCounts {
    pub city: CityCode,
    pub city_name: &'static str,
    pub total: u64,
    pub by_status: StatusCounts,
}

/// The units of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KindCounts {
    pub kind: UnitKind,
    pub total: u64,
    pub by_status: StatusCounts,
}

/// The units awarded in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AwardYearCounts {
    pub year: Year,
    #[serde(flatten)]
    pub counts: AwardCounts,
}

/// Awards made in a year and what became of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AwardCounts {
    /// Awards made in the year (units awarded then, also those delisted since).
    pub awarded: u64,
    /// Of those, the units still AWARDED.
    pub still_awarded: u64,
    /// Of those, the units DELISTED since.
    pub delisted: u64,
}

/// One year's quota (年度指标) and its use. Delisting does not give an award back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaUse {
    pub year: Year,
    /// The awards the year may have; `None` when no quota was set (no limit).
    pub quota: Option<u32>,
    /// Awards made in the year.
    pub used: u64,
    /// `quota − used`, when a quota is set.
    pub remaining: Option<u64>,
}

/// Progress toward 100 benchmarks by 2025.
///
/// `awarded` counts the units that are benchmarks now (status AWARDED): the figure the
/// target is judged on. `awards_made` counts every award ever made, including units
/// delisted since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetProgress {
    pub target: u64,
    pub target_year: i64,
    pub awarded: u64,
    pub awards_made: u64,
    /// `target − awarded`, at least 0.
    pub remaining: u64,
    pub reached: bool,
}

/// The statistics of the registry at `position`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Statistics {
    /// The log position these statistics are as of.
    pub position: i64,
    /// Units ever listed (as of `position`).
    pub units: u64,
    pub by_status: StatusCounts,
    /// All 13 cities, in code order.
    pub by_city: Vec<CityCounts>,
    /// All four kinds, in declaration order.
    pub by_kind: Vec<KindCounts>,
    /// Years with at least one award, in order.
    pub by_award_year: Vec<AwardYearCounts>,
    /// Years with a quota or an award, in order.
    pub quotas: Vec<QuotaUse>,
    pub target: TargetProgress,
}

/// What statistics count of one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitFacts {
    pub city: CityCode,
    pub kind: UnitKind,
    pub status: Status,
    pub award_year: Option<Year>,
}

/// Running counts of units, by status, city, kind and award year.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    by_status: StatusCounts,
    by_city: BTreeMap<CityCode, StatusCounts>,
    by_kind: BTreeMap<UnitKind, StatusCounts>,
    by_award_year: BTreeMap<Year, AwardCounts>,
}

impl Tally {
    /// Counts a unit in.
    pub fn add(&mut self, unit: UnitFacts) {
        self.by_status.add(unit.status);
        self.by_city.entry(unit.city).or_default().add(unit.status);
        self.by_kind.entry(unit.kind).or_default().add(unit.status);
        if let Some(year) = unit.award_year {
            let counts = self.by_award_year.entry(year).or_default();
            counts.awarded += 1;
            match unit.status {
                Status::Awarded => counts.still_awarded += 1,
                Status::Delisted => counts.delisted += 1,
                _ => {}
            }
        }
    }

    /// Counts a unit out (as it was counted in).
    pub fn remove(&mut self, unit: UnitFacts) {
        self.by_status.remove(unit.status);
        if let Some(counts) = self.by_city.get_mut(&unit.city) {
            counts.remove(unit.status);
        }
        if let Some(counts) = self.by_kind.get_mut(&unit.kind) {
            counts.remove(unit.status);
        }
        if let Some(year) = unit.award_year
            && let Some(counts) = self.by_award_year.get_mut(&year)
        {
            counts.awarded = counts.awarded.saturating_sub(1);
            match unit.status {
                Status::Awarded => counts.still_awarded = counts.still_awarded.saturating_sub(1),
                Status::Delisted => counts.delisted = counts.delisted.saturating_sub(1),
                _ => {}
            }
            if counts.awarded == 0 {
                self.by_award_year.remove(&year);
            }
        }
    }

    /// A unit changed: out with what it was, in with what it is.
    pub fn change(&mut self, before: Option<UnitFacts>, after: Option<UnitFacts>) {
        if before == after {
            return;
        }
        if let Some(before) = before {
            self.remove(before);
        }
        if let Some(after) = after {
            self.add(after);
        }
    }

    /// Units per status.
    pub fn by_status(&self) -> StatusCounts {
        self.by_status
    }

    /// The units of `city`, per status.
    pub fn by_city(&self, city: CityCode) -> StatusCounts {
        self.by_city.get(&city).copied().unwrap_or_default()
    }

    /// The units of `kind`, per status.
    pub fn by_kind(&self, kind: UnitKind) -> StatusCounts {
        self.by_kind.get(&kind).copied().unwrap_or_default()
    }

    /// The units awarded in `year`.
    pub fn by_award_year(&self, year: Year) -> AwardCounts {
        self.by_award_year.get(&year).copied().unwrap_or_default()
    }

    /// The statistics at `position`, with each year's quota from `quotas` (years without an
    /// entry have none set).
    pub fn statistics(&self, position: i64, quotas: &BTreeMap<Year, u32>) -> Statistics {
        let by_city = CityCode::all()
            .map(|city| {
                let by_status = self.by_city.get(&city).copied().unwrap_or_default();
                CityCounts {
                    city,
                    city_name: city.name(),
                    total: by_status.total(),
                    by_status,
                }
            })
            .collect();
        let by_kind = UnitKind::ALL
            .iter()
            .map(|kind| {
                let by_status = self.by_kind.get(kind).copied().unwrap_or_default();
                KindCounts {
                    kind: *kind,
                    total: by_status.total(),
                    by_status,
                }
            })
            .collect();
        let mut years: Vec<Year> = quotas.keys().chain(self.by_award_year.keys()).copied().collect();
        years.sort_unstable();
        years.dedup();
        let quotas = years
            .into_iter()
            .map(|year| {
                let quota = quotas.get(&year).copied();
                let used = self.by_award_year.get(&year).map_or(0, |c| c.awarded);
                QuotaUse {
                    year,
                    quota,
                    used,
                    remaining: quota.map(|q| u64::from(q).saturating_sub(used)),
                }
            })
            .collect();
        let awarded = self.by_status.awarded;
        let awards_made = self.by_award_year.values().map(|c| c.awarded).sum();
        Statistics {
            position,
            units: self.by_status.total(),
            by_status: self.by_status,
            by_city,
            by_kind,
            by_award_year: self
                .by_award_year
                .iter()
                .map(|(year, counts)| AwardYearCounts {
                    year: *year,
                    counts: *counts,
                })
                .collect(),
            quotas,
            target: TargetProgress {
                target: TARGET_BENCHMARKS,
                target_year: TARGET_YEAR,
                awarded,
                awards_made,
                remaining: TARGET_BENCHMARKS.saturating_sub(awarded),
                reached: awarded >= TARGET_BENCHMARKS,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: Status, award_year: Option<i64>) -> UnitFacts {
        UnitFacts {
            city: CityCode::Suzhou,
            kind: UnitKind::Enterprise,
            status,
            award_year: award_year.map(|y| Year::new(y).unwrap()),
        }
    }

    #[test]
    fn a_unit_moves_between_counts() {
        let mut tally = Tally::default();
        tally.add(facts(Status::Pilot, None));
        tally.change(
            Some(facts(Status::Pilot, None)),
            Some(facts(Status::Awarded, Some(2024))),
        );
        tally.change(
            Some(facts(Status::Awarded, Some(2024))),
            Some(facts(Status::Delisted, Some(2024))),
        );
        let quotas = BTreeMap::from([(Year::new(2025).unwrap(), 3)]);
        let stats = tally.statistics(9, &quotas);
        assert_eq!(stats.units, 1);
        assert_eq!(stats.by_status.delisted, 1);
        assert_eq!(stats.by_status.total(), 1);
        let suzhou = stats.by_city.iter().find(|c| c.city == CityCode::Suzhou).unwrap();
        assert_eq!(suzhou.total, 1);
        assert_eq!(stats.by_city.len(), 13);
        assert_eq!(stats.by_kind.len(), 4);
        assert_eq!(stats.by_award_year.len(), 1);
        assert_eq!(stats.by_award_year[0].counts.awarded, 1);
        assert_eq!(stats.by_award_year[0].counts.delisted, 1);
        assert_eq!(stats.by_award_year[0].counts.still_awarded, 0);
        let years: Vec<i64> = stats.quotas.iter().map(|q| i64::from(q.year.get())).collect();
        assert_eq!(years, [2024, 2025]);
        assert_eq!(stats.quotas[1].remaining, Some(3));
        assert_eq!(stats.quotas[0].quota, None);
        assert_eq!(stats.target.awarded, 0);
        assert_eq!(stats.target.awards_made, 1);
        assert_eq!(stats.target.remaining, 100);
    }
}
