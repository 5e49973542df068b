//! `/graphql/ws`: GraphQL over a websocket, protocol `graphql-transport-ws` (the `graphql-ws`
//! library's), with the limits of HTTP and these rules:
//!
//! - a frame and a message are at most the HTTP body limit (`MAX_BODY_BYTES`); beyond it the
//!   socket is closed (1009) before more is read;
//! - the first message must be `connection_init` carrying `{"Authorization": "Bearer …"}`
//!   within [`INIT_TIMEOUT`] (else close 4408); a missing, unknown or revoked token closes
//!   with 4403; a second `connection_init` with 4429;
//! - `subscribe` before the connection is acknowledged closes with 4401, a `subscribe` whose
//!   id is in use with 4409, a message that is not of the protocol with 4400;
//! - the token is checked again on every `subscribe`, before every event delivered, and
//!   every [`REVOCATION_CHECK`] while the socket is open: once revoked, close 4403;
//! - queries and mutations run at most `REQUEST_TIMEOUT`, like over HTTP; the same depth,
//!   cost and heavy-read limits apply (`crate::limits`); at most [`MAX_OPERATIONS`] run at
//!   once on one socket.

use std::collections::HashMap;
use std::time::Duration;

use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{Executor, Request, Response};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response as HttpResponse;
use futures::StreamExt;
use liangye_services::access::secret_sha256;
use liangye_services::decide::ErrorCode;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::graphql::auth::{Caller, bearer_secret};
use crate::graphql::mutation::RequestId;
use crate::graphql::{AppState, RegistrySchema};
use crate::server::{MAX_BODY_BYTES, REQUEST_TIMEOUT, classify};

/// The subprotocol spoken.
pub const PROTOCOL: &str = "graphql-transport-ws";
/// How long a new socket may take to send `connection_init`.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an idle socket's token is checked again.
pub const REVOCATION_CHECK: Duration = Duration::from_secs(1);
/// Operations running at once on one socket.
pub const MAX_OPERATIONS: usize = 16;

/// Close codes of `graphql-transport-ws`.
mod close {
    pub const INVALID_MESSAGE: u16 = 4400;
    pub const UNAUTHORIZED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const INIT_TIMEOUT: u16 = 4408;
    pub const DUPLICATE_ID: u16 = 4409;
    pub const TOO_MANY_INITS: u16 = 4429;
}

/// Accept the upgrade with the size limits, then run the session.
pub fn upgrade(upgrade: WebSocketUpgrade, schema: RegistrySchema, state: AppState) -> HttpResponse {
    upgrade
        .protocols([PROTOCOL])
        .max_message_size(MAX_BODY_BYTES)
        .max_frame_size(MAX_BODY_BYTES)
        .max_write_buffer_size(4 * MAX_BODY_BYTES)
        .on_upgrade(move |socket| Session::new(schema, state).run(socket))
}

/// What operation tasks ask the session to do.
enum Out {
    Send(Value),
    /// The operation with this id finished (its `complete` already queued).
    Done(String),
    Close(u16, String),
}

/// The token the socket was opened with.
struct Token {
    secret_hash: liangye_events::catalogue::SecretSha256,
}

struct Session {
    schema: RegistrySchema,
    state: AppState,
    token: Option<Token>,
    operations: HashMap<String, JoinHandle<()>>,
    out_tx: mpsc::Sender<Out>,
    out_rx: mpsc::Receiver<Out>,
}

impl Session {
    fn new(schema: RegistrySchema, state: AppState) -> Self {
        // Bounded: an operation whose client does not read waits, it does not pile up.
        let (out_tx, out_rx) = mpsc::channel(32);
        Self {
            schema,
            state,
            token: None,
            operations: HashMap::new(),
            out_tx,
            out_rx,
        }
    }

    async fn run(mut self, mut socket: WebSocket) {
        let (code, reason) = self.serve(&mut socket).await;
        for (_, task) in self.operations.drain() {
            task.abort();
        }
        if code != 0 {
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            let _ =
                tokio::time::timeout(Duration::from_secs(5), socket.send(Message::Close(Some(frame)))).await;
        }
    }

