//! The RFC 6962 Merkle tree kept beside the log (see [`liangye_events::merkle`]): extended in the
//! same write transaction as the events it covers; roots and proofs at any size read
//! O(log n) stored hashes in one query.

use liangye_events::hash::{Hash, parse_hex};
use liangye_events::merkle::{self, FetchedHashes, MerkleError};

use super::backend::{LogTx, Sql, on_backend, on_tx};
use super::{EventStore, StoreError, WriteTx};
use liangye_events::envelope::StoredEvent;

/// An inclusion proof for the event at `position` in the tree of `tree_size` leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    pub position: i64,
    pub tree_size: i64,
    pub leaf_hash: Hash,
    pub root: Hash,
    /// RFC 9162 order.
    pub hashes: Vec<Hash>,
}

/// A consistency proof between the trees of `from_size` and `to_size` leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProof {
    pub from_size: i64,
    pub to_size: i64,
    pub from_root: Hash,
    pub to_root: Hash,
    /// RFC 9162 order.
    pub hashes: Vec<Hash>,
}

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: i64,
    pub root_hash: String,
    pub note: String,
    pub signed_at: String,
}

impl StoredCheckpoint {
    /// From the row `(size, root_hash, note, signed_at)`.
    pub(super) fn from_row((size, root_hash, note, signed_at): (i64, String, String, String)) -> Self {
        Self {
            size,
            root_hash,
            note,
            signed_at,
        }
    }
}

fn fetched(rows: Vec<(i64, Vec<u8>)>) -> Result<FetchedHashes, StoreError> {
    let mut out = Vec::with_capacity(rows.len());
    for (idx, bytes) in rows {
        let hash: Hash = bytes.as_slice().try_into().map_err(|_| StoreError::Corrupt {
            position: 0,
            reason: format!("tree hash {idx} is not 32 bytes"),
        })?;
        out.push((idx as u64, hash));
    }
    Ok(FetchedHashes::from_rows(out))
}

impl WriteTx {
    /// Add the leaves of `events` (which continue the log) to the tree, in this transaction.
    pub(super) async fn extend_tree(&mut self, events: &[StoredEvent]) -> Result<(), StoreError> {
        let Some(first) = events.first() else {
            return Ok(());
        };
        let size = (first.position - 1) as u64;
        let mut leaves = Vec::with_capacity(events.len());
        for ev in events {
            leaves.push(parse_hex(&ev.leaf_hash).ok_or_else(|| StoreError::Corrupt {
                position: ev.position,
                reason: "leaf hash is not 64 lowercase hex digits".into(),
            })?);
        }
        let need = merkle::append_read_indexes(size, leaves.len() as u64)?;
        let rows = on_tx!(&mut self.tx, |t| t.fetch_hashes(&need).await?);
        let append = merkle::append_leaves(size, &leaves, &fetched(rows)?)?;
        let rows: Vec<(i64, Hash)> = append.rows().map(|(i, h)| (i as i64, *h)).collect();
        on_tx!(&mut self.tx, |t| t.insert_hashes(&rows).await)
    }
}

impl EventStore {
    async fn fetch_hashes(&self, indexes: &[u64]) -> Result<FetchedHashes, StoreError> {
        let rows = on_backend!(self, |b| b.fetch_hashes(indexes).await?);
        fetched(rows)
    }

    /// A size of the tree: 1 ≤ size ≤ head.
    async fn check_size(&self, size: i64) -> Result<u64, StoreError> {
        let head = self.head().await?.position;
        if size < 1 {
            return Err(MerkleError::EmptyTree.into());
        }
        if size > head {
            return Err(MerkleError::BeyondHead {
                size: size as u64,
                head: head as u64,
            }
            .into());
        }
        Ok(size as u64)
    }

    /// A size of the tree as a proof asks for it: the one given, or the head when none is.
    async fn size_or_head(&self, size: Option<i64>) -> Result<u64, StoreError> {
        let size = match size {
            Some(s) => s,
            None => self.head().await?.position,
        };
        self.check_size(size).await
    }

    /// The root of the tree over the first `size` events (1 ≤ size ≤ head).
    pub async fn tree_root(&self, size: i64) -> Result<Hash, StoreError> {
        let size = self.check_size(size).await?;
        let hashes = self.fetch_hashes(&merkle::tree_hash_indexes(size)?).await?;
        Ok(merkle::tree_hash(size, &hashes)?)
    }

    /// The root at the head, or `None` for an empty log.
    pub async fn head_root(&self) -> Result<Option<(i64, Hash)>, StoreError> {
        let head = self.head().await?.position;
        if head == 0 {
            return Ok(None);
        }
        Ok(Some((head, self.tree_root(head).await?)))
    }

    /// Proof that the event at `position` is in the tree of `tree_size` (default: the head).
    pub async fn inclusion_proof(
        &self,
        position: i64,
        tree_size: Option<i64>,
    ) -> Result<InclusionProof, StoreError> {
        let size = self.size_or_head(tree_size).await?;
        if position < 1 || position as u64 > size {
            return Err(MerkleError::PositionOutOfRange { position, size }.into());
        }
        let index = (position - 1) as u64;
        let proof_hashes = self
            .fetch_hashes(&merkle::inclusion_proof_indexes(index, size)?)
            .await?;
        let hashes = merkle::inclusion_proof(index, size, &proof_hashes)?;
        let root = self.tree_root(size as i64).await?;
        let event = self.read_from(position - 1, 1).await?;
        let leaf_hash = event
            .first()
            .and_then(|e| parse_hex(&e.leaf_hash))
            .ok_or(StoreError::Corrupt {
                position,
                reason: "event or its leaf hash is missing".into(),
            })?;
        Ok(InclusionProof {
            position,
            tree_size: size as i64,
            leaf_hash,
            root,
            hashes,
        })
    }

    /// Proof that the tree of `from_size` is a prefix of the tree of `to_size` (default: head).
    pub async fn consistency_proof(
        &self,
        from_size: i64,
        to_size: Option<i64>,
    ) -> Result<ConsistencyProof, StoreError> {
        let to = self.size_or_head(to_size).await?;
        let from = self.check_size(from_size).await?;
        if from > to {
            return Err(MerkleError::FromAfterTo { from, to }.into());
        }
        let proof_hashes = self
            .fetch_hashes(&merkle::consistency_proof_indexes(from, to)?)
            .await?;
        let hashes = merkle::consistency_proof(from, to, &proof_hashes)?;
        Ok(ConsistencyProof {
            from_size: from as i64,
            to_size: to as i64,
            from_root: self.tree_root(from as i64).await?,
            to_root: self.tree_root(to as i64).await?,
            hashes,
        })
    }

    /// Stored tree hashes from storage index `from` on, in index order (for `verify`).
    pub async fn tree_hashes_from(&self, from: u64, limit: i64) -> Result<Vec<(u64, Hash)>, StoreError> {
        let rows = on_backend!(self, |b| b.tree_hashes_from(from, limit).await?);
        rows.into_iter()
            .map(|(idx, bytes)| {
                let hash: Hash = bytes.as_slice().try_into().map_err(|_| StoreError::Corrupt {
                    position: 0,
                    reason: format!("tree hash {idx} is not 32 bytes"),
                })?;
                Ok((idx as u64, hash))
            })
            .collect()
    }

    /// The newest signed checkpoint, if any.
    pub async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        on_backend!(self, |b| b.latest_checkpoint().await)
    }

    /// Keep a signed checkpoint (a repeat of the same size is ignored).
    pub async fn save_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<(), StoreError> {
        on_backend!(self, |b| b.save_checkpoint(checkpoint).await)
    }
}
