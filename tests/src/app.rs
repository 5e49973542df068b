//! [`TestApp`]: the real server on a random loopback port, assembled like `liangye serve`
//! (store, engine, live registry, metrics), with one access token per role and helpers that
//! speak to it the way another government system would: GraphQL over HTTP (`reqwest`) and
//! subscriptions over `graphql-transport-ws` (`tokio-tungstenite`).
//!
//! Used by the end-to-end tests and the benchmark harness. Every helper panics with a clear
//! message on a transport failure (a test failure, not a result to inspect); GraphQL errors
//! come back as JSON for the caller to check.

use std::net::SocketAddr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use liangye_api::app::{App, Options};
use liangye_api::graphql::AppState;
use liangye_events::catalogue::{CityCode, Role};
use liangye_services::EventStore;
use liangye_services::access::new_token;
use liangye_services::decide::{Command, Principal, RevokeAccess};
use liangye_services::engine::{Decided, Engine, EngineError};
use liangye_services::live::Live;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use uuid::Uuid;

use crate::TestDb;

/// Longest any single request or websocket message is waited for: only to turn a hang into
/// a failure, never a performance assertion.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// An access token issued to the app: its id (for revocation) and its secret (for
/// `Authorization: Bearer`).
#[derive(Debug, Clone)]
pub struct Token {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub city: Option<CityCode>,
    pub secret: String,
}

impl Token {
    /// The secret, for the `token` argument of [`TestApp::gql`].
    pub fn secret(&self) -> Option<&str> {
        Some(&self.secret)
    }
}

/// One token per role, issued at spawn.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// 省发展改革委.
    pub provincial: Token,
    /// 苏州市发展改革委 (320500).
    pub suzhou: Token,
    /// 南京市发展改革委 (320100).
    pub nanjing: Token,
    /// 审计.
    pub auditor: Token,
    /// 其他政府系统.
    pub reader: Token,
}

/// A running server and what it was built from.
pub struct TestApp {
    /// `127.0.0.1:<port>`.
    pub addr: SocketAddr,
    /// The state the server resolves with: the same store, engine and live registry.
    pub state: AppState,
    pub tokens: Tokens,
    client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    app: Option<App>,
}

impl TestApp {
    /// The server on the fresh database `db`.
    pub async fn spawn(db: &TestDb) -> Self {
        Self::spawn_on(&db.url, false).await
    }

    /// The server on `db`, first filled with the `serve --demo` sample.
    pub async fn spawn_with_demo(db: &TestDb) -> Self {
        Self::spawn_on(&db.url, true).await
    }

