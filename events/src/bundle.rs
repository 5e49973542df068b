//! The self-contained proof bundle of `liangye prove --position P`: one event's canonical
//! text, its inclusion proof and the signed checkpoint it is proved against, checked
//! offline by [`verify_bundle`] with nothing but the registry's verifier key.
//!
//! ```json
//! {
//!   "canonical": "{\"eventId\":…,\"position\":5,…}",
//!   "position": 5,
//!   "leafHash": "<64 lowercase hex>",
//!   "treeSize": 1000,
//!   "inclusionProof": ["<64 lowercase hex>", …],
//!   "rootHash": "<64 lowercase hex>",
//!   "checkpoint": "<origin>\n1000\n<base64 root>\n\n— <origin> <signature>\n"
//! }
//! ```
//!
//! The proof is against the checkpoint's own tree size, so the bundle proves that the
//! event was in the log whose head the registry signed.

use serde::{Deserialize, Serialize};

use crate::checkpoint::{Checkpoint, CheckpointError, VerifierKey, open_note};
use crate::hash::{Hash, leaf_hash, parse_hex};
use crate::merkle::{MerkleError, verify_inclusion};

/// A proof that the event at `position` is in the log signed by `checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProofBundle {
    /// The event's canonical text, exactly as stored and hashed.
    pub canonical: String,
    /// The event's position (leaf index + 1).
    pub position: u64,
    /// SHA-256(0x00 ‖ canonical), 64 lowercase hex.
    pub leaf_hash: String,
    /// The tree size the proof is for: the checkpoint's size.
    pub tree_size: u64,
    /// The RFC 9162 inclusion path, 64 lowercase hex each, the leaf's sibling first.
    pub inclusion_proof: Vec<String>,
    /// The root hash at `tree_size`, 64 lowercase hex.
    pub root_hash: String,
    /// The signed checkpoint note (C2SP tlog-checkpoint in a signed note).
    pub checkpoint: String,
}

/// Why a proof bundle was refused.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The bundle is not the JSON document described above.
    #[error("malformed proof bundle: {0}")]
    Json(String),
    /// The checkpoint note is malformed, not signed by the key, or not a checkpoint.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// A hash field that is not 64 lowercase hex digits.
    #[error("{0} is not 64 lowercase hex digits")]
    MalformedHash(String),
    /// The proof's tree size or root is not the one the checkpoint signs.
    #[error(
        "the proof is for size {proof_size}, root {proof_root}, but the checkpoint signs \
         size {signed_size}, root {signed_root}"
    )]
    CheckpointMismatch {
        proof_size: u64,
        proof_root: String,
        signed_size: u64,
        signed_root: String,
    },
    /// `leafHash` is not SHA-256(0x00 ‖ canonical).
    #[error("leafHash {stated} is not the hash of the canonical text ({computed})")]
    LeafHashMismatch { stated: String, computed: String },
    /// The canonical text is not a JSON object with an integer `position`.
    #[error("the canonical text has no readable position: {0}")]
    MalformedCanonical(String),
    /// The canonical text's position is not the bundle's.
    #[error("the canonical text is the event at position {canonical}, not {bundle}")]
    PositionMismatch { canonical: u64, bundle: u64 },
    /// A position of 0 or beyond the tree size.
    #[error("position {position} is outside a tree of size {tree_size}")]
    PositionOutsideTree { position: u64, tree_size: u64 },
    /// The inclusion proof does not lead from the leaf to the signed root.
    #[error("inclusion proof: {0}")]
    Inclusion(#[from] MerkleError),
}

impl ProofBundle {
    /// Assemble a bundle; the leaf hash is computed from `canonical`.
    pub fn new(
        canonical: String,
        position: u64,
        tree_size: u64,
        inclusion_proof: &[Hash],
        root: &Hash,
        checkpoint_note: String,
    ) -> Self {
        ProofBundle {
            leaf_hash: hex::encode(leaf_hash(canonical.as_bytes())),
            canonical,
            position,
            tree_size,
            inclusion_proof: inclusion_proof.iter().map(hex::encode).collect(),
            root_hash: hex::encode(root),
            checkpoint: checkpoint_note,
        }
    }

