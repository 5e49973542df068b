//! Signed checkpoints in the C2SP formats: a [tlog-checkpoint] body (origin, tree size,
//! base64 root hash) inside a [signed note] with an Ed25519 signature, and the key texts of
//! Go's `golang.org/x/mod/sumdb/note` package (which the witness tools share):
//!
//! - verifier key: `<name>+<key ID, 8 hex>+<base64(0x01 ‖ 32-byte public key)>`
//! - signer key: `PRIVATE+KEY+<name>+<key ID, 8 hex>+<base64(0x01 ‖ 32-byte seed)>`
//! - key ID: the first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)
//! - signature line: `— <name> <base64(key ID ‖ 64-byte signature)>` (U+2014, space)
//!
//! The registry signs under its origin: the key name *is* the checkpoint's origin, and
//! [`open_note`] refuses a checkpoint whose origin differs from the verifier key's name.
//! A note may carry other signatures too (witness cosignatures); as the signed-note spec
//! requires, those from unknown keys are ignored, and the first signature line with the
//! verifier's name and key ID decides.
//!
//! ```
//! use liangye_events::checkpoint::{generate_key, open_note, parse_signer, parse_verifier,
//!     sign_checkpoint};
//!
//! let (signer_text, verifier_text) = generate_key("registry.example/liangye").unwrap();
//! let signer = parse_signer(&signer_text).unwrap();
//! let note = sign_checkpoint(&signer, 42, [7; 32]).unwrap();
//! let checkpoint = open_note(&note, &parse_verifier(&verifier_text).unwrap()).unwrap();
//! assert_eq!((checkpoint.size, checkpoint.root), (42, [7; 32]));
//! ```
//!
//! [tlog-checkpoint]: https://c2sp.org/tlog-checkpoint
//! [signed note]: https://c2sp.org/signed-note

mod body;
mod keys;
mod note;

#[cfg(test)]
mod tests;

pub use body::Checkpoint;
pub use keys::{SignerKey, VerifierKey, generate_key, key_id, parse_signer, parse_verifier};
pub use note::{open_note, open_signed_note, sign_checkpoint, sign_note};

/// Why a key, a note or a checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// A key name (and so an origin) that the signed-note format cannot carry.
    #[error("invalid key name {0:?}: it must be non-empty, without spaces, '+' or control characters")]
    InvalidName(String),
    /// A signer or verifier key text that does not parse.
    #[error("malformed key: {0}")]
    MalformedKey(&'static str),
    /// Note text that is not a well-formed signed note.
    #[error("malformed signed note: {0}")]
    MalformedNote(&'static str),
    /// The note carries no signature by the verifier's key.
    #[error("the note is not signed by key {name}+{id:08x}")]
    UnknownKey { name: String, id: u32 },
    /// The note's signature by the verifier's key does not verify.
    #[error("the signature by key {name}+{id:08x} does not verify")]
    BadSignature { name: String, id: u32 },
    /// A signed note whose text is not a well-formed tlog-checkpoint body.
    #[error("malformed checkpoint body: {0}")]
    MalformedBody(&'static str),
    /// A verified checkpoint for another log than the key's.
    #[error("the checkpoint's origin {origin:?} is not the key's name {key:?}")]
    OriginMismatch { origin: String, key: String },
    /// The operating system gave no randomness for a new key.
    #[error("no randomness for a new key: {0}")]
    Randomness(String),
}

/// Signed notes of more than this many bytes are refused before parsing.
pub const MAX_NOTE_BYTES: usize = 1 << 20;

/// Notes with more signature lines than this are refused (Go's `note` package's limit).
pub const MAX_SIGNATURES: usize = 100;

/// Whether `name` may be a key name: non-empty, no Unicode space, no `+`, and (as nothing
/// in a note may be) no control character.
pub(crate) fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '+')
}

/// Whether `text` has no ASCII control character other than newline.
pub(crate) fn has_no_controls(text: &str) -> bool {
    !text.bytes().any(|b| b < 0x20 && b != b'\n')
}
