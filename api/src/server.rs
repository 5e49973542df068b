//! The HTTP server: `POST /graphql`, GraphiQL on `GET /graphql`, subscriptions on
//! `/graphql/ws` (`graphql-transport-ws`), `/healthz`, `/metrics`; body size, batch size and
//! request time limited; graceful shutdown that lets the write batch in flight finish.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{
    BatchRequest, BatchResponse, ErrorExtensionValues, Request, Response, ServerError, Value,
};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::get;
use liangye_services::access::secret_sha256;
use liangye_services::decide::ErrorCode;
use uuid::Uuid;

use crate::connections::{BODY_READ_TIMEOUT, ServeLimits};
use crate::graphql::auth::{Caller, bearer_secret};
use crate::graphql::mutation::RequestId;
use crate::graphql::{AppState, RegistrySchema};
use crate::metrics::Metrics;
use crate::response_cache::{Audience, MAX_KEY_BYTES, ResponseCache};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Most operations in one batched request.
pub const MAX_BATCH: usize = 16;
/// Longest a request may run.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Clone)]
struct Server {
    schema: RegistrySchema,
    state: AppState,
    /// Encoded responses for the live registry's current position (`response_cache.rs`).
    cache: Arc<ResponseCache>,
}

/// The router for `state`.
pub fn router(state: AppState) -> Router {
    let schema = crate::graphql::schema(Some(state.clone()));
    let console = crate::console::router(state.clone());
    Router::new()
        .route("/graphql", get(crate::graphiql::page).post(graphql))
        .route("/graphql/assets/{file}", get(crate::graphiql::asset))
        .route("/graphql/ws", get(websocket))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(Server {
            schema,
            state,
            cache: Arc::default(),
        })
        .merge(console)
}

/// Serve until `shutdown` resolves, within the default [`ServeLimits`]; then stop
/// accepting, finish requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, ServeLimits::default(), shutdown).await
}

/// [`serve`] within `limits` (connection cap, header timeout: `crate::connections`).
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: ServeLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    crate::connections::serve(listener, router(state), limits, shutdown).await
}

/// Resolve the bearer token of a request against the live access view.
fn authenticate(state: &AppState, authorization: Option<&str>) -> Caller {
    let Some(value) = authorization else {
        return Caller::Anonymous;
    };
    let Some(secret) = bearer_secret(value) else {
        return Caller::Invalid;
    };
    match state.live.authenticate(&secret_sha256(secret)) {
        Ok(principal) => Caller::Token(principal),
        Err(_) => Caller::Invalid,
    }
}

/// The body, at most [`MAX_BODY_BYTES`] (the router's `DefaultBodyLimit`, which travels in
/// the request's extensions).
async fn read_body(request: axum::extract::Request) -> Result<Bytes, BytesRejection> {
    use axum::extract::FromRequest;
    Bytes::from_request(request, &()).await
}

fn error_body(code: ErrorCode, message: &str) -> serde_json::Value {
    serde_json::json!({ "errors": [ { "message": message, "extensions": { "code": code.as_str() } } ] })
}

