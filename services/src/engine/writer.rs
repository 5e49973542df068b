//! The writer task: batches, one write transaction each.

use std::collections::HashMap;
use std::sync::Arc;

use crate::store::{PreparedEvent, prepare};
use crate::{EventStore, WriteTx};
use liangye_events::catalogue::{DomainEvent, RecordedEvent, unit_stream};
use liangye_events::{Metadata, NewEvent};
use liangye_projections::DecisionState;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{BatchStats, Decided, EngineError, Job, MAX_BATCH, Submission};
use crate::decide::{DomainError, admit, decide};

/// Events read per query while catching up.
const CATCH_UP_PAGE: i64 = 5000;

pub(super) async fn run(store: EventStore, mut rx: mpsc::Receiver<Job>, stats: Arc<BatchStats>) {
    let mut state = DecisionState::new();
    // Fold the log before the first command, outside any write lock, so that the first
    // batch only catches up the tail while it holds the lock.
    if let Err(e) = warm_up(&store, &mut state).await {
        tracing::warn!(error = %e, "could not fold the log ahead; the first batch will");
        state = DecisionState::new();
    }
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let submissions: Vec<&Submission> = jobs.iter().map(|j| &j.submission).collect();
        let results = match process(&store, &mut state, &submissions).await {
            Ok(results) => results,
            Err(e) => {
                tracing::error!(error = %e, batch = jobs.len(), "write batch failed; rebuilding state");
                // The state may hold events that were never committed: start again from the log.
                state = DecisionState::new();
                vec![Err(e); jobs.len()]
            }
        };
        stats.record(jobs.len());
        tracing::debug!(batch = jobs.len(), head = state.position(), "write batch done");
        for (job, result) in jobs.into_iter().zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

/// Decide and append one batch in one write transaction. An `Err` means nothing committed.
async fn process(
    store: &EventStore,
    state: &mut DecisionState,
    batch: &[&Submission],
) -> Result<Vec<Result<Decided, EngineError>>, EngineError> {
    let mut tx = store.begin_write().await?;
    catch_up(&mut tx, state).await?;
    if batch.len() > 1 {
        // The units' streams in one query rather than one per command (a round trip each on
        // PostgreSQL); streams a command writes besides its unit's are looked up as it stages.
        let streams: Vec<String> = batch
            .iter()
            .filter_map(|s| s.command.designation_id())
            .map(unit_stream)
            .collect();
        tx.prefetch_stream_versions(&streams).await?;
    }
    let mut results: Vec<Result<Decided, EngineError>> = Vec::with_capacity(batch.len());
    // Command ids accepted earlier in this batch (not yet readable from the database).
    let mut in_batch: HashMap<Uuid, usize> = HashMap::new();
    for submission in batch {
        if let Some(id) = submission.command_id {
            // Who may not make the decision learns nothing of an earlier one with its id.
            if let Err(refused) = admit(state, &submission.command, &submission.principal) {
                results.push(Err(refused.into()));
                continue;
            }
            if let Some(&i) = in_batch.get(&id) {
                let first = match &results[i] {
                    Ok(d) if same_origin(submission, &d.events) => Ok(Decided {
                        duplicate: true,
                        ..d.clone()
                    }),
                    _ => Err(DomainError::CommandIdReused(id).into()),
                };
                results.push(first);
                continue;
            }
            let first = tx.find_command(id).await?;
            if let Some(last) = first.last() {
                let position = last.position;
                results.push(if same_origin(submission, &first) {
                    let designation_id = match first.first().map(RecordedEvent::from_stored) {
                        Some(recorded) => recorded?.event.unit_id(),
                        None => None,
                    };
                    Ok(Decided {
                        designation_id,
                        events: first,
                        position,
                        duplicate: true,
                    })
                } else {
                    Err(DomainError::CommandIdReused(id).into())
                });
                continue;
            }
        }
        let events = match decide(state, &submission.command, &submission.principal) {
            Ok(events) => events,
            Err(rejection) => {
                results.push(Err(rejection.into()));
                continue;
            }
        };
        let prepared = prepare_events(submission, events.clone())?;
        let stored = tx.stage(prepared).await?;
        for (stored, (_, event)) in stored.iter().zip(events) {
            state.apply(&RecordedEvent {
                position: stored.position,
                stream_id: stored.stream_id.clone(),
                stream_version: stored.stream_version,
                recorded_at: stored.recorded_at.clone(),
                metadata: metadata_of(submission),
                event,
            });
        }
        if let Some(id) = submission.command_id {
            in_batch.insert(id, results.len());
        }
        let position = stored.last().map_or(state.position(), |e| e.position);
        results.push(Ok(Decided {
            designation_id: submission.command.designation_id(),
            events: stored,
            position,
            duplicate: false,
        }));
    }
    tx.commit().await?;
    Ok(results)
}

/// Fold the committed log into `state` without taking the write lock.
async fn warm_up(store: &EventStore, state: &mut DecisionState) -> Result<(), EngineError> {
    loop {
        let page = store.read_from(state.position(), CATCH_UP_PAGE).await?;
        if page.is_empty() {
            return Ok(());
        }
        for stored in &page {
            state.apply(&RecordedEvent::from_stored(stored)?);
        }
    }
}

/// Fold every event after the state's position (written by this or another node).
async fn catch_up(tx: &mut WriteTx, state: &mut DecisionState) -> Result<(), EngineError> {
    while state.position() < tx.head().position {
        let page = tx.read_from(state.position(), CATCH_UP_PAGE).await?;
        if page.is_empty() {
            break;
        }
        for stored in &page {
            state.apply(&RecordedEvent::from_stored(stored)?);
        }
    }
    Ok(())
}

/// Whether the events first recorded under a `commandId` came from the same principal
/// (actor name, role and city, as recorded in their metadata) and the same command (the
/// event type it records, and its unit when it names an existing one).
fn same_origin(submission: &Submission, first: &[liangye_events::StoredEvent]) -> bool {
    let Some(event) = first.first() else {
        return false;
    };
    let p = &submission.principal;
    let Ok(recorded) = RecordedEvent::from_stored(event) else {
        return false;
    };
    let metadata = &recorded.metadata;
    let same_principal = metadata.actor == p.name
        && metadata.role == p.role.as_str()
        && metadata.city.as_deref() == p.city.map(|c| c.code());
    let command = &submission.command;
    let same_unit = match command.designation_id() {
        // A repeated listPilot carries a fresh unit id: its type is what identifies it.
        Some(_) if matches!(command, crate::decide::Command::ListPilot(_)) => true,
        Some(id) => event.stream_id == unit_stream(id),
        None => true,
    };
    same_principal && event.event_type == command.event_type().as_str() && same_unit
}

fn metadata_of(submission: &Submission) -> Metadata {
    let p = &submission.principal;
    Metadata {
        actor: p.name.clone(),
        role: p.role.as_str().to_owned(),
        city: p.city.map(|c| c.code().to_owned()),
        command_id: submission.command_id,
        correlation_id: submission.correlation_id,
        causation_id: submission.causation_id,
    }
}

fn prepare_events(
    submission: &Submission,
    events: Vec<(String, DomainEvent)>,
) -> Result<Vec<PreparedEvent>, EngineError> {
    events
        .into_iter()
        .map(|(stream_id, event)| {
            prepare(NewEvent {
                event_id: Uuid::now_v7(),
                stream_id,
                event_type: event.event_type().to_owned(),
                schema_version: event.schema_version(),
                payload: event.to_payload(),
                metadata: metadata_of(submission),
            })
            .map_err(EngineError::from)
        })
        .collect()
}
