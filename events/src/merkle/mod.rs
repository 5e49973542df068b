//! The RFC 6962 / RFC 9162 Merkle tree over the event log (DESIGN.md §3): leaf `i` is the
//! leaf hash of the event at position `i + 1`, and the tree head of size `n` is the Merkle
//! tree hash over leaves `0 … n−1`.
//!
//! # Storage: the stored-hashes scheme of Go's `sumdb/tlog`
//!
//! Every hash of every *complete* (power-of-two, aligned) subtree is stored once, when the
//! leaf that completes it is appended, at a dense index given by [`stored_hash_index`]:
//! appending leaf `n` stores the leaf hash and one interior hash for every trailing 1-bit of
//! `n` — on average just under two hashes per leaf, always at the contiguous indexes
//! `stored_hash_index(0, n) ..`. Nothing stored ever changes afterwards.
//!
//! Any tree head, inclusion proof or consistency proof of any size up to the current one
//! then needs at most `O(log n)` stored hashes, read in **one** call of a [`HashReader`]
//! (one `SELECT … WHERE idx IN (…)`), plus `O(log n)` hashing.
//!
//! The store keeps a table `tree_hashes(idx INTEGER PRIMARY KEY, hash BLOB)` and, in the
//! same transaction that appends events at positions `n+1 … n+k`, inserts the rows of
//! [`append_leaves`]`(n, leaf_hashes, reader)` — whose [`TreeAppend::root`] is the new
//! head's root hash. For storage behind `async` calls, every operation also has a planning
//! function (`*_indexes`) naming the stored hashes it will read, so the caller can fetch
//! them first and hand them over in a [`FetchedHashes`].
//!
//! Proof hashes are in RFC 9162 order (§2.1.3.1 inclusion path, §2.1.4.1 consistency
//! path), so any RFC 6962 verifier accepts them; [`verify_inclusion`] and
//! [`verify_consistency`] implement RFC 9162 §2.1.3.2 and §2.1.4.2 step by step.
//!
//! # Why this is written here rather than taken from a crate
//!
//! `rs_merkle` is not RFC 6962 (no leaf/node domain separation) and `ct-merkle` keeps the
//! whole tree in memory; neither reads a handful of stored hashes. `tlog_tiles` (a port of
//! Go's `tlog`) does fit the scheme, but its current release brings `sha2` 0.10,
//! `base64` 0.21, `thiserror` 1, `url` and — through `signed_note` — `ed25519-dalek` 2:
//! a second copy of the hash and signature stack for about three hundred lines of index
//! arithmetic. Those lines are written here from the Go algorithms and the RFC, and the
//! tests check them against the RFC's recursive definitions for every size up to 300 and
//! against the published Certificate Transparency test vectors.

mod memory;
mod stored;
mod verify;

#[cfg(test)]
mod tests;

use sha2::{Digest, Sha256};

use crate::hash::Hash;

pub use memory::{FetchedHashes, MemoryTree};
pub use stored::{
    TreeAppend, append_leaves, append_read_indexes, consistency_proof, consistency_proof_indexes,
    inclusion_proof, inclusion_proof_indexes, split_stored_hash_index, stored_hash_count, stored_hash_index,
    stored_hashes_for_append, tree_hash, tree_hash_indexes,
};
pub use verify::{verify_consistency, verify_inclusion};

/// The largest tree this module handles: 2^62 leaves. Every stored-hash index of such a tree
/// is below 2^63, so it fits an SQL `INTEGER`/`BIGINT` (`i64`) key.
pub const MAX_TREE_SIZE: u64 = 1 << 62;

/// The RFC 6962 hash of the empty tree, SHA-256 of the empty string
/// (`e3b0c442…b855`): the root hash to show for a log that holds no event yet.
/// No proof is ever made or accepted against it.
pub fn empty_tree_hash() -> Hash {
    Sha256::digest([]).into()
}

/// Why a tree operation or a proof check failed.
#[derive(Debug, thiserror::Error)]
pub enum MerkleError {
    /// A tree of size 0 was given where a tree with leaves is required.
    #[error("the tree is empty: size 0 has no root to prove against")]
    EmptyTree,
    /// A leaf index at or beyond the tree size; told as the position (index + 1) it
    /// stands for, as users know events.
    #[error("position {} is outside a log of {size} events (positions run from 1 to {size})", index + 1)]
    IndexOutOfRange { index: u64, size: u64 },
    /// A log position below 1 or beyond the tree size.
    #[error("position {position} is outside a log of {size} events (positions run from 1 to {size})")]
    PositionOutOfRange { position: i64, size: u64 },
    /// A consistency proof was asked from a larger tree to a smaller one.
    #[error("cannot prove consistency from size {from} to the smaller size {to}")]
    FromAfterTo { from: u64, to: u64 },
    /// A tree size beyond the current head of the log.
    #[error("tree size {size} is beyond the log head at size {head}")]
    BeyondHead { size: u64, head: u64 },
    /// A tree size beyond [`MAX_TREE_SIZE`].
    #[error("tree size {0} exceeds the supported maximum of 2^62")]
    TooLarge(u64),
    /// A stored hash that should exist is not there (the tree store is incomplete).
    #[error("stored hash {index} is missing")]
    MissingHash { index: u64 },
    /// A [`HashReader`] answered with the wrong number of hashes.
    #[error("hash reader returned {got} hashes for {want} indexes")]
    ShortRead { want: usize, got: usize },
    /// The storage behind a [`HashReader`] failed.
    #[error("reading stored hashes failed: {0}")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A proof that does not verify.
    #[error("proof does not verify: {0}")]
    InvalidProof(&'static str),
}

/// Reads stored hashes by their [`stored_hash_index`].
///
/// One call per tree operation: `indexes` holds every hash the operation needs, in the
/// order the answer must have (increasing for the planning functions of this module, with
/// no duplicates). A missing index is [`MerkleError::MissingHash`]; a storage failure is
/// [`MerkleError::Storage`].
pub trait HashReader {
    /// The hashes stored at `indexes`, in the same order.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MerkleError>;
}

impl<R: HashReader + ?Sized> HashReader for &R {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MerkleError> {
        (**self).read_hashes(indexes)
    }
}
