//! `designationChanged` across two `liangye serve` processes on one PostgreSQL database
//! (only when `TEST_DATABASE_URL` is set; skipped, saying so, otherwise): a system
//! subscribed on node A is pushed, once each and in order, the decisions made on node B (and
//! on A); when it reconnects — to the other node — with the last position it saw, it
//! receives exactly what it missed and then goes on live. Issue 14, DESIGN.md §4.

use liangye_tests::TestDb;
use liangye_tests::app::Subscription;
use liangye_tests::process::{Api, Outcome, Server, assert_verifies, issue_token, list_pilot};
use serde_json::{Value, json};

const CHANGES: &str = "subscription($after: Int) { designationChanged(afterPosition: $after) { \
    position designationId designation { id name status certificateNo lastPosition \
    history { position actor } } } }";

/// One `designationChanged` subscription over `graphql-transport-ws`.
struct Changes(Subscription);

impl Changes {
    async fn subscribe(addr: &str, secret: &str, after: i64) -> Self {
        Self(Subscription::open(addr, Some(secret), CHANGES, json!({ "after": after })).await)
    }

    /// The next change, which must be one (no error, no completion).
    async fn next(&mut self) -> Value {
        let payload = self.0.next().await.expect("a change, not the end");
        assert!(payload.get("errors").is_none(), "{payload}");
        payload["data"]["designationChanged"].clone()
    }

    async fn close(self) {
        self.0.close().await;
    }
}

/// Mutation `name` on `node`, which must be accepted: its payload.
async fn decide(node: &Api, name: &str, input: Value) -> Value {
    match node.mutate(name, &input).await {
        Outcome::Accepted(payload) => payload,
        other => panic!("{name} on {}: {other:?}", node.url),
    }
}

fn position(payload: &Value) -> i64 {
    payload["position"].as_i64().expect("position")
}

/// The change for the decision `payload` answered: its position and unit, and the unit
/// just after it, without who recorded it (a READER's subscription).
fn check(change: &Value, payload: &Value, unit: &str) {
    assert_eq!(change["position"], payload["position"], "{change}");
    assert_eq!(change["designationId"], unit, "{change}");
    let designation = &change["designation"];
    assert_eq!(designation["lastPosition"], payload["position"], "{change}");
    assert_eq!(
        designation["status"], payload["designation"]["status"],
        "{change}"
    );
    let history = designation["history"].as_array().expect("history");
    assert_eq!(history.last().expect("an entry")["position"], payload["position"]);
    assert!(
        history.iter().all(|e| e["actor"].is_null()),
        "a READER saw an actor: {change}"
    );
}

liangye_tests::on_postgres!(a_subscriber_on_one_node_is_pushed_the_decisions_made_on_the_other);

async fn a_subscriber_on_one_node_is_pushed_the_decisions_made_on_the_other(db: &TestDb) {
    let provincial = issue_token(&db.url, "PROVINCIAL", "省发展改革委(推送测试)").await;
    let reader = issue_token(&db.url, "READER", "省大数据中心(推送测试)").await;
    let a = Server::start(&db.url, &db.path("a.log")).await;
    let b = Server::start(&db.url, &db.path("b.log")).await;
    let (on_a, on_b) = (a.api(&provincial), b.api(&provincial));
    let start = on_a.head().await;

    // A system subscribes on A; every decision is made on B.
    let mut changes = Changes::subscribe(&a.addr, &reader, start).await;
    let listed = decide(&on_b, "listPilot", list_pilot(1, "双节点推送")).await;
    let unit = listed["designation"]["id"].as_str().expect("id").to_owned();
    check(&changes.next().await, &listed, &unit);
    let mut seen = vec![position(&listed)];
    let steps = liangye_tests::process::steps_after_listing(&unit, 2025, false);
    let (before_award, award) = steps.split_at(steps.len() - 1);
    for (name, input) in before_award {
        let payload = decide(&on_b, name, input.clone()).await;
        check(&changes.next().await, &payload, &unit);
        seen.push(position(&payload));
    }
    // An event about no unit (a quota, on B) is not pushed; a unit decided on A is.
    decide(
        &on_b,
        "setAnnualQuota",
        json!({ "year": 2025, "total": 5, "decidedOn": "2025-01-10" }),
    )
    .await;
    let other = decide(&on_a, "listPilot", list_pilot(2, "双节点推送")).await;
    let other_unit = other["designation"]["id"].as_str().expect("id").to_owned();
    check(&changes.next().await, &other, &other_unit);
    seen.push(position(&other));
    let awarded = decide(&on_b, award[0].0, award[0].1.clone()).await;
    let change = changes.next().await;
    check(&change, &awarded, &unit);
    assert_eq!(change["designation"]["certificateNo"], "JSLY-2025-001");
    seen.push(position(&awarded));
    let last_seen = position(&awarded);
    changes.close().await;

    // While it is away: two decisions on B and one on A.
    let mut missed = Vec::new();
    for (node, n) in [(&on_b, 3), (&on_a, 4), (&on_b, 5)] {
        let payload = decide(node, "listPilot", list_pilot(n, "双节点推送")).await;
        let id = payload["designation"]["id"].as_str().expect("id").to_owned();
        missed.push((payload, id));
    }
    // It comes back to B with the last position it saw: exactly what it missed, in
    // order, then what A decides next.
    let mut changes = Changes::subscribe(&b.addr, &reader, last_seen).await;
    for (payload, id) in &missed {
        check(&changes.next().await, payload, id);
        seen.push(position(payload));
    }
    let renamed = decide(
        &on_a,
        "amendUnit",
        json!({ "designationId": other_unit, "reason": "更名", "name": "双节点推送企业2号(更名)",
                "decidedOn": "2024-10-01" }),
    )
    .await;
    let change = changes.next().await;
    check(&change, &renamed, &other_unit);
    assert_eq!(change["designation"]["name"], "双节点推送企业2号(更名)");
    seen.push(position(&renamed));
    changes.close().await;

    // From the start on A: the same changes, each once, in log order.
    let mut changes = Changes::subscribe(&a.addr, &reader, start).await;
    for expected in &seen {
        assert_eq!(changes.next().await["position"], *expected);
    }
    changes.close().await;
    assert_verifies(&db.url, "after the two-node subscriptions").await;
}
