//! Searching the raw log for auditors (GraphQL `events`): by stream, type, who recorded it
//! (`actor`), 文号 (`documentRef`), the date on the decision (`decidedFrom`/`decidedTo`) and
//! when it was recorded (`recordedFrom`/`recordedTo`), in position order, a page at a time.
//!
//! A search reads the log forward from the cursor (from the first event recorded at or after
//! `recordedFrom`, found with the `recorded_at` index, when that is later), and stops at the
//! first event recorded after `recordedTo` (`recorded_at` never decreases along positions).
//! Looking across the log for the other criteria reads at most `max_scan` events per request:
//! a page then ends early, with a cursor to continue from.

use chrono::{DateTime, NaiveDate, Utc};
use liangye_events::StoredEvent;
use liangye_events::canonical::format_timestamp;
use serde::Deserialize;

use crate::{EventStore, StoreError};

/// What to look for; every given criterion must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub stream_id: Option<String>,
    pub event_type: Option<String>,
    /// Who recorded it (the token's name), exactly.
    pub actor: Option<String>,
    /// Part of the 文号 (an exact 文号 matches itself).
    pub document_ref: Option<String>,
    /// The date on the decision, from and to (inclusive).
    pub decided_from: Option<NaiveDate>,
    pub decided_to: Option<NaiveDate>,
    /// When it was recorded, from and to (inclusive).
    pub recorded_from: Option<DateTime<Utc>>,
    pub recorded_to: Option<DateTime<Utc>>,
}

impl EventFilter {
    /// Whether a search must scan the log (anything but a stream, alone, is looked for).
    pub fn scans(&self) -> bool {
        self.stream_id.is_none()
            && (self.event_type.is_some()
                || self.actor.is_some()
                || self.needs_payload()
                || self.recorded_from.is_some()
                || self.recorded_to.is_some())
    }

    fn needs_payload(&self) -> bool {
        self.document_ref.is_some() || self.decided_from.is_some() || self.decided_to.is_some()
    }

    /// Whether `event` meets every criterion but the stream.
    fn matches(&self, event: &StoredEvent, recorded_from: Option<&str>, recorded_to: Option<&str>) -> bool {
        if self.event_type.as_ref().is_some_and(|t| &event.event_type != t)
            || self.actor.as_ref().is_some_and(|a| &event.actor != a)
            || recorded_from.is_some_and(|from| event.recorded_at.as_str() < from)
            || recorded_to.is_some_and(|to| event.recorded_at.as_str() > to)
        {
            return false;
        }
        if !self.needs_payload() {
            return true;
        }
        let Some(decision) = Decision::of(event) else {
            return false;
        };
        let in_range = |date: Option<NaiveDate>| match date {
            Some(date) => {
                self.decided_from.is_none_or(|from| date >= from)
                    && self.decided_to.is_none_or(|to| date <= to)
            }
            None => self.decided_from.is_none() && self.decided_to.is_none(),
        };
        let document = match (&self.document_ref, &decision.payload.document_ref) {
            (None, _) => true,
            (Some(wanted), Some(actual)) => actual.contains(wanted.trim()),
            (Some(_), None) => false,
        };
        document && in_range(decision.payload.decided_on)
    }
}

/// The decision fields of a payload, read without building the rest.
#[derive(Deserialize)]
struct Decision {
    payload: DecisionFields,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DecisionFields {
    #[serde(default)]
    decided_on: Option<NaiveDate>,
    #[serde(default)]
    document_ref: Option<String>,
}

impl Decision {
    fn of(event: &StoredEvent) -> Option<Self> {
        serde_json::from_str(&event.canonical).ok()
    }
}

/// `t` rounded up to a whole microsecond (the precision the log records).
fn ceil_to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    match t.timestamp_subsec_nanos() % 1_000 {
        0 => t,
        below => t + chrono::Duration::nanoseconds(i64::from(1_000 - below)),
    }
}

/// A page of a search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventSearch {
    pub items: Vec<StoredEvent>,
    pub has_next_page: bool,
    /// Where a capped scan stopped short of the head (continue after it), when it did.
    pub scanned_to: Option<i64>,
}

/// Events read per page of a scan.
const SCAN_PAGE: i64 = 500;

/// Up to `first` events after position `after` that `filter` selects, reading at most
/// `max_scan` events when it must scan the log.
pub async fn search(
    store: &EventStore,
    filter: &EventFilter,
    after: i64,
    first: usize,
    max_scan: i64,
) -> Result<EventSearch, StoreError> {
    // The log keeps microseconds: `recordedFrom` rounds up to the next one (an instant
    // between two microseconds does not take in the earlier), `recordedTo` down.
    let recorded_from = filter.recorded_from.map(ceil_to_micros);
    let from = recorded_from.map(format_timestamp);
    let to = filter.recorded_to.map(format_timestamp);
    let (from, to) = (from.as_deref(), to.as_deref());
    let mut items = Vec::new();
    let mut scanned_to = None;
    match &filter.stream_id {
        Some(stream) => {
            items = store
                .read_stream(stream, 0)
                .await?
                .into_iter()
                .filter(|e| e.position > after && filter.matches(e, from, to))
                .collect();
        }
        None => {
            // Skip what was recorded before `recordedFrom` with one index seek: to the last
            // event recorded before it (timestamps are kept to the microsecond).
            let mut cursor = after;
            if let Some(from) = recorded_from {
                let just_before = format_timestamp(from - chrono::Duration::microseconds(1));
                if let Some(before) = store.position_at(&just_before).await? {
                    cursor = cursor.max(before);
                }
            }
            let start = cursor;
            'scan: loop {
                let page = store.read_from(cursor, SCAN_PAGE).await?;
                let Some(last) = page.last() else { break };
                let last = last.position;
                for event in page {
                    if to.is_some_and(|to| event.recorded_at.as_str() > to) {
                        // Nothing later can have been recorded earlier.
                        break 'scan;
                    }
                    if filter.matches(&event, from, to) {
                        items.push(event);
                        if items.len() > first {
                            break 'scan;
                        }
                    }
                }
                cursor = last;
                if cursor - start >= max_scan {
                    scanned_to = Some(cursor);
                    break;
                }
            }
        }
    }
    let has_next_page = items.len() > first || scanned_to.is_some();
    items.truncate(first);
    Ok(EventSearch {
        items,
        has_next_page,
        scanned_to,
    })
}
