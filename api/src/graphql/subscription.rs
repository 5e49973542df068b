//! `events(afterPosition)`: the raw log from a position on, catch-up then live
//! (`graphql-transport-ws` on `/graphql/ws`). PROVINCIAL and AUDITOR only, like the log.

use async_graphql::{Context, Subscription};
use futures::{Stream, StreamExt};

use liangye_projections::policy::Action;

use super::auth::require;
use super::error::{ApiError, ApiResult};
use super::state::AppState;
use super::types::Event;

pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// Every event after `afterPosition` (default: from the start), then each new one.
    async fn events(
        &self,
        ctx: &Context<'_>,
        after_position: Option<i64>,
    ) -> Result<impl Stream<Item = ApiResult<Event>> + use<>, async_graphql::Error> {
        require(ctx, Action::ReadLog)?;
        let after = after_position.unwrap_or(0);
        if after < 0 {
            return Err(ApiError::validation("afterPosition must be 0 or more").into());
        }
        let state = ctx.data::<AppState>()?;
        Ok(state
            .store
            .stream_from(after)
            .map(|item| item.map(Event).map_err(|e| ApiError::from(e).into())))
    }
}