    /// The server on the database at `url` (empty or not, e.g. one a benchmark prepared);
    /// `demo` fills an empty one with the `serve --demo` sample before the tokens are issued.
    pub async fn spawn_on(url: &str, demo: bool) -> Self {
        let app = App::start(
            url,
            Options {
                demo,
                ..Options::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("start the app on {url}: {e}"));
        let state = app.state.clone();

        let city = |name, code| issue(&state, name, Role::City, Some(code));
        let tokens = Tokens {
            provincial: issue(&state, "省发展改革委(测试)", Role::Provincial, None).await,
            suzhou: city("苏州市发展改革委(测试)", CityCode::Suzhou).await,
            nanjing: city("南京市发展改革委(测试)", CityCode::Nanjing).await,
            auditor: issue(&state, "省审计厅(测试)", Role::Auditor, None).await,
            reader: issue(&state, "省大数据中心(测试)", Role::Reader, None).await,
        };

        app.ready().await.expect("the live registry reaches the head");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let (shutdown, stop) = oneshot::channel::<()>();
        let server = tokio::spawn(liangye_api::server::serve(listener, state.clone(), async {
            let _ = stop.await;
        }));
        let client = crate::http_client();
        Self {
            addr,
            state,
            tokens,
            client,
            shutdown: Some(shutdown),
            server: Some(server),
            app: Some(app),
        }
    }

    pub fn store(&self) -> &EventStore {
        &self.state.store
    }

    pub fn engine(&self) -> &Engine {
        &self.state.engine
    }

    pub fn live(&self) -> &Live {
        &self.state.live
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The HTTP client the helpers use (no proxy, generous timeout), for requests of one's own.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The position of the last event in the log, read from the store (not over HTTP).
    pub async fn head(&self) -> i64 {
        self.store().head().await.expect("log head").position
    }

    /// The `recordedAt` of the event at `position`, read over HTTP as the auditor.
    pub async fn recorded_at(&self, position: i64) -> String {
        let data = self
            .gql_data(
                self.tokens.auditor.secret(),
                "query($after: Int) { events(after: $after, first: 1) { nodes { recordedAt } } }",
                json!({ "after": position - 1 }),
            )
            .await;
        data["events"]["nodes"][0]["recordedAt"]
            .as_str()
            .unwrap_or_else(|| panic!("no event at {position}: {data}"))
            .to_owned()
    }

    /// Wait until the live registry has folded everything in the log.
    pub async fn settle(&self) {
        let head = self.head().await;
        self.live()
            .wait_for(head)
            .await
            .expect("live registry follows the log");
    }

    /// Decide `command` as a local provincial operator (no token), straight through the
    /// engine, and wait until the live registry includes it. For setting the scene.
    pub async fn execute(&self, command: Command) -> Result<Decided, EngineError> {
        let decided = self
            .engine()
            .execute(command, &Principal::operator("e2e 测试准备"))
            .await?;
        self.live()
            .wait_for(decided.position)
            .await
            .expect("live registry follows the log");
        Ok(decided)
    }

    /// Issue another token (through the engine, as the operator).
    pub async fn issue_token(&self, name: &str, role: Role, city: Option<CityCode>) -> Token {
        issue(&self.state, name, role, city).await
    }

    /// Revoke `token` (through the engine) and wait until the server no longer accepts it.
    pub async fn revoke(&self, token: &Token) {
        self.execute(Command::RevokeAccess(RevokeAccess { token_id: token.id }))
            .await
            .unwrap_or_else(|e| panic!("revoke {}: {e}", token.name));
    }

    /// `POST /graphql` with `{"query", "variables"}`, bearing `token` if given; the response
    /// body as JSON (whatever the HTTP status).
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(secret) = token {
            request = request.bearer_auth(secret);
        }
        let (status, text) = status_and_text(request, "POST /graphql").await;
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("POST /graphql answered {status} with non-JSON ({e}): {text}"))
    }

    /// [`TestApp::gql`] that must succeed: its `data`; panics showing the errors otherwise.
    pub async fn gql_data(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql(token, query, variables).await;
        if body.get("errors").is_some_and(|e| !e.is_null()) {
            panic!("expected no errors for {query}\n{body:#}");
        }
        body["data"].clone()
    }

    /// [`TestApp::gql`] that must fail: the first error's `extensions.code` and message;
    /// panics if there is no error.
    pub async fn gql_error(&self, token: Option<&str>, query: &str, variables: Value) -> (String, String) {
        let body = self.gql(token, query, variables).await;
        first_error(&body).unwrap_or_else(|| panic!("expected an error for {query}\n{body:#}"))
    }

    /// `POST /graphql` with exactly these bytes and headers: the HTTP status and body text.
    pub async fn raw_post(&self, body: impl Into<Vec<u8>>, headers: &[(&str, &str)]) -> (u16, String) {
        let mut request = self.client.post(self.url("/graphql")).body(body.into());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        status_and_text(request, "POST /graphql").await
    }

    /// `GET <path>`: the HTTP status and body text.
    pub async fn get(&self, path: &str) -> (u16, String) {
        status_and_text(self.client.get(self.url(path)), &format!("GET {path}")).await
    }

    /// Open `/graphql/ws` (`graphql-transport-ws`), initialise with `token` in the payload's
    /// `Authorization`, wait for `connection_ack`, and subscribe to `query`.
    pub async fn subscribe(&self, token: Option<&str>, query: &str, variables: Value) -> Subscription {
        Subscription::open(&self.addr.to_string(), token, query, variables).await
    }

