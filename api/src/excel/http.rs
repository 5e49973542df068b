//! The HTTP side of Excel in and out (DESIGN.md §5):
//!
//! - `GET /exports/registry.xlsx`, `/exports/registry.csv`, `/exports/applications.xlsx?year=Y`,
//!   `/exports/statistics.xlsx`: any role, with `Authorization: Bearer` or the console
//!   session; optional `asOf=POSITION|RFC3339`. The file is written as the registry is read
//!   and streamed out (a workbook's rows go to a temporary file first, never all into
//!   memory); its name (`Content-Disposition`) says what and as of when, and the header
//!   `X-Liangye-Position` gives the log position it is as of.
//! - `GET /templates/pilots.xlsx`: the pilot-list template, for any signed-in caller.
//! - `POST /imports/pilots` (PROVINCIAL, `Authorization: Bearer`): multipart `file`, `batch`,
//!   `decidedOn`, `documentRef`, `dryRun`; answers JSON: every bad row with its number,
//!   column and reason, or the units listed.
//!
//! Refusals answer JSON in the GraphQL error shape (`{"errors":[{"message","extensions":{"code"}}]}`):
//! no token 401, a token without the right 403, a bad parameter 400 (in Chinese and English).

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Multipart, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use liangye_projections::policy::{self, Action};
use liangye_services::access::secret_sha256;
use liangye_services::decide::{ErrorCode, Principal};
use liangye_services::live::Live;
use tokio::sync::{Semaphore, mpsc};

use super::import::{self, ImportError, ImportForm, MAX_FILE_BYTES};
use super::naming::{self, FileName};
use super::registry::{self, About};
use super::{ExportError, ExportMoment, ParamError};
use crate::connections::BODY_READ_TIMEOUT;
use crate::console::Console;
use crate::graphql::auth::bearer_secret;

/// The media type of xlsx workbooks.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The media type of the CSV export.
pub const CSV: &str = "text/csv; charset=utf-8";
/// The header naming the log position an export is as of.
pub const POSITION_HEADER: &str = "x-liangye-position";
/// Bytes handed to the response per chunk.
const CHUNK: usize = 64 * 1024;
/// Room for a multipart body's other fields and boundaries beside the file.
const MULTIPART_OVERHEAD: usize = 64 * 1024;

/// The routes, sharing the console's state (its sessions authenticate exports).
pub fn router(console: Console) -> Router {
    Router::new()
        .route("/exports/registry.xlsx", get(registry_xlsx))
        .route("/exports/registry.csv", get(registry_csv))
        .route("/exports/applications.xlsx", get(applications_xlsx))
        .route("/exports/statistics.xlsx", get(statistics_xlsx))
        .route("/templates/pilots.xlsx", get(template_xlsx))
        .route(
            "/imports/pilots",
            post(import_pilots).layer(DefaultBodyLimit::max(MAX_FILE_BYTES + MULTIPART_OVERHEAD)),
        )
        .with_state(console)
}

/// A JSON refusal in the GraphQL error shape.
pub fn refusal(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = serde_json::json!({
        "errors": [ { "message": message, "extensions": { "code": code.as_str() } } ]
    });
    (status, axum::Json(body)).into_response()
}

fn unauthenticated() -> Response {
    refusal(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
        "未登录：请在 Authorization 头中提供 Bearer 令牌，或先登录控制台 (no valid token: send \
         Authorization: Bearer <token>, or sign in to the console)",
    )
}

/// The caller: a bearer token (checked against the live access view), or else the console
/// session.
fn caller(console: &Console, headers: &HeaderMap) -> Result<Principal, Box<Response>> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let secret = value.to_str().ok().and_then(bearer_secret);
        return match secret {
            Some(secret) => console
                .app
                .live
                .authenticate(&secret_sha256(secret))
                .map_err(|_| Box::new(unauthenticated())),
            None => Err(Box::new(unauthenticated())),
        };
    }
    console
        .session_principal(headers)
        .ok_or_else(|| Box::new(unauthenticated()))
}

