//! Two `liangye serve` processes on one PostgreSQL database (only when
//! `TEST_DATABASE_URL` is set), under mixed load: writers whose consecutive decisions go to
//! alternate nodes (so each node must see the other's writes at once), readers on both,
//! and conflicting decisions racing across the nodes — awards beyond the year's quota,
//! awards of one unit, listings of one credit code, copies of one `commandId`. Afterwards
//! the log is one gapless sequence that `liangye verify` accepts, holding every
//! acknowledged decision and every invariant, and once both nodes have caught up they
//! answer the same statistics and the same registry.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::future::join_all;
use liangye_events::StoredEvent;
use liangye_events::catalogue::{CityCode, DomainEvent, RecordedEvent};
use liangye_services::scenario;
use liangye_tests::TestDb;
use liangye_tests::process::{
    Api, Ledger, Outcome, PATIENCE, Server, YEAR, assert_acks_in_log, assert_command_ids_once,
    assert_verifies, designation_id, eventually, export, issue_token, list_pilot, steps_after_listing,
    with_command_id,
};
use serde_json::{Value, json};

/// The awards `YEAR` may have: fewer than the lifecycles that try.
const QUOTA: usize = 10;
const WRITERS: usize = 6;
const LIFECYCLES_PER_WRITER: usize = 8;
/// Concurrent requests in each cross-node race.
const RACERS: usize = 32;
/// The year of the one-unit award race (no quota set for it).
const RACE_YEAR: i64 = 2026;

liangye_tests::on_postgres!(two_servers_on_one_postgres_keep_one_log_and_agree);

async fn two_servers_on_one_postgres_keep_one_log_and_agree(db: &TestDb) {
    let token = issue_token(&db.url, "PROVINCIAL", "省发展改革委(双节点测试)").await;
    let mut a = Server::start(&db.url, &db.path("a.log")).await;
    let mut b = Server::start(&db.url, &db.path("b.log")).await;
    let nodes = Arc::new([a.api(&token), b.api(&token)]);
    let shared = Arc::new(Shared::default());

    let quota = json!({ "year": YEAR, "total": QUOTA, "decidedOn": "2025-01-10" });
    decide(&nodes[1], &shared, "setAnnualQuota", quota)
        .await
        .expect("quota");
    // The unit of the one-award race, prepared through both nodes in turn.
    let race_unit = {
        let listed = decide(&nodes[0], &shared, "listPilot", list_pilot(900_000, "双节点"))
            .await
            .expect("listing");
        let id = designation_id(&listed);
        let mut steps = steps_after_listing(&id, RACE_YEAR, false);
        steps.pop(); // all but the award
        for (i, (name, input)) in steps.into_iter().enumerate() {
            decide(&nodes[(i + 1) % 2], &shared, name, input)
                .await
                .expect("preparation");
        }
        id
    };

    // Mixed load: writers, readers and the three races, all at once.
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| tokio::spawn(writer(nodes.clone(), shared.clone(), w)))
        .collect();
    let readers: Vec<_> = (0..2)
        .map(|r| tokio::spawn(reader(nodes.clone(), shared.clone(), r)))
        .collect();
    let (credit_race, award_race, command_race) = tokio::join!(
        race_listings_of_one_credit_code(&nodes, &shared),
        race_awards_of_one_unit(&nodes, &shared, &race_unit),
        race_copies_of_one_command_id(&nodes, &shared),
    );
    for w in writers {
        tokio::time::timeout(PATIENCE * 2, w)
            .await
            .expect("a writer hung")
            .expect("writer task");
    }
    shared.ledger.stop();
    for r in readers {
        tokio::time::timeout(PATIENCE, r)
            .await
            .expect("a reader hung")
            .expect("reader task");
    }
    assert!(a.is_running() && b.is_running(), "a server exited");
    shared.ledger.assert_nothing_unexpected(
        "unexpected answers",
        &format!("node A log:\n{}\nnode B log:\n{}", a.log_text(), b.log_text()),
    );
    let attempts = shared.award_attempts.load(Ordering::SeqCst);
    assert!(attempts > QUOTA, "only {attempts} awards were tried");

    // One gapless log (checked by `export`) with every acknowledged decision and invariant.
    let log = export(&db.url).await;
    assert_acks_in_log(&log, &shared.ledger.acks(), "two nodes");
    assert_command_ids_once(&log);
    let (awards, listings) = decode(&log);
    let mut per_unit_year = HashSet::new();
    for (unit, year, _) in &awards {
        assert!(
            per_unit_year.insert((*unit, *year)),
            "{unit} awarded twice for {year}"
        );
    }
    let certificates: BTreeSet<&str> = awards
        .iter()
        .filter(|(_, year, _)| *year == YEAR)
        .map(|(_, _, certificate)| certificate.as_str())
        .collect();
    let expected: BTreeSet<String> = (1..=QUOTA).map(|n| format!("JSLY-{YEAR}-{n:03}")).collect();
    assert_eq!(
        certificates,
        expected.iter().map(String::as_str).collect(),
        "exactly the quota awarded, numbered 1..quota"
    );
    assert_eq!(
        awards.iter().filter(|(_, year, _)| *year == RACE_YEAR).count(),
        1,
        "the raced unit awarded once"
    );
    let mut codes = HashSet::new();
    for code in listings.iter().flatten() {
        assert!(codes.insert(code.clone()), "credit code {code} listed twice");
    }
    eprintln!(
        "two_nodes: {} events; races: credit code {credit_race:?}, award {award_race:?}, commandId {command_race:?}",
        log.len()
    );

    // Both nodes caught up, then the same answers.
    let head = log.len() as i64;
    for node in nodes.iter() {
        eventually("both nodes at the log's head", || async {
            let data = node
                .query("{ logHead { position } statistics { position } }", json!({}))
                .await;
            data["logHead"]["position"] == head && data["statistics"]["position"] == head
        })
        .await;
    }
    let statistics = "{ statistics { position total byStatus { status count } \
        byCity { cityCode total awarded byStatus { status count } } byKind { kind total awarded } \
        byAwardYear { year awarded stillAwarded delisted } quotas { year quota used remaining } \
        target { awarded awardsMade remaining reached } } }";
    let (sa, sb) = tokio::join!(
        nodes[0].query(statistics, json!({})),
        nodes[1].query(statistics, json!({}))
    );
    assert_eq!(sa, sb, "the nodes' statistics differ");
    let (da, db_) = tokio::join!(registry(&nodes[0]), registry(&nodes[1]));
    assert_eq!(
        da.len() as u64,
        sa["statistics"]["total"].as_u64().expect("total")
    );
    assert_eq!(da, db_, "the nodes' registries differ");

    assert_verifies(&db.url, "after two nodes").await;
}

