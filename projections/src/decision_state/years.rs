//! What the decision state knows about each year: its quota and the awards made in it.

use liangye_events::catalogue::{CertificateNo, Year};
use serde::{Deserialize, Serialize};

/// One year's quota and awards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct YearRecord {
    /// The number of awards the year may have, once set (`AnnualQuotaSet`).
    pub quota: Option<u32>,
    /// The version of the `quota-{year}` stream (0 before any quota was set).
    pub quota_version: i64,
    /// Awards made in the year. Delisting does not give an award back.
    pub awards_made: u32,
    /// The highest certificate serial issued for the year. Delisting never frees a number.
    pub last_serial: u32,
}

impl YearRecord {
    /// Whether another award fits in the quota (always, when none is set).
    pub fn has_room(&self) -> bool {
        self.quota.is_none_or(|quota| self.awards_made < quota)
    }

    /// The certificate number the year's next award gets.
    pub fn next_certificate(&self, year: Year) -> Option<CertificateNo> {
        CertificateNo::new(year, self.last_serial.checked_add(1)?)
    }
}
