//! 导入 (`/console/imports`): upload a pilot list, see every bad row, confirm. The page's
//! form posts the file (multipart, with the session's CSRF token) to `POST /console/imports`,
//! which checks and imports it exactly as `POST /imports/pilots` does
//! (`crate::excel::http::run_import`). "仅检查" (a dry run) is ticked by default; a file
//! that passes is kept for this session for a while, and 确认导入 records it — checked again
//! inside the write transaction, so a unit listed meanwhile is still refused.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use liangye_projections::policy::{self, Action};

use super::pages::today;
use super::session::{self, CSRF_FIELD};
use super::views::{ImportErrorView, ImportResultView, ImportsPage, ListedView};
use super::{Console, Staff, check_csrf, html, message};
use crate::excel::http::{ImportUpload, read_upload, run_import};
use crate::excel::import::{ImportError, ImportReport, MAX_FILE_BYTES, MAX_ROWS};

/// How long a checked file waits for its confirmation.
const PENDING_FOR: Duration = Duration::from_secs(30 * 60);
/// Checked files kept at most (each at most [`MAX_FILE_BYTES`]); the oldest go first.
const MAX_PENDING: usize = 32;

/// Files that passed a dry run, waiting to be confirmed, by a random id.
#[derive(Default)]
pub struct Pending {
    uploads: Mutex<HashMap<String, PendingUpload>>,
}

struct PendingUpload {
    /// The session that checked it: only it may confirm.
    session: String,
    upload: ImportUpload,
    at: Instant,
}

impl Pending {
    fn keep(&self, session: &str, upload: ImportUpload) -> Option<String> {
        let id = session::random_hex().ok()?;
        let mut uploads = self
            .uploads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        uploads.retain(|_, p| now.duration_since(p.at) < PENDING_FOR);
        // One waiting file per session: a new check replaces the last.
        uploads.retain(|_, p| p.session != session);
        while uploads.len() >= MAX_PENDING {
            let Some(oldest) = uploads.iter().min_by_key(|(_, p)| p.at).map(|(k, _)| k.clone()) else {
                break;
            };
            uploads.remove(&oldest);
        }
        uploads.insert(
            id.clone(),
            PendingUpload {
                session: session.to_owned(),
                upload,
                at: now,
            },
        );
        Some(id)
    }

    fn take(&self, session: &str, id: &str) -> Option<ImportUpload> {
        let mut uploads = self
            .uploads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let found = uploads
            .get(id)
            .is_some_and(|p| p.session == session && p.at.elapsed() < PENDING_FOR);
        if found {
            uploads.remove(id).map(|p| p.upload)
        } else {
            None
        }
    }
}

fn page(staff: &Staff, upload: Option<&ImportUpload>) -> ImportsPage {
    let field = |name: &str| upload.and_then(|u| u.field(name)).unwrap_or("").to_owned();
    ImportsPage {
        can_import: policy::allows(staff.principal.role, Action::ListPilot),
        csrf: staff.session.csrf.clone(),
        batch: upload.map_or_else(|| "1".to_owned(), |_| field("batch")),
        decided_on: upload.map_or_else(|| today().to_string(), |_| field("decidedOn")),
        document_ref: field("documentRef"),
        max_rows: MAX_ROWS,
        max_mib: MAX_FILE_BYTES / (1024 * 1024),
        result: None,
        chrome: staff.chrome("imports"),
    }
}

/// `GET /console/imports`.
pub async fn show(staff: Staff) -> Response {
    html(StatusCode::OK, &page(&staff, None))
}