fn bad_request(e: &ParamError) -> Response {
    refusal(
        StatusCode::BAD_REQUEST,
        ErrorCode::ValidationFailed,
        &e.to_string(),
    )
}

/// An export that failed before its first byte.
fn export_failed(e: ExportError) -> Response {
    match e {
        ExportError::Param(p) => bad_request(&p),
        other => {
            let error = crate::graphql::error::ApiError::internal(other);
            refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                &error.message,
            )
        }
    }
}

/// Runs `$e`, or returns its `Err` response.
macro_rules! or_return {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(response) => return *response,
        }
    };
}

/// The export's moment from the `asOf` parameter (none: the registry as it stands).
async fn export_moment(
    console: &Console,
    query: &HashMap<String, String>,
) -> Result<ExportMoment, Box<Response>> {
    let as_of = match query.get("asOf").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(text) => Some(super::parse_as_of(text).map_err(|e| Box::new(bad_request(&e)))?),
        None => None,
    };
    super::moment(&console.app.live, as_of)
        .await
        .map_err(|e| Box::new(export_failed(e)))
}

/// A `Write` that hands what is written to the response body in chunks; a client that has
/// gone away makes the next write fail (`BrokenPipe`), which stops the export.
struct ChannelWriter {
    buffer: Vec<u8>,
    sender: mpsc::Sender<Result<Bytes, std::io::Error>>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK)));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client has gone"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Exports running at once at most: as many as the machine has cores (at least 2), like the
/// heavy GraphQL reads; the rest wait their turn (each holds one blocking thread and a
/// temporary file while it runs).
fn export_slots() -> Arc<Semaphore> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    SLOTS
        .get_or_init(|| Arc::new(Semaphore::new(crate::limits::heavy_reads())))
        .clone()
}

/// A response whose body `write` produces (as of `moment`) on a blocking thread, streamed as
/// it is written.
/// A failure after the first byte cuts the body short (the client sees a broken transfer,
/// never a truncated file that looks whole).
pub fn streamed(
    content_type: &'static str,
    name: &FileName,
    moment: ExportMoment,
    write: impl FnOnce(&mut (dyn Write + Send), &ExportMoment) -> Result<(), ExportError> + Send + 'static,
) -> Response {
    let position = moment.position;
    let (sender, mut receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        let Ok(_slot) = export_slots().acquire_owned().await else {
            return;
        };
        if sender.is_closed() {
            // The client gave up while the export waited its turn.
            return;
        }
        let _ = tokio::task::spawn_blocking(move || {
            let mut writer = ChannelWriter {
                buffer: Vec::with_capacity(CHUNK),
                sender: sender.clone(),
            };
            let result = write(&mut writer, &moment).and_then(|()| Ok(writer.flush()?));
            if let Err(e) = result {
                if !matches!(&e, ExportError::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe) {
                    tracing::error!(error = %e, "export failed while streaming");
                }
                let _ = sender.blocking_send(Err(std::io::Error::other(e.to_string())));
            }
        })
        .await;
    });
    let stream = futures::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    let mut response = download(Response::new(Body::from_stream(stream)), content_type, name);
    response
        .headers_mut()
        .insert(POSITION_HEADER, HeaderValue::from(position));
    response
}

