//! RFC 6962 hashing: leaf hash and interior node hash.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// SHA-256(0x00 ‖ leaf bytes): the RFC 6962 leaf hash.
pub fn leaf_hash(canonical: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(canonical);
    h.finalize().into()
}

/// SHA-256(0x01 ‖ left ‖ right): the RFC 6962 interior node hash.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The leaf hash as 64 lowercase hex digits, as stored in `events.leaf_hash`.
pub fn leaf_hash_hex(canonical: &str) -> String {
    hex::encode(leaf_hash(canonical.as_bytes()))
}

/// Parse 64 lowercase hex digits into a hash.
pub fn parse_hex(s: &str) -> Option<Hash> {
    if s.len() != 64 || s.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_leaf_matches_rfc6962_vector() {
        // RFC 6962 test vector: leaf hash of the empty string.
        assert_eq!(
            hex::encode(leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn hex_round_trip() {
        let h = leaf_hash(b"x");
        assert_eq!(parse_hex(&hex::encode(h)), Some(h));
        assert_eq!(parse_hex(&hex::encode(h).to_uppercase()), None);
        assert_eq!(parse_hex("00"), None);
    }
}
