//! The write engine under concurrency, on SQLite and (when `TEST_DATABASE_URL` is set)
//! PostgreSQL: invariants hold however commands race, within one engine and across two
//! engines with separate pools (as two server processes would have).

use liangye_tests::on_both_backends;
use std::collections::{BTreeSet, HashMap};

use liangye_events::StoredEvent;
use liangye_events::catalogue::{CityCode, DomainEvent, RecordedEvent};
use liangye_services::EventStore;
use liangye_services::decide::{Coded, Command, ErrorCode, Principal};
use liangye_services::engine::{Decided, Engine, EngineError, Submission};
use liangye_services::scenario;
use liangye_tests::TestDb;
use uuid::Uuid;

on_both_backends!(
    racing_awards_never_exceed_the_quota,
    racing_awards_of_one_unit_give_exactly_one,
    racing_copies_of_one_command_id_append_once,
    racing_listings_of_one_credit_code_give_exactly_one,
    two_engines_keep_one_gapless_log_and_every_invariant,
    a_rejected_command_fails_alone_in_its_batch,
    a_stale_expected_version_is_a_conflict,
    a_revoked_token_stops_at_once_on_every_node,
);

const YEAR: i64 = 2025;

fn operator() -> Principal {
    Principal::operator("省发展改革委服务业处")
}

async fn run_all(engine: &Engine, commands: Vec<Command>) {
    for command in commands {
        engine
            .execute(command.clone(), &operator())
            .await
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    }
}

/// `n` enterprises in different cities, each recommended for `YEAR` with every review passed.
async fn ready_for_award(engine: &Engine, n: usize, offset: u64) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for i in 0..n {
        let id = Uuid::now_v7();
        let city = CityCode::all().nth(i % 13).unwrap();
        let mut commands = scenario::enterprise_to_award(
            id,
            &format!("企业{}", offset + i as u64),
            city,
            offset + i as u64,
            YEAR,
        );
        commands.pop(); // everything but the award
        run_all(engine, commands).await;
        ids.push(id);
    }
    ids
}

async fn log(store: &EventStore) -> Vec<StoredEvent> {
    store.read_from(0, i64::MAX / 2).await.unwrap()
}

fn assert_gapless(events: &[StoredEvent]) {
    let mut versions: HashMap<&str, i64> = HashMap::new();
    for (i, ev) in events.iter().enumerate() {
        assert_eq!(ev.position, i as i64 + 1);
        let v = versions.entry(&ev.stream_id).or_default();
        *v += 1;
        assert_eq!(ev.stream_version, *v);
    }
}

fn awards(events: &[StoredEvent]) -> Vec<(Uuid, String)> {
    events
        .iter()
        .filter(|e| e.event_type == "Awarded")
        .map(|e| match RecordedEvent::from_stored(e).unwrap().event {
            DomainEvent::Awarded(a) => (a.unit_id, a.certificate_no.to_string()),
            other => panic!("{other:?}"),
        })
        .collect()
}

fn code_of(result: &Result<Decided, EngineError>) -> Option<ErrorCode> {
    result.as_ref().err().map(Coded::code)
}

/// Exactly one of `results` was accepted, and every other refused with `refused`.
fn exactly_one_accepted(results: &[Result<Decided, EngineError>], refused: ErrorCode) {
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(
        results.iter().all(|r| r.is_ok() || code_of(r) == Some(refused)),
        "{results:?}"
    );
}

async fn race(engines: &[Engine], submissions: Vec<Submission>) -> Vec<Result<Decided, EngineError>> {
    let handles: Vec<_> = submissions
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let engine = engines[i % engines.len()].clone();
            tokio::spawn(async move { engine.submit(s).await })
        })
        .collect();
    let mut results = Vec::new();
    for h in handles {
        results.push(h.await.unwrap());
    }
    results
}