/// `response` as a file to save: its type, its name, neither cached nor sniffed.
fn download(mut response: Response, content_type: &'static str, name: &FileName) -> Response {
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&naming::content_disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Who asked for an export and as of when, taken from the request: the caller (a bearer
/// token or the console session) and, once the caller is known, the moment of the `asOf`
/// parameter.
struct Asked {
    about: About,
    moment: ExportMoment,
    live: Live,
}

impl FromRequestParts<Console> for Asked {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, console: &Console) -> Result<Self, Response> {
        let Query(query) = Query::<HashMap<String, String>>::from_request_parts(parts, console)
            .await
            .map_err(IntoResponse::into_response)?;
        let principal = caller(console, &parts.headers).map_err(|r| *r)?;
        let moment = export_moment(console, &query).await.map_err(|r| *r)?;
        Ok(Self {
            about: about(&principal),
            moment,
            live: console.app.live.clone(),
        })
    }
}

fn about(principal: &Principal) -> About {
    About {
        exported_by: Some(format!("{}（{}）", principal.name, principal.role.label_zh())),
    }
}

async fn registry_xlsx(asked: Asked) -> Response {
    let name = naming::file_name("两业融合标杆名录", "registry", &asked.moment, "xlsx");
    streamed(XLSX, &name, asked.moment, move |out, at| {
        registry::write_xlsx(&asked.live, at, &asked.about, out).map(drop)
    })
}

async fn registry_csv(asked: Asked) -> Response {
    let name = naming::file_name("两业融合标杆名录", "registry", &asked.moment, "csv");
    streamed(CSV, &name, asked.moment, move |out, at| {
        registry::write_csv(&asked.live, at, out).map(drop)
    })
}

async fn applications_xlsx(
    State(console): State<Console>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let principal = or_return!(caller(&console, &headers));
    let year = or_return!(
        super::parse_year(query.get("year").map(String::as_str)).map_err(|e| Box::new(bad_request(&e)))
    );
    let moment = or_return!(export_moment(&console, &query).await);
    let about = about(&principal);
    let name = naming::file_name(
        &format!("两业融合标杆{}年度申报", year.get()),
        &format!("applications-{}", year.get()),
        &moment,
        "xlsx",
    );
    let live = console.app.live.clone();
    streamed(XLSX, &name, moment, move |out, at| {
        super::applications::write_xlsx(&live, year, at, &about, out).map(drop)
    })
}

async fn statistics_xlsx(asked: Asked) -> Response {
    let name = naming::file_name("两业融合标杆统计", "statistics", &asked.moment, "xlsx");
    streamed(XLSX, &name, asked.moment, move |out, at| {
        super::statistics::write_xlsx(&asked.live, at, &asked.about, out)
    })
}

async fn template_xlsx(State(console): State<Console>, headers: HeaderMap) -> Response {
    or_return!(caller(&console, &headers));
    match super::template::workbook() {
        Ok(bytes) => {
            let name = FileName {
                zh: "两业融合试点名单导入模板.xlsx".to_owned(),
                ascii: "liangye-pilots-template.xlsx".to_owned(),
            };
            download(bytes.into_response(), XLSX, &name)
        }
        Err(e) => export_failed(e.into()),
    }
}

/// The fields of an import's multipart body.
#[derive(Debug, Clone, Default)]
pub struct ImportUpload {
    pub file: Option<Vec<u8>>,
    pub file_name: Option<String>,
    pub fields: HashMap<String, String>,
}

impl ImportUpload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// `dryRun`: true for `true`, `1`, `on`, `yes`; false when absent or `false`, `0`, `off`, `no`.
    pub fn dry_run(&self) -> Result<bool, ImportError> {
        match self
            .field("dryRun")
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("" | "false" | "0" | "off" | "no") => Ok(false),
            Some("true" | "1" | "on" | "yes") => Ok(true),
            Some(other) => Err(ImportError::Form {
                field: "仅检查",
                zh: format!("dryRun“{other}”无效：应为 true 或 false"),
                en: format!("dryRun must be true or false; got {other:?}"),
            }),
        }
    }

    /// The batch, date and document number, read as the import takes them.
    pub fn form(&self) -> Result<ImportForm, ImportError> {
        import::read_form(
            self.field("batch"),
            self.field("decidedOn"),
            self.field("documentRef"),
            self.dry_run()?,
        )
    }
}

