//! The stored-hashes tree against the RFC 6962 definitions (MTH, PATH, SUBPROOF written
//! out directly below), the published Certificate Transparency vectors, and tampering.

use std::collections::HashMap;

use super::*;
use crate::hash::{leaf_hash, node_hash};

const MAX: u64 = 300;

/// RFC 6962 §2.1 written out recursively over a fixed leaf sequence; every tree in these
/// tests is a prefix of it. Results are memoised by range so all sizes up to 300 stay fast;
/// the recursion is still exactly the RFC's.
struct Naive {
    leaves: Vec<Hash>,
    memo: HashMap<(u64, u64), Hash>,
}

impl Naive {
    fn new(leaves: Vec<Hash>) -> Self {
        Naive {
            leaves,
            memo: HashMap::new(),
        }
    }

    /// k: the largest power of two smaller than n.
    fn k(n: u64) -> u64 {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    /// MTH(D[lo:hi]).
    fn mth(&mut self, lo: u64, hi: u64) -> Hash {
        if let Some(h) = self.memo.get(&(lo, hi)) {
            return *h;
        }
        let n = hi - lo;
        let h = match n {
            0 => empty_tree_hash(),
            1 => self.leaves[lo as usize],
            _ => {
                let k = Self::k(n);
                let left = self.mth(lo, lo + k);
                let right = self.mth(lo + k, hi);
                node_hash(&left, &right)
            }
        };
        self.memo.insert((lo, hi), h);
        h
    }

    /// PATH(m, D[lo:hi]).
    fn path(&mut self, m: u64, lo: u64, hi: u64) -> Vec<Hash> {
        let n = hi - lo;
        if n == 1 {
            return vec![];
        }
        let k = Self::k(n);
        if m < k {
            let mut p = self.path(m, lo, lo + k);
            p.push(self.mth(lo + k, hi));
            p
        } else {
            let mut p = self.path(m - k, lo + k, hi);
            p.push(self.mth(lo, lo + k));
            p
        }
    }

    /// SUBPROOF(m, D[lo:hi], b).
    fn subproof(&mut self, m: u64, lo: u64, hi: u64, b: bool) -> Vec<Hash> {
        let n = hi - lo;
        if m == n {
            return if b { vec![] } else { vec![self.mth(lo, hi)] };
        }
        let k = Self::k(n);
        if m <= k {
            let mut p = self.subproof(m, lo, lo + k, b);
            p.push(self.mth(lo + k, hi));
            p
        } else {
            let mut p = self.subproof(m - k, lo + k, hi, false);
            p.push(self.mth(lo, lo + k));
            p
        }
    }

    /// PROOF(m, D[n]).
    fn proof(&mut self, m: u64, n: u64) -> Vec<Hash> {
        self.subproof(m, 0, n, true)
    }
}

fn test_leaves(n: u64) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(format!("event {i}").as_bytes()))
        .collect()
}

fn tree_of(n: u64) -> (MemoryTree, Naive) {
    let leaves = test_leaves(n);
    let tree = MemoryTree::from_leaves(&leaves).unwrap();
    (tree, Naive::new(leaves))
}

fn h(s: &str) -> Hash {
    crate::hash::parse_hex(s).unwrap()
}

fn flip(mut hash: Hash, byte: usize) -> Hash {
    hash[byte % 32] ^= 0x01;
    hash
}

// ── index arithmetic ───────────────────────────────────────────────────────────────────

#[test]
fn stored_hash_index_follows_append_order() {
    // leaf 0; leaf 1, (1,0); leaf 2; leaf 3, (1,1), (2,0); leaf 4; …
    let expected = [
        (0, 0),
        (0, 1),
        (1, 0),
        (0, 2),
        (0, 3),
        (1, 1),
        (2, 0),
        (0, 4),
        (0, 5),
        (1, 2),
        (0, 6),
        (0, 7),
        (1, 3),
        (2, 1),
        (3, 0),
    ];
    for (index, (level, n)) in expected.into_iter().enumerate() {
        assert_eq!(stored_hash_index(level, n), index as u64, "({level}, {n})");
    }
}