async fn racing_awards_never_exceed_the_quota(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    run_all(&engine, vec![scenario::set_quota(YEAR, 10)]).await;
    let ids = ready_for_award(&engine, 20, 0).await;
    let submissions = (0..64)
        .map(|i| Submission::new(scenario::award(ids[i % ids.len()], YEAR), operator()))
        .collect();
    let results = race(&[engine], submissions).await;
    let accepted = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(accepted, 10, "exactly the quota is awarded");
    for r in &results {
        assert!(
            matches!(
                code_of(r),
                None | Some(ErrorCode::QuotaExceeded) | Some(ErrorCode::InvalidTransition)
            ),
            "{r:?}"
        );
    }
    let events = log(&store).await;
    assert_gapless(&events);
    let awarded = awards(&events);
    assert_eq!(awarded.len(), 10);
    let certs: BTreeSet<_> = awarded.iter().map(|(_, c)| c.clone()).collect();
    let expected: BTreeSet<_> = (1..=10).map(|n| format!("JSLY-{YEAR}-{n:03}")).collect();
    assert_eq!(certs, expected, "certificate numbers are sequential and unique");
}

async fn racing_awards_of_one_unit_give_exactly_one(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    let ids = ready_for_award(&engine, 1, 100).await;
    let submissions = (0..64)
        .map(|_| Submission::new(scenario::award(ids[0], YEAR), operator()))
        .collect();
    let results = race(&[engine], submissions).await;
    exactly_one_accepted(&results, ErrorCode::InvalidTransition);
    assert_eq!(awards(&log(&store).await).len(), 1);
}

async fn racing_copies_of_one_command_id_append_once(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    let ids = ready_for_award(&engine, 1, 200).await;
    let command_id = Uuid::now_v7();
    let submissions = (0..64)
        .map(|_| Submission::new(scenario::award(ids[0], YEAR), operator()).with_command_id(command_id))
        .collect();
    let results = race(std::slice::from_ref(&engine), submissions).await;
    let first = results[0].as_ref().unwrap();
    for r in &results {
        let d = r.as_ref().unwrap();
        assert_eq!(d.events, first.events, "every copy answers with the first result");
    }
    assert_eq!(
        results.iter().filter(|r| !r.as_ref().unwrap().duplicate).count(),
        1
    );
    let events = log(&store).await;
    assert_eq!(
        events.iter().filter(|e| e.command_id == Some(command_id)).count(),
        1
    );
    assert_eq!(awards(&events).len(), 1);
    // A later repeat (a retry after a lost answer) too.
    let again = engine
        .submit(Submission::new(scenario::award(ids[0], YEAR), operator()).with_command_id(command_id))
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.events, first.events);
    assert_eq!(log(&store).await.len(), events.len());
}

/// Listing a new enterprise `name` of `city` (credit code number `n`) in `batch`, decided
/// on `month`/`day` 2024.
fn new_listing(name: &str, city: CityCode, n: u64, batch: u16, month: u32, day: u32) -> Command {
    scenario::list_enterprise(
        Uuid::now_v7(),
        name,
        city,
        n,
        batch,
        scenario::day_in(2024, month, day),
    )
}

async fn racing_listings_of_one_credit_code_give_exactly_one(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    let submissions = (0..64)
        .map(|i| {
            let command = new_listing(&format!("同一企业{i}"), CityCode::Wuxi, 4242, 1, 1, 2);
            Submission::new(command, operator())
        })
        .collect();
    let results = race(&[engine], submissions).await;
    exactly_one_accepted(&results, ErrorCode::Duplicate);
    assert_eq!(log(&store).await.len(), 1);
}

