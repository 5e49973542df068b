//! County-level administrative division codes (GB/T 2260) inside a Jiangsu city.

use std::fmt;

use super::string_form::{fixed_digits, string_form};

use super::city::CityCode;

/// A division code that is malformed or lies outside the expected city.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionCodeError {
    #[error("{0:?} is not a division code: a GB/T 2260 code is exactly 6 digits, e.g. 320102")]
    NotSixDigits(String),
    #[error(
        "{0} does not lie in any Jiangsu city: its first 4 digits must be those of a city \
         code, 3201 (南京) to 3213 (宿迁)"
    )]
    OutsideJiangsu(String),
    #[error(
        "{code} is the code of the city {city_name} itself; give the county-level \
         (县、市、区) code, whose last two digits are not 00"
    )]
    CityItself { code: String, city_name: &'static str },
    #[error(
        "{code} lies in {actual_name} ({actual}), not in {expected_name} ({expected}); the \
         first 4 digits of the division code must match the unit's city"
    )]
    OtherCity {
        code: String,
        expected: CityCode,
        expected_name: &'static str,
        actual: CityCode,
        actual_name: &'static str,
    },
}

/// A 6-digit county-level division code (县、市、区) inside one of Jiangsu's 13 cities:
/// its first 4 digits are the city's, its last 2 are not `00`. Serializes as the 6-digit
/// string, e.g. `"320102"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DivisionCode(u32);

impl DivisionCode {
    /// Parses a county-level code inside any Jiangsu city; surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<Self, DivisionCodeError> {
        let code = text.trim();
        let number = fixed_digits(code, 6).ok_or_else(|| DivisionCodeError::NotSixDigits(text.to_owned()))?;
        let Some(city) = CityCode::from_number(number / 100 * 100) else {
            return Err(DivisionCodeError::OutsideJiangsu(code.to_owned()));
        };
        if number.is_multiple_of(100) {
            return Err(DivisionCodeError::CityItself {
                code: code.to_owned(),
                city_name: city.name(),
            });
        }
        Ok(Self(number))
    }

    /// The code `number` (e.g. 320102), if it is a county-level code inside a Jiangsu city.
    pub fn from_number(number: u32) -> Option<Self> {
        let city_part = CityCode::from_number(number / 100 * 100);
        (city_part.is_some() && !number.is_multiple_of(100)).then_some(Self(number))
    }

    /// Parses a county-level code that must lie inside `city`.
    pub fn parse_in(text: &str, city: CityCode) -> Result<Self, DivisionCodeError> {
        let code = Self::parse(text)?;
        code.check_in(city)?;
        Ok(code)
    }

    /// Checks that this code lies inside `city`.
    pub fn check_in(self, city: CityCode) -> Result<(), DivisionCodeError> {
        let actual = self.city();
        if actual == city {
            Ok(())
        } else {
            Err(DivisionCodeError::OtherCity {
                code: self.to_string(),
                expected: city,
                expected_name: city.name(),
                actual,
                actual_name: actual.name(),
            })
        }
    }

    /// The city this division lies in.
    pub fn city(self) -> CityCode {
        match CityCode::from_number(self.0 / 100 * 100) {
            Some(city) => city,
            // Unreachable: `parse` only builds codes whose prefix is a city's.
            None => CityCode::Nanjing,
        }
    }

    /// The code as a number, e.g. `320102`.
    pub const fn number(self) -> u32 {
        self.0
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

string_form!(
    DivisionCode,
    deserialize = DivisionCode::parse,
    from_str = DivisionCodeError
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn county_codes_inside_a_city() {
        let code = DivisionCode::parse_in("320102", CityCode::Nanjing).unwrap();
        assert_eq!(code.to_string(), "320102");
        assert_eq!(code.city(), CityCode::Nanjing);
        assert_eq!(
            DivisionCode::parse(" 321302 ").map(DivisionCode::city),
            Ok(CityCode::Suqian)
        );
    }

    #[test]
    fn malformed_codes() {
        for bad in ["32010", "3201020", "32O102", "", "-32010"] {
            assert!(
                matches!(DivisionCode::parse(bad), Err(DivisionCodeError::NotSixDigits(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            DivisionCode::parse("310101"),
            Err(DivisionCodeError::OutsideJiangsu(_))
        ));
        assert!(matches!(
            DivisionCode::parse("321401"),
            Err(DivisionCodeError::OutsideJiangsu(_))
        ));
    }

    #[test]
    fn the_city_code_itself_is_not_a_division() {
        let err = DivisionCode::parse("320500").unwrap_err();
        assert!(matches!(err, DivisionCodeError::CityItself { .. }));
        assert!(err.to_string().contains("苏州"));
    }

    #[test]
    fn a_code_in_another_city_names_both() {
        let err = DivisionCode::parse_in("320205", CityCode::Nanjing).unwrap_err();
        assert_eq!(
            err.to_string(),
            "320205 lies in 无锡 (320200), not in 南京 (320100); the first 4 digits of the \
             division code must match the unit's city"
        );
    }

    #[test]
    fn serde_is_the_code_string() {
        let code: DivisionCode = serde_json::from_str("\"320582\"").unwrap();
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"320582\"");
        assert!(serde_json::from_str::<DivisionCode>("\"320500\"").is_err());
        assert!(serde_json::from_str::<DivisionCode>("320582").is_err());
    }
}
