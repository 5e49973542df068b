//! Stored-hash index arithmetic, appends, tree hashes and proof construction, after the
//! algorithms of Go's `golang.org/x/mod/sumdb/tlog` (`StoredHashIndex`, `StoredHashes`,
//! `TreeHash`, `ProveRecord`, `ProveTree`).
//!
//! Coordinates: `(level, n)` names the hash of the complete subtree over leaves
//! `n·2^level … (n+1)·2^level − 1`; level 0 is the leaf hashes.

use std::collections::HashMap;

use super::{HashReader, MAX_TREE_SIZE, MerkleError};
use crate::hash::{Hash, node_hash};

/// The dense storage index of the hash at `(level, n)`.
///
/// Hashes are numbered in the order appends create them: a leaf's hash, then the hashes of
/// the subtrees that leaf completes, lowest level first. Leaf `n`'s hash is at
/// `n + ⌊n/2⌋ + ⌊n/4⌋ + …`, and the subtree `(level, n)` sits `level` places after the hash
/// of its last leaf, `(n+1)·2^level − 1`.
pub fn stored_hash_index(level: u32, n: u64) -> u64 {
    // The subtree (level, n) is completed by the append of its last leaf, n·2^level +
    // 2^level − 1; its hash is stored `level` places after that leaf's own hash.
    let mut leaf = n;
    for _ in 0..level {
        leaf = 2 * leaf + 1;
    }
    let mut index = 0;
    let mut m = leaf;
    while m > 0 {
        index += m;
        m >>= 1;
    }
    index + u64::from(level)
}

/// The inverse of [`stored_hash_index`]: the `(level, n)` stored at `index`.
pub fn split_stored_hash_index(index: u64) -> (u32, u64) {
    // stored_hash_index(0, n) ≤ 2n, so the leaf whose append stored `index` is at least
    // index/2; walk forward over appends (each stores 1 + trailing_ones(leaf) hashes).
    let mut leaf = index / 2;
    let mut leaf_index = stored_hash_index(0, leaf);
    while leaf_index > index {
        // Never taken for valid arithmetic; kept so the function cannot loop or underflow.
        leaf -= 1;
        leaf_index = stored_hash_index(0, leaf);
    }
    loop {
        let next = leaf_index + 1 + u64::from(leaf.trailing_ones());
        if next > index {
            break;
        }
        leaf += 1;
        leaf_index = next;
    }
    let level = (index - leaf_index) as u32;
    (level, leaf >> level)
}

/// How many hashes are stored for a tree of `size` leaves; also the index the next append
/// writes its first hash at.
pub fn stored_hash_count(size: u64) -> u64 {
    stored_hash_index(0, size)
}

fn check_size(size: u64) -> Result<(), MerkleError> {
    if size > MAX_TREE_SIZE {
        Err(MerkleError::TooLarge(size))
    } else {
        Ok(())
    }
}

/// The largest power of two `≤ n` (`n ≥ 1`) and its exponent.
fn pow2_at_most(n: u64) -> (u64, u32) {
    let level = 63 - n.leading_zeros();
    (1 << level, level)
}

/// The RFC 6962 split point: the largest power of two `< n` (`n ≥ 2`).
fn split(n: u64) -> u64 {
    pow2_at_most(n - 1).0
}

/// Read `indexes` in one call and check the answer's length.
fn read(reader: &(impl HashReader + ?Sized), indexes: &[u64]) -> Result<Vec<Hash>, MerkleError> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = reader.read_hashes(indexes)?;
    if hashes.len() != indexes.len() {
        return Err(MerkleError::ShortRead {
            want: indexes.len(),
            got: hashes.len(),
        });
    }
    Ok(hashes)
}

