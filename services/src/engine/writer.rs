//! The writer task: batches, one write transaction each.

use std::collections::HashMap;
use std::sync::Arc;

use crate::store::{PreparedEvent, prepare};
use crate::{EventStore, WriteTx};
use liangye_events::catalogue::{DomainEvent, RecordedEvent, unit_stream};
use liangye_events::{Metadata, NewEvent};
use liangye_projections::DecisionState;
use liangye_projections::decision_state::Undo;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{BatchOutcome, BatchStats, Decided, EngineError, Job, MAX_BATCH, Submission};
use crate::decide::{DomainError, admit, decide};

/// Events read per query while catching up.
const CATCH_UP_PAGE: i64 = 5000;

pub(super) async fn run(
    store: EventStore,
    mut rx: mpsc::Receiver<Job>,
    stats: Arc<BatchStats>,
    start: Option<DecisionState>,
) {
    let mut state = match start {
        Some(state) => state,
        None => {
            // Fold the log before the first command, outside any write lock, so that the
            // first batch only catches up the tail while it holds the lock.
            let mut state = DecisionState::new();
            if let Err(e) = warm_up(&store, &mut state).await {
                tracing::warn!(error = %e, "could not fold the log ahead; the first batch will");
                state = DecisionState::new();
            }
            state
        }
    };
    // An all-or-nothing job taken off the queue while gathering a batch waits here.
    let mut held: Option<Job> = None;
    loop {
        let first = match held.take() {
            Some(job) => job,
            None => match rx.recv().await {
                Some(job) => job,
                None => break,
            },
        };
        match first {
            Job::All {
                submissions,
                dry_run,
                reply,
            } => {
                let result = process_all(&store, &mut state, &submissions, dry_run).await;
                if let Err(e) = &result {
                    tracing::error!(error = %e, batch = submissions.len(), "all-or-nothing batch failed; nothing recorded");
                }
                stats.record(submissions.len());
                let _ = reply.send(result);
            }
            Job::One { submission, reply } => {
                let mut jobs = vec![(submission, reply)];
                while jobs.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(Job::One { submission, reply }) => jobs.push((submission, reply)),
                        Ok(all) => {
                            // It runs in a transaction of its own, after this batch.
                            held = Some(all);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                let submissions: Vec<&Submission> = jobs.iter().map(|(s, _)| s).collect();
                let results = match process(&store, &mut state, &submissions).await {
                    Ok(results) => results,
                    Err(e) => {
                        tracing::error!(error = %e, batch = jobs.len(), "write batch failed; nothing recorded");
                        vec![Err(e); jobs.len()]
                    }
                };
                stats.record(jobs.len());
                tracing::debug!(batch = jobs.len(), head = state.position(), "write batch done");
                for ((_, reply), result) in jobs.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
        }
    }
}

/// Decide and append one batch in one write transaction. An `Err` means nothing committed,
/// and the state is put back as the committed log leaves it (the events the batch folded
/// are undone; what `catch_up` folded was committed).
async fn process(
    store: &EventStore,
    state: &mut DecisionState,
    batch: &[&Submission],
) -> Result<Vec<Result<Decided, EngineError>>, EngineError> {
    let mut undos: Vec<Undo> = Vec::new();
    let outcome = async {
        let mut tx = store.begin_write().await?;
        catch_up(&mut tx, state).await?;
        prefetch(&mut tx, batch.iter().copied()).await?;
        let mut results: Vec<Result<Decided, EngineError>> = Vec::with_capacity(batch.len());
        // Command ids accepted earlier in this batch (not yet readable from the database).
        let mut in_batch: HashMap<Uuid, usize> = HashMap::new();
        for submission in batch {
            let result = handle(&mut tx, state, submission, &mut in_batch, &results, &mut undos).await?;
            results.push(result);
        }
        tx.commit().await?;
        Ok(results)
    }
    .await;
    if outcome.is_err() {
        undo_all(state, undos);
    }
    outcome
}

/// Puts `state` back as it was before the events `undos` were taken for, latest first.
fn undo_all(state: &mut DecisionState, undos: Vec<Undo>) {
    for undo in undos.into_iter().rev() {
        state.undo(undo);
    }
}

/// Decide an all-or-nothing batch in a write transaction of its own: every command, in
/// order, its events folded undoably; committed only when every one is accepted and this
/// is no dry run, else rolled back with the state put back as it was.
async fn process_all(
    store: &EventStore,
    state: &mut DecisionState,
    batch: &[Submission],
    dry_run: bool,
) -> Result<BatchOutcome, EngineError> {
    let mut undos: Vec<Undo> = Vec::new();
    let outcome = async {
        let mut tx = store.begin_write().await?;
        catch_up(&mut tx, state).await?;
        prefetch(&mut tx, batch.iter()).await?;
        let mut results: Vec<Result<Decided, EngineError>> = Vec::with_capacity(batch.len());
        let mut in_batch: HashMap<Uuid, usize> = HashMap::new();
        for submission in batch {
            let result = handle(&mut tx, state, submission, &mut in_batch, &results, &mut undos).await?;
            results.push(result);
        }
        let refused: Vec<(usize, EngineError)> = results
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().err().map(|e| (i, e.clone())))
            .collect();
        if !refused.is_empty() || dry_run {
            tx.rollback().await?;
            return Ok(Err(if refused.is_empty() {
                BatchOutcome::Checked
            } else {
                BatchOutcome::Refused(refused)
            }));
        }
        tx.commit().await?;
        Ok(Ok(BatchOutcome::Recorded(
            results.into_iter().collect::<Result<Vec<_>, _>>()?,
        )))
    }
    .await;
    match outcome {
        Ok(Ok(recorded)) => Ok(recorded),
        // Refused, a dry run, or the store failed: nothing is recorded.
        Ok(Err(not_recorded)) => {
            undo_all(state, undos);
            Ok(not_recorded)
        }
        Err(e) => {
            undo_all(state, undos);
            Err(e)
        }
    }
}

/// Look the streams of a batch's units up in one query rather than one per command (a
/// round trip each on PostgreSQL); streams a command writes besides its unit's are looked
/// up as it stages.
async fn prefetch<'a>(
    tx: &mut WriteTx,
    batch: impl ExactSizeIterator<Item = &'a Submission>,
) -> Result<(), EngineError> {
    if batch.len() > 1 {
        let streams: Vec<String> = batch
            .filter_map(|s| s.command.designation_id())
            .map(unit_stream)
            .collect();
        tx.prefetch_stream_versions(&streams).await?;
    }
    Ok(())
}