/// `POST /console/imports`: check (dry run), import, or confirm a checked file.
pub async fn submit(State(console): State<Console>, staff: Staff, multipart: Multipart) -> Response {
    if !policy::allows(staff.principal.role, Action::ListPilot) {
        return message(
            StatusCode::FORBIDDEN,
            staff.chrome("imports"),
            "无权进行此操作",
            &format!(
                "{}不能导入试点名单：只有省发展改革委可以列入试点。",
                staff.principal.role.label_zh()
            ),
        );
    }
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        // Nothing was read, nothing is changed: the reason is shown as it is (the CSRF
        // token travels in the body that could not be read).
        Err((status, e)) => return refused(&staff, None, status, &e),
    };
    let fields: Vec<(String, String)> = upload
        .fields
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Err(response) = check_csrf(&staff, &fields) {
        return *response;
    }
    // 确认导入: the file checked before, recorded now.
    if let Some(id) = upload.field("pending").filter(|id| !id.is_empty()) {
        let Some(mut kept) = console.pending.take(&staff.session.id, id) else {
            let e = ImportError::Form {
                field: "文件",
                zh: "待确认的名单已过期或已导入，请重新上传并检查".to_owned(),
                en: "the checked file is no longer waiting for confirmation".to_owned(),
            };
            return refused(&staff, None, StatusCode::BAD_REQUEST, &e);
        };
        kept.fields.insert("dryRun".to_owned(), "false".to_owned());
        return outcome(&console, &staff, kept).await;
    }
    outcome(&console, &staff, upload).await
}

async fn outcome(console: &Console, staff: &Staff, upload: ImportUpload) -> Response {
    match run_import(console, &staff.principal, &upload).await {
        Ok(report) => {
            let status = if report.ok() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let pending = if report.ok() && report.dry_run {
                let mut kept = upload.clone();
                kept.fields.remove(CSRF_FIELD);
                console.pending.keep(&staff.session.id, kept)
            } else {
                None
            };
            let mut view = page(staff, Some(&upload));
            view.result = Some(result_view(&report, upload.file_name.as_deref(), pending));
            if !report.ok() {
                view.chrome.alert = Some(format!(
                    "名单未导入：{} 处错误，见下方列表。任何一行有误时不记录任何内容。",
                    report.errors.len()
                ));
            } else if report.recorded {
                view.chrome.flash = Some(format!("已列入 {} 个单位。", report.listed.len()));
            }
            html(status, &view)
        }
        Err((status, e)) => refused(staff, Some(&upload), status, &e),
    }
}

fn refused(staff: &Staff, upload: Option<&ImportUpload>, status: StatusCode, e: &ImportError) -> Response {
    let mut view = page(staff, upload);
    let text = if status == StatusCode::INTERNAL_SERVER_ERROR {
        let error = crate::graphql::error::ApiError::internal(std::io::Error::other(e.to_string()));
        format!("导入失败（系统错误），请稍后再试：{}", error.message)
    } else {
        format!("名单未导入：{e}")
    };
    view.chrome.alert = Some(text);
    html(status, &view)
}

fn result_view(report: &ImportReport, file_name: Option<&str>, pending: Option<String>) -> ImportResultView {
    let file = file_name.unwrap_or("名单").to_owned();
    let (heading, kind) = if !report.ok() {
        (format!("{file}：检查未通过，未记录任何内容"), "refused")
    } else if report.recorded {
        let (first, last) = report.positions().unwrap_or_default();
        (
            format!(
                "{file}：已列入 {} 个单位（日志位置 {first}–{last}）",
                report.listed.len()
            ),
            "recorded",
        )
    } else {
        (
            format!("{file}：检查通过，共 {} 行，尚未记录", report.rows),
            "checked",
        )
    };
    ImportResultView {
        kind,
        heading,
        rows: report.rows,
        example_ignored: report.example_ignored,
        errors: report
            .errors
            .iter()
            .map(|e| ImportErrorView {
                row: e.row.map_or_else(|| "全部".to_owned(), |r| format!("第 {r} 行")),
                column: e.column,
                reason: e.reason.clone(),
            })
            .collect(),
        listed: report
            .listed
            .iter()
            .map(|u| ListedView {
                row: u.row,
                id: u.designation_id.to_string(),
                name: u.name.clone(),
                position: u.position,
            })
            .collect(),
        pending,
    }
}
