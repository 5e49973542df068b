//! PostgreSQL restarted under load (only when `TEST_DATABASE_URL` is set, and PostgreSQL is
//! the local cluster at 127.0.0.1:5432 that `pg_ctlcluster` manages): a `liangye serve`
//! process on a fresh database takes decisions from 6 writers over HTTP while PostgreSQL
//! is restarted. Meanwhile the server answers with errors (an HTTP or GraphQL `INTERNAL`
//! error, or the documented 503) — it does not crash or drop connections — then recovers
//! by itself: requests succeed again, and a writer that retries a failed decision with the
//! same `commandId` gets it recorded exactly once. Nothing acknowledged is lost, the read
//! model catches up, and `liangye verify` passes.
//!
//! A restart disrupts every other user of that PostgreSQL, so this is the only test in
//! this file (cargo runs test binaries one after another), and it waits for PostgreSQL to
//! accept connections again before it ends, whatever happens.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use liangye_tests::TestDb;
use liangye_tests::process::{
    Api, Ledger, Outcome, PATIENCE, Server, YEAR, assert_acks_in_log, assert_command_ids_once,
    assert_verifies, designation_id, eventually, export, issue_token, list_pilot, steps_after_listing,
    with_command_id,
};
use serde_json::{Value, json};

const WRITERS: usize = 6;

liangye_tests::on_postgres!(postgres_restart_under_load_loses_nothing_and_recovers);

async fn postgres_restart_under_load_loses_nothing_and_recovers(db: &TestDb) {
    let Some(version) = local_cluster() else {
        liangye_tests::skip(
            "pg_restart::postgres_restart_under_load_loses_nothing_and_recovers",
            "no local PostgreSQL cluster under /etc/postgresql to restart",
        );
        return;
    };
    let _ready = WaitForPostgres; // Whatever happens below, PostgreSQL is up before we end.

    let token = issue_token(&db.url, "PROVINCIAL", "省发展改革委(重启测试)").await;
    let mut server = Server::start(&db.url, &db.path("server.log")).await;
    let api = server.api(&token);
    let shared = Arc::new(Shared::default());
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| tokio::spawn(writer(api.clone(), shared.clone())))
        .collect();

    // Load first, then the restart in the middle of it.
    eventually("decisions before the restart", || {
        let shared = shared.clone();
        async move { shared.ledger.acked() >= 60 }
    })
    .await;
    let acked_before = shared.ledger.acked();
    let status = tokio::process::Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", &version, "main", "restart"])
        .status()
        .await
        .expect("run pg_ctlcluster");
    assert!(status.success(), "pg_ctlcluster {version} main restart failed");
    wait_for_postgres().await;

    // Recovery by itself: the writers' decisions are accepted again.
    let at_restart = shared.ledger.acked();
    eventually("decisions accepted again after the restart", || {
        let shared = shared.clone();
        async move { shared.ledger.acked() >= at_restart + 60 }
    })
    .await;
    shared.ledger.stop();
    for w in writers {
        tokio::time::timeout(PATIENCE * 2, w)
            .await
            .expect("a writer hung")
            .expect("writer task");
    }

    assert!(
        server.is_running(),
        "the server exited during the restart; its log:\n{}",
        server.log_text()
    );
    shared.ledger.assert_nothing_unexpected(
        "answers other than acceptance or a server-side error",
        &format!("server log:\n{}", server.log_text()),
    );
    let errors = shared.errors.load(Ordering::SeqCst);
    let acks = shared.ledger.acks();
    let found_committed = acks.iter().filter(|a| a.duplicate).count();
    eprintln!(
        "pg_restart: {acked_before} decisions acknowledged before the restart, {} in all; \
         {errors} server-side errors meanwhile, each retried with its commandId until recorded \
         ({found_committed} retries found the first attempt committed)",
        acks.len()
    );

    let log = export(&db.url).await;
    assert_acks_in_log(&log, &acks, "after the PostgreSQL restart");
    assert_command_ids_once(&log);
    // The read model followed the log across the restart.
    let head = log.len() as i64;
    assert_eq!(api.head().await, head);
    eventually("the read model catches up with the log", || {
        let api = api.clone();
        async move {
            api.query("{ statistics { position } }", json!({})).await["statistics"]["position"] == head
        }
    })
    .await;
    assert_verifies(&db.url, "after the PostgreSQL restart").await;
}

#[derive(Default)]
struct Shared {
    /// Unexpected: a refusal of a valid decision, a dropped connection, a 4xx.
    ledger: Ledger,
    /// Server-side errors answered (and retried).
    errors: AtomicUsize,
}

async fn writer(api: Api, shared: Arc<Shared>) {
    while !shared.ledger.stopped() {
        let n = shared.ledger.next();
        let Some(listed) = decide(&api, &shared, "listPilot", list_pilot(n, "重启测试")).await else {
            return;
        };
        let id = designation_id(&listed);
        for (name, input) in steps_after_listing(&id, YEAR, false) {
            if decide(&api, &shared, name, input).await.is_none() {
                return;
            }
        }
    }
}

/// Decide until recorded, retrying a server-side error with the same `commandId` (as a
/// client that lost an answer must); `None` on anything else (recorded as unexpected).
async fn decide(api: &Api, shared: &Shared, name: &'static str, input: Value) -> Option<Value> {
    let input = with_command_id(input);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let problem = match api.mutate(name, &input).await {
            Outcome::Accepted(payload) => {
                shared.ledger.ack(name, &input, &payload);
                return Some(payload);
            }
            Outcome::Refused { code, .. } if code == "INTERNAL" => None,
            // The request outran REQUEST_TIMEOUT while the database was away.
            Outcome::Refused { status: 503, .. } => None,
            Outcome::Http { status, .. } if status >= 500 => None,
            other => Some(format!("{name}: {other:?}")),
        };
        if let Some(problem) = problem {
            shared.ledger.unexpected(problem);
            return None;
        }
        shared.errors.fetch_add(1, Ordering::SeqCst);
        if tokio::time::Instant::now() > deadline {
            shared
                .ledger
                .unexpected(format!("{name}: still failing after {PATIENCE:?}"));
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The version directory of the local cluster (`/etc/postgresql/<version>/main`).
fn local_cluster() -> Option<String> {
    let mut versions: Vec<String> = std::fs::read_dir("/etc/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("main").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    versions.sort();
    versions.pop()
}

fn postgres_is_ready() -> bool {
    std::process::Command::new("pg_isready")
        .args(["-h", "127.0.0.1", "-p", "5432"])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

async fn wait_for_postgres() {
    eventually("PostgreSQL accepts connections", || async { postgres_is_ready() }).await;
}

/// On drop (also when the test fails): wait until PostgreSQL accepts connections, so the
/// tests that run after this one find it up.
struct WaitForPostgres;

impl Drop for WaitForPostgres {
    fn drop(&mut self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        while !postgres_is_ready() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
