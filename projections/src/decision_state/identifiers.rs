//! Which unit holds which identifier: one unit per identifier, for ever (a delisted or
//! revoked unit keeps its identifiers); only a retracted listing or an amendment frees one.

use liangye_events::catalogue::{CityCode, CreditCode, DivisionCode, UnitKind, ZoneCode};
use uuid::Uuid;

use super::unit::Unit;
use crate::HashMap;

/// The identifier indexes.
///
/// - credit code → enterprise;
/// - division code → county (an industrial zone's county code is not its own identifier);
/// - (city, zone name) → development or industrial zone: zone names are unique within a
///   city across both zone kinds, which also makes an industrial zone's name + county code
///   unique;
/// - zone code → development zone, when it has one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identifiers {
    credit_codes: HashMap<CreditCode, Uuid>,
    division_codes: HashMap<DivisionCode, Uuid>,
    zone_names: HashMap<(CityCode, String), Uuid>,
    zone_codes: HashMap<ZoneCode, Uuid>,
}

/// The form of a zone name that identity is judged on: without whitespace, with full-width
/// parentheses as ASCII ones, so `苏州工业园区 ` and `苏州 工业园区` are the same zone.
pub fn zone_name_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .collect()
}

impl Identifiers {
    /// Gives back the maps' spare capacity.
    pub(super) fn shrink_to_fit(&mut self) {
        self.credit_codes.shrink_to_fit();
        self.division_codes.shrink_to_fit();
        self.zone_names.shrink_to_fit();
        self.zone_codes.shrink_to_fit();
    }

    /// Records the identifiers of a newly listed unit.
    pub(super) fn insert(&mut self, listed: &Unit) {
        let id = listed.id;
        if let Some(code) = listed.credit_code {
            self.credit_codes.insert(code, id);
        }
        if listed.kind == UnitKind::County
            && let Some(code) = listed.division_code
        {
            self.division_codes.insert(code, id);
        }
        if listed.kind.is_zone() {
            self.zone_names
                .insert((listed.city, zone_name_key(&listed.name)), id);
        }
        if let Some(code) = listed.zone_code {
            self.zone_codes.insert(code, id);
        }
    }

    /// Frees the identifiers `unit` holds (its listing was retracted, or an amendment is
    /// about to replace them); an identifier held by another unit is left alone.
    pub(super) fn remove(&mut self, unit: &Unit) {
        let id = unit.id;
        if let Some(code) = unit.credit_code
            && self.credit_codes.get(&code) == Some(&id)
        {
            self.credit_codes.remove(&code);
        }
        if unit.kind == UnitKind::County
            && let Some(code) = unit.division_code
            && self.division_codes.get(&code) == Some(&id)
        {
            self.division_codes.remove(&code);
        }
        if unit.kind.is_zone() {
            let key = (unit.city, zone_name_key(&unit.name));
            if self.zone_names.get(&key) == Some(&id) {
                self.zone_names.remove(&key);
            }
        }
        if let Some(code) = unit.zone_code
            && self.zone_codes.get(&code) == Some(&id)
        {
            self.zone_codes.remove(&code);
        }
    }

    /// The unit holding this credit code.
    pub fn by_credit_code(&self, code: &CreditCode) -> Option<Uuid> {
        self.credit_codes.get(code).copied()
    }

    /// The county holding this division code.
    pub fn by_division_code(&self, code: &DivisionCode) -> Option<Uuid> {
        self.division_codes.get(code).copied()
    }

    /// The zone of this name in this city.
    pub fn by_zone_name(&self, city: CityCode, name: &str) -> Option<Uuid> {
        self.zone_names.get(&(city, zone_name_key(name))).copied()
    }

    /// The zone holding this zone code.
    pub fn by_zone_code(&self, code: &ZoneCode) -> Option<Uuid> {
        self.zone_codes.get(code).copied()
    }
}
