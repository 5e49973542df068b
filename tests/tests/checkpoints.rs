//! Signed checkpoints on SQLite and (when `TEST_DATABASE_URL` is set) PostgreSQL: the head
//! is signed in C2SP form, the periodic signer follows the log, and a head that does not
//! extend the last signed checkpoint is never signed.

use liangye_tests::on_both_backends;
use std::time::Duration;

use liangye_events::checkpoint::{generate_key, open_note, parse_signer, parse_verifier};
use liangye_services::checkpoints::{SignError, SigningPolicy, sign_head, spawn_signer};
use liangye_services::{EventStore, StoredCheckpoint};
use liangye_tests::{TestDb, raw_event};
use serde_json::json;

on_both_backends!(
    the_head_is_signed_as_a_c2sp_checkpoint,
    the_periodic_signer_follows_the_log,
    an_inconsistent_head_is_never_signed
);

async fn append(store: &EventStore, n: usize) {
    let events = (0..n)
        .map(|i| raw_event(format!("s-{}", i % 3), "TestHappened", json!({ "i": i }), "t"))
        .collect();
    liangye_tests::append(store, events).await.unwrap();
}

async fn the_head_is_signed_as_a_c2sp_checkpoint(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (signer, verifier) = generate_key("test.example/log").unwrap();
    let (signer, verifier) = (parse_signer(&signer).unwrap(), parse_verifier(&verifier).unwrap());
    assert!(matches!(
        sign_head(&store, &signer).await,
        Err(SignError::EmptyLog)
    ));
    append(&store, 7).await;
    let first = sign_head(&store, &signer).await.unwrap();
    let opened = open_note(&first.note, &verifier).unwrap();
    assert_eq!(opened.size, 7);
    assert_eq!(opened.root, store.tree_root(7).await.unwrap());
    assert_eq!(store.latest_checkpoint().await.unwrap(), Some(first.clone()));
    // Nothing new: the same checkpoint.
    assert_eq!(sign_head(&store, &signer).await.unwrap(), first);
    append(&store, 5).await;
    let second = sign_head(&store, &signer).await.unwrap();
    assert_eq!(open_note(&second.note, &verifier).unwrap().size, 12);
}

async fn the_periodic_signer_follows_the_log(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let signer = parse_signer(&generate_key("test.example/log").unwrap().0).unwrap();
    let policy = SigningPolicy {
        every_events: 10,
        every: Duration::from_secs(3600),
    };
    let task = spawn_signer(store.clone(), signer, policy);
    for _ in 0..5 {
        append(&store, 5).await;
    }
    let mut signed = None;
    for _ in 0..200 {
        signed = store.latest_checkpoint().await.unwrap().filter(|c| c.size >= 20);
        if signed.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    task.abort();
    let signed = signed.expect("the signer signs once 10 events were added");
    assert_eq!(
        signed.root_hash,
        hex::encode(store.tree_root(signed.size).await.unwrap())
    );
}

async fn an_inconsistent_head_is_never_signed(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let signer = parse_signer(&generate_key("test.example/log").unwrap().0).unwrap();
    append(&store, 6).await;
    // A checkpoint of size 4 whose root is not the log's (a forked or rewritten log).
    let forged = StoredCheckpoint {
        size: 4,
        root_hash: "ab".repeat(32),
        note: "forged\n".into(),
        signed_at: "2026-01-01T00:00:00.000000Z".into(),
    };
    store.save_checkpoint(&forged).await.unwrap();
    let err = sign_head(&store, &signer).await.unwrap_err();
    assert!(
        matches!(err, SignError::Inconsistent { size: 4, head: 6, .. }),
        "{err}"
    );
    assert_eq!(store.latest_checkpoint().await.unwrap(), Some(forged));
}
