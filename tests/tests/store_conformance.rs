//! The event store's conformance suite: every case runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set, each in a fresh database of its own.

use liangye_tests::on_both_backends;
use std::collections::{BTreeMap, HashMap};

use futures::StreamExt;
use liangye_events::canonical::to_jcs;
use liangye_events::{NewEvent, StoredEvent};
use liangye_services::errors::{Coded, ErrorCode};
use liangye_services::{Backend, EventStore, StoreError};
use liangye_tests::TestDb;
use liangye_tests::append;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

on_both_backends!(
    gapless_positions_under_concurrent_appenders,
    gapless_positions_from_two_pools,
    stream_versions_follow_staged_and_committed_appends,
    a_command_ids_events_are_found_in_and_out_of_the_write_transaction,
    failed_batch_writes_nothing,
    canonical_bytes_round_trip,
    leaf_hashes_match_an_independent_computation,
    database_refuses_update_and_delete,
    bad_input_is_refused_with_a_typed_error,
    reads_by_stream_and_by_page,
    several_streams_are_read_in_one_query,
    canonical_pages_hold_the_stored_texts_in_order,
    rows_pages_hold_every_column_in_position_order,
    many_read_pages_at_once_and_none_after_close,
    tree_hash_pages_hold_the_stored_tree,
    bulk_batches_write_the_log_and_tree_small_ones_would,
    prefetched_stream_versions_continue_each_stream,
    stream_catches_up_then_follows_live,
    recorded_at_never_goes_backwards,
    merkle_tree_is_kept_with_the_log,
    tree_requests_beyond_the_head_are_refused,
);

fn event(stream: &str, payload: Value) -> NewEvent {
    liangye_tests::raw_event(stream, "TestHappened", payload, "tester")
}

async fn all_events(store: &EventStore) -> Vec<StoredEvent> {
    store.read_from(0, i64::MAX / 2).await.expect("read log")
}

/// Positions are 1..=n and every stream's versions are 1..=k.
fn assert_gapless(events: &[StoredEvent]) {
    for (i, ev) in events.iter().enumerate() {
        assert_eq!(ev.position, i as i64 + 1, "positions must be gapless");
    }
    let mut versions: HashMap<&str, i64> = HashMap::new();
    for ev in events {
        let v = versions.entry(&ev.stream_id).or_default();
        *v += 1;
        assert_eq!(
            ev.stream_version, *v,
            "stream {} versions must be gapless",
            ev.stream_id
        );
    }
}

async fn gapless_positions_under_concurrent_appenders(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let tasks = 32;
    let per_task = 10;
    let mut handles = Vec::new();
    for t in 0..tasks {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut positions = Vec::new();
            for i in 0..per_task {
                // Half the tasks share one stream, half have their own.
                let stream = if t % 2 == 0 {
                    "shared-1".to_owned()
                } else {
                    format!("own-{t}")
                };
                let out = append(
                    &store,
                    vec![
                        event(&stream, json!({"t": t, "i": i})),
                        event("shared-2", json!({})),
                    ],
                )
                .await
                .unwrap();
                positions.extend(out.iter().map(|e| e.position));
            }
            positions
        }));
    }
    let mut acknowledged = Vec::new();
    for h in handles {
        acknowledged.extend(h.await.unwrap());
    }
    let events = all_events(&store).await;
    assert_eq!(events.len(), tasks * per_task * 2);
    assert_gapless(&events);
    acknowledged.sort_unstable();
    assert_eq!(acknowledged, (1..=events.len() as i64).collect::<Vec<_>>());
    assert_eq!(store.head().await.unwrap().position, events.len() as i64);
}

