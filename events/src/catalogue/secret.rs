//! The SHA-256 of an access token's secret, as recorded in `AccessGranted`.

use std::fmt;

use super::string_form::string_form;

/// Text that is not 64 hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a secret's SHA-256 is 64 hexadecimal digits; got {length} characters")]
pub struct SecretSha256Error {
    pub length: usize,
}

/// A SHA-256 digest of a token secret (never the secret). Serializes as 64 lowercase hex
/// digits; parsing also accepts capitals.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretSha256([u8; 32]);

impl SecretSha256 {
    /// Parses 64 hexadecimal digits.
    pub fn parse(text: &str) -> Result<Self, SecretSha256Error> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).map_err(|_| SecretSha256Error {
            length: text.chars().count(),
        })?;
        Ok(Self(bytes))
    }

    /// Wraps a digest computed by the caller.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The digest.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for SecretSha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for SecretSha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretSha256({self})")
    }
}

string_form!(SecretSha256, deserialize = SecretSha256::parse);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixty_four_hex_digits_serialized_lowercase() {
        let text = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
        let digest = SecretSha256::parse(text).unwrap();
        assert_eq!(
            serde_json::to_string(&digest).unwrap(),
            format!("\"{}\"", text.to_lowercase())
        );
        assert!(SecretSha256::parse(&text[1..]).is_err());
        assert!(SecretSha256::parse(&text.replace('E', "G")).is_err());
        assert!(serde_json::from_str::<SecretSha256>("\"abc\"").is_err());
    }
}