async fn two_engines_keep_one_gapless_log_and_every_invariant(db: &TestDb) {
    let store_a = EventStore::connect(&db.url).await.unwrap();
    let store_b = EventStore::connect(&db.url).await.unwrap();
    let (a, _) = Engine::start(store_a.clone());
    let (b, _) = Engine::start(store_b.clone());
    run_all(&a, vec![scenario::set_quota(YEAR, 5)]).await;
    // Half the units prepared through each engine: each must see the other's writes.
    let mut ids = ready_for_award(&a, 6, 300).await;
    ids.extend(ready_for_award(&b, 6, 400).await);
    let mut submissions: Vec<Submission> = (0..64)
        .map(|i| Submission::new(scenario::award(ids[i % ids.len()], YEAR), operator()))
        .collect();
    // And racing listings of one credit code.
    for i in 0..16 {
        let command = new_listing(&format!("重复{i}"), CityCode::Taizhou, 9999, 2, 2, 2);
        submissions.push(Submission::new(command, operator()));
    }
    let results = race(&[a, b], submissions).await;
    let listed = results[64..].iter().filter(|r| r.is_ok()).count();
    assert_eq!(listed, 1, "one unit per credit code across engines");
    let events = log(&store_a).await;
    assert_gapless(&events);
    assert_eq!(log(&store_b).await, events);
    let awarded = awards(&events);
    assert_eq!(awarded.len(), 5, "the quota holds across engines");
    let units: BTreeSet<_> = awarded.iter().map(|(u, _)| *u).collect();
    assert_eq!(units.len(), 5, "one award per unit");
    let certs: BTreeSet<_> = awarded.iter().map(|(_, c)| c.clone()).collect();
    assert_eq!(certs.len(), 5);
}

async fn a_rejected_command_fails_alone_in_its_batch(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    // Valid listings interleaved with ones naming an unknown unit, all submitted at once.
    let mut submissions = Vec::new();
    for i in 0..40u64 {
        let command = if i % 2 == 0 {
            new_listing(&format!("企业{i}"), CityCode::Nantong, 500 + i, 1, 3, 3)
        } else {
            scenario::award(Uuid::now_v7(), YEAR)
        };
        submissions.push(Submission::new(command, operator()));
    }
    let results = race(&[engine], submissions).await;
    for (i, r) in results.iter().enumerate() {
        if i % 2 == 0 {
            assert!(r.is_ok(), "{i}: {r:?}");
        } else {
            assert_eq!(code_of(r), Some(ErrorCode::NotFound), "{i}");
        }
    }
    let events = log(&store).await;
    assert_eq!(events.len(), 20);
    assert!(events.iter().all(|e| e.event_type == "PilotListed"));
}

async fn a_stale_expected_version_is_a_conflict(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    let ids = ready_for_award(&engine, 1, 600).await;
    // listed, recommended, four reviews: version 6.
    let mut stale = scenario::award(ids[0], YEAR);
    if let Command::Award(a) = &mut stale {
        a.expected_version = Some(5);
    }
    let err = engine.execute(stale.clone(), &operator()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    if let Command::Award(a) = &mut stale {
        a.expected_version = Some(6);
    }
    let ok = engine.execute(stale, &operator()).await.unwrap();
    assert_eq!(ok.events[0].stream_version, 7);
}

async fn a_revoked_token_stops_at_once_on_every_node(db: &TestDb) {
    use liangye_events::catalogue::Role;
    use liangye_services::access::new_token;
    let (a, _) = Engine::start(EventStore::connect(&db.url).await.unwrap());
    let (b, _) = Engine::start(EventStore::connect(&db.url).await.unwrap());
    let token = new_token("苏州市发展改革委", Role::City, Some(CityCode::Suzhou)).unwrap();
    run_all(&a, vec![token.command.clone()]).await;
    let city = Principal {
        token_id: Some(token.token_id),
        name: "苏州市发展改革委".into(),
        role: Role::City,
        city: Some(CityCode::Suzhou),
    };
    let first = Uuid::now_v7();
    let second = Uuid::now_v7();
    let on = scenario::day_in(2024, 1, 5);
    run_all(
        &a,
        vec![
            scenario::list_enterprise(first, "苏州甲", CityCode::Suzhou, 7001, 1, on),
            scenario::list_enterprise(second, "苏州乙", CityCode::Suzhou, 7002, 1, on),
        ],
    )
    .await;
    // The city recommends through node B: the token is active there.
    b.execute(
        scenario::recommend(first, YEAR, scenario::enterprise_figures(2_000_000_000)),
        &city,
    )
    .await
    .unwrap();
    // Node A revokes it; node B refuses the very next command.
    run_all(
        &a,
        vec![liangye_services::decide::fields::revoke_access(&token.token_id.to_string()).unwrap()],
    )
    .await;
    let err = b
        .execute(
            scenario::recommend(second, YEAR, scenario::enterprise_figures(2_000_000_000)),
            &city,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unauthenticated, "{err}");
}