#[derive(Default)]
struct Shared {
    ledger: Ledger,
    award_attempts: AtomicUsize,
}

/// Decide on `node`: the payload if accepted; any other answer is recorded as unexpected.
async fn decide(node: &Api, shared: &Shared, name: &'static str, input: Value) -> Option<Value> {
    let input = with_command_id(input);
    match node.mutate(name, &input).await {
        Outcome::Accepted(payload) => {
            shared.ledger.ack(name, &input, &payload);
            Some(payload)
        }
        other => {
            shared
                .ledger
                .unexpected(format!("{name} on {}: {other:?}", node.url));
            None
        }
    }
}

/// Lifecycles whose consecutive decisions alternate between the nodes. Awards beyond the
/// quota are refused with `QUOTA_EXCEEDED`.
async fn writer(nodes: Arc<[Api; 2]>, shared: Arc<Shared>, w: usize) {
    let mut turn = w;
    for _ in 0..LIFECYCLES_PER_WRITER {
        let n = shared.ledger.next();
        turn += 1;
        let Some(listed) = decide(&nodes[turn % 2], &shared, "listPilot", list_pilot(n, "双节点")).await
        else {
            return;
        };
        let id = designation_id(&listed);
        for (name, input) in steps_after_listing(&id, YEAR, n.is_multiple_of(2)) {
            turn += 1;
            let node = &nodes[turn % 2];
            if name == "award" {
                shared.award_attempts.fetch_add(1, Ordering::SeqCst);
                let input = with_command_id(input);
                match node.mutate(name, &input).await {
                    Outcome::Accepted(payload) => shared.ledger.ack(name, &input, &payload),
                    Outcome::Refused { code, .. } if code == "QUOTA_EXCEEDED" => break,
                    other => {
                        shared.ledger.unexpected(format!("award: {other:?}"));
                        return;
                    }
                }
            } else if decide(node, &shared, name, input).await.is_none() {
                return;
            }
        }
    }
}

