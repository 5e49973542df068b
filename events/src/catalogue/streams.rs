//! Stream ids: `unit-{uuid}` for each unit's whole life, `quota-{year}`, `access`.

use uuid::Uuid;

use super::bounded::Year;

/// The stream of access tokens being issued and revoked.
pub const ACCESS_STREAM: &str = "access";

/// `unit-{uuid}` (lowercase, hyphenated).
pub fn unit_stream(unit_id: Uuid) -> String {
    format!("unit-{}", unit_id.as_hyphenated())
}

/// `quota-{year}`.
pub fn quota_stream(year: Year) -> String {
    format!("quota-{year}")
}

/// What a stream id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamRef {
    Unit(Uuid),
    Quota(Year),
    Access,
}

impl StreamRef {
    /// Reads a stream id written by [`unit_stream`], [`quota_stream`] or [`ACCESS_STREAM`];
    /// `None` for anything else (including non-canonical spellings).
    pub fn parse(stream_id: &str) -> Option<Self> {
        if stream_id == ACCESS_STREAM {
            return Some(StreamRef::Access);
        }
        if let Some(id) = stream_id.strip_prefix("unit-") {
            let uuid = Uuid::try_parse(id).ok()?;
            return (unit_stream(uuid) == stream_id).then_some(StreamRef::Unit(uuid));
        }
        let year = stream_id.strip_prefix("quota-")?;
        let year = Year::new(year.parse().ok()?).ok()?;
        (quota_stream(year) == stream_id).then_some(StreamRef::Quota(year))
    }

    /// The stream id.
    pub fn to_stream_id(self) -> String {
        match self {
            StreamRef::Unit(id) => unit_stream(id),
            StreamRef::Quota(year) => quota_stream(year),
            StreamRef::Access => ACCESS_STREAM.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_round_trip() {
        let id = Uuid::parse_str("0192f0c1-7a3b-7cde-8f00-123456789abc").unwrap();
        assert_eq!(unit_stream(id), "unit-0192f0c1-7a3b-7cde-8f00-123456789abc");
        let year = Year::new(2024).unwrap();
        assert_eq!(quota_stream(year), "quota-2024");
        for stream in [StreamRef::Unit(id), StreamRef::Quota(year), StreamRef::Access] {
            assert_eq!(StreamRef::parse(&stream.to_stream_id()), Some(stream));
        }
        for bad in [
            "unit-0192F0C1-7A3B-7CDE-8F00-123456789ABC",
            "unit-0192f0c17a3b7cde8f00123456789abc",
            "quota-24",
            "quota-02024",
            "Access",
            "",
        ] {
            assert_eq!(StreamRef::parse(bad), None, "{bad}");
        }
    }
}