/// Hashes consumed in the order their indexes were planned.
struct Cursor<'a> {
    hashes: &'a [Hash],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(hashes: &'a [Hash]) -> Self {
        Cursor { hashes, at: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [Hash], MerkleError> {
        let end = self.at + n;
        let slice = self.hashes.get(self.at..end).ok_or(MerkleError::ShortRead {
            want: end,
            got: self.hashes.len(),
        })?;
        self.at = end;
        Ok(slice)
    }
}

/// Append to `need` the indexes of the complete subtrees that make up leaves `[lo, hi)`,
/// largest (leftmost) first. `lo` must be aligned to the first subtree's size, which holds
/// for every range the RFC 6962 recursion produces.
fn sub_tree_indexes(mut lo: u64, hi: u64, need: &mut Vec<u64>) {
    while lo < hi {
        let (k, level) = pow2_at_most(hi - lo);
        debug_assert_eq!(lo % k, 0, "unaligned subtree [{lo}, {hi})");
        need.push(stored_hash_index(level, lo >> level));
        lo += k;
    }
}

/// The hash of leaves `[lo, hi)` from the hashes [`sub_tree_indexes`] planned for it.
fn sub_tree_hash(mut lo: u64, hi: u64, cursor: &mut Cursor<'_>) -> Result<Hash, MerkleError> {
    let mut count = 0;
    while lo < hi {
        lo += pow2_at_most(hi - lo).0;
        count += 1;
    }
    let parts = cursor.take(count)?;
    let (last, rest) = parts.split_last().ok_or(MerkleError::EmptyTree)?;
    Ok(rest.iter().rev().fold(*last, |acc, left| node_hash(left, &acc)))
}

/// The stored hashes [`tree_hash`] reads for a tree of `size` leaves (at most `log₂ n + 1`).
pub fn tree_hash_indexes(size: u64) -> Result<Vec<u64>, MerkleError> {
    check_size(size)?;
    if size == 0 {
        return Err(MerkleError::EmptyTree);
    }
    let mut need = Vec::new();
    sub_tree_indexes(0, size, &mut need);
    Ok(need)
}

/// The RFC 6962 Merkle tree hash (root hash) of the first `size` leaves.
///
/// Size 0 is [`MerkleError::EmptyTree`]; the empty log's head shows
/// [`super::empty_tree_hash`] instead.
pub fn tree_hash(size: u64, reader: &(impl HashReader + ?Sized)) -> Result<Hash, MerkleError> {
    let need = tree_hash_indexes(size)?;
    let hashes = read(reader, &need)?;
    sub_tree_hash(0, size, &mut Cursor::new(&hashes))
}

fn leaf_proof_indexes(lo: u64, hi: u64, n: u64, need: &mut Vec<u64>) {
    if lo + 1 == hi {
        return;
    }
    let k = split(hi - lo);
    if n < lo + k {
        leaf_proof_indexes(lo, lo + k, n, need);
        sub_tree_indexes(lo + k, hi, need);
    } else {
        sub_tree_indexes(lo, lo + k, need);
        leaf_proof_indexes(lo + k, hi, n, need);
    }
}

/// RFC 6962 `PATH(n, D[lo:hi])`, deepest sibling first.
fn leaf_proof(
    lo: u64,
    hi: u64,
    n: u64,
    cursor: &mut Cursor<'_>,
    out: &mut Vec<Hash>,
) -> Result<(), MerkleError> {
    if lo + 1 == hi {
        return Ok(());
    }
    let k = split(hi - lo);
    if n < lo + k {
        leaf_proof(lo, lo + k, n, cursor, out)?;
        out.push(sub_tree_hash(lo + k, hi, cursor)?);
    } else {
        let left = sub_tree_hash(lo, lo + k, cursor)?;
        leaf_proof(lo + k, hi, n, cursor, out)?;
        out.push(left);
    }
    Ok(())
}

/// `TooLarge`, `EmptyTree` or `IndexOutOfRange` unless leaf `leaf_index` can be in a tree of
/// `tree_size` leaves.
pub(super) fn check_inclusion_args(leaf_index: u64, tree_size: u64) -> Result<(), MerkleError> {
    check_size(tree_size)?;
    if tree_size == 0 {
        return Err(MerkleError::EmptyTree);
    }
    if leaf_index >= tree_size {
        return Err(MerkleError::IndexOutOfRange {
            index: leaf_index,
            size: tree_size,
        });
    }
    Ok(())
}

/// The stored hashes [`inclusion_proof`] reads.
pub fn inclusion_proof_indexes(leaf_index: u64, tree_size: u64) -> Result<Vec<u64>, MerkleError> {
    check_inclusion_args(leaf_index, tree_size)?;
    let mut need = Vec::new();
    leaf_proof_indexes(0, tree_size, leaf_index, &mut need);
    Ok(need)
}

/// The RFC 9162 inclusion proof (audit path) of leaf `leaf_index` (position − 1) in the
/// tree of `tree_size` leaves, in RFC 9162 order (the leaf's sibling first).
pub fn inclusion_proof(
    leaf_index: u64,
    tree_size: u64,
    reader: &(impl HashReader + ?Sized),
) -> Result<Vec<Hash>, MerkleError> {
    let need = inclusion_proof_indexes(leaf_index, tree_size)?;
    let hashes = read(reader, &need)?;
    let mut proof = Vec::new();
    leaf_proof(0, tree_size, leaf_index, &mut Cursor::new(&hashes), &mut proof)?;
    Ok(proof)
}

fn tree_proof_indexes(lo: u64, hi: u64, n: u64, need: &mut Vec<u64>) {
    if n == hi {
        if lo != 0 {
            sub_tree_indexes(lo, hi, need);
        }
        return;
    }
    let k = split(hi - lo);
    if n <= lo + k {
        tree_proof_indexes(lo, lo + k, n, need);
        sub_tree_indexes(lo + k, hi, need);
    } else {
        sub_tree_indexes(lo, lo + k, need);
        tree_proof_indexes(lo + k, hi, n, need);
    }
}

/// RFC 6962 `SUBPROOF(n − lo, D[lo:hi], lo == 0)`.
fn tree_proof(
    lo: u64,
    hi: u64,
    n: u64,
    cursor: &mut Cursor<'_>,
    out: &mut Vec<Hash>,
) -> Result<(), MerkleError> {
    if n == hi {
        if lo != 0 {
            out.push(sub_tree_hash(lo, hi, cursor)?);
        }
        return Ok(());
    }
    let k = split(hi - lo);
    if n <= lo + k {
        tree_proof(lo, lo + k, n, cursor, out)?;
        out.push(sub_tree_hash(lo + k, hi, cursor)?);
    } else {
        let left = sub_tree_hash(lo, lo + k, cursor)?;
        tree_proof(lo + k, hi, n, cursor, out)?;
        out.push(left);
    }
    Ok(())
}

/// `TooLarge`, `EmptyTree` or `FromAfterTo` unless `1 ≤ from ≤ to ≤ MAX_TREE_SIZE`.
pub(super) fn check_consistency_args(from: u64, to: u64) -> Result<(), MerkleError> {
    check_size(to)?;
    if from == 0 {
        return Err(MerkleError::EmptyTree);
    }
    if from > to {
        return Err(MerkleError::FromAfterTo { from, to });
    }
    Ok(())
}

/// The stored hashes [`consistency_proof`] reads.
pub fn consistency_proof_indexes(from: u64, to: u64) -> Result<Vec<u64>, MerkleError> {
    check_consistency_args(from, to)?;
    let mut need = Vec::new();
    if from < to {
        tree_proof_indexes(0, to, from, &mut need);
    }
    Ok(need)
}

/// The RFC 9162 consistency proof that the tree of `to` leaves extends the tree of `from`
/// leaves (`1 ≤ from ≤ to`; empty when `from == to`), in RFC 9162 order.
pub fn consistency_proof(
    from: u64,
    to: u64,
    reader: &(impl HashReader + ?Sized),
) -> Result<Vec<Hash>, MerkleError> {
    let need = consistency_proof_indexes(from, to)?;
    let mut proof = Vec::new();
    if from < to {
        let hashes = read(reader, &need)?;
        tree_proof(0, to, from, &mut Cursor::new(&hashes), &mut proof)?;
    }
    Ok(proof)
}

/// The earlier hashes appending leaf `n` combines with: one per trailing 1-bit of `n`,
/// in increasing index order.
fn single_append_indexes(n: u64) -> Vec<u64> {
    let m = n.trailing_ones();
    // (n >> i) is odd for every i < m, so the subtree to its left is (n >> i) − 1.
    (0..m).rev().map(|i| stored_hash_index(i, (n >> i) - 1)).collect()
}

/// The hashes to store when appending leaf `n` (0-based: the event at position `n + 1`)
/// with leaf hash `leaf`, to be written at indexes `stored_hash_count(n) ..` in order:
/// the leaf hash, then one hash per subtree the leaf completes (at most `1 + log₂ n`).
pub fn stored_hashes_for_append(
    n: u64,
    leaf: Hash,
    reader: &(impl HashReader + ?Sized),
) -> Result<Vec<Hash>, MerkleError> {
    check_size(n.saturating_add(1))?;
    let need = single_append_indexes(n);
    let old = read(reader, &need)?;
    let mut out = Vec::with_capacity(1 + old.len());
    let mut h = leaf;
    out.push(h);
    for left in old.iter().rev() {
        h = node_hash(left, &h);
        out.push(h);
    }
    Ok(out)
}

/// [`stored_hashes_for_append`] for a tree whose stored hashes are all in `stored`, by
/// index (`stored_hash_count(n)` of them): the new ones are pushed onto it, nothing else is
/// allocated (a verification pushes a million leaves one by one). On an error `stored` is
/// as it was.
pub(super) fn append_in_place(n: u64, leaf: Hash, stored: &mut Vec<Hash>) -> Result<(), MerkleError> {
    check_size(n.saturating_add(1))?;
    let before = stored.len();
    let mut h = leaf;
    stored.push(h);
    for level in 0..n.trailing_ones() {
        let index = stored_hash_index(level, (n >> level) - 1);
        let Some(left) = usize::try_from(index).ok().and_then(|i| stored.get(i)) else {
            stored.truncate(before);
            return Err(MerkleError::MissingHash { index });
        };
        h = node_hash(left, &h);
        stored.push(h);
    }
    Ok(())
}

/// What appending a batch of leaves adds to the tree store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeAppend {
    /// The storage index of `hashes[0]`; the batch's hashes occupy
    /// `first_index .. first_index + hashes.len()`.
    pub first_index: u64,
    /// The hashes to store, in index order.
    pub hashes: Vec<Hash>,
    /// The tree size after the append.
    pub size: u64,
    /// The root hash at [`Self::size`].
    pub root: Hash,
}

