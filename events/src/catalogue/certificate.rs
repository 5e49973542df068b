//! Award certificate numbers, `JSLY-{year}-{nnn}`.

use std::fmt;

use super::string_form::string_form;

use super::bounded::Year;

/// Text that is not a certificate number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a certificate number: the form is JSLY-{{year}}-{{nnn}}, e.g. JSLY-2024-001")]
pub struct CertificateNoError(pub String);

/// A certificate number `JSLY-{year}-{nnn}`: the award year and the award's serial within
/// that year, from 1, zero-padded to at least 3 digits (serial 1000 and up print in full).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CertificateNo {
    year: Year,
    serial: u32,
}

impl CertificateNo {
    /// The `serial`-th certificate of `year`; `None` for serial 0.
    pub fn new(year: Year, serial: u32) -> Option<Self> {
        (serial >= 1).then_some(Self { year, serial })
    }

    /// Parses `JSLY-2024-001`.
    pub fn parse(text: &str) -> Result<Self, CertificateNoError> {
        let bad = || CertificateNoError(text.to_owned());
        let rest = text.strip_prefix("JSLY-").ok_or_else(bad)?;
        let (year, serial) = rest.split_once('-').ok_or_else(bad)?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4 || !digits(year) || serial.len() < 3 || !digits(serial) {
            return Err(bad());
        }
        let year = year
            .parse::<i64>()
            .ok()
            .and_then(|y| Year::new(y).ok())
            .ok_or_else(bad)?;
        let serial: u32 = serial.parse().map_err(|_| bad())?;
        let parsed = Self::new(year, serial).ok_or_else(bad)?;
        // Only the canonical spelling (no extra leading zeros) is accepted.
        if parsed.to_string() == text {
            Ok(parsed)
        } else {
            Err(bad())
        }
    }

    /// The award year.
    pub const fn year(self) -> Year {
        self.year
    }

    /// The serial within the year, from 1.
    pub const fn serial(self) -> u32 {
        self.serial
    }
}

impl fmt::Display for CertificateNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JSLY-{}-{:03}", self.year, self.serial)
    }
}

string_form!(CertificateNo, deserialize = CertificateNo::parse);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        let year = Year::new(2024).unwrap();
        let no = CertificateNo::new(year, 7).unwrap();
        assert_eq!(no.to_string(), "JSLY-2024-007");
        assert_eq!(CertificateNo::parse("JSLY-2024-007"), Ok(no));
        assert_eq!(
            CertificateNo::new(year, 1234).unwrap().to_string(),
            "JSLY-2024-1234"
        );
        assert!(CertificateNo::new(year, 0).is_none());
        for bad in [
            "JSLY-2024-07",
            "JSLY-2024-000",
            "JSLY-2024-0007",
            "JS-2024-001",
            "JSLY-1999-001",
        ] {
            assert!(CertificateNo::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&no).unwrap(), "\"JSLY-2024-007\"");
    }
}