/// Reads a multipart upload (the file at most [`MAX_FILE_BYTES`], the whole within
/// [`BODY_READ_TIMEOUT`]).
pub async fn read_upload(mut multipart: Multipart) -> Result<ImportUpload, (StatusCode, ImportError)> {
    let read = async {
        let mut upload = ImportUpload::default();
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => return Ok(upload),
                Err(e) => return Err(multipart_error(e.status(), e.body_text())),
            };
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                upload.file_name = field.file_name().map(str::to_owned);
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| multipart_error(e.status(), e.body_text()))?;
                if bytes.len() > MAX_FILE_BYTES {
                    return Err((
                        StatusCode::PAYLOAD_TOO_LARGE,
                        ImportError::TooLarge { bytes: bytes.len() },
                    ));
                }
                upload.file = Some(bytes.to_vec());
            } else {
                let text = field
                    .text()
                    .await
                    .map_err(|e| multipart_error(e.status(), e.body_text()))?;
                upload.fields.insert(name, text);
            }
        }
    };
    match tokio::time::timeout(BODY_READ_TIMEOUT, read).await {
        Ok(result) => result,
        Err(_) => Err((
            StatusCode::REQUEST_TIMEOUT,
            ImportError::Form {
                field: "文件",
                zh: format!("上传超时：请求须在 {} 秒内传完", BODY_READ_TIMEOUT.as_secs()),
                en: format!(
                    "the request body did not arrive within {} s",
                    BODY_READ_TIMEOUT.as_secs()
                ),
            },
        )),
    }
}

fn multipart_error(status: StatusCode, text: String) -> (StatusCode, ImportError) {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return (
            status,
            ImportError::TooLarge {
                bytes: MAX_FILE_BYTES + MULTIPART_OVERHEAD + 1,
            },
        );
    }
    (
        StatusCode::BAD_REQUEST,
        ImportError::Form {
            field: "文件",
            zh: "请求不是有效的 multipart/form-data 上传（字段 file、batch、decidedOn、documentRef、dryRun）"
                .to_owned(),
            en: text,
        },
    )
}

/// The HTTP status of an import refused as a whole.
pub fn import_status(e: &ImportError) -> StatusCode {
    match e {
        ImportError::Forbidden => StatusCode::FORBIDDEN,
        ImportError::TooLarge { .. } | ImportError::TooManyRows { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        ImportError::Engine(_) | ImportError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn import_refused(status: StatusCode, e: ImportError) -> Response {
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        let error = crate::graphql::error::ApiError::internal(e);
        return refusal(status, ErrorCode::Internal, &error.message);
    }
    refusal(status, e.code(), &e.to_string())
}

/// Reads the upload, imports it for `principal`, and waits until the live registry shows
/// what it recorded. The same path serves the JSON endpoint and the console's page.
pub async fn run_import(
    console: &Console,
    principal: &Principal,
    upload: &ImportUpload,
) -> Result<import::ImportReport, (StatusCode, ImportError)> {
    let form = upload.form().map_err(|e| (import_status(&e), e))?;
    let file = upload.file.clone().ok_or_else(|| {
        (
            StatusCode::BAD_REQUEST,
            ImportError::Form {
                field: "文件",
                zh: "请选择要上传的名单文件（字段 file）".to_owned(),
                en: "the multipart field file is missing".to_owned(),
            },
        )
    })?;
    let report = import::import_pilots(&console.app.engine, principal, file, &form)
        .await
        .map_err(|e| (import_status(&e), e))?;
    if let Some((_, last)) = report.positions() {
        console.app.metrics.decisions.inc_by(report.listed.len() as u64);
        console.app.live.wait_for(last).await.map_err(|e| {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                ImportError::Internal(e.to_string()),
            )
        })?;
    }
    Ok(report)
}

async fn import_pilots(State(console): State<Console>, headers: HeaderMap, multipart: Multipart) -> Response {
    // A bearer token only: a browser's session posts through the console's own page.
    let principal = match headers.get(header::AUTHORIZATION) {
        Some(_) => or_return!(caller(&console, &headers)),
        None => return unauthenticated(),
    };
    if !policy::allows(principal.role, Action::ListPilot) {
        return import_refused(StatusCode::FORBIDDEN, ImportError::Forbidden);
    }
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err((status, e)) => return import_refused(status, e),
    };
    match run_import(&console, &principal, &upload).await {
        Ok(report) => {
            let status = if report.ok() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut body = serde_json::to_value(&report).unwrap_or_default();
            if let Some((first, last)) = report.positions() {
                body["positions"] = serde_json::json!({ "first": first, "last": last });
            }
            (status, axum::Json(body)).into_response()
        }
        Err((status, e)) => import_refused(status, e),
    }
}