    /// Serve until the socket ends; the close code (0: none to send) and reason.
    async fn serve(&mut self, socket: &mut WebSocket) -> (u16, String) {
        let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(init_deadline);
        let mut check = tokio::time::interval(REVOCATION_CHECK);
        loop {
            tokio::select! {
                () = &mut init_deadline, if self.token.is_none() => {
                    return (close::INIT_TIMEOUT, "Connection initialisation timeout".into());
                }
                _ = check.tick(), if self.token.is_some() => {
                    if !self.still_valid() {
                        return revoked();
                    }
                }
                out = self.out_rx.recv() => match out {
                    Some(Out::Send(message)) => {
                        if socket.send(Message::Text(message.to_string().into())).await.is_err() {
                            return (0, String::new());
                        }
                    }
                    Some(Out::Done(id)) => {
                        self.operations.remove(&id);
                    }
                    Some(Out::Close(code, reason)) => return (code, reason),
                    None => return (0, String::new()),
                },
                incoming = socket.recv() => {
                    let message = match incoming {
                        Some(Ok(m)) => m,
                        // Over the size limits, or the peer went away: tungstenite has
                        // already failed the connection (1009 for a message too big).
                        Some(Err(_)) | None => return (0, String::new()),
                    };
                    let text = match message {
                        Message::Text(text) => text,
                        Message::Close(_) => return (0, String::new()),
                        Message::Ping(_) | Message::Pong(_) => continue,
                        Message::Binary(_) => {
                            return (close::INVALID_MESSAGE, "Binary messages are not part of graphql-transport-ws".into());
                        }
                    };
                    if let Some(closing) = self.on_message(text.as_str(), socket).await {
                        return closing;
                    }
                }
            }
        }
    }

    fn still_valid(&self) -> bool {
        self.token
            .as_ref()
            .is_some_and(|t| self.state.live.authenticate(&t.secret_hash).is_ok())
    }

    /// Handle one client message; `Some` closes the socket.
    async fn on_message(&mut self, text: &str, socket: &mut WebSocket) -> Option<(u16, String)> {
        let Ok(message) = serde_json::from_str::<Value>(text) else {
            return Some((close::INVALID_MESSAGE, "Invalid message: not JSON".into()));
        };
        match message.get("type").and_then(Value::as_str) {
            Some("connection_init") => {
                if self.token.is_some() {
                    return Some((close::TOO_MANY_INITS, "Too many initialisation requests".into()));
                }
                let payload = message.get("payload").cloned().unwrap_or(Value::Null);
                let authorization = payload
                    .get("Authorization")
                    .or_else(|| payload.get("authorization"))
                    .and_then(Value::as_str);
                let Some(secret) = authorization.and_then(bearer_secret) else {
                    return Some((
                        close::FORBIDDEN,
                        "Forbidden: connection_init must carry {\"Authorization\": \"Bearer <token>\"}"
                            .into(),
                    ));
                };
                let secret_hash = secret_sha256(secret);
                if self.state.live.authenticate(&secret_hash).is_err() {
                    return Some((
                        close::FORBIDDEN,
                        "Forbidden: the token is unknown or revoked".into(),
                    ));
                }
                self.token = Some(Token { secret_hash });
                let ack = json!({ "type": "connection_ack" }).to_string();
                if socket.send(Message::Text(ack.into())).await.is_err() {
                    return Some((0, String::new()));
                }
                None
            }
            Some("ping") => {
                let mut pong = json!({ "type": "pong" });
                if let Some(payload) = message.get("payload") {
                    pong["payload"] = payload.clone();
                }
                if socket.send(Message::Text(pong.to_string().into())).await.is_err() {
                    return Some((0, String::new()));
                }
                None
            }
            Some("pong") => None,
            Some("subscribe") => self.subscribe(&message),
            Some("complete") => {
                if let Some(task) = message
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(|id| self.operations.remove(id))
                {
                    task.abort();
                }
                None
            }
            _ => Some((close::INVALID_MESSAGE, "Invalid message: unknown type".into())),
        }
    }

