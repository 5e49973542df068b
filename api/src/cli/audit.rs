//! For auditors: `keygen`, `checkpoint`, `prove`, `verify-proof`, `replay`.

use std::io::Write;
use std::process::ExitCode;

use liangye_events::bundle::{ProofBundle, verify_bundle};
use liangye_events::checkpoint::{SignerKey, VerifierKey, generate_key, parse_signer, parse_verifier};
use liangye_services::EventStore;
use liangye_services::checkpoints::sign_head;
use liangye_services::live::{AsOf, replay_registry_json};

use super::CliResult;

/// Read a text file whole (`-` for standard input), naming it in errors.
pub fn read_text(path: &str) -> CliResult<String> {
    if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}").into())
}

pub fn load_signer(path: &str) -> CliResult<SignerKey> {
    refuse_shared_key(path)?;
    parse_signer(read_text(path)?.trim()).map_err(|e| format!("{path}: {e}").into())
}

/// A signing key that group or others may read is refused, as ssh refuses such a private
/// key: anyone who can read it can sign checkpoints in the registry's name.
fn refuse_shared_key(path: &str) -> CliResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| format!("{path}: {e}"))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "the signing key {path} is readable or writable by group or others (mode {:04o}); \
                 refusing to use it: run `chmod 600 {path}` (and replace the key if others may have \
                 read it)",
                mode & 0o7777
            )
            .into());
        }
    }
    Ok(())
}

pub fn load_verifier(path: &str) -> CliResult<VerifierKey> {
    parse_verifier(read_text(path)?.trim()).map_err(|e| format!("{path}: {e}").into())
}

/// `keygen --origin NAME --out FILE`: FILE (signer key, mode 0600) and FILE.pub (verifier).
pub fn keygen(origin: &str, out: &str) -> CliResult<ExitCode> {
    let public = format!("{out}.pub");
    for path in [out, public.as_str()] {
        if std::path::Path::new(path).exists() {
            return Err(format!("{path} exists; refusing to overwrite a key").into());
        }
    }
    let (signer, verifier) = generate_key(origin)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(out).map_err(|e| format!("{out}: {e}"))?;
    writeln!(file, "{signer}")?;
    std::fs::write(&public, format!("{verifier}\n")).map_err(|e| format!("{public}: {e}"))?;
    println!("signing key: {out} (keep it secret)");
    println!("verifier key: {public}");
    println!("{verifier}");
    Ok(ExitCode::SUCCESS)
}

/// `checkpoint --signing-key FILE`: sign the current head now and print the note.
pub async fn checkpoint(store: &EventStore, signing_key: &str) -> CliResult<ExitCode> {
    let signer = load_signer(signing_key)?;
    let checkpoint = sign_head(store, &signer).await?;
    super::emit(checkpoint.note.trim_end_matches('\n'))?;
    Ok(ExitCode::SUCCESS)
}

/// `prove --position P`: a self-contained JSON bundle — the canonical event, its inclusion
/// proof and the latest signed checkpoint it is proved against.
pub async fn prove(store: &EventStore, position: i64) -> CliResult<ExitCode> {
    let checkpoint = store.latest_checkpoint().await?.ok_or(
        "no signed checkpoint yet: run `liangye checkpoint --signing-key FILE` (or serve with --signing-key)",
    )?;
    if position < 1 || position > checkpoint.size {
        return Err(format!(
            "position {position} is not in the latest signed checkpoint, which covers 1…{}",
            checkpoint.size
        )
        .into());
    }
    let proof = store.inclusion_proof(position, Some(checkpoint.size)).await?;
    let event = store.read_from(position - 1, 1).await?;
    let event = event
        .first()
        .ok_or_else(|| format!("position {position} is missing"))?;
    let bundle = ProofBundle::new(
        event.canonical.clone(),
        position as u64,
        checkpoint.size as u64,
        &proof.hashes,
        &proof.root,
        checkpoint.note,
    );
    super::emit(&bundle.to_json())?;
    Ok(ExitCode::SUCCESS)
}

/// `verify-proof BUNDLE --public-key FILE.pub`: offline, no database.
pub fn verify_proof(bundle: &str, public_key: &str) -> CliResult<ExitCode> {
    let verifier = load_verifier(public_key)?;
    let bundle = ProofBundle::from_json(&read_text(bundle)?)?;
    match verify_bundle(&bundle, &verifier) {
        Ok(checkpoint) => {
            println!(
                "ok: the event at position {} is in the log {} of size {}, signed by {}",
                bundle.position,
                checkpoint.origin,
                checkpoint.size,
                verifier.to_text()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("FAILED: {e}");
            Ok(ExitCode::from(2))
        }
    }
}

/// `replay --as-of POSITION|RFC3339`: the registry as it stood, as JSON.
pub async fn replay(store: &EventStore, as_of: &str) -> CliResult<ExitCode> {
    let as_of = AsOf::parse(as_of)?;
    let json = replay_registry_json(store, as_of).await?;
    super::emit(&serde_json::to_string_pretty(&json)?)?;
    Ok(ExitCode::SUCCESS)
}
