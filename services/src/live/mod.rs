//! The live registry (DESIGN.md §2, read path): a [`Registry`] that follows the log, the same
//! on every node, and answers GraphQL's reads — now or as of any earlier moment.
//!
//! **Following.** [`Live::start`] loads the latest snapshot, replays the tail after it, then
//! hands over to a follower task that wakes on the store's head watch (on PostgreSQL that
//! watch follows every process's commits through `LISTEN/NOTIFY`), on a nudge from
//! [`Live::wait_for`], or on a slow poll (another process appending to the same SQLite file
//! sends no wake-up), and reads the log by position from where it stands. Every node reads
//! the same log in the same order, so every node holds the same registry.
//!
//! **Readers never wait long.** The registry sits behind a `RwLock`. The follower reads and
//! decodes a page of events without holding it, then takes the write lock only to fold the
//! decoded page (at most [`LiveConfig::page`] events: well under a millisecond). Readers take
//! the read lock for the length of one query — a page of designations, a lookup, statistics
//! from the kept tally — and get owned answers, so no lock is ever held across an `await`.
//! (Publishing a fresh `Arc<Registry>` per page would mean cloning the whole registry per
//! page; persistent maps would slow the fold every rebuild goes through.)
//!
//! **Your own writes.** The engine answers a command with the position of its last event;
//! [`Live::wait_for`] returns once the registry has folded it, so a mutation's answer shows
//! its own decision.
//!
//! **As of.** [`Live::resolve`] turns an [`AsOf`] into a [`Moment`] (or a clear
//! `VALIDATION_FAILED` error) and waits until the registry has folded it. Designations,
//! statistics and tokens as of that moment then come from the registry in memory (every
//! fact carries the position it became true at: no replay, no database); a unit's history
//! folds its own stream up to the moment. Standalone replay ([`replay_registry_json`], the
//! `liangye replay` command, `verify`) folds the tail after the nearest snapshot instead.
//!
//! **Snapshots.** The follower saves one every [`LiveConfig::snapshot_every`] events, at
//! positions that are multiples of it, so that nodes agree on where they lie (a node that
//! finds one already stored skips it).

mod as_of;
mod json;
mod replay;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use crate::{EventStore, StoreError};
use liangye_events::catalogue::{SecretSha256, Year, unit_stream};
use liangye_projections::DecisionState;
use liangye_projections::access::{AccessDenied, TokenView};
use liangye_projections::applications::{Application, ApplicationFilter};
use liangye_projections::decision_state::YearRecord;
use liangye_projections::registry::{
    Designation, DesignationFilter, Page, PageError, PageRequest, UnitCode, UnitCodeError,
};
use liangye_projections::{History, Registry, Statistics};
use tokio::sync::{Notify, watch};
use uuid::Uuid;

pub use as_of::{AsOf, AsOfError, Moment, resolve};
pub use json::{registry_json, replay_registry_json};
pub use replay::{
    REPLAY_PAGE, decode_canonical, decode_page, load_snapshot, read_page, rebuild, registry_at, replay_range,
    save_snapshot,
};

use crate::decide::{DomainError, Principal};

/// How the live registry follows the log.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// Save a snapshot whenever the position reaches a multiple of this; `None`: never.
    pub snapshot_every: Option<i64>,
    /// Events folded per hold of the write lock, at most.
    pub page: i64,
    /// How often to look at the log when no wake-up came.
    pub poll_every: Duration,
    /// How long [`Live::wait_for`] waits before giving up.
    pub wait_timeout: Duration,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self {
            snapshot_every: Some(100_000),
            page: 1000,
            poll_every: Duration::from_millis(500),
            wait_timeout: Duration::from_secs(30),
        }
    }
}

/// A page of `designations` as the live registry handed it out.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignationsPage {
    pub page: Page,
    /// How many designations match the filter in all.
    pub total: usize,
    /// The log position the page was read at.
    pub position: i64,
}

/// A page of `applications` as the live registry handed it out: each application with its
/// unit as of the same moment.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationsPage {
    pub items: Vec<(Application, Designation)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    /// How many applications match the filter in all.
    pub total: usize,
    /// The log position the page was read at.
    pub position: i64,
}

/// Why the live registry could not answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LiveError {
    #[error(transparent)]
    AsOf(#[from] AsOfError),
    #[error(transparent)]
    Code(#[from] UnitCodeError),
    #[error(transparent)]
    Page(#[from] PageError),
    /// The store failed; the message is for logs, not for clients.
    #[error("storage failed: {0}")]
    Storage(String),
    /// A stored event cannot be decoded: the log needs an auditor's attention.
    #[error("event at position {position} cannot be decoded: {message}")]
    Decode { position: i64, message: String },
    #[error("snapshot: {0}")]
    Snapshot(String),
    #[error(
        "the registry has not reached position {position} within {waited:?} (it is at \
         {reached}){}",
        .last_error.as_ref().map(|e| format!("; last error: {e}")).unwrap_or_default()
    )]
    Lagging {
        position: i64,
        reached: i64,
        waited: Duration,
        last_error: Option<String>,
    },
    #[error("the live registry has stopped")]
    Stopped,
}

