//! The public surface, tried as an attacker would (issue 12), against the real `liangye`
//! binary over real sockets, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL. Each case
//! shows the refusal, that a plain query is still answered meanwhile, that the server's
//! memory stays bounded, and that `liangye verify` passes after.
//!
//! Timeouts only turn hangs into failures; nothing asserts on speed.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use liangye_tests::process::{Api, PATIENCE, Server, assert_verifies, bin, export, liangye};
use liangye_tests::{TestDb, on_both_backends};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

/// The resident memory the server may reach in any case here (DESIGN.md §6 allows 512 MiB
/// with a million events; these logs are tiny).
const RSS_BOUND_KIB: u64 = 512 * 1024;

const EVENTS: &str = "subscription { events(afterPosition: 0) { position type } }";

on_both_backends!(
    the_websocket_is_bounded_and_closes_bad_sessions,
    connections_are_capped_and_timed_out,
    a_revoked_token_loses_its_open_websocket,
    query_cost_counts_what_fields_read,
    a_reused_command_id_reveals_nothing,
    standard_clients_are_served_with_no_internet,
    smaller_holes_are_closed,
);

// ---------------------------------------------------------------------------------------
// Set-up: the demo sample, then a server with tokens issued by the command line.

struct Token {
    id: String,
    secret: String,
}

struct Tokens {
    provincial: Token,
    suzhou: Token,
    auditor: Token,
    reader: Token,
}

async fn issue(db: &TestDb, role: &str, city: Option<&str>, name: &str) -> Token {
    let mut args = vec!["token", "issue", "--role", role, "--name", name];
    if let Some(city) = city {
        args.extend(["--city", city]);
    }
    let (ok, out, err) = liangye(&db.url, &args).await;
    assert!(ok, "token issue failed:\n{out}\n{err}");
    let id = out
        .split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("no token id in:\n{out}"))
        .to_owned();
    let secret = out.lines().last().unwrap_or_default().trim().to_owned();
    Token { id, secret }
}

/// Fill `db` with `serve --demo` (then stop it), issue one token per role, and serve it
/// with `serve_args`.
async fn demo_server(db: &TestDb, serve_args: &[&str]) -> (Server, Tokens) {
    let log = db.path("server.log");
    let mut filler = Server::start_with(&db.url, &log, &["--demo"]).await;
    filler.kill().await;
    let tokens = Tokens {
        provincial: issue(db, "PROVINCIAL", None, "测试省发改委").await,
        suzhou: issue(db, "CITY", Some("320500"), "测试苏州市发改委").await,
        auditor: issue(db, "AUDITOR", None, "测试审计厅").await,
        reader: issue(db, "READER", None, "测试大数据中心").await,
    };
    let server = Server::start_with(&db.url, &log, serve_args).await;
    (server, tokens)
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The server answers a plain query over a new connection, and its memory is bounded.
async fn still_answers(server: &mut Server, token: &str, when: &str) {
    assert!(server.is_running(), "{when}: the server died");
    let data = Api::new(&server.addr, token)
        .query("{ __typename logHead { position } }", json!({}))
        .await;
    assert_eq!(data["__typename"], "QueryRoot", "{when}");
    let rss = rss_kib(server.pid());
    assert!(rss < RSS_BOUND_KIB, "{when}: the server holds {rss} KiB");
}

/// The server still answers after `when`; then it is killed, and the log it leaves verifies.
async fn end_case(server: &mut Server, db: &TestDb, token: &str, when: &str) {
    still_answers(server, token, when).await;
    server.kill().await;
    assert_verifies(&db.url, when).await;
}

/// What `stream` answers, read until it ends or more than `enough` bytes came; `what` names
/// the connection if it is kept open instead.
async fn read_answer(stream: &mut TcpStream, enough: usize, what: &str) -> String {
    let mut buf = [0u8; 1024];
    let mut answer = Vec::new();
    while answer.len() <= enough {
        let n = tokio::time::timeout(PATIENCE, stream.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("{what} was kept open"))
            .unwrap_or(0);
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// POST a raw body: status and JSON.
async fn post(addr: &str, token: &str, body: &Value) -> (u16, Value) {
    let client = liangye_tests::http_client();
    let response = client
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("POST /graphql");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("HTTP {status}: {text}")),
    )
}

fn first_code(body: &Value) -> (String, String) {
    let error = &body["errors"][0];
    (
        error["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        error["message"].as_str().unwrap_or_default().to_owned(),
    )
}

// ---------------------------------------------------------------------------------------
// Websocket client

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

async fn ws_connect(addr: &str) -> Ws {
    let mut request = format!("ws://{addr}/graphql/ws").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (ws, _) = tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(request))
        .await
        .expect("websocket connect hung")
        .expect("websocket connect");
    ws
}

async fn ws_send(ws: &mut Ws, message: Value) {
    let _ = tokio::time::timeout(PATIENCE, ws.send(Message::text(message.to_string()))).await;
}

/// Subscribe to `EVENTS` as subscription `id`.
async fn subscribe_events(ws: &mut Ws, id: &str) {
    ws_send(
        ws,
        json!({ "id": id, "type": "subscribe", "payload": { "query": EVENTS } }),
    )
    .await;
}

async fn ws_init(addr: &str, secret: &str) -> Ws {
    let mut ws = ws_connect(addr).await;
    ws_send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {secret}") } }),
    )
    .await;
    let ack = ws_json(&mut ws).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    ws
}