/// Reads on both nodes while the others write: always answered without errors.
async fn reader(nodes: Arc<[Api; 2]>, shared: Arc<Shared>, r: usize) {
    let query = "{ statistics { position total quotas { year used } } \
        designations(first: 20, filter: { status: AWARDED }) { totalCount position nodes { id certificateNo } } }";
    let mut turn = r;
    while !shared.ledger.stopped() {
        turn += 1;
        match nodes[turn % 2].post(query, json!({})).await {
            Ok((200, body)) if body.get("errors").is_none() => {}
            other => {
                shared.ledger.unexpected(format!("read: {other:?}"));
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// `RACERS` copies of mutation `name` with `inputs[i]`, alternating nodes, concurrently.
async fn race(nodes: &[Api; 2], name: &'static str, inputs: Vec<Value>) -> Vec<Outcome> {
    join_all(
        inputs
            .iter()
            .enumerate()
            .map(|(i, input)| nodes[i % 2].mutate(name, input)),
    )
    .await
}

/// Tally of a race's answers: accepted and refused codes.
fn tally(name: &str, outcomes: &[Outcome], shared: &Shared) -> (Vec<Value>, Vec<String>) {
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Accepted(payload) => accepted.push(payload.clone()),
            Outcome::Refused { code, .. } => refused.push(code.clone()),
            other => shared.ledger.unexpected(format!("{name} race: {other:?}")),
        }
    }
    (accepted, refused)
}

/// Race mutation `name` with `inputs` across the nodes: exactly one is accepted (`one`
/// says what), every other refused with `refused_code`. How many of each.
async fn race_for_one(
    nodes: &[Api; 2],
    shared: &Shared,
    name: &'static str,
    inputs: Vec<Value>,
    refused_code: &str,
    one: &str,
) -> (usize, usize) {
    let outcomes = race(nodes, name, inputs.clone()).await;
    let (accepted, refused) = tally(name, &outcomes, shared);
    assert_eq!(accepted.len(), 1, "{one} across nodes: {outcomes:#?}");
    assert!(refused.iter().all(|c| c == refused_code), "{refused:?}");
    record_acks(shared, name, &inputs, &outcomes);
    (accepted.len(), refused.len())
}

async fn race_listings_of_one_credit_code(nodes: &[Api; 2], shared: &Shared) -> (usize, usize) {
    let code = scenario::credit_code(CityCode::Wuxi, 424_242).to_string();
    let inputs = (0..RACERS)
        .map(|i| {
            with_command_id(json!({
                "name": format!("同码企业{i}"), "kind": "ENTERPRISE", "cityCode": "320200",
                "creditCode": code, "batch": 2, "decidedOn": "2024-02-02",
            }))
        })
        .collect();
    race_for_one(
        nodes,
        shared,
        "listPilot",
        inputs,
        "DUPLICATE",
        "one unit per credit code",
    )
    .await
}

async fn race_awards_of_one_unit(nodes: &[Api; 2], shared: &Shared, unit: &str) -> (usize, usize) {
    let inputs = (0..RACERS)
        .map(|_| {
            with_command_id(json!({ "designationId": unit, "year": RACE_YEAR, "decidedOn": "2026-07-20" }))
        })
        .collect();
    let one = "one award per unit and year";
    race_for_one(nodes, shared, "award", inputs, "INVALID_TRANSITION", one).await
}

async fn race_copies_of_one_command_id(nodes: &[Api; 2], shared: &Shared) -> (usize, usize) {
    let input = with_command_id(list_pilot(950_000, "幂等双节点"));
    let outcomes = race(nodes, "listPilot", vec![input.clone(); RACERS]).await;
    let (accepted, refused) = tally("listPilot", &outcomes, shared);
    assert!(
        refused.is_empty(),
        "every copy answered with the first result: {refused:?}"
    );
    let fresh: Vec<&Value> = accepted.iter().filter(|p| p["duplicate"] == false).collect();
    assert_eq!(fresh.len(), 1, "exactly one copy is the first across nodes");
    for payload in &accepted {
        assert_eq!(
            payload["events"], fresh[0]["events"],
            "every copy names the same event"
        );
        assert_eq!(payload["position"], fresh[0]["position"]);
    }
    record_acks(shared, "listPilot", &vec![input; RACERS], &outcomes);
    (accepted.len(), refused.len())
}

fn record_acks(shared: &Shared, name: &'static str, inputs: &[Value], outcomes: &[Outcome]) {
    for (input, outcome) in inputs.iter().zip(outcomes) {
        if let Outcome::Accepted(payload) = outcome {
            shared.ledger.ack(name, input, payload);
        }
    }
}

/// Awards `(unit, year, certificate)` and the credit codes of listings, from the log.
#[allow(clippy::type_complexity)]
fn decode(log: &[StoredEvent]) -> (Vec<(uuid::Uuid, i64, String)>, Vec<Option<String>>) {
    let mut awards = Vec::new();
    let mut listings = Vec::new();
    for stored in log {
        let recorded = RecordedEvent::from_stored(stored)
            .unwrap_or_else(|e| panic!("event {} does not decode: {e}", stored.position));
        match recorded.event {
            DomainEvent::Awarded(a) => {
                awards.push((a.unit_id, i64::from(a.year.get()), a.certificate_no.to_string()))
            }
            DomainEvent::PilotListed(p) => listings.push(p.credit_code.map(|c| c.to_string())),
            _ => {}
        }
    }
    (awards, listings)
}

/// The whole registry as one node lists it, page by page.
async fn registry(node: &Api) -> Vec<Value> {
    let query = "query($after: String) { designations(first: 50, after: $after) { \
        pageInfo { hasNextPage endCursor } nodes { id name kind cityCode status creditCode \
        pilotBatch awardYear certificateNo version recommendedYear \
        commendations { year citation } } } }";
    let mut all = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = node.query(query, json!({ "after": after })).await;
        let page = &data["designations"];
        all.extend(page["nodes"].as_array().expect("nodes").iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return all;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}
