//! The C2SP tlog-checkpoint note text.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{CheckpointError, has_no_controls, is_valid_name};
use crate::hash::Hash;

/// A log's tree head: the text of a checkpoint note.
///
/// ```text
/// <origin>
/// <tree size, decimal, no leading zeroes>
/// <base64 of the 32-byte RFC 6962 root hash>
/// [<extension line>…]
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity; for this registry, also the signing key's name.
    pub origin: String,
    /// The number of leaves (events) in the tree.
    pub size: u64,
    /// The RFC 6962 root hash at `size`.
    pub root: Hash,
    /// Optional, opaque, non-empty extension lines (the registry writes none).
    pub extensions: Vec<String>,
}

fn body(reason: &'static str) -> CheckpointError {
    CheckpointError::MalformedBody(reason)
}

impl Checkpoint {
    /// A checkpoint without extension lines. The origin must be a valid key name, since the
    /// registry signs each checkpoint under its origin.
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        if !is_valid_name(origin) {
            return Err(CheckpointError::InvalidName(origin.to_owned()));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions: Vec::new(),
        })
    }

    /// The note text: origin, size, base64 root and any extension lines, each ending in a
    /// newline.
    pub fn to_body(&self) -> String {
        let mut text = format!("{}\n{}\n{}\n", self.origin, self.size, STANDARD.encode(self.root));
        for line in &self.extensions {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// Parse a note text strictly: at least three non-empty lines, each ending in a newline;
    /// a decimal size without sign or leading zeroes; a canonical padded standard-base64
    /// root of exactly 32 bytes; no control characters.
    pub fn parse_body(text: &str) -> Result<Self, CheckpointError> {
        if !has_no_controls(text) {
            return Err(body("control character in the text"));
        }
        let Some(text) = text.strip_suffix('\n') else {
            return Err(body("the text must end with a newline"));
        };
        let mut lines = text.split('\n');
        let origin = lines.next().unwrap_or_default();
        if origin.is_empty() {
            return Err(body("empty origin line"));
        }
        let size = parse_size(lines.next().ok_or(body("no tree size line"))?)?;
        let root = parse_root(lines.next().ok_or(body("no root hash line"))?)?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(body("empty extension line"));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }
}

fn parse_size(line: &str) -> Result<u64, CheckpointError> {
    if line.is_empty() {
        return Err(body("empty tree size line"));
    }
    if !line.bytes().all(|b| b.is_ascii_digit()) {
        return Err(body("the tree size is not a decimal number"));
    }
    if line.len() > 1 && line.starts_with('0') {
        return Err(body("the tree size has a leading zero"));
    }
    line.parse().map_err(|_| body("the tree size is out of range"))
}

fn parse_root(line: &str) -> Result<Hash, CheckpointError> {
    let bytes = STANDARD
        .decode(line)
        .map_err(|_| body("the root hash is not canonical standard base64"))?;
    Hash::try_from(bytes.as_slice()).map_err(|_| body("the root hash is not 32 bytes"))
}
