//! Subscriptions (`graphql-transport-ws` on `/graphql/ws`), catch-up then live:
//!
//! - `events(afterPosition)`: the raw log from a position on (PROVINCIAL and AUDITOR, like
//!   the log);
//! - `designationChanged(afterPosition)`: for every role, READER included, each change to a
//!   unit as the unit stood just after it — how other systems are pushed changes without
//!   reading the raw log. A client that remembers the last `position` it received and
//!   subscribes again after it misses nothing and receives nothing twice.

use async_graphql::{Context, SimpleObject, Subscription};
use futures::{Stream, StreamExt};
use liangye_events::catalogue::StreamRef;
use uuid::Uuid;

use liangye_projections::policy::Action;

use super::auth::require;
use super::error::{ApiError, ApiResult};
use super::read::live_error;
use super::state::AppState;
use super::types::{Designation, Event};

pub struct SubscriptionRoot;

/// A change to a unit: the event at `position` was about it.
#[derive(SimpleObject)]
pub struct DesignationChange {
    /// The log position of the event: pass the last one received as `afterPosition` when
    /// subscribing again.
    pub position: i64,
    pub designation_id: Uuid,
    /// The unit just after the event (as of `position`); null when the event took it out
    /// of the registry (its listing was retracted).
    pub designation: Option<Designation>,
}

fn after_position(after_position: Option<i64>) -> Result<i64, async_graphql::Error> {
    let after = after_position.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::validation("afterPosition must be 0 or more").into());
    }
    Ok(after)
}

#[Subscription]
impl SubscriptionRoot {
    /// Every event after `afterPosition` (default: from the start), then each new one.
    async fn events(
        &self,
        ctx: &Context<'_>,
        after_position: Option<i64>,
    ) -> Result<impl Stream<Item = ApiResult<Event>> + use<>, async_graphql::Error> {
        require(ctx, Action::ReadLog)?;
        let after = self::after_position(after_position)?;
        let state = ctx.data::<AppState>()?;
        Ok(state
            .store
            .stream_from(after)
            .map(|item| item.map(Event).map_err(|e| ApiError::from(e).into())))
    }

    /// Each change to a unit after `afterPosition` (default: from the start), with the unit
    /// as it stood just after it; then each new one as it is recorded.
    async fn designation_changed(
        &self,
        ctx: &Context<'_>,
        after_position: Option<i64>,
    ) -> Result<impl Stream<Item = ApiResult<DesignationChange>> + use<>, async_graphql::Error> {
        require(ctx, Action::ReadRegistry)?;
        let after = self::after_position(after_position)?;
        let state = ctx.data::<AppState>()?.clone();
        Ok(state.store.stream_from(after).filter_map(move |item| {
            let live = state.live.clone();
            async move {
                let event = match item {
                    Ok(event) => event,
                    Err(e) => return Some(Err(ApiError::from(e).into())),
                };
                let Some(StreamRef::Unit(id)) = StreamRef::parse(&event.stream_id) else {
                    return None;
                };
                if let Err(e) = live.wait_for(event.position).await {
                    return Some(Err(live_error(e)));
                }
                let at = Some(event.position);
                Some(Ok(DesignationChange {
                    position: event.position,
                    designation_id: id,
                    designation: live.designation(id, at).map(|unit| Designation::new(unit, at)),
                }))
            }
        }))
    }
}
