use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use super::*;

// The test key and note of Go's golang.org/x/mod/sumdb/note package (note_test.go).
const GO_SIGNER: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VERIFIER: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                       then you don't know what your problem is.\n";
const GO_NOTE: &str = "If you think cryptography is the answer to your problem,\n\
                       then you don't know what your problem is.\n\
                       \n\
                       \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

const ORIGIN: &str = "registry.example/liangye";

fn keypair(name: &str) -> (SignerKey, VerifierKey) {
    let (s, v) = generate_key(name).unwrap();
    (parse_signer(&s).unwrap(), parse_verifier(&v).unwrap())
}

// ── keys ───────────────────────────────────────────────────────────────────────────────

#[test]
fn go_note_package_vector() {
    let signer = parse_signer(GO_SIGNER).unwrap();
    assert_eq!(signer.name(), "PeterNeumann");
    assert_eq!(signer.id(), 0xc74f20a3);
    assert_eq!(signer.to_text(), GO_SIGNER);
    assert_eq!(signer.verifier().to_text(), GO_VERIFIER);
    let verifier = parse_verifier(GO_VERIFIER).unwrap();
    assert_eq!(verifier, signer.verifier());
    // Ed25519 is deterministic: the same text signs to the same note.
    assert_eq!(sign_note(&signer, GO_TEXT).unwrap(), GO_NOTE);
    assert_eq!(open_signed_note(GO_NOTE, &verifier).unwrap(), GO_TEXT);
}

#[test]
fn key_id_by_hand() {
    let verifier = parse_verifier(GO_VERIFIER).unwrap();
    let data = STANDARD
        .decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        .unwrap();
    assert_eq!(data[0], 0x01);
    let mut input = b"PeterNeumann".to_vec();
    input.push(0x0a);
    input.extend_from_slice(&data); // 0x01 ‖ public key
    let digest = Sha256::digest(&input);
    assert_eq!(hex::encode(&digest[..4]), "c74f20a3");
    let public: [u8; 32] = data[1..].try_into().unwrap();
    assert_eq!(key_id("PeterNeumann", &public), 0xc74f20a3);
    assert_eq!(verifier.id(), 0xc74f20a3);
    // The name is part of the ID.
    assert_ne!(key_id("PeterNeumann2", &public), 0xc74f20a3);
}

#[test]
fn every_mangled_verifier_key_is_refused() {
    // As Go's TestNewVerifier: cut any slice out of the key, or bump any one byte.
    let b = GO_VERIFIER.as_bytes();
    for i in 0..=b.len() {
        for j in i + 1..b.len() {
            let mut k = b[..i].to_vec();
            k.extend_from_slice(&b[j..]);
            if let Ok(k) = String::from_utf8(k) {
                assert!(parse_verifier(&k).is_err(), "accepted {k:?}");
            }
        }
    }
    for i in 0..b.len() {
        let mut k = b.to_vec();
        k[i] = k[i].wrapping_add(1);
        if let Ok(k) = String::from_utf8(k) {
            assert!(parse_verifier(&k).is_err(), "accepted {k:?}");
        }
    }
}

#[test]
fn every_mangled_signer_key_is_refused() {
    let b = GO_SIGNER.as_bytes();
    for i in 0..b.len() {
        let mut k = b.to_vec();
        k[i] = k[i].wrapping_add(1);
        if let Ok(k) = String::from_utf8(k) {
            assert!(parse_signer(&k).is_err(), "accepted {k:?}");
        }
    }
    assert!(parse_signer(GO_VERIFIER).is_err());
    assert!(parse_verifier(GO_SIGNER).is_err());
}

