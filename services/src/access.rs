//! Access tokens: a secret of 256 random bits, shown once to whoever issues it; the log
//! keeps only its SHA-256 (inside `AccessGranted`), so neither the database nor an export
//! can reveal a usable token. A presented bearer secret is hashed and looked up.

use liangye_events::catalogue::{CityCode, Role, SecretSha256};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::decide::{Command, DomainError, IssueAccess};

/// Every secret starts with this, so a leaked one is recognisable in logs and scanners.
pub const SECRET_PREFIX: &str = "lyt_";

/// A token about to be issued: the command that records it and the secret to show once.
pub struct NewToken {
    pub token_id: Uuid,
    pub command: Command,
    /// `lyt_` and 64 lowercase hex digits (256 bits from the operating system's CSPRNG).
    pub secret: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("token_id", &self.token_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Generate a token for `name` with `role` (and `city` for `CITY`).
pub fn new_token(name: &str, role: Role, city: Option<CityCode>) -> Result<NewToken, DomainError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| DomainError::validation("secret", format!("no randomness available: {e}")))?;
    let secret = format!("{SECRET_PREFIX}{}", hex::encode(bytes));
    let token_id = Uuid::now_v7();
    let command = Command::IssueAccess(IssueAccess {
        token_id,
        name: name.to_owned(),
        role,
        city,
        secret_sha256: secret_sha256(&secret),
    });
    Ok(NewToken {
        token_id,
        command,
        secret,
    })
}

/// The SHA-256 of a presented secret, as `AccessGranted` records it.
pub fn secret_sha256(secret: &str) -> SecretSha256 {
    let digest = Sha256::digest(secret.trim().as_bytes());
    // 64 lowercase hex digits always parse.
    SecretSha256::parse(&hex::encode(digest)).unwrap_or_else(|e| unreachable!("sha-256 hex: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_256_random_bits_and_only_their_hash_is_recorded() {
        let a = new_token("a", Role::Reader, None).unwrap();
        let b = new_token("b", Role::Reader, None).unwrap();
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.secret.len(), SECRET_PREFIX.len() + 64);
        let Command::IssueAccess(issue) = &a.command else {
            panic!("{:?}", a.command)
        };
        assert_eq!(issue.secret_sha256, secret_sha256(&a.secret));
        assert!(!format!("{:?}", a.command).contains(&a.secret[SECRET_PREFIX.len()..]));
        assert!(!format!("{a:?}").contains(&a.secret));
    }
}
