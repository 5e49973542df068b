//! Reading the live registry from resolvers: `asOf` resolution and error mapping.

use async_graphql::InputObject;
use chrono::{DateTime, Utc};
use liangye_services::live::{AsOf, LiveError};
use uuid::Uuid;

use super::error::ApiError;
use super::state::AppState;
use super::types::Designation;

/// A past moment: exactly one of a log position or a `recordedAt` instant.
#[derive(InputObject, Debug, Clone, Copy)]
#[graphql(name = "AsOf")]
pub struct AsOfInput {
    /// After the event at this position (1 … head).
    pub position: Option<i64>,
    /// After the last event recorded at or before this instant.
    pub recorded_at: Option<DateTime<Utc>>,
}

/// A live-registry error for the client: its own code; storage trouble as `INTERNAL`.
pub fn live_error(e: LiveError) -> async_graphql::Error {
    ApiError::from(e).into()
}

/// The position an `asOf` argument stands for (`None`: now), once the live registry has
/// folded it.
pub async fn moment(state: &AppState, as_of: Option<AsOfInput>) -> Result<Option<i64>, async_graphql::Error> {
    let Some(as_of) = as_of else { return Ok(None) };
    let as_of = AsOf::from_parts(as_of.position, as_of.recorded_at).map_err(|e| live_error(e.into()))?;
    let moment = state.live.resolve(as_of).await.map_err(live_error)?;
    Ok(Some(moment.position))
}

/// The unit once the live registry includes position `position` (a mutation's own).
pub async fn designation_after(
    state: &AppState,
    id: Uuid,
    position: i64,
) -> Result<Option<Designation>, async_graphql::Error> {
    state.live.wait_for(position).await.map_err(live_error)?;
    Ok(state
        .live
        .designation(id, None)
        .map(|unit| Designation::new(unit, None)))
}
