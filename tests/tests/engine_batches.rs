//! The engine's all-or-nothing batches (`Engine::submit_all`, what a pilot-list import
//! records through), on SQLite and (when `TEST_DATABASE_URL` is set) PostgreSQL: a good
//! batch is one transaction at consecutive positions; a batch with a refused command, or a
//! dry run, records nothing and leaves the engine deciding exactly as before.

use liangye_tests::on_both_backends;

use liangye_events::catalogue::CityCode;
use liangye_services::EventStore;
use liangye_services::decide::{Coded, Command, ErrorCode, Principal};
use liangye_services::engine::{BatchOutcome, Engine, Submission};
use liangye_services::scenario;
use liangye_tests::TestDb;
use uuid::Uuid;

on_both_backends!(
    a_good_batch_is_recorded_at_consecutive_positions,
    a_batch_with_a_refused_command_records_nothing,
    a_dry_run_records_nothing,
    later_commands_see_earlier_ones_of_the_batch,
    single_commands_around_a_batch_are_decided_as_usual,
);

fn operator() -> Principal {
    Principal::operator("省发展改革委服务业处")
}

fn listing(n: u64) -> Command {
    scenario::list_enterprise(
        Uuid::now_v7(),
        &format!("批量企业{n}"),
        CityCode::all().nth((n % 13) as usize).unwrap(),
        9000 + n,
        3,
        scenario::day_in(2025, 3, 1),
    )
}

fn submissions(commands: impl IntoIterator<Item = Command>) -> Vec<Submission> {
    commands
        .into_iter()
        .map(|c| Submission::new(c, operator()))
        .collect()
}

async fn head(store: &EventStore) -> i64 {
    store.head().await.unwrap().position
}

async fn a_good_batch_is_recorded_at_consecutive_positions(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    engine.execute(listing(0), &operator()).await.unwrap();
    let batch: Vec<Command> = (1..=30).map(listing).collect();
    let ids: Vec<Option<Uuid>> = batch.iter().map(Command::designation_id).collect();
    let BatchOutcome::Recorded(decided) = engine.submit_all(submissions(batch), false).await.unwrap() else {
        panic!("a good batch is recorded");
    };
    let positions: Vec<i64> = decided.iter().map(|d| d.position).collect();
    assert_eq!(positions, (2..=31).collect::<Vec<i64>>());
    assert_eq!(decided.iter().map(|d| d.designation_id).collect::<Vec<_>>(), ids);
    let log = store.read_from(1, 100).await.unwrap();
    assert_eq!(log.len(), 30);
    assert!(log.iter().all(|e| e.event_type == "PilotListed"));
}

async fn a_batch_with_a_refused_command_records_nothing(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    engine.execute(listing(0), &operator()).await.unwrap();
    let before = head(&store).await;
    // The second command lists a credit code already in the registry, the fourth awards an
    // unknown unit: both are named, every other command was decided too.
    let batch = vec![
        listing(1),
        listing(0),
        listing(2),
        scenario::award(Uuid::now_v7(), 2025),
        listing(3),
    ];
    let BatchOutcome::Refused(refused) = engine.submit_all(submissions(batch), false).await.unwrap() else {
        panic!("the batch is refused");
    };
    let named: Vec<(usize, ErrorCode)> = refused.iter().map(|(i, e)| (*i, e.code())).collect();
    assert_eq!(named, [(1, ErrorCode::Duplicate), (3, ErrorCode::NotFound)]);
    assert_eq!(head(&store).await, before, "nothing was appended");
    // The engine forgot the refused batch's units: each can be listed now.
    for n in 1..=3 {
        engine.execute(listing(n), &operator()).await.unwrap();
    }
    assert_eq!(head(&store).await, before + 3);
}

async fn a_dry_run_records_nothing(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    engine.execute(listing(0), &operator()).await.unwrap();
    let before = head(&store).await;
    let outcome = engine
        .submit_all(submissions((1..=5).map(listing)), true)
        .await
        .unwrap();
    assert!(matches!(outcome, BatchOutcome::Checked), "{outcome:?}");
    assert_eq!(head(&store).await, before);
    // A dry run names refusals as a real run does.
    let outcome = engine
        .submit_all(submissions([listing(6), listing(0)]), true)
        .await
        .unwrap();
    let BatchOutcome::Refused(refused) = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].0, 1);
    assert_eq!(refused[0].1.code(), ErrorCode::Duplicate);
    // The same batch, for real, right after the dry run.
    let BatchOutcome::Recorded(decided) = engine
        .submit_all(submissions((1..=5).map(listing)), false)
        .await
        .unwrap()
    else {
        panic!("recorded after the dry run");
    };
    assert_eq!(decided.first().map(|d| d.position), Some(before + 1));
    assert_eq!(head(&store).await, before + 5);
}

async fn later_commands_see_earlier_ones_of_the_batch(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    let id = Uuid::now_v7();
    // A whole lifecycle in one batch: each command rests on the ones before it.
    let lifecycle = scenario::enterprise_to_award(id, "一揽子企业", CityCode::Wuxi, 77, 2025);
    let n = lifecycle.len();
    let BatchOutcome::Recorded(decided) = engine
        .submit_all(submissions(lifecycle.clone()), false)
        .await
        .unwrap()
    else {
        panic!("the lifecycle is recorded");
    };
    assert_eq!(decided.len(), n);
    assert_eq!(head(&store).await, n as i64);
    // The same listing twice in one batch: the second is a duplicate of the first.
    let twice = vec![listing(5), listing(5)];
    let BatchOutcome::Refused(refused) = engine.submit_all(submissions(twice), true).await.unwrap() else {
        panic!("refused");
    };
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].0, 1);
    assert_eq!(refused[0].1.code(), ErrorCode::Duplicate);
}

async fn single_commands_around_a_batch_are_decided_as_usual(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    // Singles and batches submitted at once: every single is decided, the good batch is
    // recorded whole, the refused one not at all, and the log stays gapless.
    let mut handles = Vec::new();
    for n in 0..20u64 {
        let engine = engine.clone();
        handles.push(tokio::spawn(async move {
            engine
                .execute(listing(100 + n), &operator())
                .await
                .map(|_| 1usize)
        }));
    }
    let good = engine.clone();
    let good =
        tokio::spawn(async move { good.submit_all(submissions((200..210).map(listing)), false).await });
    let bad = engine.clone();
    let bad = tokio::spawn(async move {
        bad.submit_all(
            submissions([listing(300), scenario::award(Uuid::now_v7(), 2025)]),
            false,
        )
        .await
    });
    let mut singles = 0;
    for h in handles {
        singles += h.await.unwrap().unwrap();
    }
    assert_eq!(singles, 20);
    assert!(matches!(good.await.unwrap().unwrap(), BatchOutcome::Recorded(d) if d.len() == 10));
    assert!(matches!(bad.await.unwrap().unwrap(), BatchOutcome::Refused(r) if r.len() == 1));
    let log = store.read_from(0, 100).await.unwrap();
    assert_eq!(log.len(), 30);
    for (i, e) in log.iter().enumerate() {
        assert_eq!(e.position, i as i64 + 1);
    }
    // The refused batch's listing was never recorded: it can be now.
    engine.execute(listing(300), &operator()).await.unwrap();
}
