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

use liangye_events::catalogue::{CityCode, DivisionCode, Grade, Sector, Status, UnitKind, Year, Yuan};
use serde::{Deserialize, Serialize};

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
/// `awarded` counts the units that are benchmarks now (status AWARDED), whatever their
/// award year; the target is judged on those of them awarded within the programme's
/// period (award year up to [`TARGET_YEAR`]), `awarded_in_period`. Awards of later years
/// are counted apart, in `awarded_after_period`. `awards_made` counts every award ever
/// made, including units delisted since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetProgress {
    pub target: u64,
    pub target_year: i64,
    pub awarded: u64,
    /// Units AWARDED now with an award year up to the target year.
    pub awarded_in_period: u64,
    /// Units AWARDED now with an award year after the target year.
    pub awarded_after_period: u64,
    pub awards_made: u64,
    /// Awards made with an award year up to the target year (delisted ones included).
    pub awards_made_in_period: u64,
    /// `target − awarded_in_period`, at least 0.
    pub remaining: u64,
    /// `awarded_in_period` reached the target.
    pub reached: bool,
}

/// The units of one sector (a unit of several sectors counts in each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SectorCounts {
    pub sector: Sector,
    pub total: u64,
    pub by_status: StatusCounts,
}

/// The units of one county-level division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CountyCounts {
    pub county: DivisionCode,
    pub total: u64,
    pub by_status: StatusCounts,
}

/// The awards a city made in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CityYearCounts {
    pub city: CityCode,
    pub year: Year,
    #[serde(flatten)]
    pub counts: AwardCounts,
}

/// The evaluations (绩效评价) of one year with one grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationCounts {
    pub year: Year,
    pub grade: Grade,
    pub count: u64,
}

/// The subsidies (奖励补助) of one year to the units of one city.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubsidyTotals {
    pub year: Year,
    pub city: CityCode,
    /// Whole yuan.
    pub total_yuan: u64,
    pub count: u64,
}

/// The monitoring reports (统计监测) of one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitoringCounts {
    pub year: Year,
    /// Units that reported for the year.
    pub reported: u64,
    /// Of those, the reports below the selection standard (预警).
    pub below_standard: u64,
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
    /// All 13 sectors, in declaration order.
    pub by_sector: Vec<SectorCounts>,
    /// Counties with at least one unit, in code order.
    pub by_county: Vec<CountyCounts>,
    /// (city, year) pairs with at least one award, in city then year order.
    pub by_city_year: Vec<CityYearCounts>,
    /// (year, grade) pairs with at least one evaluation, in order.
    pub evaluations: Vec<EvaluationCounts>,
    /// (year, city) pairs with at least one subsidy, in order.
    pub subsidies: Vec<SubsidyTotals>,
    /// Years with at least one monitoring report, in order.
    pub monitoring: Vec<MonitoringCounts>,
}

/// A set of sectors, one bit each in declaration order (13 of 16 used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SectorSet(u16);

impl SectorSet {
    /// The sectors of `sectors`.
    pub fn of(sectors: &[Sector]) -> Self {
        Self(sectors.iter().fold(0, |bits, s| bits | 1 << Self::bit(*s)))
    }

    /// The set from its bits (unknown bits are dropped).
    pub fn from_bits(bits: u16) -> Self {
        Self(bits & ((1 << Sector::ALL.len()) - 1))
    }

    /// The bits, one per sector in declaration order.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// Whether `sector` is in the set.
    pub fn contains(self, sector: Sector) -> bool {
        self.0 & 1 << Self::bit(sector) != 0
    }

    /// The sectors in the set, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Sector> {
        Sector::ALL.iter().copied().filter(move |s| self.contains(*s))
    }

    fn bit(sector: Sector) -> u16 {
        Sector::ALL.iter().position(|s| *s == sector).unwrap_or(0) as u16
    }
}

