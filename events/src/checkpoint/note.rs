//! Signing and opening C2SP signed notes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::Signature;

use super::keys::{SignerKey, VerifierKey};
use super::{Checkpoint, CheckpointError, MAX_NOTE_BYTES, MAX_SIGNATURES, has_no_controls, is_valid_name};
use crate::hash::Hash;

/// The start of every signature line: em dash (U+2014) and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

fn malformed(reason: &'static str) -> CheckpointError {
    CheckpointError::MalformedNote(reason)
}

/// Sign `text` (which must end in a newline and hold no control character other than
/// newline) as a signed note with one signature line.
pub fn sign_note(signer: &SignerKey, text: &str) -> Result<String, CheckpointError> {
    if !text.ends_with('\n') {
        return Err(malformed("the text must end with a newline"));
    }
    if !has_no_controls(text) {
        return Err(malformed("control character in the text"));
    }
    let mut sig = Vec::with_capacity(68);
    sig.extend_from_slice(&signer.id().to_be_bytes());
    sig.extend_from_slice(&signer.sign_bytes(text.as_bytes()));
    let note = format!(
        "{text}\n{SIGNATURE_PREFIX}{} {}\n",
        signer.name(),
        STANDARD.encode(sig)
    );
    if note.len() > MAX_NOTE_BYTES {
        return Err(malformed("the note is too large"));
    }
    Ok(note)
}

/// Sign the checkpoint `(origin = the signer's name, size, root)` and return the note.
pub fn sign_checkpoint(signer: &SignerKey, size: u64, root: Hash) -> Result<String, CheckpointError> {
    let checkpoint = Checkpoint::new(signer.name(), size, root)?;
    sign_note(signer, &checkpoint.to_body())
}

/// One parsed signature line.
struct SignatureLine<'a> {
    name: &'a str,
    id: u32,
    signature: Vec<u8>,
}

fn parse_signature_line(line: &str) -> Result<SignatureLine<'_>, CheckpointError> {
    let rest = line.strip_prefix(SIGNATURE_PREFIX).ok_or(malformed(
        "a signature line must start with an em dash and a space",
    ))?;
    let (name, sig64) = rest
        .split_once(' ')
        .ok_or(malformed("a signature line is '— <key name> <base64 signature>'"))?;
    if !is_valid_name(name) {
        return Err(malformed("invalid key name in a signature line"));
    }
    let bytes = STANDARD
        .decode(sig64)
        .map_err(|_| malformed("a signature is not canonical standard base64"))?;
    if bytes.len() < 5 {
        return Err(malformed("a signature is shorter than a key ID and one byte"));
    }
    let (id, signature) = bytes.split_at(4);
    Ok(SignatureLine {
        name,
        id: u32::from_be_bytes([id[0], id[1], id[2], id[3]]),
        signature: signature.to_vec(),
    })
}

/// Verify a signed note under `verifier` and return its text (ending in a newline).
///
/// Refused: a note that is not well-formed ([`CheckpointError::MalformedNote`]: control
/// characters, no final newline, no blank line before the signatures, a bad signature
/// line, more than [`MAX_SIGNATURES`] lines); one with no signature line for the
/// verifier's name and key ID ([`CheckpointError::UnknownKey`]); one whose signature by
/// that key fails ([`CheckpointError::BadSignature`]). Signatures by other keys are ignored.
pub fn open_signed_note<'a>(note: &'a str, verifier: &VerifierKey) -> Result<&'a str, CheckpointError> {
    if note.len() > MAX_NOTE_BYTES {
        return Err(malformed("the note is too large"));
    }
    if !has_no_controls(note) {
        return Err(malformed("control character in the note"));
    }
    if !note.ends_with('\n') {
        return Err(malformed("the note must end with a newline"));
    }
    // The text is separated from the signatures by the last blank line.
    let split = note
        .rfind("\n\n")
        .ok_or(malformed("no blank line between the text and the signatures"))?;
    let text = &note[..split + 1];
    let signatures = &note[split + 2..];
    if signatures.is_empty() {
        return Err(malformed("no signature line"));
    }
    let lines = signatures
        .split_terminator('\n')
        .map(parse_signature_line)
        .collect::<Result<Vec<_>, _>>()?;
    if lines.len() > MAX_SIGNATURES {
        return Err(malformed("too many signature lines"));
    }
    let ours = lines
        .iter()
        .find(|line| line.name == verifier.name() && line.id == verifier.id())
        .ok_or_else(|| CheckpointError::UnknownKey {
            name: verifier.name().to_owned(),
            id: verifier.id(),
        })?;
    let bad = || CheckpointError::BadSignature {
        name: verifier.name().to_owned(),
        id: verifier.id(),
    };
    let bytes: [u8; 64] = ours.signature.as_slice().try_into().map_err(|_| bad())?;
    verifier
        .verifying_key()
        .verify_strict(text.as_bytes(), &Signature::from_bytes(&bytes))
        .map_err(|_| bad())?;
    Ok(text)
}

/// Verify a signed checkpoint under `verifier` and return it: the note must be well-formed
/// and signed by the key, its text a well-formed tlog-checkpoint body
/// ([`CheckpointError::MalformedBody`]), and its origin the key's name
/// ([`CheckpointError::OriginMismatch`]).
pub fn open_note(note: &str, verifier: &VerifierKey) -> Result<Checkpoint, CheckpointError> {
    let text = open_signed_note(note, verifier)?;
    let checkpoint = Checkpoint::parse_body(text)?;
    if checkpoint.origin != verifier.name() {
        return Err(CheckpointError::OriginMismatch {
            origin: checkpoint.origin,
            key: verifier.name().to_owned(),
        });
    }
    Ok(checkpoint)
}
