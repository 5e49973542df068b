//! Scalars of DESIGN.md §4 not provided by async-graphql under these names: `Date`
//! (YYYY-MM-DD) and `Yuan` (integer yuan as a decimal string). `DateTime` (RFC 3339) and
//! `UUID` come from async-graphql's chrono and uuid support.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;
use liangye_events::catalogue::Yuan;

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .filter(|d| d.format("%Y-%m-%d").to_string() == *s)
                .map(Date)
                .ok_or_else(|| {
                    InputValueError::custom(format!("{s:?} is not a date of the form YYYY-MM-DD"))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Whole yuan as a decimal string, e.g. `"1000000000"` for 10亿元.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YuanScalar(pub String);

#[Scalar(name = "Yuan")]
impl ScalarType for YuanScalar {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => Yuan::parse(s)
                .map(|_| YuanScalar(s.clone()))
                .map_err(|e| InputValueError::custom(e.to_string())),
            _ => Err(InputValueError::custom(
                "Yuan is a decimal string of whole yuan, e.g. \"1000000000\" for 10亿元",
            )),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

impl From<Yuan> for YuanScalar {
    fn from(y: Yuan) -> Self {
        YuanScalar(y.get().to_string())
    }
}
