//! `liangye verify` finds tampering done behind the registry's back — an edited, deleted,
//! reordered or truncated event, a changed or missing stored tree hash, and a rewrite whose
//! leaf and tree hashes were recomputed (caught by the pinned signed checkpoint) — and refuses
//! a checkpoint under another key.
//! The attacker here has the database: they drop the append-only triggers first. Real
//! processes, real SQLite files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use liangye_events::canonical::to_jcs;
use liangye_events::catalogue::CityCode;
use liangye_events::hash::{leaf_hash_hex, parse_hex};
use liangye_events::merkle::MemoryTree;
use liangye_services::EventStore;
use liangye_services::decide::Principal;
use liangye_services::engine::Engine;
use liangye_services::scenario;
use sqlx::sqlite::SqlitePool;
use uuid::Uuid;

struct Fixture {
    dir: tempfile::TempDir,
    url: String,
}

impl Fixture {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn liangye(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liangye"))
        .arg("--database")
        .arg(db)
        .args(args)
        .output()
        .expect("run liangye")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A log of a few lifecycles, a signing key and a signed checkpoint of its head.
async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("registry.db").display());
    let store = EventStore::connect(&url).await.unwrap();
    let (engine, writer) = Engine::start(store.clone());
    let operator = Principal::operator("审计测试");
    for i in 0..4u64 {
        let city = CityCode::all().nth(i as usize).unwrap();
        for command in scenario::enterprise_to_award(Uuid::now_v7(), &format!("企业{i}"), city, 900 + i, 2024)
        {
            engine.execute(command, &operator).await.unwrap();
        }
    }
    drop(engine);
    writer.await.unwrap();
    store.close().await;
    let fx = Fixture { dir, url };
    let key = fx.path("key");
    let key = key.to_str().unwrap();
    assert!(
        liangye(
            &fx.url,
            &["keygen", "--origin", "audit.example/liangye", "--out", key]
        )
        .status
        .success()
    );
    let note = liangye(&fx.url, &["checkpoint", "--signing-key", key]);
    assert!(note.status.success(), "{}", String::from_utf8_lossy(&note.stderr));
    std::fs::write(fx.path("head.note"), &note.stdout).unwrap();
    fx
}

fn verify(fx: &Fixture, pinned: bool) -> Output {
    let note = fx.path("head.note");
    let key = fx.path("key.pub");
    if pinned {
        liangye(
            &fx.url,
            &[
                "verify",
                "--checkpoint",
                note.to_str().unwrap(),
                "--public-key",
                key.to_str().unwrap(),
            ],
        )
    } else {
        liangye(&fx.url, &["verify"])
    }
}

/// Open the database as an attacker: the append-only triggers dropped.
async fn attacker(fx: &Fixture) -> SqlitePool {
    let pool = SqlitePool::connect(&fx.url).await.unwrap();
    for t in [
        "events_refuse_update",
        "events_refuse_delete",
        "tree_hashes_refuse_update",
        "tree_hashes_refuse_delete",
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP TRIGGER {t}")))
            .execute(&pool)
            .await
            .unwrap();
    }
    pool
}

fn assert_fails_at(out: &Output, position: i64) {
    assert!(!out.status.success(), "verify passed: {}", stdout(out));
    assert!(
        stdout(out).contains(&format!("FAILED at position {position}:")),
        "{}",
        stdout(out)
    );
}

#[tokio::test]
async fn an_untouched_log_verifies_against_its_checkpoint() {
    let fx = fixture().await;
    let out = verify(&fx, true);
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).starts_with("ok: 28 events verified"),
        "{}",
        stdout(&out)
    );
}

