//! [`AsOf`]: a past moment, given as a log position or a `recordedAt` instant, and its
//! resolution against the log into a [`Moment`] (a position that exists).
//!
//! Bad input is refused with a clear error, never guessed at: both or neither of position
//! and time, a position below 1 or beyond the head, a time before the first event or in the
//! future, or any moment of an empty log.

use crate::EventStore;
use chrono::{DateTime, Utc};
use liangye_events::canonical::format_timestamp;

use super::LiveError;

/// A moment to look at the registry as of: GraphQL's `AsOf` input, or the command line's
/// `--as-of POSITION|RFC3339`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// After the event at this position.
    Position(i64),
    /// After the last event recorded at or before this instant.
    RecordedAt(DateTime<Utc>),
}

/// Why an as-of moment cannot be used. Every variant is the caller's (`VALIDATION_FAILED`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AsOfError {
    #[error("asOf takes exactly one of position and recordedAt; both were given")]
    Both,
    #[error("asOf takes exactly one of position and recordedAt; neither was given")]
    Neither,
    #[error("asOf {0:?} is neither a log position (an integer) nor an RFC 3339 date-time")]
    Unreadable(String),
    #[error("asOf position {0} is below 1: the log starts at position 1")]
    BelowOne(i64),
    #[error("asOf position {position} is beyond the head of the log, which is at {head}")]
    BeyondHead { position: i64, head: i64 },
    #[error("asOf recordedAt {at} is before the first event, recorded at {first}")]
    BeforeFirstEvent { at: String, first: String },
    #[error("asOf recordedAt {at} is in the future (it is now {now})")]
    InTheFuture { at: String, now: String },
    #[error("the log is empty: there is no moment to look at yet")]
    EmptyLog,
}

impl AsOf {
    /// From GraphQL's `AsOf { position, recordedAt }`: exactly one must be given.
    pub fn from_parts(position: Option<i64>, recorded_at: Option<DateTime<Utc>>) -> Result<Self, AsOfError> {
        match (position, recorded_at) {
            (Some(_), Some(_)) => Err(AsOfError::Both),
            (None, None) => Err(AsOfError::Neither),
            (Some(position), None) => Ok(AsOf::Position(position)),
            (None, Some(at)) => Ok(AsOf::RecordedAt(at)),
        }
    }

    /// From the command line: an integer is a position, anything else must be RFC 3339.
    pub fn parse(text: &str) -> Result<Self, AsOfError> {
        let text = text.trim();
        if let Ok(position) = text.parse::<i64>() {
            return Ok(AsOf::Position(position));
        }
        DateTime::parse_from_rfc3339(text)
            .map(|t| AsOf::RecordedAt(t.with_timezone(&Utc)))
            .map_err(|_| AsOfError::Unreadable(text.to_owned()))
    }
}

/// A resolved moment: the position of the last event it includes, and that event's
/// `recordedAt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    pub position: i64,
    pub recorded_at: String,
}

/// Resolves `as_of` against the log as it is in the store now.
pub async fn resolve(store: &EventStore, as_of: AsOf) -> Result<Moment, LiveError> {
    let head = store.head().await?;
    if head.position == 0 {
        return Err(AsOfError::EmptyLog.into());
    }
    let position = match as_of {
        AsOf::Position(position) if position < 1 => return Err(AsOfError::BelowOne(position).into()),
        AsOf::Position(position) if position > head.position => {
            return Err(AsOfError::BeyondHead {
                position,
                head: head.position,
            }
            .into());
        }
        AsOf::Position(position) => position,
        AsOf::RecordedAt(at) => {
            let now = Utc::now();
            // Canonical text truncates to microseconds: an event at t' <= that text is an
            // event at t' <= at.
            let text = format_timestamp(at);
            if at > now {
                return Err(AsOfError::InTheFuture {
                    at: text,
                    now: format_timestamp(now),
                }
                .into());
            }
            let first = store.recorded_at_of(1).await?.unwrap_or_default();
            match store.position_at(&text).await? {
                Some(position) => position,
                None => return Err(AsOfError::BeforeFirstEvent { at: text, first }.into()),
            }
        }
    };
    let recorded_at = store.recorded_at_of(position).await?.unwrap_or_default();
    Ok(Moment {
        position,
        recorded_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_of_position_and_time() {
        let t = Utc::now();
        assert_eq!(AsOf::from_parts(Some(3), None), Ok(AsOf::Position(3)));
        assert_eq!(AsOf::from_parts(None, Some(t)), Ok(AsOf::RecordedAt(t)));
        assert_eq!(AsOf::from_parts(Some(3), Some(t)), Err(AsOfError::Both));
        assert_eq!(AsOf::from_parts(None, None), Err(AsOfError::Neither));
    }

    #[test]
    fn the_command_line_form() {
        assert_eq!(AsOf::parse(" 42 "), Ok(AsOf::Position(42)));
        assert_eq!(AsOf::parse("-1"), Ok(AsOf::Position(-1)));
        let AsOf::RecordedAt(t) = AsOf::parse("2024-05-06T15:08:09.5+08:00").unwrap() else {
            panic!("a time");
        };
        assert_eq!(format_timestamp(t), "2024-05-06T07:08:09.500000Z");
        assert!(matches!(AsOf::parse("yesterday"), Err(AsOfError::Unreadable(_))));
        assert_eq!(
            crate::errors::Coded::code(&AsOfError::Both),
            crate::errors::ErrorCode::ValidationFailed
        );
    }
}
