//! Parsing one input field into its value type, naming the field (camelCase, as in GraphQL)
//! in the `VALIDATION_FAILED` error. The API's input objects convert into [`super::Command`]
//! with these; nothing here mirrors an input shape.
//!
//! Each parser checks one value on its own (a city code is one of the 13, a credit code has
//! 18 characters of the alphabet, a year lies in 2000–2100 …). Rules that involve the kind of
//! unit, several fields or the registry's state — the credit code's check character, whether
//! a division code lies in the city — are checked by [`super::decide`], so a command built
//! directly in Rust gets exactly the same treatment.

use std::fmt::Display;

use liangye_events::catalogue::{
    BasisPoints, Batch, CityCode, CreditCode, DivisionCode, MarketShareRank, Score, Year, Yuan, ZoneCode,
};
use uuid::Uuid;

use super::command::{Command, RevokeAccess};
use super::error::DomainError;

fn invalid(field: &'static str) -> impl Fn(&dyn Display) -> DomainError {
    move |error| DomainError::validation(field, error)
}

/// A blank optional code is absent.
fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}

pub fn year(field: &'static str, value: i64) -> Result<Year, DomainError> {
    Year::new(value).map_err(|e| invalid(field)(&e))
}

pub fn optional_year(field: &'static str, value: Option<i64>) -> Result<Option<Year>, DomainError> {
    value.map(|v| year(field, v)).transpose()
}

pub fn score(field: &'static str, value: Option<i64>) -> Result<Option<Score>, DomainError> {
    value
        .map(|v| Score::new(v).map_err(|e| invalid(field)(&e)))
        .transpose()
}

pub fn yuan(field: &'static str, value: Option<&str>) -> Result<Option<Yuan>, DomainError> {
    value
        .map(|v| Yuan::parse(v).map_err(|e| invalid(field)(&e)))
        .transpose()
}

pub fn basis_points(field: &'static str, value: Option<i64>) -> Result<Option<BasisPoints>, DomainError> {
    value
        .map(|v| BasisPoints::new(v).map_err(|e| invalid(field)(&e)))
        .transpose()
}

pub fn market_share_rank(
    field: &'static str,
    value: Option<i64>,
) -> Result<Option<MarketShareRank>, DomainError> {
    value
        .map(|v| MarketShareRank::new(v).map_err(|e| invalid(field)(&e)))
        .transpose()
}

pub fn city(field: &'static str, value: &str) -> Result<CityCode, DomainError> {
    CityCode::parse(value).map_err(|e| invalid(field)(&e))
}

/// An optional division code (GB/T 2260); blank is absent.
pub fn division_code(field: &'static str, value: Option<&str>) -> Result<Option<DivisionCode>, DomainError> {
    present(value)
        .map(|v| DivisionCode::parse(v).map_err(|e| invalid(field)(&e)))
        .transpose()
}

/// An optional credit code; blank is absent. Its check character is judged by `decide`,
/// which admits a failing one only with `acceptInvalidCreditCode` and a note.
pub fn credit_code(field: &'static str, value: Option<&str>) -> Result<Option<CreditCode>, DomainError> {
    present(value)
        .map(|v| CreditCode::parse_unchecked_checksum(v).map_err(|e| invalid(field)(&e)))
        .transpose()
}

/// An optional development-zone code (GB/T 37028); blank is absent.
pub fn zone_code(field: &'static str, value: Option<&str>) -> Result<Option<ZoneCode>, DomainError> {
    present(value)
        .map(|v| ZoneCode::parse(v).map_err(|e| invalid(field)(&e)))
        .transpose()
}

pub fn batch(field: &'static str, value: i64) -> Result<Batch, DomainError> {
    Batch::new(value).map_err(|e| invalid(field)(&e))
}

/// A count of awards: a whole number, 0 or more.
pub fn award_count(field: &'static str, value: i64) -> Result<u32, DomainError> {
    u32::try_from(value).map_err(|_| {
        DomainError::validation(
            field,
            format!("must be a whole number of awards, 0 or more; got {value}"),
        )
    })
}

/// `token revoke TOKEN_ID`: the id as typed on the command line.
pub fn revoke_access(token_id: &str) -> Result<Command, DomainError> {
    let token_id = Uuid::try_parse(token_id.trim()).map_err(|_| {
        DomainError::validation(
            "tokenId",
            format!("{token_id:?} is not a token id; `liangye token list` shows them"),
        )
    })?;
    Ok(RevokeAccess { token_id }.into())
}