    fn subscribe(&mut self, message: &Value) -> Option<(u16, String)> {
        let Some(token) = &self.token else {
            return Some((close::UNAUTHORIZED, "Unauthorized".into()));
        };
        let Some(id) = message.get("id").and_then(Value::as_str).map(str::to_owned) else {
            return Some((
                close::INVALID_MESSAGE,
                "Invalid message: subscribe without an id".into(),
            ));
        };
        if self.operations.contains_key(&id) {
            return Some((close::DUPLICATE_ID, format!("Subscriber for {id} already exists")));
        }
        let principal = match self.state.live.authenticate(&token.secret_hash) {
            Ok(p) => p,
            Err(_) => return Some(revoked()),
        };
        let Some(Ok(request)) = message
            .get("payload")
            .map(|p| serde_json::from_value::<Request>(p.clone()))
        else {
            return Some((
                close::INVALID_MESSAGE,
                "Invalid message: subscribe without a GraphQL request".into(),
            ));
        };
        let out = self.out_tx.clone();
        if self.operations.len() >= MAX_OPERATIONS {
            let error = refusal(
                ErrorCode::QueryTooComplex,
                &format!("at most {MAX_OPERATIONS} operations may run at once on one socket"),
            );
            let _ = out.try_send(Out::Send(
                json!({ "type": "error", "id": id, "payload": [error] }),
            ));
            return None;
        }
        let subscription = is_subscription(&request);
        let request = request
            .data(Caller::Token(principal))
            .data(RequestId(Uuid::now_v7()));
        let schema = self.schema.clone();
        let state = self.state.clone();
        let secret_hash = token.secret_hash;
        let task_id = id.clone();
        let task = tokio::spawn(async move {
            let id = task_id;
            let metrics = state.metrics.clone();
            if subscription {
                let mut stream = Executor::execute_stream(&schema, request, None);
                while let Some(response) = stream.next().await {
                    // Before every event: is the token still good?
                    if state.live.authenticate(&secret_hash).is_err() {
                        let (code, reason) = revoked();
                        let _ = out.send(Out::Close(code, reason)).await;
                        return;
                    }
                    let response = classify(response, &metrics);
                    if out.send(Out::Send(next(&id, &response))).await.is_err() {
                        return;
                    }
                }
            } else {
                let response = match tokio::time::timeout(REQUEST_TIMEOUT, schema.execute(request)).await {
                    Ok(response) => classify(response, &metrics),
                    Err(_) => {
                        metrics.error(ErrorCode::QueryTooComplex.as_str());
                        let message = format!("the request took longer than {} s", REQUEST_TIMEOUT.as_secs());
                        let error = refusal(ErrorCode::QueryTooComplex, &message);
                        let _ = out
                            .send(Out::Send(
                                json!({ "type": "error", "id": id, "payload": [error] }),
                            ))
                            .await;
                        let _ = out.send(Out::Done(id)).await;
                        return;
                    }
                };
                if out.send(Out::Send(next(&id, &response))).await.is_err() {
                    return;
                }
            }
            let _ = out.send(Out::Send(json!({ "type": "complete", "id": id }))).await;
            let _ = out.send(Out::Done(id)).await;
        });
        self.operations.insert(id, task);
        None
    }
}

fn revoked() -> (u16, String) {
    (close::FORBIDDEN, "Forbidden: the token has been revoked".into())
}

fn next(id: &str, response: &Response) -> Value {
    json!({ "type": "next", "id": id, "payload": response })
}

fn refusal(code: ErrorCode, message: &str) -> Value {
    json!({ "message": message, "extensions": { "code": code.as_str() } })
}

/// Whether the operation the request runs is a subscription (parse errors: not; the
/// executor reports them).
fn is_subscription(request: &Request) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let ty = match (&document.operations, &request.operation_name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name.as_str()).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) => ops.values().next().map(|op| op.node.ty),
    };
    ty == Some(OperationType::Subscription)
}