/// The next JSON message (panics on close).
async fn ws_json(ws: &mut Ws) -> Value {
    loop {
        let message = tokio::time::timeout(PATIENCE, ws.next())
            .await
            .expect("no websocket message in time")
            .expect("websocket ended")
            .expect("websocket error");
        match message {
            Message::Text(text) => return serde_json::from_str(text.as_str()).expect("JSON message"),
            Message::Close(frame) => panic!("closed: {frame:?}"),
            _ => {}
        }
    }
}

/// Read until the server closes: its close code (`None`: the connection ended without one).
async fn ws_close_code(ws: &mut Ws) -> Option<u16> {
    loop {
        let message = tokio::time::timeout(PATIENCE, ws.next())
            .await
            .expect("the server did not close the websocket");
        match message {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// 1. The websocket: sizes, init, codes.

async fn the_websocket_is_bounded_and_closes_bad_sessions(db: &TestDb) {
    let (mut server, tokens) = demo_server(db, &[]).await;
    let addr = server.addr.clone();
    let reader = tokens.reader.secret.clone();

    // One huge message in fragments, after an empty connection_init and after a valid
    // one: the socket is closed long before 32 MiB arrive, and nothing piles up.
    for init in [json!({}), json!({ "Authorization": format!("Bearer {reader}") })] {
        let mut ws = ws_connect(&addr).await;
        ws_send(&mut ws, json!({ "type": "connection_init", "payload": init })).await;
        let chunk = vec![b'a'; 64 * 1024];
        let mut sent = 0usize;
        let mut frame = Frame::message(chunk.clone(), OpCode::Data(Data::Text), false);
        for _ in 0..512 {
            if ws.send(Message::Frame(frame)).await.is_err() {
                break;
            }
            sent += chunk.len();
            frame = Frame::message(chunk.clone(), OpCode::Data(Data::Continue), false);
        }
        let code = ws_close_code(&mut ws).await;
        assert!(
            code == Some(4403) || code.is_none() || code == Some(1009),
            "an oversized session ({init}) ended with {code:?}"
        );
        assert!(
            sent < 32 * 1024 * 1024,
            "the server read {sent} bytes of one message ({init})"
        );
    }
    still_answers(&mut server, &reader, "after an oversized message").await;

    // One message larger than the body limit, after a valid init: closed (1009).
    let mut ws = ws_init(&addr, &reader).await;
    let big = "x".repeat(300 * 1024);
    let _ = ws.send(Message::text(big)).await;
    let code = ws_close_code(&mut ws).await;
    assert!(
        code == Some(1009) || code.is_none(),
        "oversized message: {code:?}"
    );

    // An operation before connection_init: 4401.
    let mut ws = ws_connect(&addr).await;
    subscribe_events(&mut ws, "1").await;
    assert_eq!(ws_close_code(&mut ws).await, Some(4401));

    // No token, an unknown token: 4403.
    for payload in [json!({}), json!({ "Authorization": "Bearer lyt_not-a-token" })] {
        let mut ws = ws_connect(&addr).await;
        ws_send(&mut ws, json!({ "type": "connection_init", "payload": payload })).await;
        assert_eq!(ws_close_code(&mut ws).await, Some(4403), "{payload}");
    }

    // No connection_init at all: 4408 (after 10 s).
    let mut ws = ws_connect(&addr).await;
    assert_eq!(ws_close_code(&mut ws).await, Some(4408));

    // A subscription id in use: 4409.
    let mut ws = ws_init(&addr, &tokens.auditor.secret).await;
    subscribe_events(&mut ws, "s").await;
    let first = ws_json(&mut ws).await;
    assert_eq!(first["type"], "next", "{first}");
    subscribe_events(&mut ws, "s").await;
    assert_eq!(ws_close_code(&mut ws).await, Some(4409));

    // The limits of HTTP hold on the socket: depth and cost.
    let mut ws = ws_init(&addr, &reader).await;
    let mut deep = String::from("position");
    for _ in 0..13 {
        deep = format!("history {{ {deep} }}");
    }
    let heavy: String = (0..20)
        .map(|i| format!("a{i}: designations(first: 100) {{ nodes {{ history {{ position }} }} }} "))
        .collect();
    for (id, query) in [
        ("d", format!("{{ designations {{ nodes {{ {deep} }} }} }}")),
        ("c", format!("{{ {heavy} }}")),
    ] {
        ws_send(
            &mut ws,
            json!({ "id": id, "type": "subscribe", "payload": { "query": query } }),
        )
        .await;
        let answer = ws_json(&mut ws).await;
        assert_eq!(answer["id"], id);
        let errors = &answer["payload"]["errors"];
        assert_eq!(errors[0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{answer}");
        let complete = ws_json(&mut ws).await;
        assert_eq!(complete["type"], "complete", "{complete}");
    }
    // And a plain query is answered on the socket.
    ws_send(
        &mut ws,
        json!({ "id": "q", "type": "subscribe", "payload": { "query": "{ logHead { position } }" } }),
    )
    .await;
    let answer = ws_json(&mut ws).await;
    assert!(
        answer["payload"]["data"]["logHead"]["position"].as_i64().unwrap() > 0,
        "{answer}"
    );

    end_case(&mut server, db, &reader, "after the websocket cases").await;
}

// ---------------------------------------------------------------------------------------
// 2. Connections: a cap, header, idle and body timeouts.

async fn connections_are_capped_and_timed_out(db: &TestDb) {
    let (mut server, tokens) =
        demo_server(db, &["--max-connections", "20", "--header-read-timeout", "2"]).await;
    let addr = server.addr.clone();
    let reader = tokens.reader.secret.clone();

    // 150 connections with unfinished headers: at most 20 are served at once, each
    // closed after the header timeout, and a plain query is still answered.
    let mut slow = Vec::new();
    for _ in 0..150 {
        let Ok(mut s) = TcpStream::connect(&addr).await else {
            continue;
        };
        let _ = s
            .write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await;
        slow.push(s);
    }
    still_answers(&mut server, &reader, "with 150 unfinished requests").await;
    // The server closed the first of them (EOF), having never seen their end.
    let mut first = slow.remove(0);
    let mut buf = [0u8; 1024];
    let read = tokio::time::timeout(PATIENCE, first.read(&mut buf))
        .await
        .expect("slow connection kept open");
    let n = read.as_ref().map_or(0, |n| *n);
    let answered = String::from_utf8_lossy(&buf[..n]).into_owned();
    assert!(
        !answered.contains("200 OK"),
        "an unfinished request was answered: {answered}"
    );
    drop(slow);

    // An idle keep-alive connection is closed after the same timeout.
    let mut idle = TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_answer(&mut idle, usize::MAX, "an idle keep-alive connection").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // A body that never finishes arriving: 408 after the body timeout.
    let mut trickle = TcpStream::connect(&addr).await.unwrap();
    trickle
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":")
        .await
        .unwrap();
    let answer = read_answer(&mut trickle, 12, "a trickling body").await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");

    // Many idle websockets count against the cap too, and free it when they go.
    let mut sockets = Vec::new();
    for _ in 0..10 {
        sockets.push(ws_init(&addr, &reader).await);
    }
    still_answers(&mut server, &reader, "with 10 websockets open").await;
    drop(sockets);

    end_case(&mut server, db, &reader, "after the connection cases").await;
}

/// Out of file handles, the accept loop logs once, not every second, and recovers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_errors_are_logged_once_and_the_server_recovers() {
    let db = TestDb::sqlite();
    let (mut server, tokens) = {
        // The demo, then a server limited to 64 open files (`ulimit -n 64` before exec).
        let log = db.path("server.log");
        let mut filler = Server::start_with(&db.url, &log, &["--demo"]).await;
        filler.kill().await;
        let reader = issue(&db, "READER", None, "测试大数据中心").await;
        let wrapper = db.path("serve-with-64-files.sh");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nulimit -n 64 || exit 3\nexec {} \"$@\"\n",
                bin().display()
            ),
        )
        .unwrap();
        std::process::Command::new("chmod")
            .args(["755"])
            .arg(&wrapper)
            .status()
            .unwrap();
        (Server::start_program(&wrapper, &db.url, &log, &[]).await, reader)
    };
    let addr = server.addr.clone();
    let mut held = Vec::new();
    for _ in 0..120 {
        if let Ok(s) = TcpStream::connect(&addr).await {
            held.push(s);
        }
    }
    // Several seconds out of handles.
    tokio::time::sleep(Duration::from_secs(3)).await;
    drop(held);
    still_answers(&mut server, &tokens.secret, "after running out of file handles").await;
    let log = server.log_text();
    let lines = log.matches("cannot accept connections").count();
    assert!(lines >= 1, "the accept errors were not logged:\n{log}");
    assert!(lines <= 2, "accept errors logged {lines} times:\n{log}");
    server.kill().await;
}

// ---------------------------------------------------------------------------------------
// 3. A revoked token loses its websocket.

async fn a_revoked_token_loses_its_open_websocket(db: &TestDb) {
    let (mut server, tokens) = demo_server(db, &[]).await;
    let addr = server.addr.clone();
    let auditor = &tokens.auditor;
    let mut ws = ws_init(&addr, &auditor.secret).await;
    subscribe_events(&mut ws, "1").await;
    let first = ws_json(&mut ws).await;
    assert_eq!(first["type"], "next", "{first}");

    let (ok, out, err) = liangye(&db.url, &["token", "revoke", &auditor.id]).await;
    assert!(ok, "token revoke:\n{out}\n{err}");
    // Closed with 4403 (the catch-up may still be delivering; no event after the close).
    assert_eq!(ws_close_code(&mut ws).await, Some(4403));
    // A new socket with it is refused at connection_init.
    let mut ws = ws_connect(&addr).await;
    ws_send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {}", auditor.secret) } }),
    )
    .await;
    assert_eq!(ws_close_code(&mut ws).await, Some(4403));

    end_case(&mut server, db, &tokens.reader.secret, "after the revocation").await;
}

