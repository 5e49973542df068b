//! Signed checkpoints (C2SP tlog-checkpoint in an Ed25519 signed note): signing the head,
//! never a head inconsistent with the last signed checkpoint, and the periodic signer of
//! `serve --signing-key`.

use std::time::Duration;

use crate::{EventStore, StoreError, StoredCheckpoint};
use liangye_events::canonical::{format_timestamp, now_micros};
use liangye_events::checkpoint::{CheckpointError, SignerKey, sign_checkpoint};
use liangye_events::hash::parse_hex;
use liangye_events::merkle::verify_consistency;

/// Why a checkpoint was not signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("the log is empty: there is nothing to sign")]
    EmptyLog,
    #[error(
        "refusing to sign: the log at size {head} does not extend the last signed checkpoint \
         (size {size}): {reason}"
    )]
    Inconsistent { size: i64, head: i64, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
}

/// Sign the current head (or return the latest checkpoint if it already covers the head),
/// after proving that the head extends the last signed checkpoint.
pub async fn sign_head(store: &EventStore, signer: &SignerKey) -> Result<StoredCheckpoint, SignError> {
    let Some((size, root)) = store.head_root().await? else {
        return Err(SignError::EmptyLog);
    };
    if let Some(last) = store.latest_checkpoint().await? {
        let inconsistent = |reason: String| SignError::Inconsistent {
            size: last.size,
            head: size,
            reason,
        };
        if last.size > size {
            return Err(inconsistent("the log is shorter than the checkpoint".into()));
        }
        let last_root =
            parse_hex(&last.root_hash).ok_or_else(|| inconsistent("stored root is not hex".into()))?;
        let proof = store.consistency_proof(last.size, Some(size)).await?;
        verify_consistency(last.size as u64, size as u64, &last_root, &root, &proof.hashes)
            .map_err(|e| inconsistent(e.to_string()))?;
        if last.size == size {
            return Ok(last);
        }
    }
    let note = sign_checkpoint(signer, size as u64, root)?;
    let checkpoint = StoredCheckpoint {
        size,
        root_hash: hex::encode(root),
        note,
        signed_at: format_timestamp(now_micros()),
    };
    store.save_checkpoint(&checkpoint).await?;
    Ok(checkpoint)
}

/// How often `serve --signing-key` signs.
#[derive(Debug, Clone, Copy)]
pub struct SigningPolicy {
    /// Sign once this many events were added since the last checkpoint.
    pub every_events: i64,
    /// Sign at least this often while the log grows.
    pub every: Duration,
}

impl Default for SigningPolicy {
    fn default() -> Self {
        Self {
            every_events: 1000,
            every: Duration::from_secs(60),
        }
    }
}

/// Sign checkpoints in the background as the log grows, per `policy`. Failures are logged
/// (an inconsistent head loudly) and retried at the next turn; the task never signs a head
/// that does not extend the last checkpoint.
pub fn spawn_signer(
    store: EventStore,
    signer: SignerKey,
    policy: SigningPolicy,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut head = store.subscribe();
        let mut signed = match store.latest_checkpoint().await {
            Ok(c) => c.map_or(0, |c| c.size),
            Err(_) => 0,
        };
        let mut tick = tokio::time::interval(policy.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let timed_out = tokio::select! {
                _ = tick.tick() => true,
                changed = head.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    false
                }
            };
            let position = *head.borrow_and_update();
            let due = position > signed && (timed_out || position - signed >= policy.every_events);
            if !due {
                continue;
            }
            match sign_head(&store, &signer).await {
                Ok(c) => {
                    signed = c.size;
                    tracing::info!(size = c.size, root = %c.root_hash, "signed checkpoint");
                }
                Err(e @ SignError::Inconsistent { .. }) => {
                    tracing::error!(error = %e, "checkpoint not signed")
                }
                Err(e) => tracing::warn!(error = %e, "checkpoint not signed; will retry"),
            }
        }
    })
}