impl From<StoreError> for LiveError {
    fn from(e: StoreError) -> Self {
        LiveError::Storage(e.to_string())
    }
}

/// How far the follower has come.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Progress {
    position: i64,
    /// The last failure, until the next page folds.
    error: Option<String>,
}

struct Shared {
    store: EventStore,
    registry: RwLock<Registry>,
    progress: watch::Sender<Progress>,
    nudge: Notify,
    config: LiveConfig,
}

/// Stops the follower when the last [`Live`] handle goes.
struct FollowerGuard(tokio::task::AbortHandle);

impl Drop for FollowerGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The live registry. Cheap to clone; the follower stops when every clone is dropped.
#[derive(Clone)]
pub struct Live {
    shared: Arc<Shared>,
    _follower: Arc<FollowerGuard>,
}

impl Live {
    /// Loads the latest snapshot, replays the log after it (saving a snapshot at the last
    /// multiple of [`LiveConfig::snapshot_every`] on the way, if missing), and starts
    /// following.
    pub async fn start(store: EventStore, config: LiveConfig) -> Result<Self, LiveError> {
        let head = store.head().await?.position;
        let mut registry = load_snapshot(&store, head).await?.unwrap_or_default();
        tracing::info!(
            snapshot = registry.position(),
            head,
            "live registry: replaying the tail"
        );
        // Replay to the last snapshot position due at or before the head (saving one there
        // if it is missing), then the rest; intermediate multiples are not worth a snapshot.
        let due = config
            .snapshot_every
            .filter(|every| *every > 0)
            .map(|every| head / every * every)
            .filter(|due| *due > registry.position());
        if let Some(due) = due {
            replay_range(&store, registry.position(), Some(due), |page| {
                registry.apply_all(page)
            })
            .await?;
            if registry.position() == due
                && let Err(e) = save_snapshot(&store, &registry).await
            {
                tracing::warn!(position = due, error = %e, "snapshot not saved");
            }
        }
        replay_range(&store, registry.position(), None, |page| registry.apply_all(page)).await?;
        registry.shrink_to_fit();
        let (progress, _) = watch::channel(Progress {
            position: registry.position(),
            error: None,
        });
        let shared = Arc::new(Shared {
            store,
            registry: RwLock::new(registry),
            progress,
            nudge: Notify::new(),
            config,
        });
        let follower = tokio::spawn(follow(shared.clone())).abort_handle();
        Ok(Self {
            shared,
            _follower: Arc::new(FollowerGuard(follower)),
        })
    }

    /// The store the registry follows.
    pub fn store(&self) -> &EventStore {
        &self.shared.store
    }

    /// The position of the last event folded.
    pub fn position(&self) -> i64 {
        self.shared.progress.borrow().position
    }

    /// Waits until the registry has folded the event at `position` (e.g. the position the
    /// engine answered a command with), so that what is read next reflects it.
    pub async fn wait_for(&self, position: i64) -> Result<(), LiveError> {
        let mut progress = self.shared.progress.subscribe();
        let waited = self.shared.config.wait_timeout;
        let wait = async {
            loop {
                if progress.borrow_and_update().position >= position {
                    return Ok(());
                }
                self.shared.nudge.notify_one();
                if progress.changed().await.is_err() {
                    return Err(LiveError::Stopped);
                }
            }
        };
        match tokio::time::timeout(waited, wait).await {
            Ok(result) => result,
            Err(_) => {
                let now = self.shared.progress.borrow().clone();
                Err(LiveError::Lagging {
                    position,
                    reached: now.position,
                    waited,
                    last_error: now.error,
                })
            }
        }
    }

    /// Resolves an as-of moment against the log and waits until the registry has folded
    /// it. Pass the moment's position as `at` to the readers below.
    pub async fn resolve(&self, as_of: AsOf) -> Result<Moment, LiveError> {
        let moment = resolve(&self.shared.store, as_of).await?;
        self.wait_for(moment.position).await?;
        Ok(moment)
    }

    /// A copy of the whole registry as it stands (for checks that compare it with a
    /// replay; answering queries goes through the methods that hand out owned pages).
    pub fn registry(&self) -> Registry {
        self.read(Registry::clone)
    }

    /// A copy of the decision state as it stands, for the engine to start from
    /// ([`crate::Engine::start_from`]). Cheap: the copy shares the units.
    pub fn decision_state(&self) -> DecisionState {
        self.read(|registry| registry.decision_state().clone())
    }