// ---------------------------------------------------------------------------------------
// 4. Cost counts what fields read; heavy reads are bounded.

async fn query_cost_counts_what_fields_read(db: &TestDb) {
    let (mut server, tokens) = demo_server(db, &[]).await;
    let addr = server.addr.clone();
    let reader = tokens.reader.secret.clone();
    let auditor = tokens.auditor.secret.clone();

    let history = |n: usize| -> String {
        (0..n)
            .map(|i| format!("a{i}: designations(first: 100) {{ nodes {{ history {{ position }} }} }} "))
            .collect()
    };
    // Ten pages of 100 units with their histories in one operation: over the cost.
    let (status, body) = post(
        &addr,
        &reader,
        &json!({ "query": format!("{{ {} }}", history(10)) }),
    )
    .await;
    let (code, message) = first_code(&body);
    assert_eq!(code, "QUERY_TOO_COMPLEX", "HTTP {status}: {message}");
    assert!(message.contains("history"), "{message}");
    // 66 aliases: over the alias cap.
    let (_, body) = post(
        &addr,
        &reader,
        &json!({ "query": format!("{{ {} }}", history(66)) }),
    )
    .await;
    assert_eq!(first_code(&body).0, "QUERY_TOO_COMPLEX");
    // A batch of 16 operations each within the cost: over the batch's cost.
    let batch: Vec<Value> = (0..16)
        .map(|_| json!({ "query": format!("{{ {} }}", history(5)) }))
        .collect();
    let (_, body) = post(&addr, &reader, &Value::Array(batch)).await;
    let answers = body.as_array().expect("a batch answer");
    assert!(
        answers.iter().any(|a| first_code(a).0 == "QUERY_TOO_COMPLEX"),
        "a batch of 16 heavy operations was answered whole"
    );
    // Event-type scans count what they read (each may read 10,000 events).
    let scans: String = (0..25)
        .map(|i| format!("s{i}: events(first: 0, type: \"X\") {{ pageInfo {{ hasNextPage }} }} "))
        .collect();
    let (_, body) = post(&addr, &auditor, &json!({ "query": format!("{{ {scans} }}") })).await;
    let (code, message) = first_code(&body);
    assert_eq!(code, "QUERY_TOO_COMPLEX", "{message}");
    let (_, body) = post(
        &addr,
        &auditor,
        &json!({ "query": "{ events(first: 5, type: \"Awarded\") { nodes { position type } } }" }),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(!body["data"]["events"]["nodes"].as_array().unwrap().is_empty());

    // Eight clients sending heavy batches at once: each is answered or, on a machine too
    // busy to finish it in time, refused as too complex (never left to starve others),
    // while a plain query is answered too and memory stays bounded.
    let allowed: Vec<Value> = (0..4)
        .map(|_| json!({ "query": format!("{{ {} }}", history(1)) }))
        .collect();
    let mut load = Vec::new();
    for _ in 0..8 {
        let addr = addr.clone();
        let reader = reader.clone();
        let body = Value::Array(allowed.clone());
        load.push(tokio::spawn(async move { post(&addr, &reader, &body).await }));
    }
    still_answers(&mut server, &reader, "during heavy reads").await;
    for task in load {
        let (status, body) = task.await.unwrap();
        if status == 200 {
            for answer in body.as_array().unwrap() {
                assert!(answer["errors"].is_null(), "{answer}");
            }
        } else {
            let code = first_code(&body).0;
            assert_eq!((status, code.as_str()), (503, "QUERY_TOO_COMPLEX"), "{body}");
        }
    }
    end_case(&mut server, db, &reader, "after heavy reads").await;
}

// ---------------------------------------------------------------------------------------
// 5. A reused commandId reveals nothing.

async fn a_reused_command_id_reveals_nothing(db: &TestDb) {
    let (mut server, tokens) = demo_server(db, &[]).await;
    let provincial = server.api(&tokens.provincial.secret);
    let suzhou = server.api(&tokens.suzhou.secret);
    let reader = server.api(&tokens.reader.secret);
    let command_id = uuid::Uuid::now_v7().to_string();
    let mut input = liangye_tests::process::list_pilot(7001, "命令号");
    input["cityCode"] = json!("320500");
    input["creditCode"] = json!(
        liangye_services::scenario::credit_code(liangye_events::catalogue::CityCode::Suzhou, 7001)
            .to_string()
    );
    input["commandId"] = json!(command_id);
    let liangye_tests::process::Outcome::Accepted(first) = provincial.mutate("listPilot", &input).await
    else {
        panic!("listPilot refused");
    };
    let id = liangye_tests::process::designation_id(&first);
    // The same token and command again: the first result.
    let liangye_tests::process::Outcome::Accepted(again) = provincial.mutate("listPilot", &input).await
    else {
        panic!("repeat refused");
    };
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["position"], first["position"]);

    // READER with the same id: refused as READER is, before any lookup.
    match reader.mutate("listPilot", &input).await {
        liangye_tests::process::Outcome::Refused { code, .. } => assert_eq!(code, "FORBIDDEN"),
        other => panic!("READER reusing a commandId: {other:?}"),
    }
    // CITY (allowed to recommend this unit) with the same id: CONFLICT, nothing shown.
    let recommend = json!({
        "designationId": id, "year": 2025, "revenueYuan": "1500000000",
        "decidedOn": "2025-03-15", "commandId": command_id,
    });
    match suzhou.mutate("recommend", &recommend).await {
        liangye_tests::process::Outcome::Refused { code, message, .. } => {
            assert_eq!(code, "CONFLICT", "{message}");
            assert!(
                !message.contains("PROVINCIAL") && !message.contains("测试省发改委"),
                "{message}"
            );
        }
        other => panic!("CITY reusing a PROVINCIAL commandId: {other:?}"),
    }
    // The same token for another command: CONFLICT.
    let quota = json!({ "year": 2031, "total": 5, "decidedOn": "2025-03-15", "commandId": command_id });
    match provincial.mutate("setAnnualQuota", &quota).await {
        liangye_tests::process::Outcome::Refused { code, .. } => assert_eq!(code, "CONFLICT"),
        other => panic!("another command under a used commandId: {other:?}"),
    }
    let log = export(&db.url).await;
    liangye_tests::process::assert_command_ids_once(&log);
    end_case(&mut server, db, &tokens.reader.secret, "after commandId reuse").await;
}

