//! [`Timeline`]: where a unit stood after each event of its stream, so that its status and
//! version at any earlier position are a binary search away.

use liangye_events::catalogue::Status;
use serde::{Deserialize, Serialize};

/// One event of a unit's stream: its log position and the unit's status after it.
/// Serialized as `[position, "STATUS"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step(pub i64, pub Status);

impl Step {
    /// The log position of the event.
    pub const fn position(self) -> i64 {
        self.0
    }

    /// The unit's status after the event.
    pub const fn status(self) -> Status {
        self.1
    }
}

/// Every event of one unit's stream, in stream order: step `i` is stream version `i + 1`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timeline {
    steps: Vec<Step>,
}

impl Timeline {
    /// A timeline from its steps (a snapshot's), which must be in position order.
    pub fn from_steps(steps: Vec<Step>) -> Self {
        Self { steps }
    }

    /// Records the next event of the stream.
    pub(super) fn push(&mut self, position: i64, status: Status) {
        self.steps.push(Step(position, status));
    }

    /// Every step, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The stream version at log position `at`: how many of the unit's events lie at or
    /// before it (0 before the unit was listed).
    pub fn version_at(&self, at: i64) -> i64 {
        let count = self.steps.partition_point(|step| step.position() <= at);
        i64::try_from(count).unwrap_or(i64::MAX)
    }

    /// The unit's status at log position `at`; `None` before it was listed.
    pub fn status_at(&self, at: i64) -> Option<Status> {
        let count = self.steps.partition_point(|step| step.position() <= at);
        count.checked_sub(1).map(|last| self.steps[last].status())
    }

    /// The position the unit was listed at.
    pub fn listed_at(&self) -> Option<i64> {
        self.steps.first().map(|step| step.position())
    }

    /// Whether the unit was listed at or before `at`.
    pub fn is_listed_at(&self, at: i64) -> bool {
        self.listed_at().is_some_and(|listed| listed <= at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_version_at_any_position() {
        let mut timeline = Timeline::default();
        timeline.push(3, Status::Pilot);
        timeline.push(7, Status::Recommended);
        timeline.push(12, Status::Awarded);
        assert_eq!(timeline.status_at(2), None);
        assert_eq!(timeline.version_at(2), 0);
        assert!(!timeline.is_listed_at(2));
        assert_eq!(timeline.status_at(3), Some(Status::Pilot));
        assert_eq!(timeline.status_at(11), Some(Status::Recommended));
        assert_eq!(timeline.version_at(11), 2);
        assert_eq!(timeline.status_at(12), Some(Status::Awarded));
        assert_eq!(timeline.version_at(i64::MAX), 3);
        assert_eq!(
            serde_json::to_string(&timeline).unwrap(),
            r#"[[3,"PILOT"],[7,"RECOMMENDED"],[12,"AWARDED"]]"#
        );
    }
}