#[test]
fn key_texts_tolerate_surrounding_whitespace_only() {
    assert!(parse_verifier(&format!("{GO_VERIFIER}\n")).is_ok());
    assert!(parse_signer(&format!("  {GO_SIGNER}\r\n")).is_ok());
    assert!(parse_verifier(&GO_VERIFIER.replace("+ARpc", "+ ARpc")).is_err());
    assert_eq!(
        parse_verifier(&GO_VERIFIER.replace("c74f20a3", "C74F20A3"))
            .unwrap()
            .to_text(),
        GO_VERIFIER
    );
}

#[test]
fn key_errors_are_specific() {
    assert!(matches!(
        parse_verifier("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(CheckpointError::InvalidName(_))
    ));
    assert!(matches!(
        parse_verifier("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(CheckpointError::MalformedKey(_))
    ));
    // Algorithm byte 0x02 instead of 0x01.
    let mut data = STANDARD
        .decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        .unwrap();
    data[0] = 0x02;
    let other_alg = format!("PeterNeumann+c74f20a3+{}", STANDARD.encode(&data));
    assert!(matches!(
        parse_verifier(&other_alg),
        Err(CheckpointError::MalformedKey(_))
    ));
    assert!(matches!(
        parse_verifier("PeterNeumann+c74f20a3"),
        Err(CheckpointError::MalformedKey(_))
    ));
    for bad in ["", "a b", "a+b", "tab\there", "nl\n"] {
        assert!(matches!(generate_key(bad), Err(CheckpointError::InvalidName(_))));
    }
}

#[test]
fn generated_keys_round_trip_and_differ() {
    let (s1, v1) = generate_key(ORIGIN).unwrap();
    let (s2, v2) = generate_key(ORIGIN).unwrap();
    assert_ne!(s1, s2);
    assert_ne!(v1, v2);
    assert!(s1.starts_with("PRIVATE+KEY+registry.example/liangye+"));
    let signer = parse_signer(&s1).unwrap();
    assert_eq!(signer.to_text(), s1);
    assert_eq!(signer.verifier().to_text(), v1);
    assert_eq!(parse_verifier(&v1).unwrap().to_text(), v1);
    // The secret never shows in debug output. The key is everything after the origin and
    // the key hash (its base64 may itself hold a '+').
    let debug = format!("{signer:?}");
    let (_hash, key) = s1
        .strip_prefix(&format!("PRIVATE+KEY+{ORIGIN}+"))
        .and_then(|rest| rest.split_once('+'))
        .unwrap();
    assert!(key.len() >= 40, "{key}");
    assert!(!debug.contains(key));
}

// ── checkpoints ────────────────────────────────────────────────────────────────────────

#[test]
fn checkpoint_round_trip() {
    let (signer, verifier) = keypair(ORIGIN);
    let root = crate::hash::leaf_hash(b"root");
    let note = sign_checkpoint(&signer, 1234, root).unwrap();
    let body = format!("{ORIGIN}\n1234\n{}\n\n", STANDARD.encode(root));
    assert!(note.starts_with(&body), "{note}");
    assert!(note.contains(&format!("\n\u{2014} {ORIGIN} ")));
    let checkpoint = open_note(&note, &verifier).unwrap();
    assert_eq!(
        checkpoint,
        Checkpoint {
            origin: ORIGIN.into(),
            size: 1234,
            root,
            extensions: vec![],
        }
    );
    // An empty tree may be signed too (C2SP allows size 0).
    let empty = sign_checkpoint(&signer, 0, crate::merkle::empty_tree_hash()).unwrap();
    assert_eq!(open_note(&empty, &verifier).unwrap().size, 0);
}

#[test]
fn a_signature_under_another_key_is_refused() {
    let (signer, _) = keypair(ORIGIN);
    let (_, other) = keypair(ORIGIN);
    let note = sign_checkpoint(&signer, 5, [1; 32]).unwrap();
    // Same name, other key: another key ID, so the note is not signed by `other` at all.
    assert!(matches!(
        open_note(&note, &other),
        Err(CheckpointError::UnknownKey { .. })
    ));
    // A forged line that claims the other key's name and ID.
    let mut forged = note.clone();
    let line_start = forged.rfind('\u{2014}').unwrap();
    let sig64 = forged[line_start..]
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_end()
        .to_owned();
    let mut sig = STANDARD.decode(&sig64).unwrap();
    sig[..4].copy_from_slice(&other.id().to_be_bytes());
    forged = forged.replace(&sig64, &STANDARD.encode(&sig));
    assert!(matches!(
        open_note(&forged, &other),
        Err(CheckpointError::BadSignature { .. })
    ));
    // A key of another name.
    let (_, stranger) = keypair("other.example/log");
    assert!(matches!(
        open_note(&note, &stranger),
        Err(CheckpointError::UnknownKey { .. })
    ));
}

#[test]
fn a_tampered_checkpoint_is_refused() {
    let (signer, verifier) = keypair(ORIGIN);
    let note = sign_checkpoint(&signer, 77, [9; 32]).unwrap();
    let tampered = note.replacen("\n77\n", "\n78\n", 1);
    assert!(matches!(
        open_note(&tampered, &verifier),
        Err(CheckpointError::BadSignature { .. })
    ));
    let root64 = STANDARD.encode([9u8; 32]);
    let tampered = note.replacen(&root64, &STANDARD.encode([8u8; 32]), 1);
    assert!(matches!(
        open_note(&tampered, &verifier),
        Err(CheckpointError::BadSignature { .. })
    ));
    // A flipped signature byte.
    let at = note.len() - 10;
    let mut bytes = note.clone().into_bytes();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(bytes).unwrap();
    assert!(open_note(&flipped, &verifier).is_err());
}

#[test]
fn other_signatures_are_ignored_and_the_first_of_ours_decides() {
    let (signer, verifier) = keypair(ORIGIN);
    let (witness, _) = keypair("witness.example/w1");
    let note = sign_checkpoint(&signer, 3, [3; 32]).unwrap();
    let body = Checkpoint::new(ORIGIN, 3, [3; 32]).unwrap().to_body();
    let cosigned = sign_note(&witness, &body).unwrap();
    let witness_line = cosigned.rsplit("\n\n").next().unwrap();
    let ours = note.rsplit("\n\n").next().unwrap();
    let both = format!("{body}\n{witness_line}{ours}");
    assert_eq!(open_note(&both, &verifier).unwrap().size, 3);
    // A bad signature line of ours (same key id, corrupted signature bytes) before a good
    // one rejects the note. Flip a character past the base64 of the 4-byte key id, so the
    // line still names our key.
    let start = ours.rfind(' ').unwrap() + 1;
    let mut bytes = ours.as_bytes().to_vec();
    let at = start + 12;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let bad_ours = String::from_utf8(bytes).unwrap();
    let twice = format!("{body}\n{bad_ours}{ours}");
    assert!(open_note(&twice, &verifier).is_err());
}

#[test]
fn malformed_notes_are_refused() {
    let (signer, verifier) = keypair(ORIGIN);
    let note = sign_checkpoint(&signer, 3, [3; 32]).unwrap();
    let sig_line = note.rsplit("\n\n").next().unwrap().to_owned();
    let body = Checkpoint::new(ORIGIN, 3, [3; 32]).unwrap().to_body();
    let cases: Vec<(&str, String)> = vec![
        ("no final newline", note.trim_end().to_owned()),
        ("no blank line", format!("{body}{sig_line}")),
        ("hyphen, not em dash", note.replace('\u{2014}', "-")),
        ("double dash", note.replace('\u{2014}', "--")),
        ("no space after dash", note.replace("\u{2014} ", "\u{2014}")),
        ("bad base64", format!("{body}\n{}", sig_line.replace('=', "!"))),
        ("short signature", format!("{body}\n\u{2014} {ORIGIN} AAAA\n")),
        ("empty signature", format!("{body}\n\u{2014} {ORIGIN} \n")),
        ("carriage return", note.replace('\n', "\r\n")),
        ("tab", note.replacen(ORIGIN, &format!("{ORIGIN}\t"), 1)),
        ("nothing after blank line", format!("{body}\n")),
        ("empty", String::new()),
        ("only text", body.clone()),
        (
            "too many signatures",
            format!("{body}\n{}", sig_line.repeat(MAX_SIGNATURES + 1)),
        ),
    ];
    for (what, text) in cases {
        assert!(
            matches!(
                open_note(&text, &verifier),
                Err(CheckpointError::MalformedNote(_))
            ),
            "{what}: {:?}",
            open_note(&text, &verifier)
        );
    }
    assert!(matches!(
        sign_note(&signer, "no newline"),
        Err(CheckpointError::MalformedNote(_))
    ));
    assert!(matches!(
        sign_note(&signer, "tab\there\n"),
        Err(CheckpointError::MalformedNote(_))
    ));
}

#[test]
fn a_signed_note_with_a_bad_body_is_refused() {
    let (signer, verifier) = keypair(ORIGIN);
    let root64 = STANDARD.encode([5u8; 32]);
    let bodies = [
        format!("{ORIGIN}\n"),
        format!("{ORIGIN}\n12\n"),
        format!("{ORIGIN}\n012\n{root64}\n"),
        format!("{ORIGIN}\n+12\n{root64}\n"),
        format!("{ORIGIN}\n-1\n{root64}\n"),
        format!("{ORIGIN}\n1 2\n{root64}\n"),
        format!("{ORIGIN}\n\n{root64}\n"),
        format!("{ORIGIN}\n99999999999999999999999\n{root64}\n"),
        format!("{ORIGIN}\n12\n{}\n", STANDARD.encode([5u8; 31])),
        format!("{ORIGIN}\n12\n{}\n", hex::encode([5u8; 32])),
        format!("{ORIGIN}\n12\n{}\n", root64.trim_end_matches('=')),
    ];
    for text in &bodies {
        let note = sign_note(&signer, text).unwrap();
        assert!(
            matches!(
                open_note(&note, &verifier),
                Err(CheckpointError::MalformedBody(_))
            ),
            "{text:?}"
        );
    }
    // An empty origin line cannot even be signed as a body: it would be the blank line.
    assert!(Checkpoint::parse_body(&format!("\n12\n{root64}\n")).is_err());
    // Another origin, validly signed by our key.
    let foreign = format!("other.example/log\n12\n{root64}\n");
    let note = sign_note(&signer, &foreign).unwrap();
    assert!(matches!(
        open_note(&note, &verifier),
        Err(CheckpointError::OriginMismatch { .. })
    ));
}

#[test]
fn checkpoint_body_parsing() {
    // The example of the C2SP tlog-checkpoint specification.
    let spec = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    let c = Checkpoint::parse_body(spec).unwrap();
    assert_eq!(c.origin, "example.com/behind-the-sofa");
    assert_eq!(c.size, 20852163);
    assert_eq!(c.to_body(), spec);
    // Size 0, extension lines, and a non-canonical base64 (non-zero padding bits).
    let root64 = STANDARD.encode([0u8; 32]);
    let with_ext = format!("o\n0\n{root64}\next one\next two\n");
    let c = Checkpoint::parse_body(&with_ext).unwrap();
    assert_eq!(c.extensions, vec!["ext one", "ext two"]);
    assert_eq!(c.to_body(), with_ext);
    assert!(Checkpoint::parse_body(&format!("o\n0\n{root64}\n\next\n")).is_err());
    assert!(Checkpoint::parse_body(&format!("o\n0\n{root64}")).is_err());
    let noncanonical = format!("o\n0\n{}B=\n", &root64[..42]);
    assert!(Checkpoint::parse_body(&noncanonical).is_err());
    assert!(matches!(
        Checkpoint::new("has space", 1, [0; 32]),
        Err(CheckpointError::InvalidName(_))
    ));
}
