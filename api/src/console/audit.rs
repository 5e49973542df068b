//! 审计 (AUDITOR, PROVINCIAL): the log head, the latest signed checkpoint, checking a proof
//! bundle with the events crate's offline verification, and a unit's proofs as a download.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use liangye_events::bundle::{ProofBundle, verify_bundle};
use liangye_events::checkpoint::parse_verifier;
use uuid::Uuid;

use super::views::{AuditPage, CheckpointView, VerifyResult, may_audit};
use super::{Console, Staff, check_csrf, html, message};
use crate::graphql::error::ApiError;

fn forbidden(staff: &Staff) -> Response {
    message(
        StatusCode::FORBIDDEN,
        staff.chrome("audit"),
        "无权查看",
        "审计页面仅供审计人员和省发展改革委使用。",
    )
}

fn internal<E: std::error::Error + Send + Sync + 'static>(staff: &Staff, error: E) -> Response {
    let error = ApiError::internal(error);
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        staff.chrome("audit"),
        "系统错误",
        &error.message,
    )
}

pub async fn page(State(console): State<Console>, staff: Staff) -> Response {
    if !may_audit(staff.principal.role) {
        return forbidden(&staff);
    }
    render(&console, &staff, None, String::new(), String::new()).await
}

async fn render(
    console: &Console,
    staff: &Staff,
    result: Option<VerifyResult>,
    bundle: String,
    public_key: String,
) -> Response {
    let store = &console.app.store;
    let head = match store.head().await {
        Ok(head) => head,
        Err(e) => return internal(staff, e),
    };
    let root = match head.position {
        0 => liangye_events::merkle::empty_tree_hash(),
        n => match store.tree_root(n).await {
            Ok(root) => root,
            Err(e) => return internal(staff, e),
        },
    };
    let checkpoint = match store.latest_checkpoint().await {
        Ok(cp) => cp.map(|cp| CheckpointView {
            size: cp.size,
            root_hash: cp.root_hash,
            signed_at: cp.signed_at,
            note: cp.note,
        }),
        Err(e) => return internal(staff, e),
    };
    let status = match &result {
        Some(r) if !r.ok => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let page = AuditPage {
        chrome: staff.chrome("audit"),
        csrf: staff.session.csrf.clone(),
        head_position: head.position,
        head_root: hex::encode(root),
        head_recorded_at: head.recorded_at.unwrap_or_default(),
        checkpoint,
        result,
        bundle,
        public_key,
        unit: String::new(),
    };
    html(status, &page)
}

/// `POST /console/audit/verify`: check a pasted bundle against a pasted verifier key.
pub async fn verify(
    State(console): State<Console>,
    staff: Staff,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(response) = check_csrf(&staff, &form) {
        return *response;
    }
    if !may_audit(staff.principal.role) {
        return forbidden(&staff);
    }
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map_or_else(String::new, |(_, v)| v.trim().to_owned())
    };
    let (bundle_text, key_text) = (field("bundle"), field("publicKey"));
    let result = match (ProofBundle::from_json(&bundle_text), parse_verifier(&key_text)) {
        (Err(e), _) => VerifyResult {
            ok: false,
            message: format!("证明包无法读取：{e}"),
        },
        (_, Err(e)) => VerifyResult {
            ok: false,
            message: format!("验证公钥无法读取：{e}"),
        },
        (Ok(bundle), Ok(verifier)) => match verify_bundle(&bundle, &verifier) {
            Ok(checkpoint) => VerifyResult {
                ok: true,
                message: format!(
                    "校验通过：位置 {} 的事件包含在日志 {}（规模 {}）中，检查点由 {} 签名。",
                    bundle.position,
                    checkpoint.origin,
                    checkpoint.size,
                    verifier.name()
                ),
            },
            Err(e) => VerifyResult {
                ok: false,
                message: format!("校验未通过：{e}"),
            },
        },
    };
    render(&console, &staff, Some(result), bundle_text, key_text).await
}

/// `GET /console/audit/proofs?unit=ID|CODE`: a JSON array of proof bundles, one per event of
/// the unit's stream covered by the latest signed checkpoint.
pub async fn proofs(
    State(console): State<Console>,
    staff: Staff,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !may_audit(staff.principal.role) {
        return forbidden(&staff);
    }
    let wanted = query.get("unit").map(|s| s.trim()).unwrap_or("");
    let live = &console.app.live;
    let id = match Uuid::try_parse(wanted) {
        Ok(id) => live.designation(id, None).map(|d| d.id),
        Err(_) => live
            .designation_by_code(wanted, None)
            .ok()
            .flatten()
            .map(|d| d.id),
    };
    let Some(id) = id else {
        return message(
            StatusCode::NOT_FOUND,
            staff.chrome("audit"),
            "未找到",
            "没有这个单位。",
        );
    };
    let store = &console.app.store;
    let checkpoint = match store.latest_checkpoint().await {
        Ok(Some(cp)) => cp,
        Ok(None) => {
            return message(
                StatusCode::CONFLICT,
                staff.chrome("audit"),
                "尚无签名检查点",
                "证明需以签名检查点为根：请以 serve --signing-key 启动或运行 liangye checkpoint 后再下载。",
            );
        }
        Err(e) => return internal(&staff, e),
    };
    let events = match store.read_stream(&format!("unit-{id}"), 0).await {
        Ok(events) => events,
        Err(e) => return internal(&staff, e),
    };
    let mut bundles = Vec::new();
    for event in events.iter().filter(|e| e.position <= checkpoint.size) {
        let proof = match store.inclusion_proof(event.position, Some(checkpoint.size)).await {
            Ok(proof) => proof,
            Err(e) => return internal(&staff, e),
        };
        let bundle = ProofBundle::new(
            event.canonical.clone(),
            event.position as u64,
            checkpoint.size as u64,
            &proof.hashes,
            &proof.root,
            checkpoint.note.clone(),
        );
        match serde_json::from_str::<serde_json::Value>(&bundle.to_json()) {
            Ok(value) => bundles.push(value),
            Err(e) => return internal(&staff, e),
        }
    }
    let body = serde_json::to_string_pretty(&bundles).unwrap_or_else(|_| "[]".to_owned());
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"proofs-{id}.json\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}
