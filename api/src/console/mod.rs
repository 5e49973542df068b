//! The staff console (DESIGN.md §5): Chinese pages under `/console/`, rendered on the server
//! from templates compiled into the binary, every asset served from the binary. Reads come
//! from the live read models; every decision goes through the engine exactly as a GraphQL
//! mutation does (same command parsers, same `commandId` idempotency, same error map).
//!
//! The Excel exports and the pilot import (DESIGN.md §5) accept the console session too: their
//! routes can join [`router`] and authenticate with [`Console::staff`] (and, for the import's
//! POST, check the form's `csrf_token` field against `Staff::session.csrf` as
//! [`check_csrf`] does); the 导入 and 导出 pages already link and post to their paths.

mod assets;
mod audit;
mod charts;
mod decisions;
pub mod forms;
mod imports;
mod pages;
pub mod session;
mod views;

use std::sync::Arc;
use std::time::Instant;

use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use liangye_services::access::secret_sha256;
use liangye_services::decide::Principal;

use crate::graphql::AppState;
use session::{COOKIE, CSRF_FIELD, Found, LOGIN_COOKIE, Missing, Sessions};
pub use views::code_title;
use views::{Chrome, LoginPage, MessagePage};

/// Largest form accepted (a proof bundle pasted into the audit page fits easily).
const MAX_FORM_BYTES: usize = 256 * 1024;

/// What the console's handlers share.
#[derive(Clone)]
pub struct Console {
    pub app: AppState,
    pub sessions: Arc<Sessions>,
    /// Pilot lists checked on the 导入 page, waiting for 确认导入.
    pending: Arc<imports::Pending>,
}

/// The console's routes, under `/console`.
pub fn router(app: AppState) -> Router {
    let console = Console {
        app,
        sessions: Arc::new(Sessions::default()),
        pending: Arc::new(imports::Pending::default()),
    };
    Router::new()
        .route("/console", get(|| async { Redirect::to("/console/") }))
        .route("/console/", get(pages::overview))
        .route("/console/login", get(login_page).post(login))
        .route("/console/logout", post(logout))
        .route("/console/units", get(pages::units))
        .route("/console/units/{id}", get(pages::unit))
        .route("/console/applications", get(pages::applications))
        .route(
            "/console/imports",
            get(imports::show)
                .post(imports::submit)
                .layer(DefaultBodyLimit::max(
                    crate::excel::import::MAX_FILE_BYTES + 64 * 1024,
                )),
        )
        .route("/console/exports", get(pages::exports))
        .route("/console/decisions/{name}", post(decisions::submit))
        .route("/console/audit", get(audit::page))
        .route("/console/audit/verify", post(audit::verify))
        .route("/console/audit/proofs", get(audit::proofs))
        .route("/console/assets/{file}", get(assets::serve))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .with_state(console.clone())
        .merge(crate::excel::http::router(console))
}

/// A signed-in member of staff, checked against the live access view on this request.
pub struct Staff {
    pub session: Found,
    pub principal: Principal,
}

/// Handlers take the member of staff as an argument; a request without a live session is
/// sent to the login page.
impl axum::extract::FromRequestParts<Console> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        console: &Console,
    ) -> Result<Self, Response> {
        console.staff(&parts.headers).map_err(|response| *response)
    }
}

impl Staff {
    pub fn chrome(&self, active: &str) -> Chrome {
        Chrome::for_principal(&self.principal, &self.session.csrf, active)
    }
}

impl Console {
    /// The signed-in caller, or the response that sends the browser to the login page:
    /// no session, an expired one, or one whose token has been revoked since (which ends
    /// every session of that token).
    pub fn staff(&self, headers: &HeaderMap) -> Result<Staff, Box<Response>> {
        let Some(id) = session::cookie(headers, COOKIE) else {
            return Err(Box::new(to_login(None)));
        };
        let found = match self.sessions.find(id, Instant::now()) {
            Ok(found) => found,
            Err(Missing::Expired) => return Err(Box::new(to_login(Some("expired")))),
            Err(Missing::None) => return Err(Box::new(to_login(None))),
        };
        match self.app.live.authenticate(&found.secret_sha256) {
            Ok(principal) => Ok(Staff {
                session: found,
                principal,
            }),
            Err(_) => {
                self.sessions.close_token(&found.secret_sha256);
                Err(Box::new(to_login(Some("revoked"))))
            }
        }
    }
}

impl Console {
    /// The principal of the request's console session, if it has a live one whose token
    /// still holds (for the exports, which answer `401` rather than send a browser to the
    /// login page).
    pub fn session_principal(&self, headers: &HeaderMap) -> Option<Principal> {
        let id = session::cookie(headers, COOKIE)?;
        let found = self.sessions.find(id, Instant::now()).ok()?;
        self.app.live.authenticate(&found.secret_sha256).ok()
    }
}

