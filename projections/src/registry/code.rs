//! [`UnitCode`]: the code `designationByCode` looks a unit up by.

use liangye_events::catalogue::{CreditCode, DivisionCode, ZoneCode};

/// A code that is none of the identifiers a unit can be looked up by.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitCodeError {
    #[error(
        "code {0:?} is neither an 18-character unified social credit code, a 6-digit \
         division code nor an 8-digit economic-zone code"
    )]
    Unrecognised(String),
    #[error("code {code:?}: {message}")]
    Invalid { code: String, message: String },
}

/// An identifier a unit holds: an enterprise's credit code, a county's division code, or a
/// development zone's economic-zone code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitCode {
    Credit(CreditCode),
    Division(DivisionCode),
    Zone(ZoneCode),
}

impl UnitCode {
    /// Reads a code by its shape: 18 characters are a credit code (whose check character is
    /// not verified here: a few registered codes fail it and were listed on the override),
    /// 6 digits a division code, 8 digits a zone code.
    pub fn parse(text: &str) -> Result<Self, UnitCodeError> {
        let code = text.trim();
        let invalid = |message: String| UnitCodeError::Invalid {
            code: code.to_owned(),
            message,
        };
        let digits = code.bytes().all(|b| b.is_ascii_digit());
        match code.chars().count() {
            18 => CreditCode::parse_unchecked_checksum(code)
                .map(UnitCode::Credit)
                .map_err(|e| invalid(e.to_string())),
            6 if digits => DivisionCode::parse(code)
                .map(UnitCode::Division)
                .map_err(|e| invalid(e.to_string())),
            8 if digits => ZoneCode::parse(code)
                .map(UnitCode::Zone)
                .map_err(|e| invalid(e.to_string())),
            _ => Err(UnitCodeError::Unrecognised(text.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_told_apart_by_shape() {
        assert!(matches!(
            UnitCode::parse("91350100M000100Y43"),
            Ok(UnitCode::Credit(_))
        ));
        assert!(matches!(UnitCode::parse(" 320583 "), Ok(UnitCode::Division(_))));
        assert!(matches!(UnitCode::parse("32051100"), Ok(UnitCode::Zone(_))));
        assert!(matches!(
            UnitCode::parse("abc"),
            Err(UnitCodeError::Unrecognised(_))
        ));
        assert!(matches!(
            UnitCode::parse("110101"),
            Err(UnitCodeError::Invalid { .. })
        ));
    }
}
