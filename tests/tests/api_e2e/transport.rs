//! Requests that are not what they should be — malformed JSON, an oversized body, a broken
//! query, a wrong token, too large a batch — get the right HTTP status or GraphQL error with
//! its code, store nothing, and leave the server answering. And `/healthz`, `/metrics`,
//! GraphiQL.

use liangye_events::catalogue::CityCode;
use liangye_tests::{TestApp, TestDb};
use serde_json::{Value, json};

use crate::support::{assert_clean, enterprise, head, mutation};

on_both_backends!(
    bad_requests_harm_nothing,
    batches_are_answered_up_to_the_limit,
    health_metrics_and_graphiql_answer,
);

const JSON: (&str, &str) = ("content-type", "application/json");

fn code_of(body: &str) -> String {
    let value: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    let (code, message) =
        liangye_tests::app::first_error(&value).unwrap_or_else(|| panic!("no error in {body}"));
    assert_clean(&message);
    code
}

async fn bad_requests_harm_nothing(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let secret = app.tokens.provincial.secret.clone();
    let bearer = format!("Bearer {secret}");
    let auth = ("authorization", bearer.as_str());
    let before = head(&app).await;

    // Malformed JSON, and JSON that is not a GraphQL request: 400 with a code.
    for body in ["{\"query\": ", "not json at all", "{\"query\": 42}", "[1, 2]", ""] {
        let (status, text) = app.raw_post(body, &[JSON, auth]).await;
        assert_eq!(status, 400, "{body:?}: {text}");
        assert_eq!(code_of(&text), "VALIDATION_FAILED", "{body:?}");
    }

    // A body over 256 KiB: 413, even when it is a well-formed mutation.
    let mut input = enterprise("超大请求科技有限公司", CityCode::Suzhou, 90);
    input["note"] = json!("备".repeat(100_000));
    let oversized = json!({ "query": mutation("listPilot"), "variables": { "input": input } }).to_string();
    assert!(oversized.len() > 256 * 1024);
    let (status, text) = app.raw_post(oversized, &[JSON, auth]).await;
    assert_eq!(status, 413, "{text}");
    assert_eq!(code_of(&text), "QUERY_TOO_COMPLEX");

    // A broken query: a GraphQL error with a code.
    for query in [
        "{ statistics { total ",
        "mutation { listPilot }",
        "{ designations(first: \"many\") { totalCount } }",
        "query Q { logHead { position } } query Q { logHead { position } }",
        "subscription { events { position } }",
    ] {
        let body = json!({ "query": query }).to_string();
        let (status, text) = app.raw_post(body, &[JSON, auth]).await;
        assert!(status == 200 || status == 400, "{query}: {status} {text}");
        let code = code_of(&text);
        assert!(!code.is_empty(), "{query}: no code in {text}");
        assert_eq!(code, "VALIDATION_FAILED", "{query}: {text}");
    }

    // A wrong token, a malformed header, a revoked token: UNAUTHENTICATED.
    let listing = json!({ "query": mutation("listPilot"), "variables": {
        "input": enterprise("错误令牌科技有限公司", CityCode::Suzhou, 91) } })
    .to_string();
    let revoked = app
        .issue_token(
            "将被撤销(测试)",
            liangye_events::catalogue::Role::Provincial,
            None,
        )
        .await;
    app.revoke(&revoked).await;
    let before = before + 2;
    let revoked_bearer = format!("Bearer {}", revoked.secret);
    for authorization in [
        "Bearer lyt_0000000000000000000000000000000000000000000000000000000000000000",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        secret.as_str(),
        revoked_bearer.as_str(),
    ] {
        let (status, text) = app
            .raw_post(listing.clone(), &[JSON, ("authorization", authorization)])
            .await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(
            code_of(&text),
            "UNAUTHENTICATED",
            "Authorization: {authorization}"
        );
    }

    // Nothing was stored, and the server still answers, to the same token.
    assert_eq!(head(&app).await, before, "a bad request stored something");
    let (status, text) = app
        .raw_post(
            json!({ "query": "{ statistics { total } }" }).to_string(),
            &[JSON, auth],
        )
        .await;
    assert_eq!(status, 200);
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["data"]["statistics"]["total"], 0, "{text}");
    let (status, text) = app.raw_post(listing, &[JSON, auth]).await;
    assert_eq!(status, 200);
    assert!(!text.contains("\"errors\""), "{text}");
    assert_eq!(head(&app).await, before + 1);
}

async fn batches_are_answered_up_to_the_limit(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let bearer = format!("Bearer {}", app.tokens.auditor.secret);
    let headers = [JSON, ("authorization", bearer.as_str())];
    let one = json!({ "query": "{ logHead { position } }" });

    let batch = Value::Array(vec![one.clone(); 16]).to_string();
    let (status, text) = app.raw_post(batch, &headers).await;
    assert_eq!(status, 200, "{text}");
    let answers: Value = serde_json::from_str(&text).unwrap();
    let answers = answers.as_array().expect("a batch answers with an array");
    assert_eq!(answers.len(), 16);
    assert!(answers.iter().all(|a| a["data"]["logHead"]["position"].is_i64()));

    let batch = Value::Array(vec![one.clone(); 17]).to_string();
    let (status, text) = app.raw_post(batch, &headers).await;
    assert_eq!(status, 400, "{text}");
    assert_eq!(code_of(&text), "QUERY_TOO_COMPLEX");

    // A batch whose parts fail alone.
    let mixed = json!([one, { "query": "{ nope }" }, { "query": "{ events { nodes { position } } }" }]);
    let (status, text) = app
        .raw_post(
            mixed.to_string(),
            &[
                JSON,
                ("authorization", &format!("Bearer {}", app.tokens.reader.secret)),
            ],
        )
        .await;
    assert_eq!(status, 200, "{text}");
    let answers: Value = serde_json::from_str(&text).unwrap();
    assert!(answers[0].get("errors").is_none());
    assert_eq!(answers[1]["errors"][0]["extensions"]["code"], "VALIDATION_FAILED");
    assert_eq!(answers[2]["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

async fn health_metrics_and_graphiql_answer(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let head = head(&app).await;

    let (status, text) = app.get("/healthz").await;
    assert_eq!(status, 200, "{text}");
    let health: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["logHead"], head);

    // A refusal, counted by its code.
    let (code, _) = app
        .gql_error(
            app.tokens.reader.secret(),
            "{ events { nodes { position } } }",
            json!({}),
        )
        .await;
    assert_eq!(code, "FORBIDDEN");
    let (status, text) = app.get("/metrics").await;
    assert_eq!(status, 200);
    for line in [
        "liangye_graphql_requests_total",
        "liangye_graphql_errors_total{code=\"FORBIDDEN\"} 1",
        &format!("liangye_log_head_position {head}"),
        "liangye_projection_position",
        "# TYPE liangye_write_batch_size histogram",
        "liangye_write_batch_size_bucket{le=\"+Inf\"}",
    ] {
        assert!(text.contains(line), "/metrics lacks {line:?}:\n{text}");
    }

    // The writer has decided the tokens' issue commands in at least one batch.
    let batches: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("liangye_write_batch_size_count "))
        .and_then(|n| n.trim().parse().ok())
        .expect("batch count");
    assert!(batches >= 1, "{text}");

    let (status, text) = app.get("/graphql").await;
    assert_eq!(status, 200);
    assert!(text.to_lowercase().contains("graphiql"), "{text}");
    let (status, _) = app.get("/no-such-page").await;
    assert_eq!(status, 404);
}
