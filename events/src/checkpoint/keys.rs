//! Ed25519 signer and verifier keys in the text encodings of Go's `sumdb/note` package.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::{CheckpointError, is_valid_name};

/// The signed-note signature type byte of Ed25519.
pub(crate) const ALG_ED25519: u8 = 0x01;

const SIGNER_PREFIX: &str = "PRIVATE+KEY+";

fn malformed(reason: &'static str) -> CheckpointError {
    CheckpointError::MalformedKey(reason)
}

/// The signed-note key ID of an Ed25519 key: the first four bytes, big-endian, of
/// SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
pub fn key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(public_key);
    let digest = h.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// Split `<name>+<8 hex>+<base64>` and decode the key bytes after the algorithm byte.
fn split_key(text: &str) -> Result<(&str, u32, [u8; 32]), CheckpointError> {
    // The name holds no '+', the ID is hex; the base64 part may contain '+'.
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(id_hex), Some(key64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed("expected <name>+<key ID>+<key>"));
    };
    if !is_valid_name(name) {
        return Err(CheckpointError::InvalidName(name.to_owned()));
    }
    if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed("the key ID must be 8 hexadecimal digits"));
    }
    let id = u32::from_str_radix(id_hex, 16).map_err(|_| malformed("bad key ID"))?;
    let data = STANDARD
        .decode(key64)
        .map_err(|_| malformed("the key is not canonical standard base64"))?;
    let (&alg, key) = data.split_first().ok_or(malformed("empty key"))?;
    if alg != ALG_ED25519 {
        return Err(malformed("not an Ed25519 key (algorithm byte 0x01)"));
    }
    let key: [u8; 32] = key
        .try_into()
        .map_err(|_| malformed("an Ed25519 key is 32 bytes"))?;
    Ok((name, id, key))
}

/// A verifier (public) key: `<name>+<key ID>+<base64(0x01 ‖ public key)>`.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl VerifierKey {
    /// Parse a verifier key text (surrounding whitespace, e.g. a file's final newline, is
    /// ignored). The key ID must be the one the name and key give.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let (name, id, bytes) = split_key(text.trim())?;
        let key =
            VerifyingKey::from_bytes(&bytes).map_err(|_| malformed("not a valid Ed25519 public key"))?;
        if key_id(name, &bytes) != id {
            return Err(malformed("the key ID does not match the name and key"));
        }
        Ok(VerifierKey {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// The key's name: for the registry, the checkpoint origin.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn id(&self) -> u32 {
        self.id
    }

    pub(crate) fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The key's text form.
    pub fn to_text(&self) -> String {
        let mut data = vec![ALG_ED25519];
        data.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.id, STANDARD.encode(data))
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VerifierKey").field(&self.to_text()).finish()
    }
}

/// A signer (private) key: `PRIVATE+KEY+<name>+<key ID>+<base64(0x01 ‖ 32-byte seed)>`.
/// Its `Debug` form shows the name and key ID only.
#[derive(Clone)]
pub struct SignerKey {
    name: String,
    id: u32,
    key: SigningKey,
}

impl SignerKey {
    /// Parse a signer key text (surrounding whitespace is ignored). The key ID must be the
    /// one the name and the seed's public key give.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let rest = text
            .trim()
            .strip_prefix(SIGNER_PREFIX)
            .ok_or(malformed("a signer key starts with PRIVATE+KEY+"))?;
        let (name, id, seed) = split_key(rest)?;
        let key = SigningKey::from_bytes(&seed);
        if key_id(name, key.verifying_key().as_bytes()) != id {
            return Err(malformed("the key ID does not match the name and key"));
        }
        Ok(SignerKey {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// A key from a 32-byte Ed25519 seed.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, CheckpointError> {
        if !is_valid_name(name) {
            return Err(CheckpointError::InvalidName(name.to_owned()));
        }
        let key = SigningKey::from_bytes(seed);
        Ok(SignerKey {
            name: name.to_owned(),
            id: key_id(name, key.verifying_key().as_bytes()),
            key,
        })
    }

    /// The key's name: for the registry, the checkpoint origin.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The matching verifier key.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// The secret text form, to be written to the key file.
    pub fn to_text(&self) -> String {
        let mut data = vec![ALG_ED25519];
        data.extend_from_slice(self.key.as_bytes());
        format!(
            "{SIGNER_PREFIX}{}+{:08x}+{}",
            self.name,
            self.id,
            STANDARD.encode(data)
        )
    }

    /// The Ed25519 signature of `message`.
    pub(crate) fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

impl fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignerKey")
            .field("name", &self.name)
            .field("id", &format_args!("{:08x}", self.id))
            .finish_non_exhaustive()
    }
}

/// A new Ed25519 key named `name` (the log's origin) from the operating system's
/// randomness: `(signer key text, verifier key text)`.
pub fn generate_key(name: &str) -> Result<(String, String), CheckpointError> {
    if !is_valid_name(name) {
        return Err(CheckpointError::InvalidName(name.to_owned()));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| CheckpointError::Randomness(e.to_string()))?;
    let signer = SignerKey::from_seed(name, &seed);
    seed.fill(0);
    let signer = signer?;
    Ok((signer.to_text(), signer.verifier().to_text()))
}

/// Parse a signer key text; see [`SignerKey::parse`].
pub fn parse_signer(text: &str) -> Result<SignerKey, CheckpointError> {
    SignerKey::parse(text)
}

/// Parse a verifier key text; see [`VerifierKey::parse`].
pub fn parse_verifier(text: &str) -> Result<VerifierKey, CheckpointError> {
    VerifierKey::parse(text)
}