/// Decide one submission inside the transaction and stage its events, folding them into
/// `state` undoably (`undos` collects how, should the batch not be recorded). The outer
/// `Err` is the store's failure; the inner result is the command's own.
async fn handle(
    tx: &mut WriteTx,
    state: &mut DecisionState,
    submission: &Submission,
    in_batch: &mut HashMap<Uuid, usize>,
    results: &[Result<Decided, EngineError>],
    undos: &mut Vec<Undo>,
) -> Result<Result<Decided, EngineError>, EngineError> {
    if let Some(id) = submission.command_id {
        // Who may not make the decision learns nothing of an earlier one with its id.
        if let Err(refused) = admit(state, &submission.command, &submission.principal) {
            return Ok(Err(refused.into()));
        }
        if let Some(&i) = in_batch.get(&id) {
            return Ok(match &results[i] {
                Ok(d) if same_origin(submission, &d.events) => Ok(Decided {
                    duplicate: true,
                    ..d.clone()
                }),
                _ => Err(DomainError::CommandIdReused(id).into()),
            });
        }
        let first = tx.find_command(id).await?;
        if let Some(last) = first.last() {
            let position = last.position;
            return Ok(if same_origin(submission, &first) {
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
        }
    }
    let events = match decide(state, &submission.command, &submission.principal) {
        Ok(events) => events,
        Err(rejection) => return Ok(Err(rejection.into())),
    };
    let prepared = prepare_events(submission, events.clone())?;
    let stored = tx.stage(prepared).await?;
    for (stored, (_, event)) in stored.iter().zip(events) {
        let recorded = RecordedEvent {
            position: stored.position,
            stream_id: stored.stream_id.clone(),
            stream_version: stored.stream_version,
            recorded_at: stored.recorded_at.clone(),
            metadata: metadata_of(submission),
            event,
        };
        undos.push(state.apply_undoable(&recorded));
    }
    if let Some(id) = submission.command_id {
        in_batch.insert(id, results.len());
    }
    let position = stored.last().map_or(state.position(), |e| e.position);
    Ok(Ok(Decided {
        designation_id: submission.command.designation_id(),
        events: stored,
        position,
        duplicate: false,
    }))
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