/// Two stores with separate pools, as two processes would have.
async fn gapless_positions_from_two_pools(db: &TestDb) {
    let a = EventStore::connect(&db.url).await.unwrap();
    let b = EventStore::connect(&db.url).await.unwrap();
    let mut handles = Vec::new();
    for t in 0..16 {
        let store = if t % 2 == 0 { a.clone() } else { b.clone() };
        handles.push(tokio::spawn(async move {
            for i in 0..10 {
                append(&store, vec![event("both", json!({"t": t, "i": i}))])
                    .await
                    .unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let events = all_events(&a).await;
    assert_eq!(events.len(), 160);
    assert_gapless(&events);
    assert_eq!(all_events(&b).await, events);
}

async fn stream_versions_follow_staged_and_committed_appends(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    append(&store, vec![event("unit-a", json!({"n": 1}))])
        .await
        .unwrap();
    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(tx.stream_version("unit-a").await.unwrap(), 1);
    assert_eq!(tx.stream_version("unit-b").await.unwrap(), 0);
    let staged = tx
        .append(vec![event("unit-a", json!({"n": 2})), event("unit-b", json!({}))])
        .await
        .unwrap();
    assert_eq!(
        staged
            .iter()
            .map(|e| (e.position, e.stream_version))
            .collect::<Vec<_>>(),
        [(2, 2), (3, 1)]
    );
    assert_eq!(tx.stream_version("unit-a").await.unwrap(), 2);
    // Rolled back: nothing was written, and the versions are as before.
    tx.rollback().await.unwrap();
    assert_eq!(all_events(&store).await.len(), 1);
    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(tx.stream_version("unit-a").await.unwrap(), 1);
    tx.rollback().await.unwrap();
}

async fn a_command_ids_events_are_found_in_and_out_of_the_write_transaction(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let command_id = Uuid::now_v7();
    let with_id = |mut e: NewEvent| {
        e.metadata.command_id = Some(command_id);
        e
    };
    let first = append(
        &store,
        vec![
            with_id(event("s", json!({"x": 1}))),
            with_id(event("t", json!({"y": 2}))),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        first.iter().map(|e| e.command_id).collect::<Vec<_>>(),
        vec![Some(command_id); 2]
    );
    assert_eq!(store.find_command(command_id).await.unwrap(), first);
    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(tx.find_command(command_id).await.unwrap(), first);
    assert!(tx.find_command(Uuid::now_v7()).await.unwrap().is_empty());
    tx.rollback().await.unwrap();
    assert!(store.find_command(Uuid::now_v7()).await.unwrap().is_empty());
}

async fn failed_batch_writes_nothing(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    append(&store, vec![event("s", json!({"ok": true}))])
        .await
        .unwrap();
    // A float in the second event refuses the whole batch.
    let err = append(
        &store,
        vec![event("s", json!({"ok": 1})), event("s", json!({"share": 0.35}))],
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::Canonical { .. }), "{err:?}");
    // A database-level failure mid-batch (a repeated event id) rolls back the whole batch.
    let dup = event("s", json!({}));
    let err = append(&store, vec![event("s", json!({})), dup.clone(), dup])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Database(_)), "{err:?}");
    let events = all_events(&store).await;
    assert_eq!(events.len(), 1);
    assert_eq!(store.head().await.unwrap().position, 1);
    // The log continues gaplessly afterwards.
    let out = append(&store, vec![event("s", json!({}))]).await.unwrap();
    assert_eq!((out[0].position, out[0].stream_version), (2, 2));
}

async fn canonical_bytes_round_trip(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let payload = json!({
        "name": "苏州工业园区 \"融合\" \\ \u{0007} \u{1F600}",
        "z": 9007199254740991i64,
        "a": -9007199254740991i64,
        "nested": {"b": [1, 2, {"é": null, "e": true}], "a": ""},
    });
    let out = append(&store, vec![event("unit-x", payload.clone())])
        .await
        .unwrap();
    let written = &out[0];
    let read = &all_events(&store).await[0];
    assert_eq!(read, written);
    assert_eq!(read.canonical.as_bytes(), written.canonical.as_bytes());
    // Parse → serialize is the identity on canonical text.
    let parsed: Value = serde_json::from_str(&read.canonical).unwrap();
    assert_eq!(to_jcs(&parsed).unwrap(), read.canonical);
    let envelope = read.envelope().unwrap();
    assert_eq!(envelope.payload, payload);
    assert_eq!(envelope.position, 1);
    assert_eq!(envelope.stream_version, 1);
    assert_eq!(envelope.event_type, "TestHappened");
    assert_eq!(envelope.recorded_at, read.recorded_at);
    assert!(
        read.canonical.starts_with(r#"{"eventId":""#),
        "{}",
        read.canonical
    );
}

async fn leaf_hashes_match_an_independent_computation(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    for i in 0..20 {
        append(&store, vec![event(&format!("s{}", i % 3), json!({"i": i}))])
            .await
            .unwrap();
    }
    for ev in all_events(&store).await {
        let mut h = Sha256::new();
        h.update([0x00]);
        h.update(ev.canonical.as_bytes());
        let expected: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(ev.leaf_hash, expected, "position {}", ev.position);
    }
}

async fn database_refuses_update_and_delete(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    append(&store, vec![event("s", json!({}))]).await.unwrap();
    let before = all_events(&store).await;
    let statements: &[&'static str] = match store.backend() {
        Backend::Sqlite => &[
            "UPDATE events SET actor = 'mallory'",
            "UPDATE events SET canonical = '{}' WHERE position = 1",
            "DELETE FROM events",
        ],
        Backend::Postgres => &[
            "UPDATE events SET actor = 'mallory'",
            "UPDATE events SET canonical = '{}' WHERE position = 1",
            "DELETE FROM events",
            "TRUNCATE events",
        ],
    };
    for sql in statements {
        let err = match store.backend() {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
                sqlx::query(*sql).execute(&pool).await.map(|_| ()).unwrap_err()
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
                sqlx::query(*sql).execute(&pool).await.map(|_| ()).unwrap_err()
            }
        };
        // TRUNCATE may be refused by the foreign key from `snapshots` before the trigger.
        let refused = err.to_string().contains("append-only")
            || (sql.starts_with("TRUNCATE") && err.to_string().contains("truncate"));
        assert!(refused, "{sql}: {err}");
    }
    assert_eq!(all_events(&store).await, before);
}

async fn bad_input_is_refused_with_a_typed_error(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let long = "x".repeat(201);
    for stream in ["", long.as_str(), "has space"] {
        let err = append(&store, vec![event(stream, json!({}))]).await.unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidStreamId { .. }),
            "{stream:?}: {err:?}"
        );
    }
    // 200 bytes of multi-byte text is the limit; 201 bytes is over it.
    let exactly = "界".repeat(66) + "xx";
    assert_eq!(exactly.len(), 200);
    append(&store, vec![event(&exactly, json!({}))]).await.unwrap();
    let err = append(&store, vec![event("s", json!({"x": 1.5}))])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no floats"), "{err}");
    let mut no_actor = event("s", json!({}));
    no_actor.metadata.actor.clear();
    assert!(matches!(
        append(&store, vec![no_actor]).await.unwrap_err(),
        StoreError::InvalidEvent(_)
    ));
    assert_eq!(all_events(&store).await.len(), 1);
    for url in ["mysql://x/y", "liangye.db", ""] {
        match EventStore::connect(url).await {
            Err(StoreError::UnknownScheme(u)) => assert_eq!(u, url),
            Err(other) => panic!("{url}: expected UnknownScheme, got {other:?}"),
            Ok(_) => panic!("{url}: expected UnknownScheme, got a store"),
        }
    }
}

async fn reads_by_stream_and_by_page(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    for i in 0..25 {
        let stream = if i % 5 == 0 { "unit-five" } else { "unit-rest" };
        append(&store, vec![event(stream, json!({"i": i}))])
            .await
            .unwrap();
    }
    let five = store.read_stream("unit-five", 0).await.unwrap();
    assert_eq!(five.len(), 5);
    assert_eq!(
        five.iter().map(|e| e.stream_version).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(store.read_stream("unit-five", 3).await.unwrap().len(), 2);
    assert!(store.read_stream("unit-none", 0).await.unwrap().is_empty());
    let mut after = 0;
    let mut pages = Vec::new();
    loop {
        let page = store.read_from(after, 10).await.unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().unwrap().position;
        pages.push(page.len());
    }
    assert_eq!(pages, vec![10, 10, 5]);
    let head = store.head().await.unwrap();
    assert_eq!(head.position, 25);
    assert_eq!(
        head.recorded_at.as_deref(),
        Some(all_events(&store).await[24].recorded_at.as_str())
    );
}

async fn several_streams_are_read_in_one_query(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    for i in 0..12 {
        let stream = ["unit-a", "unit-b", "unit-c"][i % 3];
        append(&store, vec![event(stream, json!({"i": i}))])
            .await
            .unwrap();
    }
    let streams = vec!["unit-c".to_owned(), "unit-a".to_owned(), "unit-none".to_owned()];
    let read = store.read_streams(&streams).await.unwrap();
    let mut expected = store.read_stream("unit-a", 0).await.unwrap();
    expected.extend(store.read_stream("unit-c", 0).await.unwrap());
    expected.sort_by_key(|e| e.position);
    assert_eq!(read, expected, "both streams' events, in position order");
    assert!(store.read_streams(&[]).await.unwrap().is_empty());
    assert!(matches!(
        store.read_streams(&[String::new()]).await,
        Err(StoreError::InvalidStreamId { .. })
    ));
}

async fn canonical_pages_hold_the_stored_texts_in_order(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let empty = store.read_canonical_from(0, 10).await.unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.texts().count(), 0);
    // Appended out of stream order, with text that JSON must escape (a newline among them).
    for i in 0..23 {
        let stream = if i % 3 == 0 { "unit-a" } else { "unit-b" };
        let payload = json!({"i": i, "note": format!("第{i}行\n第二行\t\u{1}")});
        append(&store, vec![event(stream, payload)]).await.unwrap();
    }
    let stored = all_events(&store).await;
    let mut after = 0;
    let mut texts = Vec::new();
    let mut sizes = Vec::new();
    loop {
        let page = store.read_canonical_from(after, 10).await.unwrap();
        if page.is_empty() {
            break;
        }
        sizes.push(page.len());
        assert_eq!(page.texts().count(), page.len());
        texts.extend(page.texts().map(str::to_owned));
        after += i64::try_from(page.len()).unwrap();
    }
    assert_eq!(sizes, vec![10, 10, 3]);
    let expected: Vec<String> = stored.into_iter().map(|e| e.canonical).collect();
    assert_eq!(texts, expected);
    assert_eq!(
        store
            .read_canonical_from(20, 2)
            .await
            .unwrap()
            .texts()
            .collect::<Vec<_>>(),
        [expected[20].as_str(), expected[21].as_str()]
    );
}

async fn prefetched_stream_versions_continue_each_stream(db: &TestDb) {
    use liangye_services::store::prepare;
    let store = EventStore::connect(&db.url).await.unwrap();
    let mut events = vec![event("unit-b", json!({}))];
    events.extend((0..3).map(|i| event("unit-a", json!({ "i": i }))));
    append(&store, events).await.unwrap();
    let mut tx = store.begin_write().await.unwrap();
    let named = ["unit-a", "unit-b", "unit-new", "unit-a"].map(String::from);
    tx.prefetch_stream_versions(&named).await.unwrap();
    let mut versions = Vec::new();
    for stream in ["unit-a", "unit-new", "unit-a", "unit-c", "unit-b", "unit-new"] {
        let prepared = prepare(event(stream, json!({}))).unwrap();
        let stored = tx.stage(vec![prepared]).await.unwrap();
        versions.push((stream, stored[0].stream_version));
    }
    tx.commit().await.unwrap();
    assert_eq!(
        versions,
        [
            ("unit-a", 4),
            ("unit-new", 1),
            ("unit-a", 5),
            ("unit-c", 1),
            ("unit-b", 2),
            ("unit-new", 2)
        ]
    );
    for (stream, count) in [("unit-a", 5), ("unit-b", 2), ("unit-c", 1), ("unit-new", 2)] {
        let read = store.read_stream(stream, 0).await.unwrap();
        let got: Vec<i64> = read.iter().map(|e| e.stream_version).collect();
        assert_eq!(got, (1..=count).collect::<Vec<i64>>(), "{stream}");
    }
    assert_eq!(store.head().await.unwrap().position, 10);
}

async fn stream_catches_up_then_follows_live(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    for i in 0..5 {
        append(&store, vec![event("s", json!({"i": i}))]).await.unwrap();
    }
    let mut live = Box::pin(store.stream_from(2));
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 5..10 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                append(&store, vec![event("s", json!({"i": i}))]).await.unwrap();
            }
        })
    };
    let mut seen = Vec::new();
    while seen.len() < 7 {
        let ev = tokio::time::timeout(std::time::Duration::from_secs(10), live.next())
            .await
            .expect("the stream must deliver new events")
            .unwrap()
            .unwrap();
        seen.push(ev.position);
    }
    writer.await.unwrap();
    assert_eq!(seen, (3..=9).collect::<Vec<_>>());
    // A second store (another process, on PostgreSQL via NOTIFY) is woken by the first's writes.
    let other = EventStore::connect(&db.url).await.unwrap();
    let mut rx = other.subscribe();
    append(&store, vec![event("s", json!({}))]).await.unwrap();
    if store.backend() == Backend::Postgres {
        tokio::time::timeout(std::time::Duration::from_secs(10), rx.wait_for(|p| *p >= 11))
            .await
            .expect("NOTIFY must wake another process")
            .unwrap();
    }
    assert_eq!(other.head().await.unwrap().position, 11);
}

