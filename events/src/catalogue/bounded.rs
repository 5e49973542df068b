//! Integer value types with a fixed range: years, scores, money, shares, batch numbers and
//! ranks. Each is built through `new`, which checks the range, and deserializes through it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A number outside the range its type allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} must be a whole number from {min} to {max}; got {value}")]
pub struct OutOfRange {
    /// What the number is, for the message (e.g. "a year").
    pub what: &'static str,
    pub value: i64,
    pub min: i64,
    pub max: i64,
}

/// Declares integer newtypes, each over `$inner` holding only `$min..=$max`.
macro_rules! bounded_integer {
    ($(
        $(#[$meta:meta])*
        $name:ident($inner:ty), what = $what:literal, min = $min:expr, max = $max:expr;
    )+) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name($inner);

        impl $name {
            /// The smallest value this type holds.
            pub const MIN: Self = Self($min);
            /// The largest value this type holds.
            pub const MAX: Self = Self($max);

            /// Checks that `value` lies in the allowed range.
            pub fn new(value: i64) -> Result<Self, OutOfRange> {
                match <$inner>::try_from(value) {
                    Ok(v) if ($min..=$max).contains(&v) => Ok(Self(v)),
                    _ => Err(OutOfRange {
                        what: $what,
                        value,
                        min: i64::from(Self::MIN.0),
                        max: i64::from(Self::MAX.0),
                    }),
                }
            }

            /// The number itself.
            pub const fn get(self) -> $inner {
                self.0
            }
        }

        impl TryFrom<i64> for $name {
            type Error = OutOfRange;
            fn try_from(value: i64) -> Result<Self, OutOfRange> {
                Self::new(value)
            }
        }

        impl From<$name> for i64 {
            fn from(value: $name) -> i64 {
                i64::from(value.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = i64::deserialize(deserializer)?;
                Self::new(value).map_err(serde::de::Error::custom)
            }
        }
    )+};
}

bounded_integer! {
    /// A calendar year a decision refers to (recommendation, review, award, quota,
    /// evaluation, commendation year): 2020 to 2100. The programme runs through the
    /// 14th Five-Year Plan (2021–2025); 2020 admits the pilot year before it, and the upper
    /// bound only catches typing errors.
    Year(i32), what = "a year", min = 2020, max = 2100;

    /// A score out of 100 (expert review, performance evaluation), whole points.
    Score(u8), what = "a score", min = 0, max = 100;

    /// A share in basis points: 3500 = 35.00%, from 0 to 10000 (100%).
    BasisPoints(u16), what = "a share in basis points (3500 = 35.00%)", min = 0, max = 10_000;

    /// An amount of money in whole yuan, from 0 to 2^53 − 1 so that every JSON reader
    /// holds it exactly. 10亿元 is `Yuan::new(1_000_000_000)`.
    Yuan(i64), what = "an amount in yuan", min = 0, max = 9_007_199_254_740_991;

    /// The number of the pilot batch (批次) a unit was listed in: 1 to 999.
    Batch(u16), what = "a pilot batch number", min = 1, max = 999;

    /// A national market-share rank in the enterprise's niche (细分行业市场占有率全国排名),
    /// 1 = first, up to 10000.
    MarketShareRank(u32), what = "a market-share rank", min = 1, max = 10_000;
}

/// Shown as the plain number.
macro_rules! plain_display {
    ($($name:ident),+) => {$(
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )+};
}

plain_display!(Year, Score, Batch, MarketShareRank);

/// Shown as a percentage with two decimals: `3500` → `35.00%`.
impl fmt::Display for BasisPoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}%", self.0 / 100, self.0 % 100)
    }
}

/// Shown as whole yuan, with the 亿元 figure where it is exact: `1000000000` →
/// `1000000000 yuan (10亿元)`.
impl fmt::Display for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const YI: i64 = 100_000_000;
        if self.0 != 0 && self.0 % YI == 0 {
            write!(f, "{} yuan ({}亿元)", self.0, self.0 / YI)
        } else {
            write!(f, "{} yuan", self.0)
        }
    }
}

/// A decimal string that is not a valid amount of yuan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YuanError {
    #[error(
        "{0:?} is not an amount of yuan: write whole yuan as digits only, without separators, \
         decimals or units (10亿元 = \"1000000000\")"
    )]
    NotAnInteger(String),
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
}