#[test]
fn split_inverts_stored_hash_index() {
    for index in 0..5_000u64 {
        let (level, n) = split_stored_hash_index(index);
        assert_eq!(stored_hash_index(level, n), index, "index {index}");
    }
    for (level, n) in [(0, 1u64 << 40), (5, 123_456_789), (30, 7), (0, MAX_TREE_SIZE - 1)] {
        assert_eq!(split_stored_hash_index(stored_hash_index(level, n)), (level, n));
    }
}

#[test]
fn stored_hash_count_matches_the_tree() {
    let mut tree = MemoryTree::new();
    assert_eq!(stored_hash_count(0), 0);
    for (i, leaf) in test_leaves(MAX).into_iter().enumerate() {
        tree.push(leaf).unwrap();
        assert_eq!(stored_hash_count(i as u64 + 1), tree.stored_hashes().len() as u64);
    }
    // The largest tree's indexes still fit an i64 key.
    assert!(stored_hash_count(MAX_TREE_SIZE) <= i64::MAX as u64);
}

#[test]
fn a_memory_tree_stores_what_appends_through_a_reader_store() {
    /// A store read through the generic path.
    struct Store(Vec<Hash>);
    impl HashReader for Store {
        fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MerkleError> {
            Ok(indexes.iter().map(|&i| self.0[i as usize]).collect())
        }
    }
    let mut tree = MemoryTree::with_capacity(MAX);
    let mut store = Store(Vec::new());
    for (n, leaf) in test_leaves(MAX).into_iter().enumerate() {
        let new = stored_hashes_for_append(n as u64, leaf, &store).unwrap();
        store.0.extend(new);
        tree.push(leaf).unwrap();
        assert_eq!(tree.stored_hashes(), store.0.as_slice(), "after leaf {n}");
    }
}

// ── against the RFC definitions ────────────────────────────────────────────────────────

#[test]
fn roots_match_mth_for_every_size_up_to_300() {
    let (tree, mut naive) = tree_of(MAX);
    let mut growing = MemoryTree::new();
    for size in 1..=MAX {
        growing.push(naive.leaves[size as usize - 1]).unwrap();
        let want = naive.mth(0, size);
        assert_eq!(growing.root().unwrap(), want, "growing tree, size {size}");
        assert_eq!(tree.root_at(size).unwrap(), want, "full tree, size {size}");
        assert_eq!(tree_hash(size, &tree).unwrap(), want);
    }
    assert_eq!(growing, tree);
}

#[test]
fn inclusion_proofs_match_path_for_every_leaf_of_every_size_up_to_300() {
    let (tree, mut naive) = tree_of(MAX);
    for size in 1..=MAX {
        let root = naive.mth(0, size);
        for m in 0..size {
            let proof = inclusion_proof(m, size, &tree).unwrap();
            assert_eq!(proof, naive.path(m, 0, size), "PATH({m}, D[{size}])");
            let leaf = naive.leaves[m as usize];
            verify_inclusion(m, size, &leaf, &proof, &root)
                .unwrap_or_else(|e| panic!("leaf {m} of {size}: {e}"));
        }
    }
}

#[test]
fn consistency_proofs_match_proof_for_every_pair_up_to_300() {
    let (tree, mut naive) = tree_of(MAX);
    for to in 1..=MAX {
        let to_root = naive.mth(0, to);
        for from in 1..=to {
            let proof = consistency_proof(from, to, &tree).unwrap();
            let from_root = naive.mth(0, from);
            if from < to {
                assert_eq!(proof, naive.proof(from, to), "PROOF({from}, D[{to}])");
            } else {
                assert!(proof.is_empty());
            }
            verify_consistency(from, to, &from_root, &to_root, &proof)
                .unwrap_or_else(|e| panic!("{from} → {to}: {e}"));
        }
    }
}

#[test]
fn planned_reads_are_strictly_increasing() {
    let increasing = |v: &[u64]| v.windows(2).all(|w| w[0] < w[1]);
    for size in 1..=130u64 {
        assert!(increasing(&tree_hash_indexes(size).unwrap()));
        for m in 0..size {
            assert!(increasing(&inclusion_proof_indexes(m, size).unwrap()));
            assert!(increasing(&consistency_proof_indexes(m + 1, size).unwrap()));
        }
    }
}