// ---------------------------------------------------------------------------------------
// 6. Standard clients: the introspection query, GraphiQL with no internet.

async fn standard_clients_are_served_with_no_internet(db: &TestDb) {
    let (mut server, tokens) = demo_server(db, &[]).await;
    let addr = server.addr.clone();
    for query in [
        include_str!("data/introspection_query.graphql"),
        include_str!("data/introspection_query_default.graphql"),
    ] {
        let (status, body) = post(&addr, &tokens.reader.secret, &json!({ "query": query })).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["errors"].is_null(), "{body}");
        assert!(body["data"]["__schema"]["types"].as_array().unwrap().len() > 20);
    }
    // Hostile introspection depth is still refused.
    let mut deep = String::from("name");
    for _ in 0..14 {
        deep = format!("ofType {{ {deep} }}");
    }
    let hostile = format!("{{ __schema {{ types {{ fields {{ type {{ {deep} }} }} }} }} }}");
    let (_, body) = post(&addr, &tokens.reader.secret, &json!({ "query": hostile })).await;
    assert_eq!(first_code(&body).0, "QUERY_TOO_COMPLEX");
    let lists = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    let (_, body) = post(&addr, &tokens.reader.secret, &json!({ "query": lists })).await;
    assert_eq!(first_code(&body).0, "QUERY_TOO_COMPLEX");

    // GraphiQL: the page names no outside address, and every asset it loads is served.
    let client = liangye_tests::http_client();
    let page = client
        .get(format!("http://{addr}/graphql"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("GraphiQL"));
    let mut assets = 0;
    for attribute in ["src=\"", "href=\""] {
        for part in page.split(attribute).skip(1) {
            let url = part.split('"').next().unwrap();
            assert!(url.starts_with("/graphql/assets/"), "the page loads {url}");
            let response = client.get(format!("http://{addr}{url}")).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200, "{url}");
            assert!(response.bytes().await.unwrap().len() > 1000, "{url}");
            assets += 1;
        }
    }
    assert!(assets >= 5, "the page loads {assets} assets");
    still_answers(&mut server, &tokens.reader.secret, "after the standard clients").await;
    server.kill().await;
}

