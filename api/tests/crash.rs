//! Crash: a `liangye serve` process under 8 concurrent writers over HTTP is killed with
//! SIGKILL (`kill -9`) at random moments, many times. After each kill the log left behind
//! passes `liangye verify`; after each restart every acknowledged decision (HTTP 200 with
//! data, no errors) is in the exported log at the position it was answered with, and
//! re-submitting an acknowledged `commandId` answers `duplicate: true` with the first
//! result and appends nothing. On a fresh SQLite file, and on a fresh PostgreSQL database
//! when `TEST_DATABASE_URL` is set.

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use liangye_tests::TestDb;
use liangye_tests::process::{
    Ack, Api, Ledger, Outcome, PATIENCE, Rng, Server, YEAR, assert_acks_in_log, assert_command_ids_once,
    assert_verifies, designation_id, export, issue_token, list_pilot, steps_after_listing, with_command_id,
};

/// Kills per backend.
const KILLS: usize = 9;
/// Concurrent writers.
const WRITERS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_survives_kill_9_under_concurrent_writers() {
    crash_and_check(&TestDb::sqlite(), "crash/sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_survives_kill_9_under_concurrent_writers() {
    let Some(db) = TestDb::postgres_or_skip("crash::postgres_survives_kill_9_under_concurrent_writers").await
    else {
        return;
    };
    crash_and_check(&db, "crash/postgres").await;
}

async fn crash_and_check(db: &TestDb, label: &str) {
    let token = issue_token(&db.url, "PROVINCIAL", "省发展改革委(崩溃测试)").await;
    let log = db.path("server.log");
    let shared = Arc::new(Ledger::default());
    let mut rng = Rng::from_clock(label);
    let mut checked_before = 0;

    for round in 0..KILLS {
        let mut server = Server::start(&db.url, &log).await;
        let api = server.api(&token);
        if round > 0 {
            checked_before = check_after_restart(db, &api, &shared, checked_before, &mut rng, round).await;
        }

        let writers: Vec<_> = (0..WRITERS)
            .map(|_| tokio::spawn(writer(api.clone(), shared.clone())))
            .collect();
        let moment = Duration::from_millis(rng.range(100, 1500));
        tokio::time::sleep(moment).await;
        server.kill().await;
        for w in writers {
            tokio::time::timeout(PATIENCE, w)
                .await
                .expect("a writer hung after the kill")
                .expect("writer task");
        }
        // Answers other than acceptance or a dead connection: none are expected.
        shared.assert_nothing_unexpected(
            &format!("{label}: answers other than acceptance while the server ran"),
            &format!("server log:\n{}", server.log_text()),
        );
        let acks = shared.acked();
        eprintln!("{label}: round {round}: killed after {moment:?}; {acks} decisions acknowledged so far");
        assert_verifies(&db.url, &format!("after kill {round}")).await;
    }

    let server = Server::start(&db.url, &log).await;
    let api = server.api(&token);
    check_after_restart(db, &api, &shared, checked_before, &mut rng, KILLS).await;
    let acks = shared.acked();
    assert!(acks > 0, "{label}: no decision was ever acknowledged");
    assert_verifies(&db.url, "at the end").await;
}

/// One writer: enterprise lifecycles, one decision after another, each with its own
/// `commandId`, until the server stops answering.
async fn writer(api: Api, shared: Arc<Ledger>) {
    loop {
        let n = shared.next();
        let Some(listed) = submit(&api, &shared, "listPilot", list_pilot(n, "崩溃测试")).await else {
            return;
        };
        let id = designation_id(&listed);
        for (name, input) in steps_after_listing(&id, YEAR, n.is_multiple_of(3)) {
            if submit(&api, &shared, name, input).await.is_none() {
                return;
            }
        }
    }
}

async fn submit(
    api: &Api,
    shared: &Ledger,
    name: &'static str,
    input: serde_json::Value,
) -> Option<serde_json::Value> {
    let input = with_command_id(input);
    match api.mutate(name, &input).await {
        Outcome::Accepted(payload) => {
            let ack = Ack::new(name, &input, &payload);
            if ack.duplicate {
                shared.unexpected(format!("{name}: a fresh commandId answered duplicate: {payload}"));
                return None;
            }
            shared.record(ack);
            Some(payload)
        }
        // The server was killed: the decision in flight is not acknowledged.
        Outcome::Transport(_) => None,
        other => {
            shared.unexpected(format!("{name}: {other:?}"));
            None
        }
    }
}

/// After a restart, with no writer running: every acknowledged decision is in the log,
/// and a sample of them re-submitted (all acknowledged since the last check, at most 24,
/// plus 8 older ones) answer `duplicate: true` with the first result, appending nothing.
/// Returns how many acknowledgements exist now.
async fn check_after_restart(
    db: &TestDb,
    api: &Api,
    shared: &Ledger,
    checked_before: usize,
    rng: &mut Rng,
    round: usize,
) -> usize {
    let when = format!("after restart {round}");
    let acks = shared.acks();
    let log = export(&db.url).await;
    assert_acks_in_log(&log, &acks, &when);
    assert_command_ids_once(&log);

    let head = api.head().await;
    assert_eq!(head, log.len() as i64, "{when}: logHead and the export disagree");

    let mut sample: Vec<&Ack> = acks[checked_before..].iter().rev().take(24).collect();
    if checked_before > 0 {
        for _ in 0..8 {
            sample.push(&acks[rng.range(0, checked_before as u64) as usize]);
        }
    }
    let answers = join_all(sample.iter().map(|ack| api.mutate(ack.mutation, &ack.input))).await;
    for (ack, answer) in sample.iter().zip(answers) {
        let Outcome::Accepted(payload) = answer else {
            panic!(
                "{when}: re-submitting {} {} answered {answer:?}",
                ack.mutation, ack.command_id
            );
        };
        let again = Ack::new(ack.mutation, &ack.input, &payload);
        assert!(
            again.duplicate,
            "{when}: re-submitted {} was not a duplicate: {payload}",
            ack.command_id
        );
        assert_eq!(again.position, ack.position, "{when}: {}", ack.command_id);
        assert_eq!(again.events, ack.events, "{when}: {}", ack.command_id);
    }
    assert_eq!(
        api.head().await,
        head,
        "{when}: re-submitting acknowledged commands appended events"
    );
    acks.len()
}