async fn recorded_at_never_goes_backwards(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let mut handles = Vec::new();
    for t in 0..8 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            for _ in 0..10 {
                append(&store, vec![event(&format!("s{t}"), json!({}))])
                    .await
                    .unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let events = all_events(&store).await;
    let mut by_stream: BTreeMap<&str, usize> = BTreeMap::new();
    for pair in events.windows(2) {
        assert!(
            pair[0].recorded_at <= pair[1].recorded_at,
            "{} > {}",
            pair[0].recorded_at,
            pair[1].recorded_at
        );
    }
    for ev in &events {
        *by_stream.entry(&ev.stream_id).or_default() += 1;
        assert_eq!(ev.recorded_at.len(), "2024-05-06T07:08:09.123456Z".len());
        assert!(ev.recorded_at.ends_with('Z'));
    }
    assert_eq!(by_stream.len(), 8);
}

/// Pages read by many at once (as-of queries replay concurrently; SQLite's page readers
/// take turns beyond their limit) are all whole; once the store is closed, reading fails.
async fn many_read_pages_at_once_and_none_after_close(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let events = (0..40)
        .map(|i| event(&format!("unit-{}", i % 5), json!({ "i": i })))
        .collect();
    append(&store, events).await.unwrap();
    let stored = all_events(&store).await;
    let reads = (0..32).map(|i| {
        let store = store.clone();
        async move {
            let texts: Vec<String> = store
                .read_canonical_from(i, 40)
                .await
                .unwrap()
                .texts()
                .map(str::to_owned)
                .collect();
            let rows = store.read_rows_from(i, 40).await.unwrap();
            let positions: Vec<_> = (0..rows.len())
                .map(|r| rows.row(r).position.map(str::to_owned))
                .collect();
            (i, texts, positions)
        }
    });
    for (i, texts, positions) in futures::future::join_all(reads).await {
        let tail = &stored[i as usize..];
        assert_eq!(
            texts,
            tail.iter().map(|e| e.canonical.clone()).collect::<Vec<_>>()
        );
        assert_eq!(
            positions,
            tail.iter()
                .map(|e| Some(e.position.to_string()))
                .collect::<Vec<_>>()
        );
    }
    // A limit far beyond the log reads the log (nothing is reserved for it up front).
    assert_eq!(store.read_canonical_from(0, i64::MAX).await.unwrap().len(), 40);
    assert_eq!(store.read_rows_from(0, i64::MAX).await.unwrap().len(), 40);
    store.close().await;
    assert!(store.read_canonical_from(0, 10).await.is_err());
    assert!(store.read_rows_from(0, 10).await.is_err());
}

/// The stored tree equals one built in memory from the leaf hashes, at every size, and its
/// proofs verify — whatever the batch sizes the log was written in.
async fn rows_pages_hold_every_column_in_position_order(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    assert!(store.read_rows_from(0, 10).await.unwrap().is_empty());
    // More than 10 events (text order of positions differs from number order from 10 on),
    // text that JSON escapes, with and without command ids.
    for i in 0..23 {
        let mut ev = event(
            if i % 3 == 0 { "unit-a" } else { "unit-b" },
            json!({"i": i, "note": "第一行\n第二行:12:N"}),
        );
        if i % 2 == 0 {
            ev.metadata.command_id = None;
        }
        append(&store, vec![ev]).await.unwrap();
    }
    let stored = all_events(&store).await;
    let mut after = 0;
    let mut rows = Vec::new();
    loop {
        let page = store.read_rows_from(after, 7).await.unwrap();
        if page.is_empty() {
            break;
        }
        for i in 0..page.len() {
            let r = page.row(i);
            let text = |t: Option<&str>| t.map(str::to_owned);
            rows.push((
                text(r.position),
                text(r.event_id),
                text(r.stream_id),
                text(r.stream_version),
                text(r.event_type),
                text(r.schema_version),
                text(r.recorded_at),
                text(r.command_id),
                text(r.actor),
                text(r.role),
                text(r.canonical),
                text(r.leaf_hash),
            ));
        }
        after = rows.len() as i64;
    }
    let expected: Vec<_> = stored
        .iter()
        .map(|e| {
            (
                Some(e.position.to_string()),
                Some(e.event_id.to_string()),
                Some(e.stream_id.clone()),
                Some(e.stream_version.to_string()),
                Some(e.event_type.clone()),
                Some(e.schema_version.to_string()),
                Some(e.recorded_at.clone()),
                e.command_id.map(|c| c.to_string()),
                Some(e.actor.clone()),
                Some(e.role.clone()),
                Some(e.canonical.clone()),
                Some(e.leaf_hash.clone()),
            )
        })
        .collect();
    assert_eq!(rows, expected);
}

async fn tree_hash_pages_hold_the_stored_tree(db: &TestDb) {
    use liangye_events::hash::parse_hex;
    use liangye_events::merkle::MemoryTree;
    let store = EventStore::connect(&db.url).await.unwrap();
    for n in [3usize, 9, 14] {
        let events = (0..n).map(|k| event("unit-t", json!({ "k": k }))).collect();
        append(&store, events).await.unwrap();
    }
    let log = all_events(&store).await;
    let leaves: Vec<_> = log.iter().map(|e| parse_hex(&e.leaf_hash).unwrap()).collect();
    let expected = MemoryTree::from_leaves(&leaves).unwrap().stored_hashes().to_vec();
    let mut read = Vec::new();
    let mut from = 0u64;
    loop {
        let page = store.tree_hash_page(from, 5).await.unwrap();
        let Some(&(last, _)) = page.last() else { break };
        for (i, (idx, _)) in page.iter().enumerate() {
            assert_eq!(*idx, from + i as u64);
        }
        read.extend(page.into_iter().map(|(_, h)| h));
        from = last + 1;
    }
    assert_eq!(read, expected);
}

/// Batches of 1,000 events take the bulk path (statements prepared once; on PostgreSQL run
/// with a cached plan, then the connection's planning again): what they write, and what a
/// small append in the same transaction writes after them, is the gapless log and its tree.
async fn bulk_batches_write_the_log_and_tree_small_ones_would(db: &TestDb) {
    use liangye_events::hash::parse_hex;
    use liangye_events::merkle::MemoryTree;
    let store = EventStore::connect(&db.url).await.unwrap();
    let batch = |from: usize, n: usize| -> Vec<NewEvent> {
        (from..from + n)
            .map(|k| event(&format!("unit-{}", k % 7), json!({ "k": k })))
            .collect()
    };
    let mut tx = store.begin_write().await.unwrap();
    tx.append(batch(0, 1000)).await.unwrap();
    tx.append(batch(1000, 3)).await.unwrap();
    tx.append(batch(1003, 1000)).await.unwrap();
    tx.commit().await.unwrap();
    append(&store, batch(2003, 1000)).await.unwrap();
    append(&store, batch(3003, 2)).await.unwrap();
    let log = all_events(&store).await;
    assert_eq!(log.len(), 3005);
    assert_gapless(&log);
    for (k, ev) in log.iter().enumerate() {
        assert_eq!(
            ev.envelope().unwrap().payload,
            json!({ "k": k }),
            "position {}",
            ev.position
        );
    }
    let leaves: Vec<_> = log.iter().map(|e| parse_hex(&e.leaf_hash).unwrap()).collect();
    let tree = MemoryTree::from_leaves(&leaves).unwrap();
    let mut stored = Vec::new();
    let mut from = 0u64;
    loop {
        let page = store.tree_hash_page(from, 4096).await.unwrap();
        let Some(&(last, _)) = page.last() else { break };
        stored.extend(page.into_iter().map(|(_, h)| h));
        from = last + 1;
    }
    assert_eq!(stored, tree.stored_hashes());
    assert_eq!(
        store.head_root().await.unwrap(),
        Some((3005, tree.root().unwrap()))
    );
}

async fn merkle_tree_is_kept_with_the_log(db: &TestDb) {
    use liangye_events::hash::parse_hex;
    use liangye_events::merkle::{MemoryTree, verify_consistency, verify_inclusion};
    let store = EventStore::connect(&db.url).await.unwrap();
    for (i, n) in [1usize, 2, 3, 1, 8, 5, 13, 1, 30].iter().enumerate() {
        let events = (0..*n)
            .map(|k| event(&format!("s{}", (i + k) % 4), json!({"i": i, "k": k})))
            .collect();
        append(&store, events).await.unwrap();
    }
    let log = all_events(&store).await;
    let leaves: Vec<_> = log.iter().map(|e| parse_hex(&e.leaf_hash).unwrap()).collect();
    let tree = MemoryTree::from_leaves(&leaves).unwrap();
    let head = log.len() as i64;
    assert_eq!(
        store.head_root().await.unwrap(),
        Some((head, tree.root().unwrap()))
    );
    for size in 1..=head {
        let root = store.tree_root(size).await.unwrap();
        assert_eq!(root, tree.root_at(size as u64).unwrap(), "size {size}");
        for position in [1, (size + 1) / 2, size] {
            let p = store.inclusion_proof(position, Some(size)).await.unwrap();
            assert_eq!(p.root, root);
            verify_inclusion((position - 1) as u64, size as u64, &p.leaf_hash, &p.hashes, &root).unwrap();
        }
        let c = store.consistency_proof(size, None).await.unwrap();
        verify_consistency(size as u64, head as u64, &c.from_root, &c.to_root, &c.hashes).unwrap();
    }
}

async fn tree_requests_beyond_the_head_are_refused(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    assert_eq!(store.head_root().await.unwrap(), None);
    assert_eq!(
        store.tree_root(1).await.unwrap_err().code(),
        ErrorCode::ValidationFailed
    );
    append(&store, vec![event("s", json!({})), event("s", json!({}))])
        .await
        .unwrap();
    for err in [
        store.tree_root(0).await.unwrap_err(),
        store.tree_root(3).await.unwrap_err(),
        store.inclusion_proof(0, None).await.unwrap_err(),
        store.inclusion_proof(3, None).await.unwrap_err(),
        store.inclusion_proof(2, Some(1)).await.unwrap_err(),
        store.consistency_proof(2, Some(1)).await.unwrap_err(),
        store.consistency_proof(0, None).await.unwrap_err(),
        store.consistency_proof(1, Some(5)).await.unwrap_err(),
    ] {
        assert_eq!(err.code(), ErrorCode::ValidationFailed, "{err}");
    }
}