    /// Runs `read` on the registry as it stands, under the read lock. Keep it short and
    /// return owned data: the follower waits for it to fold the next page.
    fn read<R>(&self, read: impl FnOnce(&Registry) -> R) -> R {
        let registry = self
            .shared
            .registry
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        read(&registry)
    }

    /// GraphQL `designations(filter, first, after, asOf)`: a page in unit-id order, now
    /// (`at` = `None`) or as of a resolved moment's position, with the total count and the
    /// position it was read at — all under one brief read lock, handed out owned.
    pub fn designations(
        &self,
        filter: &DesignationFilter,
        page: PageRequest,
        at: Option<i64>,
    ) -> DesignationsPage {
        self.read(|r| DesignationsPage {
            page: r.designations(filter, page, at),
            total: r.count(filter, at),
            position: at.unwrap_or(r.position()),
        })
    }

    /// GraphQL `designation(id, asOf)`.
    pub fn designation(&self, id: Uuid, at: Option<i64>) -> Option<Designation> {
        self.read(|r| r.designation(id, at))
    }

    /// GraphQL `designationByCode(code, asOf)`: a credit code, a county's division code or
    /// a zone code. A code of no such shape is `VALIDATION_FAILED`.
    pub fn designation_by_code(&self, code: &str, at: Option<i64>) -> Result<Option<Designation>, LiveError> {
        let code = UnitCode::parse(code)?;
        Ok(self.read(|r| r.designation_by_code(&code, at)))
    }

    /// GraphQL `statistics(asOf)`.
    pub fn statistics(&self, at: Option<i64>) -> Statistics {
        self.read(|r| r.statistics(at))
    }

    /// GraphQL `applications(filter, first, after, asOf)`: a page in (year, unit id) order,
    /// each with its unit as of the same moment, the total count and the position it was
    /// read at — under one brief read lock, handed out owned.
    pub fn applications(
        &self,
        filter: &ApplicationFilter,
        first: usize,
        after: Option<(Year, Uuid)>,
        at: Option<i64>,
    ) -> ApplicationsPage {
        self.read(|r| {
            let page = r.applications(filter, first, after, at);
            let items = page
                .items
                .into_iter()
                .filter_map(|application| {
                    let designation = r.designation(application.unit_id, at)?;
                    Some((application, designation))
                })
                .collect();
            ApplicationsPage {
                items,
                has_next_page: page.has_next_page,
                has_previous_page: page.has_previous_page,
                total: page.total,
                position: at.unwrap_or(r.position()),
            }
        })
    }

    /// Every year with an application (as of `at`), and what each year's record holds
    /// now (quota and awards made), for the years given.
    pub fn application_years(&self, at: Option<i64>) -> Vec<Year> {
        self.read(|r| r.application_years(at))
    }

    /// A year's record as it stands: its quota and the awards made.
    pub fn year_record(&self, year: Year) -> YearRecord {
        self.read(|r| r.decision_state().year(year))
    }

    /// Every token issued (as of `at`), with what it could do then; never secrets.
    pub fn tokens(&self, at: Option<i64>) -> Vec<TokenView> {
        self.read(|r| r.tokens(at))
    }

    /// The principal a bearer secret's SHA-256 stands for, now: `UNAUTHENTICATED` when no
    /// active token has it.
    pub fn authenticate(&self, secret_sha256: &SecretSha256) -> Result<Principal, DomainError> {
        let token = self
            .read(|r| r.authenticate(secret_sha256, None))
            .map_err(|e| DomainError::Unauthenticated(e.to_string()))?;
        Ok(Principal {
            token_id: Some(token.id),
            name: token.name,
            role: token.role,
            city: token.city,
        })
    }

    /// Which token a secret's SHA-256 was, and what it could do, as of `at`.
    pub fn authenticate_at(
        &self,
        secret_sha256: &SecretSha256,
        at: Option<i64>,
    ) -> Result<TokenView, AccessDenied> {
        self.read(|r| r.authenticate(secret_sha256, at))
    }

    /// `Designation.history`: every event of the unit's stream (up to `at`), folded from the
    /// stream on demand. `None` when the unit is unknown (or not yet listed at `at`).
    pub async fn history(&self, id: Uuid, at: Option<i64>) -> Result<Option<History>, LiveError> {
        Ok(self.histories(&[id], at).await?.remove(&id))
    }