    /// Stop accepting, let requests in flight finish, stop the writer after its batch and
    /// close the store.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            match tokio::time::timeout(PATIENCE, server).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => panic!("server failed: {e}"),
                Ok(Err(e)) => panic!("server task: {e}"),
                Err(_) => panic!("server did not shut down"),
            }
        }
        let app = self.app.take();
        drop(self);
        if let Some(app) = app {
            tokio::time::timeout(PATIENCE, app.shutdown())
                .await
                .expect("the writer stops after its batch");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// Send `request` (`what` names it in a failure): the HTTP status and body text.
async fn status_and_text(request: reqwest::RequestBuilder, what: &str) -> (u16, String) {
    let response = request.send().await.unwrap_or_else(|e| panic!("{what}: {e}"));
    let status = response.status().as_u16();
    let text = response
        .text()
        .await
        .unwrap_or_else(|e| panic!("{what}: read body: {e}"));
    (status, text)
}

async fn issue(state: &AppState, name: &str, role: Role, city: Option<CityCode>) -> Token {
    let token = new_token(name, role, city).unwrap_or_else(|e| panic!("new token: {e}"));
    let decided = state
        .engine
        .execute(token.command, &Principal::operator("e2e 测试准备"))
        .await
        .unwrap_or_else(|e| panic!("issue token {name}: {e}"));
    state
        .live
        .wait_for(decided.position)
        .await
        .expect("live registry follows the log");
    Token {
        id: token.token_id,
        name: name.to_owned(),
        role,
        city,
        secret: token.secret,
    }
}

/// The first error of a GraphQL response: its `extensions.code` (empty if it has none) and
/// message.
pub fn first_error(body: &Value) -> Option<(String, String)> {
    let error = body.get("errors")?.get(0)?;
    let code = error["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let message = error["message"].as_str().unwrap_or_default().to_owned();
    Some((code, message))
}

/// In a list of statistics rows (`byStatus`, `byKind`, `byAwardYear`, …): `field` of the
/// row whose `key` is `value`, 0 when there is no such row.
pub fn count_in<V: Copy>(list: &Value, key: &str, value: V, field: &str) -> i64
where
    Value: PartialEq<V>,
{
    list.as_array()
        .unwrap_or_else(|| panic!("not a list of rows: {list}"))
        .iter()
        .find(|x| x[key] == value)
        .map_or(0, |x| {
            x[field].as_i64().unwrap_or_else(|| panic!("{field} of {x}"))
        })
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One `graphql-transport-ws` connection with one subscription on it.
pub struct Subscription {
    ws: Ws,
    id: u64,
}

impl Subscription {
    /// Open `ws://<addr>/graphql/ws` (`graphql-transport-ws`), initialise with `token` in the
    /// payload's `Authorization`, wait for `connection_ack`, and subscribe to `query`.
    pub async fn open(addr: &str, token: Option<&str>, query: &str, variables: Value) -> Self {
        let mut request = format!("ws://{addr}/graphql/ws")
            .into_client_request()
            .expect("websocket request");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().expect("header value"),
        );
        let (ws, _) = tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(request))
            .await
            .expect("websocket connect timed out")
            .unwrap_or_else(|e| panic!("websocket connect: {e}"));
        let mut subscription = Subscription { ws, id: 0 };
        let payload = match token {
            Some(secret) => json!({ "Authorization": format!("Bearer {secret}") }),
            None => json!({}),
        };
        subscription
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = subscription.receive().await;
        assert_eq!(
            ack["type"], "connection_ack",
            "expected connection_ack, got {ack}"
        );
        subscription.start(query, variables).await;
        subscription
    }

    async fn send(&mut self, message: Value) {
        tokio::time::timeout(PATIENCE, self.ws.send(Message::text(message.to_string())))
            .await
            .expect("websocket send timed out")
            .unwrap_or_else(|e| panic!("websocket send: {e}"));
    }

    /// The next protocol message (answering pings on the way).
    async fn receive(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("no websocket message in time")
                .unwrap_or_else(|| panic!("websocket closed"))
                .unwrap_or_else(|e| panic!("websocket: {e}"));
            match message {
                Message::Text(text) => {
                    let value: Value = serde_json::from_str(text.as_str())
                        .unwrap_or_else(|e| panic!("websocket message is not JSON ({e}): {text}"));
                    if value["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return value;
                }
                Message::Close(frame) => panic!("websocket closed by the server: {frame:?}"),
                _ => continue,
            }
        }
    }

    async fn start(&mut self, query: &str, variables: Value) {
        self.id += 1;
        let id = self.id.to_string();
        self.send(json!({
            "id": id,
            "type": "subscribe",
            "payload": { "query": query, "variables": variables },
        }))
        .await;
    }

    /// The payload (`{"data": …, "errors": …}`) of the next `next` message; `None` once the
    /// server completes the subscription.
    pub async fn next(&mut self) -> Option<Value> {
        let message = self.receive().await;
        match message["type"].as_str() {
            Some("next") => Some(message["payload"].clone()),
            Some("complete") => None,
            Some("error") => Some(json!({ "errors": message["payload"] })),
            _ => panic!("unexpected graphql-transport-ws message: {message}"),
        }
    }

    /// Complete the subscription and close the connection.
    pub async fn close(mut self) {
        let id = self.id.to_string();
        self.send(json!({ "id": id, "type": "complete" })).await;
        let _ = self.ws.close(None).await;
    }
}
