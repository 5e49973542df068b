//! Asking the registry for designations: [`DesignationFilter`], the Relay-style
//! [`PageRequest`] (`first`, `after`) and the [`Page`] it answers with.
//!
//! Order: by unit id. Unit ids are UUID v7, generated when a unit is listed, so id order is
//! listing order; it never changes, so a cursor (the id of the last unit seen) stays valid
//! however the registry grows, and the next page starts with an index seek.

use liangye_events::catalogue::{Batch, CityCode, DivisionCode, Sector, Status, UnitKind, Year};
use uuid::Uuid;

use super::designation::Designation;

/// `first` when the caller gives none.
pub const DEFAULT_FIRST: usize = 20;
/// The largest `first` accepted.
pub const MAX_FIRST: usize = 100;
/// The longest `nameContains` accepted, in characters.
pub const MAX_NAME_CONTAINS: usize = 100;

/// Which designations to list; every given criterion must hold (absent ones hold always).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DesignationFilter {
    pub city: Option<CityCode>,
    pub kind: Option<UnitKind>,
    pub status: Option<Status>,
    /// Units awarded in this year (also after they were delisted).
    pub award_year: Option<Year>,
    /// Part of the name; compared ignoring ASCII case. Blank means no criterion.
    pub name_contains: Option<String>,
    /// Units with this sector among theirs.
    pub sector: Option<Sector>,
    /// Units in this county-level division.
    pub county: Option<DivisionCode>,
    /// Units listed in this pilot batch.
    pub pilot_batch: Option<Batch>,
    /// Units whose attempt in progress (`recommendedYear`) is of this year.
    pub recommended_year: Option<Year>,
    /// Units with an event after this log position (how other systems sync).
    pub changed_after: Option<i64>,
}

impl DesignationFilter {
    /// Checks what a caller gave: `nameContains` is at most [`MAX_NAME_CONTAINS`] characters.
    pub fn check(&self) -> Result<(), PageError> {
        match self.name_contains.as_deref().map(|n| n.trim().chars().count()) {
            Some(length) if length > MAX_NAME_CONTAINS => Err(PageError::NameTooLong(length)),
            _ => Ok(()),
        }
    }

    /// Whether `designation` meets every criterion.
    pub fn matches(&self, designation: &Designation) -> bool {
        self.city.is_none_or(|c| c == designation.city)
            && self.kind.is_none_or(|k| k == designation.kind)
            && self.status.is_none_or(|s| s == designation.status)
            && self
                .award_year
                .is_none_or(|y| Some(y) == designation.award_year())
            && self.sector.is_none_or(|s| designation.sectors.contains(&s))
            && self.county.is_none_or(|c| designation.county_code == Some(c))
            && self.pilot_batch.is_none_or(|b| designation.pilot_batch == b)
            && self
                .recommended_year
                .is_none_or(|y| designation.recommended_year == Some(y))
            && self.changed_after.is_none_or(|p| designation.last_position > p)
            && self.name_matches(&designation.name)
    }

    /// Whether `name` contains `name_contains` (ignoring ASCII case and surrounding blanks).
    pub fn name_matches(&self, name: &str) -> bool {
        match self.name_contains.as_deref().map(str::trim) {
            None | Some("") => true,
            Some(needle) => contains_ignoring_ascii_case(name, needle),
        }
    }
}

/// `haystack` contains `needle`, ASCII letters compared without case. Both are UTF-8, so a
/// byte-window match can only start at a character boundary.
fn contains_ignoring_ascii_case(haystack: &str, needle: &str) -> bool {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    if needle.is_empty() {
        return true;
    }
    hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

/// A page request is out of bounds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("first must be between 0 and {MAX_FIRST}; got {0}")]
    First(i64),
    #[error("after {0:?} is not a cursor of this connection; pass an endCursor it returned")]
    Cursor(String),
    #[error("nameContains is at most {MAX_NAME_CONTAINS} characters; got {0}")]
    NameTooLong(usize),
}

/// Relay-style paging forward: up to `first` items after the cursor `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub first: usize,
    /// The unit id of the last item already seen.
    pub after: Option<Uuid>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            first: DEFAULT_FIRST,
            after: None,
        }
    }
}

impl PageRequest {
    /// Checks GraphQL's `first` (default 20, 0 to 100) and `after` (a cursor this
    /// connection returned).
    pub fn new(first: Option<i64>, after: Option<&str>) -> Result<Self, PageError> {
        let first = match first {
            None => DEFAULT_FIRST,
            Some(n) => usize::try_from(n)
                .ok()
                .filter(|n| *n <= MAX_FIRST)
                .ok_or(PageError::First(n))?,
        };
        let after = after.map(decode_cursor).transpose()?;
        Ok(Self { first, after })
    }
}

/// The cursor of a designation: its unit id, hyphenated.
pub fn encode_cursor(id: Uuid) -> String {
    id.as_hyphenated().to_string()
}

/// Reads a cursor made by [`encode_cursor`].
pub fn decode_cursor(cursor: &str) -> Result<Uuid, PageError> {
    Uuid::try_parse(cursor.trim()).map_err(|_| PageError::Cursor(cursor.to_owned()))
}

/// One page of designations, in id order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    pub items: Vec<Designation>,
    /// More items match after the last one.
    pub has_next_page: bool,
    /// The request started after a cursor (Relay's cheap answer for forward paging).
    pub has_previous_page: bool,
}

impl Page {
    /// The cursor of the first item.
    pub fn start_cursor(&self) -> Option<String> {
        self.items.first().map(|d| encode_cursor(d.id))
    }

    /// The cursor of the last item: pass it as `after` for the next page.
    pub fn end_cursor(&self) -> Option<String> {
        self.items.last().map(|d| encode_cursor(d.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_requests_are_checked() {
        assert_eq!(PageRequest::new(None, None).unwrap().first, DEFAULT_FIRST);
        assert_eq!(PageRequest::new(Some(100), None).unwrap().first, 100);
        assert_eq!(PageRequest::new(Some(101), None), Err(PageError::First(101)));
        assert_eq!(PageRequest::new(Some(-1), None), Err(PageError::First(-1)));
        let id = Uuid::now_v7();
        let cursor = encode_cursor(id);
        assert_eq!(PageRequest::new(None, Some(&cursor)).unwrap().after, Some(id));
        assert!(matches!(
            PageRequest::new(None, Some("abc")),
            Err(PageError::Cursor(_))
        ));
    }

    #[test]
    fn names_match_ignoring_ascii_case() {
        let filter = |s: &str| DesignationFilter {
            name_contains: Some(s.into()),
            ..DesignationFilter::default()
        };
        assert!(filter("工业园").name_matches("苏州工业园区"));
        assert!(filter(" 工业园 ").name_matches("苏州工业园区"));
        assert!(filter("").name_matches("苏州工业园区"));
        assert!(filter("abc").name_matches("无锡ABC科技"));
        assert!(!filter("南京").name_matches("苏州工业园区"));
        assert_eq!(filter(&"园".repeat(100)).check(), Ok(()));
        assert_eq!(
            filter(&"园".repeat(101)).check(),
            Err(PageError::NameTooLong(101))
        );
        // A needle never matches inside a multi-byte character.
        assert!(!filter("\u{8d}").name_matches("苏州"));
    }
}