// ---------------------------------------------------------------------------------------
// 7. Smaller holes.

async fn smaller_holes_are_closed(db: &TestDb) {
    let (mut server, tokens) = demo_server(db, &[]).await;
    let provincial = server.api(&tokens.provincial.secret);

    // Unicode format characters are refused, naming the field.
    for (field, value) in [
        ("name", "苏州\u{202E}司公限有技科"),
        ("name", "苏州\u{200B}科技有限公司"),
        ("documentRef", "苏发改服务发\u{2066}〔2025〕1号"),
        ("note", "说明\u{FEFF}"),
    ] {
        let mut input = liangye_tests::process::list_pilot(7100, "格式");
        input[field] = json!(value);
        match provincial.mutate("listPilot", &input).await {
            liangye_tests::process::Outcome::Refused { code, message, .. } => {
                assert_eq!(code, "VALIDATION_FAILED", "{message}");
                assert!(message.contains(field) && message.contains("U+"), "{message}");
            }
            other => panic!("{field} with a format character: {other:?}"),
        }
    }
    let (ok, _, err) = liangye(
        &db.url,
        &["token", "issue", "--role", "READER", "--name", "读者\u{202E}"],
    )
    .await;
    assert!(!ok && err.contains("U+202E"), "{err}");

    // Proof errors speak of positions.
    let auditor = server.api(&tokens.auditor.secret);
    for position in [0, 100_000] {
        let (_, body) = auditor
            .post(
                "query($p: Int!) { inclusionProof(position: $p) { rootHash } }",
                json!({ "p": position }),
            )
            .await
            .unwrap();
        let (code, message) = first_code(&body);
        assert_eq!(code, "VALIDATION_FAILED", "{message}");
        assert!(
            message.contains("position") && !message.contains("leaf index"),
            "{message}"
        );
    }
    server.kill().await;

    // `serve --demo` on an existing log mints no tokens.
    let granted =
        |log: &[liangye_events::StoredEvent]| log.iter().filter(|e| e.event_type == "AccessGranted").count();
    let before = granted(&export(&db.url).await);
    let mut again = Server::start_with(&db.url, &db.path("server.log"), &["--demo"]).await;
    again.kill().await;
    assert_eq!(
        granted(&export(&db.url).await),
        before,
        "serve --demo minted tokens on an existing log"
    );

    // A signing key readable by others is refused; at 0600 it is used.
    let key = db.path("registry.key");
    let key = key.to_str().unwrap();
    let (ok, _, err) = liangye(&db.url, &["keygen", "--origin", "test/liangye", "--out", key]).await;
    assert!(ok, "{err}");
    std::process::Command::new("chmod")
        .args(["644", key])
        .status()
        .unwrap();
    let (ok, _, err) = liangye(&db.url, &["checkpoint", "--signing-key", key]).await;
    assert!(!ok && err.contains("chmod 600"), "{err}");
    std::process::Command::new("chmod")
        .args(["600", key])
        .status()
        .unwrap();
    let (ok, _, err) = liangye(&db.url, &["checkpoint", "--signing-key", key]).await;
    assert!(ok, "{err}");

    assert_verifies(&db.url, "after the smaller holes").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_is_named_with_its_cause() {
    let (ok, _, err) = liangye("sqlite:///missing-dir-liangye/x.db", &["verify"]).await;
    assert!(!ok);
    assert!(
        err.contains("/missing-dir-liangye") && err.contains("does not exist"),
        "{err}"
    );
    let (ok, _, err) = liangye("postgres://nobody:secret-pw@127.0.0.1:1/x", &["verify"]).await;
    assert!(!ok);
    assert!(err.contains("127.0.0.1:1") && !err.contains("secret-pw"), "{err}");
    assert!(err.to_lowercase().contains("refused"), "{err}");
}