    /// Parse a bundle from its JSON text.
    pub fn from_json(text: &str) -> Result<Self, BundleError> {
        serde_json::from_str(text).map_err(|e| BundleError::Json(e.to_string()))
    }

    /// The bundle as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // A struct of strings, integers and a list of strings always serializes.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn hash_field(value: &str, field: impl FnOnce() -> String) -> Result<Hash, BundleError> {
    parse_hex(value).ok_or_else(|| BundleError::MalformedHash(field()))
}

/// Check a bundle offline under the registry's verifier key and return the checkpoint it is
/// proved against. In order: the checkpoint note is signed by the key and well-formed; the
/// bundle's tree size and root are the checkpoint's; `leafHash` is SHA-256(0x00 ‖
/// canonical); the canonical text's position is the bundle's and inside the tree; and the
/// inclusion proof leads from that leaf (index position − 1) to the signed root.
pub fn verify_bundle(bundle: &ProofBundle, verifier: &VerifierKey) -> Result<Checkpoint, BundleError> {
    let checkpoint = open_note(&bundle.checkpoint, verifier)?;
    let root = hash_field(&bundle.root_hash, || "rootHash".into())?;
    if checkpoint.size != bundle.tree_size || checkpoint.root != root {
        return Err(BundleError::CheckpointMismatch {
            proof_size: bundle.tree_size,
            proof_root: bundle.root_hash.clone(),
            signed_size: checkpoint.size,
            signed_root: hex::encode(checkpoint.root),
        });
    }
    let stated = hash_field(&bundle.leaf_hash, || "leafHash".into())?;
    let computed = leaf_hash(bundle.canonical.as_bytes());
    if stated != computed {
        return Err(BundleError::LeafHashMismatch {
            stated: bundle.leaf_hash.clone(),
            computed: hex::encode(computed),
        });
    }
    let canonical_position = canonical_position(&bundle.canonical)?;
    if canonical_position != bundle.position {
        return Err(BundleError::PositionMismatch {
            canonical: canonical_position,
            bundle: bundle.position,
        });
    }
    if bundle.position == 0 || bundle.position > bundle.tree_size {
        return Err(BundleError::PositionOutsideTree {
            position: bundle.position,
            tree_size: bundle.tree_size,
        });
    }
    let proof = bundle
        .inclusion_proof
        .iter()
        .enumerate()
        .map(|(i, h)| hash_field(h, || format!("inclusionProof[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    verify_inclusion(bundle.position - 1, bundle.tree_size, &computed, &proof, &root)?;
    Ok(checkpoint)
}

/// The `position` member of a canonical event text.
fn canonical_position(canonical: &str) -> Result<u64, BundleError> {
    let value: serde_json::Value =
        serde_json::from_str(canonical).map_err(|e| BundleError::MalformedCanonical(e.to_string()))?;
    value
        .get("position")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| BundleError::MalformedCanonical("no integer \"position\" member".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::{SignerKey, generate_key, parse_signer, parse_verifier, sign_checkpoint};
    use crate::merkle::MemoryTree;

    const ORIGIN: &str = "registry.example/liangye";

    fn keys() -> (SignerKey, VerifierKey) {
        let (s, v) = generate_key(ORIGIN).unwrap();
        (parse_signer(&s).unwrap(), parse_verifier(&v).unwrap())
    }

    fn canonical(position: u64, payload: &str) -> String {
        format!(
            r#"{{"eventId":"0190a000-0000-7000-8000-{position:012}","metadata":{{"actor":"tester","role":"PROVINCIAL"}},"payload":{{"note":"{payload}"}},"position":{position},"recordedAt":"2024-05-06T07:08:09.123456Z","schemaVersion":1,"streamId":"quota-2024","streamVersion":{position},"type":"AnnualQuotaSet"}}"#
        )
    }

    struct Log {
        events: Vec<String>,
        tree: MemoryTree,
    }

    fn log(n: u64) -> Log {
        let events: Vec<String> = (1..=n).map(|p| canonical(p, "quota")).collect();
        let leaves: Vec<Hash> = events.iter().map(|e| leaf_hash(e.as_bytes())).collect();
        Log {
            tree: MemoryTree::from_leaves(&leaves).unwrap(),
            events,
        }
    }

    fn bundle(log: &Log, signer: &SignerKey, position: u64, size: u64) -> ProofBundle {
        let root = log.tree.root_at(size).unwrap();
        let proof = log.tree.inclusion_proof(position - 1, size).unwrap();
        let note = sign_checkpoint(signer, size, root).unwrap();
        ProofBundle::new(
            log.events[position as usize - 1].clone(),
            position,
            size,
            &proof,
            &root,
            note,
        )
    }

    #[test]
    fn every_position_proves_and_survives_json() {
        let (signer, verifier) = keys();
        let log = log(37);
        for size in [1, 2, 5, 16, 37] {
            for position in 1..=size {
                let b = bundle(&log, &signer, position, size);
                let back = ProofBundle::from_json(&b.to_json()).unwrap();
                assert_eq!(back, b);
                let checkpoint = verify_bundle(&back, &verifier).unwrap();
                assert_eq!((checkpoint.size, checkpoint.origin.as_str()), (size, ORIGIN));
            }
        }
    }

    #[test]
    fn the_json_has_the_documented_shape() {
        let (signer, _) = keys();
        let b = bundle(&log(3), &signer, 2, 3);
        let value: serde_json::Value = serde_json::from_str(&b.to_json()).unwrap();
        let mut keys: Vec<&str> = value.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "canonical",
                "checkpoint",
                "inclusionProof",
                "leafHash",
                "position",
                "rootHash",
                "treeSize"
            ]
        );
        let mut extra = value.clone();
        extra["extra"] = serde_json::json!(1);
        assert!(matches!(
            ProofBundle::from_json(&extra.to_string()),
            Err(BundleError::Json(_))
        ));
        assert!(matches!(ProofBundle::from_json("{"), Err(BundleError::Json(_))));
        let mut negative = value;
        negative["position"] = serde_json::json!(-1);
        assert!(ProofBundle::from_json(&negative.to_string()).is_err());
    }

    #[test]
    fn tampering_is_caught() {
        let (signer, verifier) = keys();
        let log = log(20);
        let good = bundle(&log, &signer, 7, 20);
        verify_bundle(&good, &verifier).unwrap();
        let check = |b: &ProofBundle| verify_bundle(b, &verifier);

        // The event's text edited.
        let mut b = good.clone();
        b.canonical = b.canonical.replace("quota", "quotb");
        assert!(matches!(check(&b), Err(BundleError::LeafHashMismatch { .. })));
        // … with its leaf hash recomputed: the proof no longer reaches the root.
        b.leaf_hash = hex::encode(leaf_hash(b.canonical.as_bytes()));
        assert!(matches!(check(&b), Err(BundleError::Inclusion(_))));

        // Another event's text under this position.
        let mut b = good.clone();
        b.canonical = log.events[7].clone();
        b.leaf_hash = hex::encode(leaf_hash(b.canonical.as_bytes()));
        assert!(matches!(check(&b), Err(BundleError::PositionMismatch { .. })));

        // The position changed: alone, and with the text and leaf hash of that position
        // (but the proof of position 7).
        let mut b = good.clone();
        b.position = 8;
        assert!(matches!(check(&b), Err(BundleError::PositionMismatch { .. })));
        b.canonical = log.events[7].clone();
        b.leaf_hash = hex::encode(leaf_hash(b.canonical.as_bytes()));
        assert!(matches!(check(&b), Err(BundleError::Inclusion(_))));

        // A proof hash flipped, dropped, or added.
        for i in 0..good.inclusion_proof.len() {
            let mut b = good.clone();
            let mut h = parse_hex(&b.inclusion_proof[i]).unwrap();
            h[0] ^= 1;
            b.inclusion_proof[i] = hex::encode(h);
            assert!(matches!(check(&b), Err(BundleError::Inclusion(_))));
        }
        let mut b = good.clone();
        b.inclusion_proof.pop();
        assert!(matches!(check(&b), Err(BundleError::Inclusion(_))));
        let mut b = good.clone();
        b.inclusion_proof.push(good.root_hash.clone());
        assert!(matches!(check(&b), Err(BundleError::Inclusion(_))));

        // Root or size that the checkpoint does not sign.
        let mut b = good.clone();
        b.root_hash = hex::encode(log.tree.root_at(19).unwrap());
        assert!(matches!(check(&b), Err(BundleError::CheckpointMismatch { .. })));
        let mut b = good.clone();
        b.tree_size = 19;
        assert!(matches!(check(&b), Err(BundleError::CheckpointMismatch { .. })));
        // A valid proof for size 15 beside the checkpoint of size 20.
        let mut b = bundle(&log, &signer, 7, 15);
        b.checkpoint = good.checkpoint.clone();
        assert!(matches!(check(&b), Err(BundleError::CheckpointMismatch { .. })));

        // The checkpoint edited, or signed by another key.
        let mut b = good.clone();
        b.checkpoint = b.checkpoint.replacen("\n20\n", "\n21\n", 1);
        assert!(matches!(
            check(&b),
            Err(BundleError::Checkpoint(CheckpointError::BadSignature { .. }))
        ));
        let (other, _) = keys();
        let b = bundle(&log, &other, 7, 20);
        assert!(matches!(
            check(&b),
            Err(BundleError::Checkpoint(CheckpointError::UnknownKey { .. }))
        ));

        // A rewritten log (event 3 edited, every hash recomputed) cannot borrow the
        // registry's signature.
        let mut forged_events = log.events.clone();
        forged_events[2] = canonical(3, "forged");
        let leaves: Vec<Hash> = forged_events.iter().map(|e| leaf_hash(e.as_bytes())).collect();
        let forged = Log {
            tree: MemoryTree::from_leaves(&leaves).unwrap(),
            events: forged_events,
        };
        let mut b = bundle(&forged, &other, 3, 20);
        b.checkpoint = good.checkpoint.clone();
        assert!(matches!(check(&b), Err(BundleError::CheckpointMismatch { .. })));

        // Malformed fields.
        let mut b = good.clone();
        b.leaf_hash = b.leaf_hash.to_uppercase();
        assert!(matches!(check(&b), Err(BundleError::MalformedHash(_))));
        let mut b = good.clone();
        b.inclusion_proof[0] = "xyz".into();
        assert!(matches!(check(&b), Err(BundleError::MalformedHash(f)) if f == "inclusionProof[0]"));
        let mut b = good.clone();
        b.canonical = "not json".into();
        b.leaf_hash = hex::encode(leaf_hash(b.canonical.as_bytes()));
        assert!(matches!(check(&b), Err(BundleError::MalformedCanonical(_))));
    }

    #[test]
    fn positions_outside_the_tree_are_refused() {
        let (signer, verifier) = keys();
        let log = log(5);
        let mut b = bundle(&log, &signer, 5, 5);
        // Claim position 6 (then 0) in a tree of 5, with a text that says so.
        for position in [6, 0] {
            b.canonical = canonical(position, "quota");
            b.leaf_hash = hex::encode(leaf_hash(b.canonical.as_bytes()));
            b.position = position;
            assert!(matches!(
                verify_bundle(&b, &verifier),
                Err(BundleError::PositionOutsideTree { .. })
            ));
        }
    }
}
