//! Proof verification, step by step as RFC 9162 §2.1.3.2 and §2.1.4.2 describe it. These
//! read no storage: an auditor runs them with nothing but the proof and the roots.

use super::MerkleError;
use super::stored::{check_consistency_args, check_inclusion_args};
use crate::hash::{Hash, node_hash};

/// The longest proof a tree of at most 2^62 leaves can have, with room to spare; anything
/// longer is refused before any hashing.
const MAX_PROOF_LEN: usize = 128;

/// Check that `proof` proves the leaf with hash `leaf_hash` at `leaf_index` (position − 1)
/// in the tree of `tree_size` leaves whose root is `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), MerkleError> {
    // 1. leaf_index must be below tree_size.
    check_inclusion_args(leaf_index, tree_size)?;
    if proof.len() > MAX_PROOF_LEN {
        return Err(MerkleError::InvalidProof("inclusion path is too long"));
    }
    // 2. fn = leaf_index, sn = tree_size − 1.
    let mut fnode = leaf_index;
    let mut snode = tree_size - 1;
    // 3. r = hash.
    let mut r = *leaf_hash;
    // 4. For each p in the inclusion path:
    for p in proof {
        // a. sn = 0 means the path is longer than the tree is deep.
        if snode == 0 {
            return Err(MerkleError::InvalidProof(
                "inclusion path is longer than the tree is deep",
            ));
        }
        // b. fn odd, or fn = sn: p is a left sibling.
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            climb_right_edge(&mut fnode, &mut snode);
        } else {
            // c. Otherwise p is a right sibling.
            r = node_hash(&r, p);
        }
        // d. Up one level.
        fnode >>= 1;
        snode >>= 1;
    }
    // 5. sn must be 0 and r the root.
    if snode != 0 {
        return Err(MerkleError::InvalidProof(
            "inclusion path is shorter than the tree is deep",
        ));
    }
    if &r != root {
        return Err(MerkleError::InvalidProof(
            "inclusion path leads to a different root",
        ));
    }
    Ok(())
}

/// Check that `proof` proves the tree of `to` leaves with root `to_root` extends the tree of
/// `from` leaves with root `from_root` (RFC 9162 §2.1.4.2).
///
/// `from` must be at least 1 ([`MerkleError::EmptyTree`] otherwise: nothing is proved about
/// an empty tree) and at most `to`. Equal sizes need an empty proof and equal roots.
pub fn verify_consistency(
    from: u64,
    to: u64,
    from_root: &Hash,
    to_root: &Hash,
    proof: &[Hash],
) -> Result<(), MerkleError> {
    check_consistency_args(from, to)?;
    if from == to {
        if !proof.is_empty() {
            return Err(MerkleError::InvalidProof(
                "a proof between equal sizes must be empty",
            ));
        }
        if from_root != to_root {
            return Err(MerkleError::InvalidProof(
                "different roots for the same tree size",
            ));
        }
        return Ok(());
    }
    // 1. An empty consistency path fails.
    if proof.is_empty() {
        return Err(MerkleError::InvalidProof("consistency path is empty"));
    }
    if proof.len() > MAX_PROOF_LEN {
        return Err(MerkleError::InvalidProof("consistency path is too long"));
    }
    // 2. If `from` is an exact power of 2, prepend from_root to the path.
    let prefix = from.is_power_of_two().then_some(from_root);
    let mut path = prefix.into_iter().chain(proof.iter());
    // 3. fn = from − 1, sn = to − 1.
    let mut fnode = from - 1;
    let mut snode = to - 1;
    // 4. Shift both right while fn is odd.
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    // 5. fr = sr = the first value of the path.
    let first = path
        .next()
        .ok_or(MerkleError::InvalidProof("consistency path is empty"))?;
    let mut fr = *first;
    let mut sr = *first;
    // 6. For each subsequent value c:
    for c in path {
        // a. sn = 0 means the path is too long.
        if snode == 0 {
            return Err(MerkleError::InvalidProof(
                "consistency path is longer than the trees are deep",
            ));
        }
        // b. fn odd, or fn = sn: c is a left sibling on both paths.
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            climb_right_edge(&mut fnode, &mut snode);
        } else {
            // c. Otherwise c is a right sibling, on the new tree's path only.
            sr = node_hash(&sr, c);
        }
        // d. Up one level.
        fnode >>= 1;
        snode >>= 1;
    }
    // 7. fr must be from_root, sr to_root, and sn 0.
    if snode != 0 {
        return Err(MerkleError::InvalidProof(
            "consistency path is shorter than the trees are deep",
        ));
    }
    if &fr != from_root {
        return Err(MerkleError::InvalidProof(
            "consistency path does not lead to the old root",
        ));
    }
    if &sr != to_root {
        return Err(MerkleError::InvalidProof(
            "consistency path does not lead to the new root",
        ));
    }
    Ok(())
}

/// Step b's climb when fn is even (then fn = sn, the right edge): shift both right until
/// fn is odd or 0.
fn climb_right_edge(fnode: &mut u64, snode: &mut u64) {
    while *fnode & 1 == 0 && *fnode != 0 {
        *fnode >>= 1;
        *snode >>= 1;
    }
}
