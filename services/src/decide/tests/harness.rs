//! `given(events).when(command, principal).then_events(…)` / `.then_error(code)`.

use liangye_events::catalogue::{DomainEvent, RecordedEvent};
use liangye_events::envelope::Metadata;
use liangye_projections::DecisionState;

use crate::decide::{Coded, Command, DomainError, ErrorCode, Principal, decide};

/// The state after `events`, folded as the log would hold them: positions 1, 2, 3 … and
/// stream versions counted per stream.
pub fn given(events: impl IntoIterator<Item = DomainEvent>) -> Given {
    let mut state = DecisionState::new();
    for event in RecordedEvent::sequence(events, &Metadata::default()) {
        state.apply(&event);
    }
    Given { state }
}

pub struct Given {
    state: DecisionState,
}

impl Given {
    /// The state the command is decided against.
    pub fn state(&self) -> &DecisionState {
        &self.state
    }

    /// Decides `command` for `principal`.
    pub fn when(&self, command: impl Into<Command>, principal: &Principal) -> Then {
        let command = command.into();
        Then {
            result: decide(&self.state, &command, principal),
        }
    }
}

pub struct Then {
    result: Result<Vec<(String, DomainEvent)>, DomainError>,
}

impl Then {
    /// The command was accepted and yields exactly `expected`, each in its own stream.
    #[track_caller]
    pub fn then_events(self, expected: impl IntoIterator<Item = DomainEvent>) {
        let expected: Vec<(String, DomainEvent)> = expected
            .into_iter()
            .map(|event| (event.stream_id(), event))
            .collect();
        match self.result {
            Ok(actual) => assert_eq!(actual, expected),
            Err(error) => panic!("expected events, got {}: {error}", error.code()),
        }
    }

    /// The command was accepted; its events.
    #[track_caller]
    pub fn then_ok(self) -> Vec<DomainEvent> {
        match self.result {
            Ok(events) => events.into_iter().map(|(_, event)| event).collect(),
            Err(error) => panic!("expected events, got {}: {error}", error.code()),
        }
    }

    /// The command was refused with `code`; the error, for a closer look.
    #[track_caller]
    pub fn then_error(self, code: ErrorCode) -> DomainError {
        match self.result {
            Ok(events) => panic!("expected {code}, got events {events:?}"),
            Err(error) => {
                assert_eq!(error.code(), code, "{error}");
                error
            }
        }
    }

    /// The command was refused with `code` and a message that says `text`; the error.
    #[track_caller]
    pub fn then_refused(self, code: ErrorCode, text: &str) -> DomainError {
        let error = self.then_error(code);
        assert!(error.to_string().contains(text), "{error}");
        error
    }

    /// The command was refused with `VALIDATION_FAILED` on `field`; the message.
    #[track_caller]
    pub fn then_invalid(self, field: &str) -> String {
        match self.then_error(ErrorCode::ValidationFailed) {
            DomainError::Validation {
                field: actual,
                message,
            } => {
                assert_eq!(actual, field, "{message}");
                message
            }
            other => panic!("not a validation error: {other:?}"),
        }
    }
}