#[test]
fn proofs_read_at_most_a_logarithmic_number_of_hashes() {
    for size in [1u64, 2, 3, 7, 8, 9, 255, 256, 257, 1_000_000, MAX_TREE_SIZE - 1] {
        let bound = 2 * (64 - size.leading_zeros() as usize) + 2;
        assert!(tree_hash_indexes(size).unwrap().len() <= bound);
        for m in [0, size / 3, size - 1] {
            assert!(inclusion_proof_indexes(m, size).unwrap().len() <= bound * 2);
            if m > 0 {
                assert!(consistency_proof_indexes(m, size).unwrap().len() <= bound * 2);
            }
        }
    }
}

// ── published vectors ──────────────────────────────────────────────────────────────────

/// The leaves, roots and proofs of the Certificate Transparency reference tree
/// (RFC 6962 test data, as published with the CT and transparency-dev implementations).
fn ct_tree() -> MemoryTree {
    let inputs: [&[u8]; 8] = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ];
    let leaves: Vec<Hash> = inputs.iter().map(|d| leaf_hash(d)).collect();
    MemoryTree::from_leaves(&leaves).unwrap()
}

const CT_ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

#[test]
fn ct_reference_roots() {
    assert_eq!(
        hex::encode(empty_tree_hash()),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    let tree = ct_tree();
    for (i, want) in CT_ROOTS.iter().enumerate() {
        assert_eq!(hex::encode(tree.root_at(i as u64 + 1).unwrap()), *want);
    }
}

#[test]
fn ct_reference_proofs() {
    let tree = ct_tree();
    let inclusion: [(u64, u64, Vec<&str>); 2] = [
        (
            0,
            8,
            vec![
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            vec![
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];
    for (m, n, want) in inclusion {
        let got: Vec<String> = tree
            .inclusion_proof(m, n)
            .unwrap()
            .iter()
            .map(hex::encode)
            .collect();
        assert_eq!(got, want, "inclusion {m} in {n}");
    }
    let consistency: [(u64, u64, Vec<&str>); 4] = [
        (1, 1, vec![]),
        (
            1,
            8,
            vec![
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            vec![
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            vec![
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];
    for (from, to, want) in consistency {
        let proof = tree.consistency_proof(from, to).unwrap();
        let got: Vec<String> = proof.iter().map(hex::encode).collect();
        assert_eq!(got, want, "consistency {from} → {to}");
        verify_consistency(
            from,
            to,
            &h(CT_ROOTS[from as usize - 1]),
            &h(CT_ROOTS[to as usize - 1]),
            &proof,
        )
        .unwrap();
    }
}

// ── appends ────────────────────────────────────────────────────────────────────────────

#[test]
fn batch_appends_equal_single_appends_for_every_split() {
    let leaves = test_leaves(130);
    let full = MemoryTree::from_leaves(&leaves).unwrap();
    // Every (size, batch length) with size + len ≤ 130, for short batches; a few long ones.
    let mut cases: Vec<(u64, u64)> = Vec::new();
    for size in 0..130u64 {
        for len in 1..=(130 - size).min(9) {
            cases.push((size, len));
        }
        cases.push((size, 130 - size));
    }
    for (size, len) in cases {
        let before = MemoryTree::from_leaves(&leaves[..size as usize]).unwrap();
        let batch = &leaves[size as usize..(size + len) as usize];
        // The batch reads only what it says it reads.
        let need = append_read_indexes(size, len).unwrap();
        let fetched: FetchedHashes = need
            .iter()
            .map(|&i| (i, before.stored_hashes()[i as usize]))
            .collect();
        if size > 0 {
            let mut subtrees = tree_hash_indexes(size).unwrap();
            subtrees.sort_unstable();
            assert!(need.iter().all(|i| subtrees.contains(i)), "{size}+{len}");
        }
        let append = append_leaves(size, batch, &fetched).unwrap();
        let after = (size + len) as usize;
        let want_rows =
            &full.stored_hashes()[before.stored_hashes().len()..stored_hash_count(after as u64) as usize];
        assert_eq!(append.first_index, stored_hash_count(size));
        assert_eq!(append.hashes, want_rows, "{size}+{len}");
        assert_eq!(append.size, after as u64);
        assert_eq!(append.root, full.root_at(after as u64).unwrap());
        let rows: Vec<u64> = append.rows().map(|(i, _)| i).collect();
        assert_eq!(rows.first().copied(), Some(append.first_index));
    }
}

#[test]
fn single_append_reads_and_returns_the_right_hashes() {
    let leaves = test_leaves(70);
    let mut tree = MemoryTree::new();
    for (n, leaf) in (0u64..).zip(&leaves) {
        let new = stored_hashes_for_append(n, *leaf, &tree).unwrap();
        assert_eq!(new.len() as u32, 1 + n.trailing_ones());
        assert_eq!(new[0], *leaf);
        tree.push(*leaf).unwrap();
        assert_eq!(
            &tree.stored_hashes()[stored_hash_count(n) as usize..],
            new.as_slice()
        );
    }
}

#[test]
fn an_empty_batch_on_a_tree_gives_its_root() {
    let tree = MemoryTree::from_leaves(&test_leaves(5)).unwrap();
    let append = append_leaves(5, &[], &tree).unwrap();
    assert!(append.hashes.is_empty());
    assert_eq!(append.root, tree.root().unwrap());
    assert!(matches!(
        append_leaves(0, &[], &tree),
        Err(MerkleError::EmptyTree)
    ));
}

// ── bad input ──────────────────────────────────────────────────────────────────────────

#[test]
fn bad_arguments_are_typed_errors() {
    let (tree, _) = tree_of(10);
    assert!(matches!(tree_hash(0, &tree), Err(MerkleError::EmptyTree)));
    assert!(matches!(tree.root_at(0), Err(MerkleError::EmptyTree)));
    assert!(matches!(MemoryTree::new().root(), Err(MerkleError::EmptyTree)));
    assert!(matches!(
        tree.root_at(11),
        Err(MerkleError::BeyondHead { size: 11, head: 10 })
    ));
    assert!(matches!(
        inclusion_proof(10, 10, &tree),
        Err(MerkleError::IndexOutOfRange { index: 10, size: 10 })
    ));
    assert!(matches!(
        inclusion_proof(0, 0, &tree),
        Err(MerkleError::EmptyTree)
    ));
    assert!(matches!(
        consistency_proof(0, 5, &tree),
        Err(MerkleError::EmptyTree)
    ));
    assert!(matches!(
        consistency_proof(6, 5, &tree),
        Err(MerkleError::FromAfterTo { from: 6, to: 5 })
    ));
    assert!(matches!(
        tree.consistency_proof(5, 11),
        Err(MerkleError::BeyondHead { .. })
    ));
    assert!(matches!(
        tree_hash(MAX_TREE_SIZE + 1, &tree),
        Err(MerkleError::TooLarge(_))
    ));
    // Asking a tree store for hashes it does not have.
    assert!(matches!(
        tree_hash(11, &tree),
        Err(MerkleError::MissingHash { .. })
    ));
    assert!(matches!(
        tree_hash(8, &FetchedHashes::default()),
        Err(MerkleError::MissingHash { index: 14 })
    ));
}

#[test]
fn a_short_answer_from_a_reader_is_an_error() {
    struct Short;
    impl HashReader for Short {
        fn read_hashes(&self, _: &[u64]) -> Result<Vec<Hash>, MerkleError> {
            Ok(vec![[0; 32]])
        }
    }
    assert!(matches!(
        tree_hash(7, &Short),
        Err(MerkleError::ShortRead { want: 3, got: 1 })
    ));
}

#[test]
fn verifiers_refuse_bad_arguments() {
    let leaf = [7u8; 32];
    assert!(matches!(
        verify_inclusion(0, 0, &leaf, &[], &leaf),
        Err(MerkleError::EmptyTree)
    ));
    assert!(matches!(
        verify_inclusion(3, 3, &leaf, &[], &leaf),
        Err(MerkleError::IndexOutOfRange { .. })
    ));
    assert!(matches!(
        verify_consistency(0, 3, &leaf, &leaf, &[]),
        Err(MerkleError::EmptyTree)
    ));
    assert!(matches!(
        verify_consistency(4, 3, &leaf, &leaf, &[leaf]),
        Err(MerkleError::FromAfterTo { .. })
    ));
    // A one-leaf tree: its root is its leaf, the proof is empty.
    verify_inclusion(0, 1, &leaf, &[], &leaf).unwrap();
    assert!(verify_inclusion(0, 1, &leaf, &[leaf], &leaf).is_err());
    // Same size: empty proof and equal roots only.
    verify_consistency(3, 3, &leaf, &leaf, &[]).unwrap();
    assert!(verify_consistency(3, 3, &leaf, &[8; 32], &[]).is_err());
    assert!(verify_consistency(3, 3, &leaf, &leaf, &[leaf]).is_err());
    // Different sizes never take an empty proof.
    assert!(verify_consistency(2, 3, &leaf, &leaf, &[]).is_err());
    assert!(verify_inclusion(0, 2, &leaf, &[leaf; 200], &leaf).is_err());
}

// ── tampering ──────────────────────────────────────────────────────────────────────────

#[test]
fn tampered_inclusion_proofs_are_refused() {
    let (tree, mut naive) = tree_of(70);
    for size in 1..=70u64 {
        let root = naive.mth(0, size);
        for m in 0..size {
            let leaf = naive.leaves[m as usize];
            let proof = tree.inclusion_proof(m, size).unwrap();
            let refused = |index: u64, leaf: &Hash, proof: &[Hash], root: &Hash| {
                verify_inclusion(index, size, leaf, proof, root).is_err()
            };
            for i in 0..proof.len() {
                let mut bad = proof.clone();
                bad[i] = flip(bad[i], i);
                assert!(refused(m, &leaf, &bad, &root), "flip {i}, {m} in {size}");
            }
            assert!(refused(m, &flip(leaf, 3), &proof, &root));
            assert!(refused(m, &leaf, &proof, &flip(root, 5)));
            // Another leaf of the tree, or another position for this one (every other
            // position in the smaller trees, a sample in the larger ones).
            for other in 0..size {
                let sampled = size <= 33 || other.abs_diff(m) <= 2 || other % 11 == m % 11;
                if other != m && sampled {
                    assert!(refused(m, &naive.leaves[other as usize], &proof, &root));
                    assert!(refused(other, &leaf, &proof, &root), "{m}→{other} of {size}");
                }
            }
            if !proof.is_empty() {
                assert!(refused(m, &leaf, &proof[..proof.len() - 1], &root));
                let mut reordered = proof.clone();
                reordered.reverse();
                if reordered != proof {
                    assert!(refused(m, &leaf, &reordered, &root));
                }
            }
            let mut longer = proof.clone();
            longer.push(root);
            assert!(refused(m, &leaf, &longer, &root));
            // The root of another size.
            if size > 1 {
                assert!(refused(m, &leaf, &proof, &naive.mth(0, size - 1)));
            }
        }
    }
}

#[test]
fn tampered_consistency_proofs_are_refused() {
    let (tree, mut naive) = tree_of(70);
    for to in 2..=70u64 {
        let to_root = naive.mth(0, to);
        for from in 1..to {
            let from_root = naive.mth(0, from);
            let proof = tree.consistency_proof(from, to).unwrap();
            let refused = |from: u64, to: u64, fr: &Hash, tr: &Hash, p: &[Hash]| {
                verify_consistency(from, to, fr, tr, p).is_err()
            };
            for i in 0..proof.len() {
                let mut bad = proof.clone();
                bad[i] = flip(bad[i], i + 7);
                assert!(refused(from, to, &from_root, &to_root, &bad), "{from}→{to} #{i}");
            }
            assert!(refused(from, to, &flip(from_root, 1), &to_root, &proof));
            assert!(refused(from, to, &from_root, &flip(to_root, 2), &proof));
            assert!(refused(from, to, &from_root, &to_root, &proof[..proof.len() - 1]));
            let mut longer = proof.clone();
            longer.push(to_root);
            assert!(refused(from, to, &from_root, &to_root, &longer));
            // A rewritten history: same sizes, one old leaf changed and every hash
            // recomputed. The new roots are self-consistent but not with the pinned one.
            let mut rewritten = naive.leaves[..to as usize].to_vec();
            rewritten[(from / 2) as usize] = flip(rewritten[(from / 2) as usize], 0);
            let forged = MemoryTree::from_leaves(&rewritten).unwrap();
            let forged_proof = forged.consistency_proof(from, to).unwrap();
            let forged_root = forged.root().unwrap();
            assert!(refused(from, to, &from_root, &forged_root, &forged_proof));
            // And the proof for another pair of sizes does not carry over.
            if from + 1 < to {
                assert!(refused(from + 1, to, &naive.mth(0, from + 1), &to_root, &proof));
            }
        }
    }
}
