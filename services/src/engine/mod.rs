//! The write engine (DESIGN.md §2): one writer per process takes commands from a queue and
//! handles whatever is waiting as one batch — open the write transaction, catch the decision
//! state up to the log head (another node may have written), decide each command against it
//! (a rejected command fails alone), append the accepted events, commit, then answer every
//! caller. Positions stay gapless, commits are grouped, and cross-unit invariants (quotas,
//! unique identifiers) hold without races, on one node or many.

mod stats;
mod writer;

pub use stats::BatchStats;

use std::sync::Arc;

use crate::{EventStore, StoreError};
use liangye_events::StoredEvent;
use liangye_events::catalogue::DecodeError;
use liangye_projections::DecisionState;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::decide::{Command, DomainError, Principal};

/// Commands waiting at most; a caller beyond it waits for room.
const QUEUE_DEPTH: usize = 4096;
/// Commands decided in one write transaction at most.
pub const MAX_BATCH: usize = 512;

/// A command submitted to the engine.
#[derive(Debug, Clone)]
pub struct Submission {
    pub command: Command,
    pub principal: Principal,
    /// Idempotency key: a repeat answers with the first result and appends nothing.
    pub command_id: Option<Uuid>,
    /// The request or workflow this command belongs to, recorded in the metadata.
    pub correlation_id: Option<Uuid>,
    /// The event or command that caused this one, recorded in the metadata.
    pub causation_id: Option<Uuid>,
}

impl Submission {
    pub fn new(command: Command, principal: Principal) -> Self {
        Self {
            command,
            principal,
            command_id: None,
            correlation_id: None,
            causation_id: None,
        }
    }

    pub fn with_command_id(mut self, id: Uuid) -> Self {
        self.command_id = Some(id);
        self
    }
}

/// An accepted command: its events as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    /// The unit the decision is about (`None` for quotas and access).
    pub designation_id: Option<Uuid>,
    pub events: Vec<StoredEvent>,
    /// The position of its last event.
    pub position: i64,
    /// True when the command id had been seen: these are the first result's events.
    pub duplicate: bool,
}

/// Why the engine did not accept a command.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Rejected(#[from] DomainError),
    /// The store failed; for logs, never for clients.
    #[error("storage failed: {0}")]
    Storage(Arc<StoreError>),
    /// A stored event could not be decoded: the log needs an auditor's attention.
    #[error("log cannot be decoded: {0}")]
    Decode(String),
    #[error("the engine has stopped")]
    Stopped,
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        EngineError::Storage(Arc::new(e))
    }
}

impl From<DecodeError> for EngineError {
    fn from(e: DecodeError) -> Self {
        EngineError::Decode(e.to_string())
    }
}

/// What the writer is asked to do. (`One` is the hot path and stays unboxed: an allocation
/// per command would cost more than the rare `All`'s unused bytes.)
#[allow(clippy::large_enum_variant)]
enum Job {
    /// One command, decided in whatever batch it joins; it fails alone.
    One {
        submission: Submission,
        reply: oneshot::Sender<Result<Decided, EngineError>>,
    },
    /// Several commands, all or nothing, in a write transaction of their own.
    All {
        submissions: Vec<Submission>,
        dry_run: bool,
        reply: oneshot::Sender<Result<BatchOutcome, EngineError>>,
    },
}

/// How an all-or-nothing batch ([`Engine::submit_all`]) went. Every command was decided,
/// in order, each against the state the ones before it left.
#[derive(Debug, Clone)]
pub enum BatchOutcome {
    /// Every command was accepted and the batch is committed (consecutive positions).
    Recorded(Vec<Decided>),
    /// Every command would be accepted; nothing was recorded (a dry run).
    Checked,
    /// At least one command was refused; nothing was recorded. Each refusal with the index
    /// of its command in the batch, in order.
    Refused(Vec<(usize, EngineError)>),
}

/// A handle to the engine's writer. Cheap to clone; the writer stops when every handle is
/// dropped, after finishing the batch in flight.
#[derive(Clone)]
pub struct Engine {
    queue: mpsc::Sender<Job>,
    store: EventStore,
    stats: std::sync::Arc<BatchStats>,
}

impl Engine {
    /// Start the writer for `store`. The decision state is folded from the whole log at
    /// once, in the background (and caught up at every batch after).
    pub fn start(store: EventStore) -> (Self, tokio::task::JoinHandle<()>) {
        Self::spawn(store, None)
    }

    /// Start the writer for `store` from `state`, a decision state already folded from it
    /// (the live registry's, [`crate::Live::decision_state`]): nothing is folded again, the
    /// first batch catches up whatever came after `state`, and the units the two have in
    /// common are held once (see [`DecisionState`]).
    pub fn start_from(store: EventStore, state: DecisionState) -> (Self, tokio::task::JoinHandle<()>) {
        Self::spawn(store, Some(state))
    }

    fn spawn(store: EventStore, state: Option<DecisionState>) -> (Self, tokio::task::JoinHandle<()>) {
        let (queue, rx) = mpsc::channel(QUEUE_DEPTH);
        let stats = std::sync::Arc::new(BatchStats::default());
        let handle = tokio::spawn(writer::run(store.clone(), rx, stats.clone(), state));
        (Self { queue, store, stats }, handle)
    }

    /// Counters of the writer's batches.
    pub fn stats(&self) -> &BatchStats {
        &self.stats
    }

    /// The store the engine writes to.
    pub fn store(&self) -> &EventStore {
        &self.store
    }

    /// Submit a command and wait for its decision, committed.
    pub async fn submit(&self, submission: Submission) -> Result<Decided, EngineError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job::One { submission, reply })
            .await
            .map_err(|_| EngineError::Stopped)?;
        answer.await.map_err(|_| EngineError::Stopped)?
    }

    /// Submit commands that must be recorded all together or not at all (a pilot-list
    /// import): in one write transaction of their own, decided in order, each against the
    /// state the ones before it leave (so a later command sees an earlier one's unit). Every
    /// command is decided even after one is refused, so that the answer names every
    /// refusal; if any is refused, or `dry_run` is set, the transaction is rolled back and
    /// nothing is recorded. Accepted, the events take consecutive positions.
    ///
    /// An `Err` is the engine's or the store's failure, never a refusal.
    pub async fn submit_all(
        &self,
        submissions: Vec<Submission>,
        dry_run: bool,
    ) -> Result<BatchOutcome, EngineError> {
        if submissions.is_empty() {
            return Ok(if dry_run {
                BatchOutcome::Checked
            } else {
                BatchOutcome::Recorded(Vec::new())
            });
        }
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job::All {
                submissions,
                dry_run,
                reply,
            })
            .await
            .map_err(|_| EngineError::Stopped)?;
        answer.await.map_err(|_| EngineError::Stopped)?
    }

    /// Convenience: submit `command` for `principal`.
    pub async fn execute(&self, command: Command, principal: &Principal) -> Result<Decided, EngineError> {
        self.submit(Submission::new(command, principal.clone())).await
    }
}
