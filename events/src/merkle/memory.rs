//! In-memory hash readers: a whole tree kept in a `Vec` ([`MemoryTree`]), and hashes
//! fetched ahead of a computation ([`FetchedHashes`]).

use std::collections::HashMap;

use super::stored::{append_in_place, consistency_proof, inclusion_proof, stored_hash_count, tree_hash};
use super::{HashReader, MerkleError};
use crate::hash::Hash;

/// A whole tree's stored hashes in memory, indexed by [`super::stored_hash_index`]: for
/// tests, for recomputing the tree of a log being verified, and for offline tools.
///
/// It holds about two hashes per leaf (64 MiB for a million leaves).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryTree {
    size: u64,
    hashes: Vec<Hash>,
}

impl MemoryTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree over the given leaf hashes, in order.
    pub fn from_leaves<'a>(leaves: impl IntoIterator<Item = &'a Hash>) -> Result<Self, MerkleError> {
        let mut tree = Self::new();
        for leaf in leaves {
            tree.push(*leaf)?;
        }
        Ok(tree)
    }

    /// An empty tree with room for `leaves` leaves' hashes (about two per leaf), so that
    /// it is not copied as it grows.
    pub fn with_capacity(leaves: u64) -> Self {
        let hashes = usize::try_from(stored_hash_count(leaves)).unwrap_or(0);
        Self {
            size: 0,
            hashes: Vec::with_capacity(hashes),
        }
    }

    /// Append one leaf hash.
    pub fn push(&mut self, leaf: Hash) -> Result<(), MerkleError> {
        append_in_place(self.size, leaf, &mut self.hashes)?;
        self.size += 1;
        Ok(())
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Every stored hash, by index: what a tree store should hold for this tree, row by row.
    pub fn stored_hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// The root hash of the whole tree ([`MerkleError::EmptyTree`] when it has no leaf).
    pub fn root(&self) -> Result<Hash, MerkleError> {
        tree_hash(self.size, self)
    }

    /// The root hash of the tree's first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, MerkleError> {
        self.check_within(size)?;
        tree_hash(size, self)
    }

    /// The inclusion proof of `leaf_index` in the tree's first `tree_size` leaves.
    pub fn inclusion_proof(&self, leaf_index: u64, tree_size: u64) -> Result<Vec<Hash>, MerkleError> {
        self.check_within(tree_size)?;
        inclusion_proof(leaf_index, tree_size, self)
    }

    /// The consistency proof from the first `from` leaves to the first `to` leaves.
    pub fn consistency_proof(&self, from: u64, to: u64) -> Result<Vec<Hash>, MerkleError> {
        self.check_within(to)?;
        consistency_proof(from, to, self)
    }

    fn check_within(&self, size: u64) -> Result<(), MerkleError> {
        if size > self.size {
            return Err(MerkleError::BeyondHead {
                size,
                head: self.size,
            });
        }
        Ok(())
    }
}

impl HashReader for MemoryTree {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MerkleError> {
        indexes
            .iter()
            .map(|&index| {
                usize::try_from(index)
                    .ok()
                    .and_then(|i| self.hashes.get(i))
                    .copied()
                    .ok_or(MerkleError::MissingHash { index })
            })
            .collect()
    }
}

/// Stored hashes fetched ahead of a computation, e.g. by one
/// `SELECT idx, hash FROM tree_hashes WHERE idx IN (…)` over the indexes a planning
/// function (`tree_hash_indexes`, `inclusion_proof_indexes`, …) named. Rows may come in
/// any order; an index that was not fetched reads as [`MerkleError::MissingHash`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchedHashes {
    hashes: HashMap<u64, Hash>,
}

impl FetchedHashes {
    /// Collect `(index, hash)` rows.
    pub fn from_rows(rows: impl IntoIterator<Item = (u64, Hash)>) -> Self {
        FetchedHashes {
            hashes: rows.into_iter().collect(),
        }
    }

    /// Add one row.
    pub fn insert(&mut self, index: u64, hash: Hash) {
        self.hashes.insert(index, hash);
    }
}

impl FromIterator<(u64, Hash)> for FetchedHashes {
    fn from_iter<T: IntoIterator<Item = (u64, Hash)>>(iter: T) -> Self {
        Self::from_rows(iter)
    }
}

impl HashReader for FetchedHashes {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MerkleError> {
        indexes
            .iter()
            .map(|&index| {
                self.hashes
                    .get(&index)
                    .copied()
                    .ok_or(MerkleError::MissingHash { index })
            })
            .collect()
    }
}