/// A record about a unit that statistics count, beside the unit's own facts: each stands
/// from its decision until that is retracted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "record")]
pub enum Record {
    /// A performance evaluation of `year`.
    Evaluation { year: Year, grade: Grade },
    /// A subsidy of `year` to a unit of `city`.
    Subsidy {
        year: Year,
        city: CityCode,
        amount: Yuan,
    },
    /// A monitoring report of `year`.
    Indicators { year: Year, below_standard: bool },
}

/// What statistics count of one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitFacts {
    pub city: CityCode,
    pub kind: UnitKind,
    pub status: Status,
    pub award_year: Option<Year>,
    pub sectors: SectorSet,
    pub county: Option<DivisionCode>,
}

/// Running counts of units, by status, city, kind, award year, sector, county and city ×
/// award year, and of the records about them (evaluations, subsidies, monitoring reports).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    by_status: StatusCounts,
    by_city: BTreeMap<CityCode, StatusCounts>,
    by_kind: BTreeMap<UnitKind, StatusCounts>,
    by_award_year: BTreeMap<Year, AwardCounts>,
    by_sector: BTreeMap<Sector, StatusCounts>,
    by_county: BTreeMap<DivisionCode, StatusCounts>,
    by_city_year: BTreeMap<(CityCode, Year), AwardCounts>,
    evaluations: BTreeMap<(Year, Grade), u64>,
    /// (count, total yuan)
    subsidies: BTreeMap<(Year, CityCode), (u64, u64)>,
    /// (reported, below standard)
    monitoring: BTreeMap<Year, (u64, u64)>,
}

impl AwardCounts {
    fn add(&mut self, status: Status) {
        self.awarded += 1;
        match status {
            Status::Awarded => self.still_awarded += 1,
            Status::Delisted => self.delisted += 1,
            _ => {}
        }
    }

    /// Takes an award out; true when none is left.
    fn remove(&mut self, status: Status) -> bool {
        self.awarded = self.awarded.saturating_sub(1);
        match status {
            Status::Awarded => self.still_awarded = self.still_awarded.saturating_sub(1),
            Status::Delisted => self.delisted = self.delisted.saturating_sub(1),
            _ => {}
        }
        self.awarded == 0
    }
}

/// Takes `status` out of the counts under `key`, dropping the entry once it counts nothing.
fn remove_status<K: Ord>(map: &mut BTreeMap<K, StatusCounts>, key: &K, status: Status) {
    if let Some(counts) = map.get_mut(key) {
        counts.remove(status);
        if counts.total() == 0 {
            map.remove(key);
        }
    }
}

/// Takes an award out of the counts under `key`, dropping the entry once it counts none.
fn remove_award<K: Ord>(map: &mut BTreeMap<K, AwardCounts>, key: &K, status: Status) {
    if let Some(counts) = map.get_mut(key)
        && counts.remove(status)
    {
        map.remove(key);
    }
}

