//! [`Timeline`]: where a unit stood after each event of its stream, so that its status and
//! version at any earlier position are a binary search away.

use liangye_events::catalogue::Status;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thin_vec::ThinVec;

/// One event of a unit's stream: its log position and the unit's status after it (`None`
/// once its listing was retracted: the unit is out of the registry). Serialized as
/// `[position, "STATUS"]` (`[position, null]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step(pub i64, pub Option<Status>);

impl Step {
    /// The log position of the event.
    pub const fn position(self) -> i64 {
        self.0
    }

    /// The unit's status after the event; `None` once it is out of the registry.
    pub const fn status(self) -> Option<Status> {
        self.1
    }
}

/// Bits of a packed step that hold the status.
const STATUS_BITS: u32 = 3;
/// The packed "status" of a unit taken out of the registry.
const REMOVED: u64 = (1 << STATUS_BITS) - 1;

/// A step in 8 bytes: the position shifted left, the status's ordinal below it. Positions
/// are positive and far below 2^60, so nothing is lost.
fn pack(position: i64, status: Option<Status>) -> u64 {
    let ordinal = status.map_or(REMOVED, |status| {
        Status::ALL.iter().position(|s| *s == status).unwrap_or(0) as u64
    });
    ((position.max(0) as u64) << STATUS_BITS) | ordinal
}

fn unpack(packed: u64) -> Step {
    let ordinal = packed & ((1 << STATUS_BITS) - 1);
    let status = if ordinal == REMOVED {
        None
    } else {
        Some(
            Status::ALL
                .get(ordinal as usize)
                .copied()
                .unwrap_or(Status::Pilot),
        )
    };
    Step((packed >> STATUS_BITS) as i64, status)
}

/// Every event of one unit's stream, in stream order: step `i` is stream version `i + 1`.
/// Held packed, 8 bytes a step: the registry keeps one per unit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Timeline {
    steps: ThinVec<u64>,
}

impl Timeline {
    /// Gives back the spare capacity.
    pub(super) fn shrink_to_fit(&mut self) {
        self.steps.shrink_to_fit();
    }

    /// A timeline from its steps (a snapshot's), which must be in position order.
    pub fn from_steps(steps: impl IntoIterator<Item = Step>) -> Self {
        Self {
            steps: steps
                .into_iter()
                .map(|s| pack(s.position(), s.status()))
                .collect(),
        }
    }

    /// Records the next event of the stream.
    pub(super) fn push(&mut self, position: i64, status: Option<Status>) {
        self.steps.push(pack(position, status));
    }

    /// Every step, in order.
    pub fn steps(&self) -> impl DoubleEndedIterator<Item = Step> + ExactSizeIterator + '_ {
        self.steps.iter().map(|packed| unpack(*packed))
    }

    /// The number of events: the stream's version.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether there is no event (never, for a listed unit).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// How many steps lie at or before `at`.
    fn count_at(&self, at: i64) -> usize {
        self.steps
            .partition_point(|packed| unpack(*packed).position() <= at)
    }

    /// The stream version at log position `at`: how many of the unit's events lie at or
    /// before it (0 before the unit was listed).
    pub fn version_at(&self, at: i64) -> i64 {
        i64::try_from(self.count_at(at)).unwrap_or(i64::MAX)
    }

    /// The unit's status at log position `at`; `None` before it was listed (or after its
    /// listing was retracted).
    pub fn status_at(&self, at: i64) -> Option<Status> {
        let count = self.count_at(at);
        count
            .checked_sub(1)
            .and_then(|last| unpack(self.steps[last]).status())
    }

    /// The unit's status after its last event (`None` once out of the registry).
    pub fn status(&self) -> Option<Status> {
        self.steps.last().and_then(|packed| unpack(*packed).status())
    }

    /// The position of the unit's last event.
    pub fn last_position(&self) -> Option<i64> {
        self.steps.last().map(|packed| unpack(*packed).position())
    }

    /// The position of the unit's last event at or before `at` (its last when `None`).
    pub fn last_position_at(&self, at: Option<i64>) -> Option<i64> {
        match at {
            None => self.last_position(),
            Some(at) => self
                .count_at(at)
                .checked_sub(1)
                .map(|last| unpack(self.steps[last]).position()),
        }
    }

    /// The position the unit was listed at.
    pub fn listed_at(&self) -> Option<i64> {
        self.steps.first().map(|packed| unpack(*packed).position())
    }

    /// Whether the unit was listed at or before `at`.
    pub fn is_listed_at(&self, at: i64) -> bool {
        self.listed_at().is_some_and(|listed| listed <= at)
    }
}

impl Serialize for Timeline {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.steps())
    }
}

impl<'de> Deserialize<'de> for Timeline {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let steps = Vec::<Step>::deserialize(deserializer)?;
        if steps.iter().any(|s| s.position() < 1 || s.position() >= 1 << 60) {
            return Err(serde::de::Error::custom("a timeline position is out of range"));
        }
        if steps.windows(2).any(|w| w[0].position() >= w[1].position()) {
            return Err(serde::de::Error::custom("timeline positions are not increasing"));
        }
        Ok(Self::from_steps(steps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_version_at_any_position() {
        let mut timeline = Timeline::default();
        timeline.push(3, Some(Status::Pilot));
        timeline.push(7, Some(Status::Recommended));
        timeline.push(12, Some(Status::Awarded));
        assert_eq!(timeline.status_at(2), None);
        assert_eq!(timeline.version_at(2), 0);
        assert!(!timeline.is_listed_at(2));
        assert_eq!(timeline.status_at(3), Some(Status::Pilot));
        assert_eq!(timeline.status_at(11), Some(Status::Recommended));
        assert_eq!(timeline.version_at(11), 2);
        assert_eq!(timeline.status_at(12), Some(Status::Awarded));
        assert_eq!(timeline.version_at(i64::MAX), 3);
        assert_eq!(timeline.status(), Some(Status::Awarded));
        let json = serde_json::to_string(&timeline).unwrap();
        assert_eq!(json, r#"[[3,"PILOT"],[7,"RECOMMENDED"],[12,"AWARDED"]]"#);
        assert_eq!(serde_json::from_str::<Timeline>(&json).unwrap(), timeline);
        assert!(serde_json::from_str::<Timeline>(r#"[[7,"PILOT"],[3,"AWARDED"]]"#).is_err());
        timeline.push(14, None);
        assert_eq!(timeline.status(), None);
        assert_eq!(timeline.status_at(13), Some(Status::Awarded));
        let json = serde_json::to_string(&timeline).unwrap();
        assert!(json.ends_with(r#"[14,null]]"#), "{json}");
        assert_eq!(serde_json::from_str::<Timeline>(&json).unwrap(), timeline);
    }

    #[test]
    fn every_status_packs_and_unpacks() {
        for status in Status::ALL.iter().copied().map(Some).chain([None]) {
            for position in [1, 2, 1 << 40, (1 << 60) - 1] {
                assert_eq!(unpack(pack(position, status)), Step(position, status));
            }
        }
    }
}