impl Yuan {
    /// 10亿元, the enterprise revenue threshold.
    pub const YI_10: Self = Self(1_000_000_000);
    /// 100亿元, the regional GDP and revenue threshold.
    pub const YI_100: Self = Self(10_000_000_000);

    /// Parses whole yuan written as a decimal string (the GraphQL `Yuan` scalar).
    /// Surrounding whitespace is ignored; signs other than a leading `-` (which is then
    /// reported as out of range), separators and decimals are refused.
    pub fn parse(text: &str) -> Result<Self, YuanError> {
        let trimmed = text.trim();
        let digits = trimmed.strip_prefix('-').unwrap_or(trimmed);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(YuanError::NotAnInteger(text.to_owned()));
        }
        let value: i64 = match trimmed.parse() {
            Ok(v) => v,
            // Only overflow is left: report it against the range.
            Err(_) => {
                return Err(OutOfRange {
                    what: "an amount in yuan",
                    value: if trimmed.starts_with('-') {
                        i64::MIN
                    } else {
                        i64::MAX
                    },
                    min: 0,
                    max: Self::MAX.0,
                }
                .into());
            }
        };
        Ok(Self::new(value)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_range_is_2020_to_2100() {
        assert!(Year::new(2019).is_err());
        assert_eq!(Year::new(2020).map(Year::get), Ok(2020));
        assert_eq!(Year::new(2100).map(Year::get), Ok(2100));
        assert!(Year::new(2101).is_err());
        let err = Year::new(1999).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a year must be a whole number from 2020 to 2100; got 1999"
        );
    }

    #[test]
    fn score_basis_points_batch_and_rank_bounds() {
        assert!(Score::new(-1).is_err());
        assert!(Score::new(0).is_ok());
        assert!(Score::new(100).is_ok());
        assert!(Score::new(101).is_err());
        assert!(BasisPoints::new(10_000).is_ok());
        assert!(BasisPoints::new(10_001).is_err());
        assert!(Batch::new(0).is_err());
        assert!(Batch::new(1).is_ok());
        assert!(MarketShareRank::new(0).is_err());
        assert!(MarketShareRank::new(1).is_ok());
    }

    #[test]
    fn yuan_is_non_negative_and_below_two_to_the_53() {
        assert!(Yuan::new(-1).is_err());
        assert!(Yuan::new(0).is_ok());
        assert!(Yuan::new((1 << 53) - 1).is_ok());
        assert!(Yuan::new(1 << 53).is_err());
    }

    #[test]
    fn yuan_parses_decimal_strings_only() {
        assert_eq!(Yuan::parse("1000000000"), Ok(Yuan::YI_10));
        assert_eq!(Yuan::parse(" 10000000000 "), Ok(Yuan::YI_100));
        for bad in ["", "1e9", "1,000", "1.5", "十亿", "+5", "0x10"] {
            assert!(
                matches!(Yuan::parse(bad), Err(YuanError::NotAnInteger(_))),
                "{bad}"
            );
        }
        assert!(matches!(Yuan::parse("-1"), Err(YuanError::OutOfRange(_))));
        assert!(matches!(
            Yuan::parse("99999999999999999999999"),
            Err(YuanError::OutOfRange(_))
        ));
    }

    #[test]
    fn displays_for_clerks() {
        assert_eq!(BasisPoints::new(3500).unwrap().to_string(), "35.00%");
        assert_eq!(BasisPoints::new(3499).unwrap().to_string(), "34.99%");
        assert_eq!(BasisPoints::new(5).unwrap().to_string(), "0.05%");
        assert_eq!(Yuan::YI_10.to_string(), "1000000000 yuan (10亿元)");
        assert_eq!(Yuan::new(999).unwrap().to_string(), "999 yuan");
    }

    #[test]
    fn serde_is_the_plain_number_and_validates() {
        assert_eq!(serde_json::to_string(&Yuan::YI_10).unwrap(), "1000000000");
        assert_eq!(serde_json::from_str::<Year>("2024").unwrap().get(), 2024);
        assert!(serde_json::from_str::<Year>("2019").is_err());
        assert!(serde_json::from_str::<Yuan>("1.5").is_err());
        assert!(serde_json::from_str::<Yuan>("\"100\"").is_err());
        assert!(serde_json::from_str::<Score>("101").is_err());
    }
}