/// The attacker runs `sql`.
async fn tamper(db: &SqlitePool, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(db)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// On a fresh fixture the attacker runs `statements`: verify (without the pinned
/// checkpoint) fails at `position`.
async fn found_at(statements: &[&str], position: i64) {
    let fx = fixture().await;
    let db = attacker(&fx).await;
    for sql in statements {
        tamper(&db, sql).await;
    }
    assert_fails_at(&verify(&fx, false), position);
}

#[tokio::test]
async fn an_edited_column_is_found() {
    found_at(&["UPDATE events SET actor = 'mallory' WHERE position = 5"], 5).await;
}

#[tokio::test]
async fn an_edited_payload_is_found() {
    let edit = "UPDATE events SET canonical = replace(canonical, '2024', '2023') WHERE position = 9";
    found_at(&[edit], 9).await;
}

/// Replace the canonical text at `position` and give it its proper leaf hash: only the
/// canonical-form or column checks can find what was done.
async fn rewrite_with_hash(db: &SqlitePool, position: i64, rewrite: impl Fn(&str) -> String) {
    let (canonical,): (String,) = sqlx::query_as("SELECT canonical FROM events WHERE position = ?")
        .bind(position)
        .fetch_one(db)
        .await
        .unwrap();
    let forged = rewrite(&canonical);
    assert_ne!(forged, canonical);
    sqlx::query("UPDATE events SET canonical = ?, leaf_hash = ? WHERE position = ?")
        .bind(&forged)
        .bind(leaf_hash_hex(&forged))
        .bind(position)
        .execute(db)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_text_not_in_rfc8785_form_is_found_though_its_hash_matches() {
    // Whitespace, members out of order, a needless escape: each the same JSON value.
    for (position, rewrite) in [
        (6, (|t: &str| t.replacen(",\"", ", \"", 1)) as fn(&str) -> String),
        (11, |t: &str| {
            let mut v: serde_json::Value = serde_json::from_str(t).unwrap();
            let payload = v["payload"].take();
            let rest = serde_json::to_string(&v).unwrap();
            format!("{{\"payload\":{payload},{}", &rest[1..]).replacen(",\"payload\":null", "", 1)
        }),
        (12, |t: &str| t.replacen("\"position\"", "\"\\u0070osition\"", 1)),
    ] {
        let fx = fixture().await;
        let db = attacker(&fx).await;
        rewrite_with_hash(&db, position, rewrite).await;
        let out = verify(&fx, false);
        assert_fails_at(&out, position);
        assert!(stdout(&out).contains("RFC 8785"), "{}", stdout(&out));
    }
}

#[tokio::test]
async fn separators_and_length_prefixes_in_a_text_are_found_where_they_are() {
    // What the paged read joins rows with cannot move a finding to another row.
    for forged in ["1:x12:N\nN", "\n", "N"] {
        let fx = fixture().await;
        let db = attacker(&fx).await;
        rewrite_with_hash(&db, 8, |t: &str| format!("{t}{forged}")).await;
        assert_fails_at(&verify(&fx, false), 8);
    }
}

/// On a fresh fixture the attacker runs `update` on event 10: verify fails there, naming
/// `column`.
async fn column_found(update: &str, column: &str) {
    let fx = fixture().await;
    let db = attacker(&fx).await;
    tamper(&db, update).await;
    let out = verify(&fx, false);
    assert_fails_at(&out, 10);
    assert!(
        stdout(&out).contains(&format!("column {column}")),
        "{update}: {}",
        stdout(&out)
    );
}

#[tokio::test]
async fn a_changed_id_or_version_column_is_found() {
    for (update, column) in [
        (
            "UPDATE events SET command_id = CASE WHEN command_id IS NULL \
             THEN '0194c0de-0000-7000-8000-000000000001' END WHERE position = 10",
            "command_id",
        ),
        (
            "UPDATE events SET command_id = CASE WHEN command_id IS NULL \
             THEN 'not a uuid' ELSE NULL END WHERE position = 10",
            "command_id",
        ),
        (
            "UPDATE events SET event_id = substr(event_id, 1, 35) || 'g' WHERE position = 10",
            "event_id",
        ),
        (
            "UPDATE events SET stream_version = stream_version + 100 WHERE position = 10",
            "stream_version",
        ),
    ] {
        column_found(update, column).await;
    }
}

/// `verify` reads each value as SQLite holds it (`sqlite_pages.rs`): a value of another
/// storage class, or bytes that are not UTF-8, is read as text and found where it is.
#[tokio::test]
async fn a_value_of_another_storage_class_is_found() {
    for (update, column) in [
        ("UPDATE events SET actor = X'FF' WHERE position = 10", "actor"),
        (
            "UPDATE events SET stream_version = stream_version + 0.5 WHERE position = 10",
            "stream_version",
        ),
        (
            "UPDATE events SET event_type = 7 WHERE position = 10",
            "event_type",
        ),
    ] {
        column_found(update, column).await;
    }
}

#[tokio::test]
async fn a_deleted_event_is_found() {
    found_at(&["DELETE FROM events WHERE position = 7"], 7).await;
}

#[tokio::test]
async fn a_changed_or_missing_stored_tree_hash_is_found() {
    use liangye_events::merkle::split_stored_hash_index;
    // Stored hash 5 is the node over leaves 2 and 3 (positions 3 and 4), 40 a leaf.
    for idx in [5u64, 40] {
        let (level, n) = split_stored_hash_index(idx);
        let position = (n << level) as i64 + 1;
        found_at(
            &[&format!(
                "UPDATE tree_hashes SET hash = zeroblob(32) WHERE idx = {idx}"
            )],
            position,
        )
        .await;
        found_at(&[&format!("DELETE FROM tree_hashes WHERE idx = {idx}")], position).await;
    }
}

#[tokio::test]
async fn a_finding_in_the_rows_is_told_before_one_in_the_stored_tree() {
    found_at(
        &[
            "UPDATE tree_hashes SET hash = zeroblob(32) WHERE idx = 0",
            "DELETE FROM events WHERE position = 7",
        ],
        7,
    )
    .await;
}

#[tokio::test]
async fn reordered_events_are_found() {
    // Swap the contents of positions 3 and 4, keeping each row's position column.
    let swap = [
        "UPDATE events SET position = 1000 WHERE position = 3",
        "UPDATE events SET position = 3 WHERE position = 4",
        "UPDATE events SET position = 4 WHERE position = 1000",
    ];
    found_at(&swap, 3).await;
}

#[tokio::test]
async fn a_truncated_log_is_found() {
    let fx = fixture().await;
    let db = attacker(&fx).await;
    tamper(&db, "DELETE FROM events WHERE position > 20").await;
    // The stored checkpoint (size 28) is beyond the log…
    assert!(!verify(&fx, false).status.success());
    // …and with the stored checkpoints and tree cut back too, the pinned one still catches it.
    tamper(&db, "DELETE FROM checkpoints").await;
    rebuild_tree(&db).await;
    assert!(
        verify(&fx, false).status.success(),
        "{}",
        stdout(&verify(&fx, false))
    );
    assert_fails_at(&verify(&fx, true), 21);
}

#[tokio::test]
async fn a_rewrite_with_recomputed_hashes_is_found_by_the_checkpoint() {
    let fx = fixture().await;
    let db = attacker(&fx).await;
    // Rewrite event 9 properly: new payload, canonical form and leaf hash; rebuild the tree;
    // drop the stored checkpoints. Every internal check now holds…
    let (canonical,): (String,) = sqlx::query_as("SELECT canonical FROM events WHERE position = 9")
        .fetch_one(&db)
        .await
        .unwrap();
    let mut envelope: serde_json::Value = serde_json::from_str(&canonical).unwrap();
    envelope["payload"]["documentRef"] = serde_json::Value::from("苏发改服务发〔2024〕999号");
    let forged = to_jcs(&envelope).unwrap();
    sqlx::query("UPDATE events SET canonical = ?, leaf_hash = ? WHERE position = 9")
        .bind(&forged)
        .bind(leaf_hash_hex(&forged))
        .execute(&db)
        .await
        .unwrap();
    tamper(&db, "DELETE FROM checkpoints").await;
    rebuild_tree(&db).await;
    let unpinned = verify(&fx, false);
    assert!(unpinned.status.success(), "{}", stdout(&unpinned));
    // …but the log no longer has the root the auditor pinned.
    assert_fails_at(&verify(&fx, true), 28);
}

#[tokio::test]
async fn a_checkpoint_under_another_key_is_refused() {
    let fx = fixture().await;
    let other = fx.path("other");
    assert!(
        liangye(
            &fx.url,
            &[
                "keygen",
                "--origin",
                "audit.example/liangye",
                "--out",
                other.to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    let note = fx.path("head.note");
    let out = liangye(
        &fx.url,
        &[
            "verify",
            "--checkpoint",
            note.to_str().unwrap(),
            "--public-key",
            &format!("{}.pub", other.display()),
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--checkpoint"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_proof_bundle_verifies_offline_and_a_forged_one_does_not() {
    let fx = fixture().await;
    let bundle = liangye(&fx.url, &["prove", "--position", "13"]);
    assert!(
        bundle.status.success(),
        "{}",
        String::from_utf8_lossy(&bundle.stderr)
    );
    let path = fx.path("bundle.json");
    std::fs::write(&path, &bundle.stdout).unwrap();
    let key = fx.path("key.pub");
    // Offline: a database URL that does not exist is never opened.
    let nowhere = format!("sqlite://{}", Path::new("/nonexistent/dir/x.db").display());
    let verify_proof = || {
        liangye(
            &nowhere,
            &[
                "verify-proof",
                path.to_str().unwrap(),
                "--public-key",
                key.to_str().unwrap(),
            ],
        )
    };
    let ok = verify_proof();
    assert!(ok.status.success(), "{}", stdout(&ok));
    let forged = String::from_utf8(bundle.stdout).unwrap().replace("2024", "2023");
    std::fs::write(&path, forged).unwrap();
    let bad = verify_proof();
    assert!(!bad.status.success(), "{}", stdout(&bad));
}

/// Recompute the stored tree from the (possibly forged) leaf hashes, as a thorough attacker would.
async fn rebuild_tree(db: &SqlitePool) {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT leaf_hash FROM events ORDER BY position")
        .fetch_all(db)
        .await
        .unwrap();
    let leaves: Vec<_> = rows.iter().map(|(h,)| parse_hex(h).unwrap()).collect();
    let tree = MemoryTree::from_leaves(&leaves).unwrap();
    sqlx::query("DELETE FROM tree_hashes").execute(db).await.unwrap();
    for (i, h) in tree.stored_hashes().iter().enumerate() {
        sqlx::query("INSERT INTO tree_hashes (idx, hash) VALUES (?, ?)")
            .bind(i as i64)
            .bind(h.to_vec())
            .execute(db)
            .await
            .unwrap();
    }
}