impl Tally {
    /// Counts a unit in.
    pub fn add(&mut self, unit: UnitFacts) {
        self.by_status.add(unit.status);
        self.by_city.entry(unit.city).or_default().add(unit.status);
        self.by_kind.entry(unit.kind).or_default().add(unit.status);
        for sector in unit.sectors.iter() {
            self.by_sector.entry(sector).or_default().add(unit.status);
        }
        if let Some(county) = unit.county {
            self.by_county.entry(county).or_default().add(unit.status);
        }
        if let Some(year) = unit.award_year {
            self.by_award_year.entry(year).or_default().add(unit.status);
            self.by_city_year
                .entry((unit.city, year))
                .or_default()
                .add(unit.status);
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
        for sector in unit.sectors.iter() {
            remove_status(&mut self.by_sector, &sector, unit.status);
        }
        if let Some(county) = unit.county {
            remove_status(&mut self.by_county, &county, unit.status);
        }
        if let Some(year) = unit.award_year {
            remove_award(&mut self.by_award_year, &year, unit.status);
            remove_award(&mut self.by_city_year, &(unit.city, year), unit.status);
        }
    }

    /// Counts a record in (`added`) or out.
    pub fn record(&mut self, record: Record, added: bool) {
        fn step(slot: &mut u64, added: bool, by: u64) {
            *slot = if added {
                slot.saturating_add(by)
            } else {
                slot.saturating_sub(by)
            };
        }
        match record {
            Record::Evaluation { year, grade } => {
                let count = self.evaluations.entry((year, grade)).or_default();
                step(count, added, 1);
                if *count == 0 {
                    self.evaluations.remove(&(year, grade));
                }
            }
            Record::Subsidy { year, city, amount } => {
                let (count, total) = self.subsidies.entry((year, city)).or_default();
                step(count, added, 1);
                step(total, added, u64::try_from(amount.get()).unwrap_or(0));
                if *count == 0 {
                    self.subsidies.remove(&(year, city));
                }
            }
            Record::Indicators { year, below_standard } => {
                let (reported, below) = self.monitoring.entry(year).or_default();
                step(reported, added, 1);
                step(below, added, u64::from(below_standard));
                if *reported == 0 {
                    self.monitoring.remove(&year);
                }
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

    /// The units of `sector`, per status.
    pub fn by_sector(&self, sector: Sector) -> StatusCounts {
        self.by_sector.get(&sector).copied().unwrap_or_default()
    }

    /// The units of `county`, per status.
    pub fn by_county(&self, county: DivisionCode) -> StatusCounts {
        self.by_county.get(&county).copied().unwrap_or_default()
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
        let in_period = |year: &&Year| i64::from(year.get()) <= TARGET_YEAR;
        let awarded_in_period: u64 = self
            .by_award_year
            .iter()
            .filter(|(year, _)| in_period(year))
            .map(|(_, c)| c.still_awarded)
            .sum();
        let awards_made_in_period = self
            .by_award_year
            .iter()
            .filter(|(year, _)| in_period(year))
            .map(|(_, c)| c.awarded)
            .sum();
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
                awarded_in_period,
                awarded_after_period: awarded.saturating_sub(awarded_in_period),
                awards_made,
                awards_made_in_period,
                remaining: TARGET_BENCHMARKS.saturating_sub(awarded_in_period),
                reached: awarded_in_period >= TARGET_BENCHMARKS,
            },
            by_sector: Sector::ALL
                .iter()
                .map(|sector| {
                    let by_status = self.by_sector.get(sector).copied().unwrap_or_default();
                    SectorCounts {
                        sector: *sector,
                        total: by_status.total(),
                        by_status,
                    }
                })
                .collect(),
            by_county: self
                .by_county
                .iter()
                .map(|(county, by_status)| CountyCounts {
                    county: *county,
                    total: by_status.total(),
                    by_status: *by_status,
                })
                .collect(),
            by_city_year: self
                .by_city_year
                .iter()
                .map(|((city, year), counts)| CityYearCounts {
                    city: *city,
                    year: *year,
                    counts: *counts,
                })
                .collect(),
            evaluations: self
                .evaluations
                .iter()
                .map(|((year, grade), count)| EvaluationCounts {
                    year: *year,
                    grade: *grade,
                    count: *count,
                })
                .collect(),
            subsidies: self
                .subsidies
                .iter()
                .map(|((year, city), (count, total))| SubsidyTotals {
                    year: *year,
                    city: *city,
                    total_yuan: *total,
                    count: *count,
                })
                .collect(),
            monitoring: self
                .monitoring
                .iter()
                .map(|(year, (reported, below))| MonitoringCounts {
                    year: *year,
                    reported: *reported,
                    below_standard: *below,
                })
                .collect(),
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
            sectors: SectorSet::of(&[Sector::Logistics, Sector::Other]),
            county: None,
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
