//! `subscription { events(afterPosition) }` over `graphql-transport-ws` on `/graphql/ws`:
//! catch-up from the position, then live; like the raw log, PROVINCIAL and AUDITOR only.

use liangye_events::catalogue::CityCode;
use liangye_tests::{TestApp, TestDb};
use serde_json::{Value, json};

use crate::support::{decide, head, list_enterprise, list_pilot, recommend};

on_both_backends!(
    the_event_subscription_catches_up_then_goes_live,
    the_event_subscription_is_refused_without_the_right
);

const EVENTS: &str =
    "subscription($after: Int) { events(afterPosition: $after) { position type streamId leafHash role } }";

fn event_of(payload: Value) -> Value {
    assert!(payload.get("errors").is_none(), "subscription error: {payload}");
    payload["data"]["events"].clone()
}

async fn the_event_subscription_catches_up_then_goes_live(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let id = list_enterprise(&app, "苏州订阅科技有限公司", CityCode::Suzhou, 80).await;
    list_enterprise(&app, "苏州订阅二号科技有限公司", CityCode::Suzhou, 81).await;
    let start = head(&app).await;
    let after = start - 3;

    let mut subscription = app
        .subscribe(app.tokens.auditor.secret(), EVENTS, json!({ "after": after }))
        .await;
    // Catch-up: the three events after `after`, in order.
    for position in after + 1..=start {
        let event = event_of(subscription.next().await.expect("a catch-up event"));
        assert_eq!(event["position"], position);
    }

    // Live: decisions made now arrive, in order, as they are committed.
    let suzhou = app.tokens.suzhou.secret();
    let recommended = decide(&app, suzhou, "recommend", recommend(&id, 2025)).await;
    let event = event_of(subscription.next().await.expect("a live event"));
    assert_eq!(event["position"], recommended["position"]);
    assert_eq!(event["type"], "Recommended");
    assert_eq!(event["role"], "CITY");
    assert_eq!(event["streamId"], format!("unit-{id}"));
    assert_eq!(event["leafHash"], recommended["events"][0]["leafHash"]);
    let listed = list_pilot(&app, "苏州订阅三号科技有限公司", CityCode::Suzhou, 82).await;
    let event = event_of(subscription.next().await.expect("a live event"));
    assert_eq!(event["position"], listed["position"]);
    assert_eq!(event["type"], "PilotListed");
    subscription.close().await;

    // PROVINCIAL may subscribe too; from the start by default.
    let mut subscription = app
        .subscribe(app.tokens.provincial.secret(), EVENTS, json!({}))
        .await;
    let event = event_of(subscription.next().await.expect("the first event"));
    assert_eq!(event["position"], 1);
    assert_eq!(event["type"], "AccessGranted");
    subscription.close().await;
}

async fn the_event_subscription_is_refused_without_the_right(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    for (token, expected) in [
        (app.tokens.reader.secret(), "FORBIDDEN"),
        (app.tokens.suzhou.secret(), "FORBIDDEN"),
        // No token or an invalid one: the socket is closed at `connection_init` (4403),
        // see api/tests/hardening.rs.
    ] {
        let mut subscription = app.subscribe(token, EVENTS, json!({ "after": 0 })).await;
        let payload = subscription.next().await.expect("an answer");
        let (code, message) = liangye_tests::app::first_error(&payload)
            .unwrap_or_else(|| panic!("subscription answered without the right: {payload}"));
        assert_eq!(code, expected, "{message}");
        assert!(payload["data"].is_null() || payload["data"]["events"].is_null());
        // Nothing follows the refusal.
        assert!(subscription.next().await.is_none(), "events after a refusal");
    }

    // A broken subscription gets a code too, over the websocket as over HTTP.
    for (query, expected) in [
        ("subscription { events { position colour } }", "VALIDATION_FAILED"),
        (
            "subscription { events(afterPosition: -1) { position } }",
            "VALIDATION_FAILED",
        ),
        ("subscription { events { position ", "VALIDATION_FAILED"),
    ] {
        let mut subscription = app.subscribe(app.tokens.auditor.secret(), query, json!({})).await;
        let payload = subscription.next().await.expect("an answer");
        let (code, message) = liangye_tests::app::first_error(&payload)
            .unwrap_or_else(|| panic!("{query} answered: {payload}"));
        assert_eq!(code, expected, "{query}: {message}");
    }
}