impl TreeAppend {
    /// `(index, hash)` pairs to insert into the tree store.
    pub fn rows(&self) -> impl Iterator<Item = (u64, &Hash)> {
        (self.first_index..).zip(self.hashes.iter())
    }
}

/// The earlier stored hashes (all below `stored_hash_count(size)`) that
/// [`append_leaves`] reads to append `count` leaves to a tree of `size` leaves, in
/// increasing order: at most the `log₂ size + 1` hashes of the current tree's complete
/// subtrees. (Planning walks the `count` new leaves, so `count` should be a real batch.)
pub fn append_read_indexes(size: u64, count: u64) -> Result<Vec<u64>, MerkleError> {
    let new_size = size.checked_add(count).ok_or(MerkleError::TooLarge(u64::MAX))?;
    check_size(new_size)?;
    if new_size == 0 {
        return Err(MerkleError::EmptyTree);
    }
    let base = stored_hash_count(size);
    let mut need: Vec<u64> = Vec::new();
    for n in size..new_size {
        need.extend(single_append_indexes(n).into_iter().filter(|&i| i < base));
    }
    sub_tree_indexes(0, new_size, &mut need);
    need.retain(|&i| i < base);
    need.sort_unstable();
    need.dedup();
    Ok(need)
}

/// Append `leaves` (the leaf hashes of the events at positions `size + 1 …`) to a tree of
/// `size` leaves: the hashes to store and the new root, reading the earlier stored hashes
/// in one call.
pub fn append_leaves(
    size: u64,
    leaves: &[Hash],
    reader: &(impl HashReader + ?Sized),
) -> Result<TreeAppend, MerkleError> {
    let count = leaves.len() as u64;
    let need = append_read_indexes(size, count)?;
    let old: HashMap<u64, Hash> = need.iter().copied().zip(read(reader, &need)?).collect();
    let first_index = stored_hash_count(size);
    let mut hashes: Vec<Hash> = Vec::with_capacity(leaves.len() * 2 + 1);
    let lookup = |hashes: &[Hash], index: u64| -> Result<Hash, MerkleError> {
        if index >= first_index {
            usize::try_from(index - first_index)
                .ok()
                .and_then(|i| hashes.get(i))
                .copied()
                .ok_or(MerkleError::MissingHash { index })
        } else {
            old.get(&index).copied().ok_or(MerkleError::MissingHash { index })
        }
    };
    for (n, leaf) in (size..).zip(leaves) {
        let mut h = *leaf;
        hashes.push(h);
        // Lowest level first: the left neighbour of each subtree this leaf completes.
        for level in 0..n.trailing_ones() {
            let index = stored_hash_index(level, (n >> level) - 1);
            h = node_hash(&lookup(&hashes, index)?, &h);
            hashes.push(h);
        }
    }
    let new_size = size + count;
    let mut root_need = Vec::new();
    sub_tree_indexes(0, new_size, &mut root_need);
    let parts = root_need
        .iter()
        .map(|&i| lookup(&hashes, i))
        .collect::<Result<Vec<_>, _>>()?;
    let root = sub_tree_hash(0, new_size, &mut Cursor::new(&parts))?;
    Ok(TreeAppend {
        first_index,
        hashes,
        size: new_size,
        root,
    })
}
