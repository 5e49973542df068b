//! Economic-zone codes (GB/T 37028), optional for development zones.

use std::fmt;

use super::string_form::{fixed_digits, string_form};

/// A zone code that is not 8 digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an economic-zone code: a GB/T 37028 zone code is exactly 8 digits")]
pub struct ZoneCodeError(pub String);

/// An 8-digit economic-zone code (GB/T 37028). Serializes as the 8-digit string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ZoneCode(u32);

impl ZoneCode {
    /// Parses 8 ASCII digits; surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<Self, ZoneCodeError> {
        fixed_digits(text, 8)
            .map(Self)
            .ok_or_else(|| ZoneCodeError(text.to_owned()))
    }
}

impl fmt::Display for ZoneCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08}", self.0)
    }
}

string_form!(ZoneCode, deserialize = ZoneCode::parse, from_str = ZoneCodeError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_digits_with_leading_zeros_kept() {
        assert_eq!(ZoneCode::parse("03201001").unwrap().to_string(), "03201001");
        assert_eq!(
            serde_json::to_string(&ZoneCode::parse("32051100").unwrap()).unwrap(),
            "\"32051100\""
        );
        for bad in ["3205110", "320511000", "3205110A", ""] {
            assert!(ZoneCode::parse(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<ZoneCode>("\"3205110\"").is_err());
    }
}
