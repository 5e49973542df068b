//! The real binary, as a newcomer runs it: `liangye serve --demo` on a fresh SQLite file
//! prints one token per role and the address it listens on; the sample it served covers all
//! 13 cities and every status; SIGTERM stops it cleanly (exit 0).

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;

/// Only to turn a hang into a failure; never a performance assertion.
const PATIENCE: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_serves_the_sample_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let database = format!("sqlite://{}", dir.path().join("x.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_liangye"))
        .args([
            "--database",
            &database,
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
        ])
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start liangye serve --demo");

    // Keep stderr drained (and at hand for failure messages).
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut err = child.stderr.take().expect("stderr");
    let sink = stderr.clone();
    tokio::spawn(async move {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text).await;
        sink.lock().unwrap().push_str(&text);
    });
    let logs = || stderr.lock().unwrap().clone();

    // Read stdout up to the address: the tokens come before it.
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut tokens: Vec<(String, String)> = Vec::new();
    let addr = tokio::time::timeout(PATIENCE, async {
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            if let Some(rest) = line.strip_prefix("listening on http://") {
                return rest.trim_end_matches("/graphql").to_owned();
            }
            // `  PROVINCIAL 省发展改革委(演示): lyt_…`
            if let Some((head, secret)) = line.split_once(": lyt_")
                && let Some(role) = head.split_whitespace().next()
            {
                tokens.push((role.to_owned(), format!("lyt_{}", secret.trim())));
            }
        }
        panic!(
            "liangye serve --demo ended without listening; stderr:\n{}",
            logs()
        );
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "liangye serve --demo did not start listening; stderr:\n{}",
            logs()
        )
    });
    // Nothing else needs stdout; keep it drained.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

    let roles: Vec<&str> = tokens.iter().map(|(role, _)| role.as_str()).collect();
    assert_eq!(
        roles,
        ["PROVINCIAL", "CITY", "AUDITOR", "READER"],
        "tokens printed"
    );
    let secret = |role: &str| {
        tokens
            .iter()
            .find(|(r, _)| r == role)
            .map(|(_, s)| s.clone())
            .unwrap()
    };

    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(PATIENCE)
        .build()
        .expect("HTTP client");
    let gql = |token: String, query: &'static str| {
        let client = client.clone();
        let url = format!("http://{addr}/graphql");
        async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "query": query }))
                .send()
                .await
                .expect("POST /graphql");
            assert!(response.status().is_success(), "{}", response.status());
            let body: Value = response.json().await.expect("a JSON answer");
            assert!(body.get("errors").is_none(), "{query}: {body}");
            body["data"].clone()
        }
    };

    let stats = gql(
        secret("READER"),
        "{ statistics { total byStatus { status count } byCity { cityCode total }
           byKind { kind total } byAwardYear { year awarded } target { target awarded } } }",
    )
    .await["statistics"]
        .clone();
    assert!(
        stats["total"].as_i64().unwrap() >= 40,
        "units: {}",
        stats["total"]
    );
    let cities = stats["byCity"].as_array().unwrap();
    assert_eq!(cities.len(), 13, "{cities:?}");
    assert!(
        cities.iter().all(|c| c["total"].as_i64().unwrap() > 0),
        "{cities:?}"
    );
    for status in ["PILOT", "RECOMMENDED", "AWARDED", "DELISTED", "PILOT_REVOKED"] {
        let count = stats["byStatus"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["status"] == status)
            .map_or(0, |s| s["count"].as_i64().unwrap());
        assert!(count > 0, "no {status} unit in the demo");
    }
    assert!(
        stats["byKind"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["total"].as_i64().unwrap() > 0),
        "every kind: {}",
        stats["byKind"]
    );
    assert_eq!(stats["target"]["target"], 100);

    let head = gql(
        secret("AUDITOR"),
        "{ logHead { position } events(first: 1) { nodes { type } } }",
    )
    .await;
    assert!(
        head["logHead"]["position"].as_i64().unwrap() >= 200,
        "events: {}",
        head["logHead"]
    );
    // The CITY token is 苏州's, and the PROVINCIAL token may read what only it and auditors may.
    let tokens_seen = gql(secret("PROVINCIAL"), "{ accessTokens { role cityCode } }").await;
    assert!(
        tokens_seen["accessTokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["role"] == "CITY" && t["cityCode"] == "320500"),
        "{tokens_seen}"
    );

    // SIGTERM: a prompt, clean exit.
    let pid = child.id().expect("pid").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let status = tokio::time::timeout(PATIENCE, child.wait())
        .await
        .unwrap_or_else(|_| panic!("liangye serve did not stop on SIGTERM; stderr:\n{}", logs()))
        .expect("wait for liangye serve");
    assert!(status.success(), "exit {status}; stderr:\n{}", logs());
}