/// The form's CSRF token must be the session's.
pub fn check_csrf(staff: &Staff, form: &[(String, String)]) -> Result<(), Box<Response>> {
    let sent = form
        .iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.as_str());
    match sent {
        Some(sent) if session::same(sent, &staff.session.csrf) => Ok(()),
        _ => Err(Box::new(csrf_refused(Some(staff)))),
    }
}

fn csrf_refused(staff: Option<&Staff>) -> Response {
    message(
        StatusCode::FORBIDDEN,
        staff.map_or_else(Chrome::anonymous, |s| s.chrome("")),
        "表单已失效",
        "表单的安全校验（CSRF）未通过：请回到页面刷新后重新提交。",
    )
}

fn to_login(reason: Option<&str>) -> Response {
    let target = match reason {
        Some(reason) => format!("/console/login?reason={reason}"),
        None => "/console/login".to_owned(),
    };
    let mut response = Redirect::to(&target).into_response();
    // An expired or revoked session's cookie is of no further use.
    if reason.is_some() {
        response.headers_mut().append(
            header::SET_COOKIE,
            session::set_cookie(COOKIE, "", false, Some(0)),
        );
    }
    response
}

/// Render a template as an HTML page with the console's headers.
pub fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => {
            let mut response = (status, body).into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                ),
            );
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            response
        }
        Err(e) => {
            let error = crate::graphql::error::ApiError::internal(e);
            (StatusCode::INTERNAL_SERVER_ERROR, error.message).into_response()
        }
    }
}

/// A page that only says something.
pub fn message(status: StatusCode, chrome: Chrome, heading: &str, text: &str) -> Response {
    html(
        status,
        &MessagePage {
            chrome,
            heading: heading.to_owned(),
            message: text.to_owned(),
        },
    )
}

#[derive(serde::Deserialize)]
struct LoginQuery {
    reason: Option<String>,
}

/// `GET /console/login`: the form, with a fresh double-submit CSRF cookie.
async fn login_page(
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<LoginQuery>,
) -> Response {
    let text = match query.reason.as_deref() {
        Some("expired") => Some("登录已过期，请重新登录。"),
        Some("revoked") => Some("您的访问令牌已被撤销，请联系省发展改革委。"),
        Some("logout") => Some("已退出登录。"),
        _ => None,
    };
    login_form(&headers, StatusCode::OK, text.map(str::to_owned))
}

fn login_form(headers: &HeaderMap, status: StatusCode, message: Option<String>) -> Response {
    let Ok(csrf) = session::random_hex() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "no randomness available").into_response();
    };
    let mut response = html(
        status,
        &LoginPage {
            chrome: Chrome::anonymous(),
            csrf: csrf.clone(),
            message,
        },
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(LOGIN_COOKIE, &csrf, session::over_https(headers), None),
    );
    response
}

/// `POST /console/login`: a valid, unrevoked token opens a session.
async fn login(
    axum::extract::State(console): axum::extract::State<Console>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let csrf_ok = match (field(CSRF_FIELD), session::cookie(&headers, LOGIN_COOKIE)) {
        (Some(sent), Some(cookie)) => !sent.is_empty() && session::same(sent, cookie),
        _ => false,
    };
    if !csrf_ok {
        return login_form(
            &headers,
            StatusCode::FORBIDDEN,
            Some("登录表单已失效（安全校验未通过），请重新输入令牌。".to_owned()),
        );
    }
    let token = field("token").unwrap_or("").trim();
    let secret = secret_sha256(token);
    if token.is_empty() || console.app.live.authenticate(&secret).is_err() {
        return login_form(
            &headers,
            StatusCode::UNAUTHORIZED,
            Some("令牌无效或已被撤销。".to_owned()),
        );
    }
    let Ok(id) = console.sessions.open(secret, Instant::now()) else {
        return (StatusCode::SERVICE_UNAVAILABLE, "no randomness available").into_response();
    };
    let secure = session::over_https(&headers);
    let mut response = Redirect::to("/console/").into_response();
    let h = response.headers_mut();
    h.append(header::SET_COOKIE, session::set_cookie(COOKIE, &id, secure, None));
    h.append(
        header::SET_COOKIE,
        session::set_cookie(LOGIN_COOKIE, "", secure, Some(0)),
    );
    response
}

/// `POST /console/logout`.
async fn logout(
    axum::extract::State(console): axum::extract::State<Console>,
    staff: Staff,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Response {
    if let Err(response) = check_csrf(&staff, &form) {
        return *response;
    }
    console.sessions.close(&staff.session.id);
    let mut response = Redirect::to("/console/login?reason=logout").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(COOKIE, "", session::over_https(&headers), Some(0)),
    );
    response
}