async fn graphql(State(server): State<Server>, request: axum::extract::Request) -> HttpResponse {
    let headers: HeaderMap = request.headers().clone();
    let metrics = &server.state.metrics;
    metrics.requests.inc();
    // A request refused before it runs: counted by its code, answered in the GraphQL error
    // shape.
    let refuse = |status: StatusCode, code: ErrorCode, message: &str| -> HttpResponse {
        metrics.error(code.as_str());
        (status, axum::Json(error_body(code, message))).into_response()
    };
    // The whole body within its time limit: a client trickling bytes holds no connection
    // for long.
    let body = match tokio::time::timeout(BODY_READ_TIMEOUT, read_body(request)).await {
        Ok(body) => body,
        Err(_) => {
            let message = format!(
                "the request body did not arrive within {} s",
                BODY_READ_TIMEOUT.as_secs()
            );
            return refuse(StatusCode::REQUEST_TIMEOUT, ErrorCode::ValidationFailed, &message);
        }
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            // Over the body limit (413) is a request over the limits, like a batch too large.
            let status = rejection.status();
            let (code, message) = if status == StatusCode::PAYLOAD_TOO_LARGE {
                (
                    ErrorCode::QueryTooComplex,
                    format!("the request body is larger than the limit of {MAX_BODY_BYTES} bytes"),
                )
            } else {
                (
                    ErrorCode::ValidationFailed,
                    format!("the request body cannot be read: {}", rejection.body_text()),
                )
            };
            return refuse(status, code, &message);
        }
    };
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            let message = format!("the request body is not a GraphQL request: {e}");
            return refuse(StatusCode::BAD_REQUEST, ErrorCode::ValidationFailed, &message);
        }
    };
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let caller = authenticate(&server.state, authorization);
    let request_id = RequestId(Uuid::now_v7());
    // A read answered at this very position before, by the same role and city.
    let position = server.state.live.position();
    let audience = match &caller {
        Caller::Token(p) if body.len() <= MAX_KEY_BYTES => Some(Audience {
            role: p.role.as_str(),
            city: p.city.map(|c| c.code()),
        }),
        _ => None,
    };
    if let Some(audience) = &audience
        && let Some(cached) = server.cache.get(position, audience, &body)
    {
        return json_response(cached, request_id);
    }
    let single = match &batch {
        BatchRequest::Single(r) => Some((r.query.clone(), r.operation_name.clone())),
        BatchRequest::Batch(_) => None,
    };
    let budget = Arc::new(crate::limits::BatchBudget::default());
    let with_data = |r: Request| r.data(caller.clone()).data(request_id).data(budget.clone());
    let batch = match batch {
        BatchRequest::Single(r) => BatchRequest::Single(with_data(r)),
        BatchRequest::Batch(rs) if rs.len() > MAX_BATCH => {
            let message = format!(
                "a batch may hold at most {MAX_BATCH} operations, not {}",
                rs.len()
            );
            return refuse(StatusCode::BAD_REQUEST, ErrorCode::QueryTooComplex, &message);
        }
        BatchRequest::Batch(rs) => BatchRequest::Batch(rs.into_iter().map(with_data).collect()),
    };
    let response = match tokio::time::timeout(REQUEST_TIMEOUT, server.schema.execute_batch(batch)).await {
        Ok(response) => response,
        Err(_) => {
            let message = format!("the request took longer than {} s", REQUEST_TIMEOUT.as_secs());
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::QueryTooComplex,
                &message,
            );
        }
    };
    let response = match response {
        BatchResponse::Single(r) => BatchResponse::Single(classify(r, metrics)),
        BatchResponse::Batch(rs) => {
            BatchResponse::Batch(rs.into_iter().map(|r| classify(r, metrics)).collect())
        }
    };
    let keep = match (&response, single, audience) {
        (BatchResponse::Single(r), Some((query, operation)), Some(audience))
            if r.errors.is_empty()
                && server.state.live.position() == position
                && crate::response_cache::cacheable(&query, operation.as_deref()) =>
        {
            Some(audience)
        }
        _ => None,
    };
    let encoded = match serde_json::to_vec(&response) {
        Ok(encoded) => Bytes::from(encoded),
        Err(e) => {
            tracing::error!(error = %e, "a GraphQL response cannot be encoded");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(error_body(ErrorCode::Internal, "the response cannot be encoded")),
            )
                .into_response();
        }
    };
    if let Some(audience) = keep {
        server.cache.put(position, audience, body, encoded.clone());
    }
    json_response(encoded, request_id)
}

/// An encoded JSON response with its request id.
fn json_response(encoded: Bytes, request_id: RequestId) -> HttpResponse {
    let mut http = (
        [(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        )],
        encoded,
    )
        .into_response();
    http.headers_mut().insert(
        "x-request-id",
        request_id
            .0
            .to_string()
            .parse()
            .unwrap_or_else(|_| header::HeaderValue::from_static("")),
    );
    http
}

/// Give every error a code: async-graphql's own (validation) have none and are
/// `VALIDATION_FAILED`; every limit's refusal carries `QUERY_TOO_COMPLEX` from where it is
/// made (`crate::limits`).
pub(crate) fn classify(mut response: Response, metrics: &Metrics) -> Response {
    for error in &mut response.errors {
        let code = code_of(error).unwrap_or_else(|| {
            let code = ErrorCode::ValidationFailed;
            error
                .extensions
                .get_or_insert_with(ErrorExtensionValues::default)
                .set("code", code.as_str());
            code.as_str().to_owned()
        });
        metrics.error(&code);
    }
    response
}

fn code_of(error: &ServerError) -> Option<String> {
    match error.extensions.as_ref()?.get("code")? {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

async fn websocket(State(server): State<Server>, upgrade: WebSocketUpgrade) -> HttpResponse {
    crate::ws::upgrade(upgrade, server.schema.clone(), server.state.clone())
}

async fn healthz(State(server): State<Server>) -> HttpResponse {
    match server.state.store.head().await {
        Ok(head) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({
                "status": "ok",
                "logHead": head.position,
                "projectionPosition": server.state.live.position(),
            })),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({ "status": "unavailable" })),
            )
                .into_response()
        }
    }
}

async fn metrics(State(server): State<Server>) -> HttpResponse {
    let m = &server.state.metrics;
    m.log_head.set(*server.state.store.subscribe().borrow());
    m.projection_position.set(server.state.live.position());
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        m.render_with_batches(server.state.engine.stats()),
    )
        .into_response()
}