    /// The histories of several units (a page of them) from one read of the log; a unit
    /// with no history (unknown, or not yet listed at `at`) is absent.
    pub async fn histories(
        &self,
        ids: &[Uuid],
        at: Option<i64>,
    ) -> Result<HashMap<Uuid, History>, LiveError> {
        let streams: Vec<String> = ids.iter().map(|id| unit_stream(*id)).collect();
        let events = decode_page(&self.shared.store.read_streams(&streams).await?)?;
        let mut by_stream: HashMap<&str, Vec<&liangye_events::catalogue::RecordedEvent>> =
            HashMap::with_capacity(ids.len());
        for event in &events {
            by_stream.entry(event.stream_id.as_str()).or_default().push(event);
        }
        let mut out = HashMap::with_capacity(ids.len());
        for (id, stream) in ids.iter().zip(&streams) {
            let Some(events) = by_stream.remove(stream.as_str()) else {
                continue;
            };
            let history = History::fold(*id, events, at);
            if !history.is_empty() {
                out.insert(*id, history);
            }
        }
        Ok(out)
    }
}

/// Writes the registry's snapshot chunk by chunk, serializing each on a blocking thread
/// under the read lock. `expected`: the position the registry must be at (the follower's
/// own call); `None` takes the position of the first chunk and refuses if it moves.
async fn save_chunks(shared: &Arc<Shared>, expected: Option<i64>) -> Result<bool, LiveError> {
    let format = liangye_projections::registry::SNAPSHOT_FORMAT;
    let mut position = expected;
    let mut after = None;
    let mut chunk = 0usize;
    let mut wrote = false;
    loop {
        let reader = shared.clone();
        let (at, chunks, text, last) = tokio::task::spawn_blocking(move || {
            let registry = reader.registry.read().unwrap_or_else(PoisonError::into_inner);
            registry
                .snapshot_chunk(chunk, after)
                .map(|(text, last)| (registry.position(), registry.snapshot_chunks(), text, last))
        })
        .await
        .map_err(|e| LiveError::Snapshot(format!("snapshot task failed: {e}")))?
        .map_err(|e| LiveError::Snapshot(e.to_string()))?;
        match position {
            Some(p) if p != at => {
                return Err(LiveError::Snapshot(format!(
                    "the registry moved from position {p} to {at} while the snapshot was written"
                )));
            }
            _ => position = Some(at),
        }
        if at == 0 {
            return Ok(false);
        }
        let number = i32::try_from(chunk).unwrap_or(i32::MAX);
        let total = i32::try_from(chunks).unwrap_or(i32::MAX);
        wrote |= shared
            .store
            .save_snapshot_chunk(format, at, number, total, &text)
            .await?;
        after = last;
        chunk += 1;
        if chunk >= chunks {
            return Ok(wrote);
        }
    }
}

/// The next position a snapshot is due at after `position`.
fn next_snapshot_at(position: i64, every: Option<i64>) -> Option<i64> {
    let every = every.filter(|e| *e > 0)?;
    Some((position / every + 1).saturating_mul(every))
}

/// The follower: fold whatever the log holds beyond the registry, then wait for a wake-up.
async fn follow(shared: Arc<Shared>) {
    let mut head = shared.store.subscribe();
    let mut backoff = shared.config.poll_every;
    loop {
        head.borrow_and_update();
        match follow_page(&shared).await {
            Ok(true) => {
                backoff = shared.config.poll_every;
                continue;
            }
            Ok(false) => {}
            Err(e) => {
                tracing::error!(error = %e, "live registry cannot follow the log; retrying");
                shared.progress.send_modify(|p| p.error = Some(e.to_string()));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
                continue;
            }
        }
        tokio::select! {
            changed = head.changed() => {
                if changed.is_err() {
                    tokio::time::sleep(shared.config.poll_every).await;
                }
            }
            () = shared.nudge.notified() => {}
            () = tokio::time::sleep(shared.config.poll_every) => {}
        }
    }
}

/// Folds the next page of the log, if there is one (true), saving a snapshot when one
/// falls due.
async fn follow_page(shared: &Arc<Shared>) -> Result<bool, LiveError> {
    let position = shared.progress.borrow().position;
    let due = next_snapshot_at(position, shared.config.snapshot_every);
    let limit = due.map_or(shared.config.page, |due| (due - position).min(shared.config.page));
    let events = read_page(&shared.store, position, limit.max(1)).await?;
    let Some(last) = events.last().map(|e| e.position) else {
        return Ok(false);
    };
    {
        let mut registry = shared.registry.write().unwrap_or_else(PoisonError::into_inner);
        registry.apply_all(&events);
    }
    shared.progress.send_replace(Progress {
        position: last,
        error: None,
    });
    if due == Some(last) {
        let format = liangye_projections::registry::SNAPSHOT_FORMAT;
        if !shared.store.has_snapshot(format, last).await? {
            // The follower is the registry's only writer, so it stays at `last` meanwhile.
            if let Err(e) = save_chunks(shared, Some(last)).await {
                tracing::warn!(position = last, error = %e, "snapshot not saved");
            }
        }
    }
    Ok(true)
}
