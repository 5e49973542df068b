//! The staff console against a real `liangye serve --demo` (SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set):
//! - over plain HTTP, the session and CSRF rules: cookie flags, CSRF refusals, read-only
//!   roles refused on POST, a CITY user refused for another city, a double submit recorded
//!   once, a refusal naming each unmet criterion, a revoked token ending its session,
//!   logout, and no page loading anything from another host;
//! - in headless Chromium over WebDriver, what staff do: log in as each role, find a unit,
//!   recommend as a CITY user (and see the refusal for another city), walk a new unit from
//!   listing to award as PROVINCIAL, log out; a screenshot of each page is saved under
//!   `target/console-screenshots/`.
//!
//! Without `chromium`/`chromedriver` the browser test says it is skipped; with `CI` set it
//! fails instead. Timeouts only turn hangs into failures; nothing asserts on speed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use liangye_tests::excel::{PILOT_HEADERS, multipart, pilot_list};
use liangye_tests::process::{self, Server, eventually, liangye, list_pilot};
use liangye_tests::{TestDb as Db, skip};
use serde_json::json;
use tokio::process::{Child, Command};

// ---------------------------------------------------------------------------------------
// A demo server

/// `liangye serve --demo`: its address and one token per role.
struct Demo {
    server: Server,
    db: Db,
}

impl Demo {
    async fn start(db: Db) -> Self {
        let server = Server::start_with(&db.url, &db.path("serve.log"), &["--demo"]).await;
        for role in ["PROVINCIAL", "CITY", "AUDITOR", "READER"] {
            assert!(
                server.tokens.iter().any(|(r, _)| r == role),
                "no demo token for {role}: {:?}",
                server.tokens
            );
        }
        Self { server, db }
    }

    fn token(&self, role: &str) -> &str {
        self.server.token(role)
    }

    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    fn api(&self) -> process::Api {
        self.server.api(self.token("PROVINCIAL"))
    }

    /// A new enterprise listed by GraphQL: `n` picks its city (n % 13: 4 苏州, 0 南京) and
    /// its credit code (numbers far above the demo's own).
    async fn list(&self, n: u64) -> String {
        let n = 13 * 100_000 + n;
        let input =
            process::with_command_id(list_pilot(n, &format!("控制台{}", uuid::Uuid::now_v7().simple())));
        match self.api().mutate("listPilot", &input).await {
            process::Outcome::Accepted(payload) => process::designation_id(&payload),
            other => panic!("listPilot: {other:?}"),
        }
    }
}

async fn backends(test: &str) -> Vec<(&'static str, Db)> {
    let mut dbs = vec![("sqlite", Db::sqlite())];
    if let Some(db) = Db::postgres_or_skip(&format!("{test} on PostgreSQL")).await {
        dbs.push(("postgres", db));
    }
    dbs
}

// ---------------------------------------------------------------------------------------
// Plain HTTP: a cookie jar of one cookie, no redirects followed

struct Browserless {
    client: reqwest::Client,
    base: String,
    cookies: HashMap<String, String>,
    https: bool,
}

struct Page {
    status: u16,
    location: String,
    set_cookies: Vec<String>,
    body: String,
}

impl Page {
    /// The `Set-Cookie` of the session.
    fn session_cookie(&self) -> &str {
        self.set_cookies
            .iter()
            .find(|c| c.starts_with("liangye_session="))
            .expect("session cookie")
    }
}

impl Browserless {
    fn new(demo: &Demo) -> Self {
        let client = liangye_tests::http_client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        Self {
            client,
            base: demo.url(""),
            cookies: HashMap::new(),
            https: false,
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut request = request.header("cookie", cookie);
        if self.https {
            request = request.header("x-forwarded-proto", "https");
        }
        let response = request.send().await.expect("HTTP request");
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let set_cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let body = response.text().await.unwrap_or_default();
        Page {
            status,
            location,
            set_cookies,
            body,
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let pairs: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let request = self.client.post(format!("{}{path}", self.base)).form_body(&pairs);
        self.send(request).await
    }

    async fn login(&mut self, token: &str) -> Page {
        let page = self.get("/console/login").await;
        let csrf = csrf_of(&page.body);
        self.post("/console/login", &[("csrf_token", &csrf), ("token", token)])
            .await
    }
}

/// `application/x-www-form-urlencoded` bodies, as a browser sends them.
trait FormBody {
    fn form_body(self, pairs: &[(String, String)]) -> Self;
}

impl FormBody for reqwest::RequestBuilder {
    fn form_body(self, pairs: &[(String, String)]) -> Self {
        let encode = |text: &str| {
            text.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                        (b as char).to_string()
                    }
                    b' ' => "+".to_owned(),
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        };
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    }
}

/// The first CSRF token in a page.
fn csrf_of(body: &str) -> String {
    hidden(body, "csrf_token").unwrap_or_else(|| panic!("no csrf_token in:\n{body}"))
}

/// The value of the first hidden input `name` (after `from`, if given).
fn hidden(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    Some(body[start..].split('"').next()?.to_owned())
}

/// The `<form …>…</form>` with `id`.
fn form_html<'a>(body: &'a str, id: &str) -> &'a str {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no form {id} in page:\n{body}"));
    let start = body[..start].rfind("<form").expect("<form");
    let end = body[start..].find("</form>").map_or(body.len(), |e| start + e);
    &body[start..end]
}

/// Every page of the console: no resource from another host, a CSRF field in every form
/// that posts, and a logout form.
fn assert_page_rules(path: &str, body: &str) {
    for attr in ["src=\"", "href=\"", "action=\""] {
        for piece in body.split(attr).skip(1) {
            let value = piece.split('"').next().unwrap_or("");
            assert!(
                !value.starts_with("http://") && !value.starts_with("https://") && !value.starts_with("//"),
                "{path} refers to another host: {attr}{value}"
            );
        }
    }
    for form in body.split("<form").skip(1) {
        let form = form.split("</form>").next().unwrap_or("");
        assert!(
            form.contains("csrf_token"),
            "{path}: a form without a CSRF field: <form{}",
            &form[..form.len().min(300)]
        );
    }
    assert!(
        body.contains("action=\"/console/logout\""),
        "{path}: no logout form"
    );
}

async fn head(demo: &Demo) -> i64 {
    demo.api().head().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_csrf_and_roles_over_http() {
    for (backend, db) in backends("console sessions_csrf_and_roles_over_http").await {
        eprintln!("{backend}: sessions, CSRF and roles");
        let demo = Demo::start(db).await;
        http_rules(&demo).await;
        imports_and_exports_over_http(&demo).await;
        closed_attempts_and_retractions_read_in_chinese(&demo).await;
    }
}

/// The demo's withdrawn and not-selected attempts are named as such on 申报, and its
/// retracted decision is marked 已撤销 in its unit's timeline.
async fn closed_attempts_and_retractions_read_in_chinese(demo: &Demo) {
    let mut b = Browserless::new(demo);
    b.login(demo.token("PROVINCIAL")).await;
    let y2024 = b.get("/console/applications?year=2024").await.body;
    assert!(
        y2024.contains("已撤回"),
        "a withdrawn recommendation on 申报 2024"
    );
    let y2025 = b.get("/console/applications?year=2025").await.body;
    assert!(y2025.contains("未入选"), "a closed selection on 申报 2025");
    let retractions = demo
        .api()
        .query(
            r#"{ events(type: "DecisionRetracted", first: 1) { nodes { streamId } } }"#,
            serde_json::json!({}),
        )
        .await;
    let stream = retractions["events"]["nodes"][0]["streamId"]
        .as_str()
        .unwrap_or_else(|| panic!("the demo holds a retraction: {retractions}"));
    let unit = stream.trim_start_matches("unit-");
    let page = b.get(&format!("/console/units/{unit}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("已撤销"), "the retracted entry is marked");
    assert!(page.body.contains("行业领域"), "a unit's sectors are shown");

    // The next step is told in the words of what the reader may do.
    let pilot = demo.list(17).await;
    let provincial = b.get(&format!("/console/units/{pilot}")).await.body;
    assert!(
        provincial.contains("由所在设区市发展改革委"),
        "PROVINCIAL: who recommends"
    );
    let mut city = Browserless::new(demo);
    city.login(demo.token("CITY")).await;
    let own = city.get(&format!("/console/units/{pilot}")).await.body;
    assert!(
        own.contains("可推荐本市试点单位参评"),
        "CITY: it may recommend its own pilot"
    );
}

async fn http_rules(demo: &Demo) {
    let suzhou = demo.list(4).await;
    let nanjing = demo.list(13).await;

    // No session: every page sends the browser to the login page.
    let mut anon = Browserless::new(demo);
    let page = anon.get("/console/").await;
    assert_eq!((page.status, page.location.as_str()), (303, "/console/login"));
    let page = anon
        .post("/console/decisions/recommend", &[("csrf_token", "x")])
        .await;
    assert_eq!(page.status, 303, "an anonymous POST is sent to log in");

    // The login form: its own CSRF cookie; a wrong token, a missing CSRF value refused.
    let login = anon.get("/console/login").await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains("name=\"csrf_token\""));
    let page = anon
        .post("/console/login", &[("token", demo.token("READER"))])
        .await;
    assert_eq!(page.status, 403, "login without its CSRF value");
    let csrf = csrf_of(&anon.get("/console/login").await.body);
    let page = anon
        .post("/console/login", &[("csrf_token", &csrf), ("token", "lyt_wrong")])
        .await;
    assert_eq!(page.status, 401);
    assert!(page.body.contains("令牌无效"));

    // Cookie flags: HttpOnly, SameSite=Strict; Secure only over HTTPS.
    let page = anon.login(demo.token("READER")).await;
    assert_eq!((page.status, page.location.as_str()), (303, "/console/"));
    let cookie = page.session_cookie();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let mut secure = Browserless::new(demo);
    secure.https = true;
    let page = secure.login(demo.token("READER")).await;
    let cookie = page.session_cookie();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"),
        "{cookie}"
    );

    // Every page, for every role: nothing from another host, CSRF in every form, logout.
    for role in ["PROVINCIAL", "CITY", "AUDITOR", "READER"] {
        let mut b = Browserless::new(demo);
        assert_eq!(b.login(demo.token(role)).await.status, 303, "{role} logs in");
        for path in [
            "/console/".to_owned(),
            "/console/units".to_owned(),
            format!("/console/units/{suzhou}"),
            "/console/applications".to_owned(),
            "/console/imports".to_owned(),
            "/console/exports".to_owned(),
            "/console/audit".to_owned(),
        ] {
            let page = b.get(&path).await;
            let audit = path == "/console/audit";
            let expected = if audit && (role == "CITY" || role == "READER") {
                403
            } else {
                200
            };
            assert_eq!(page.status, expected, "{role} GET {path}");
            assert_page_rules(&path, &page.body);
        }
        let unit = b.get(&format!("/console/units/{suzhou}")).await.body;
        let forms = unit.matches("action=\"/console/decisions/").count();
        match role {
            "READER" | "AUDITOR" => assert_eq!(forms, 0, "{role} sees no decision forms"),
            "CITY" => {
                // 苏州's own unit: only the recommendation.
                assert!(unit.contains("id=\"form-recommend\""), "CITY sees recommend");
                assert_eq!(forms, 1, "CITY sees only what it may do");
                let other = b.get(&format!("/console/units/{nanjing}")).await.body;
                assert!(
                    !other.contains("action=\"/console/decisions/"),
                    "no forms for another city"
                );
            }
            _ => assert!(unit.contains("id=\"form-revokePilot\"") && unit.contains("id=\"form-recommend\"")),
        }
    }

    // Assets come from the binary.
    for asset in ["htmx.min.js", "console.js", "console.css"] {
        let page = anon.get(&format!("/console/assets/{asset}")).await;
        assert_eq!(page.status, 200, "{asset}");
    }

    // A recommendation form as the CITY user sees it.
    let mut city = Browserless::new(demo);
    city.login(demo.token("CITY")).await;
    let unit_page = city.get(&format!("/console/units/{suzhou}")).await.body;
    let form = form_html(&unit_page, "form-recommend");
    let csrf = csrf_of(form);
    let command_id = hidden(form, "commandId").expect("commandId");
    let version = hidden(form, "expectedVersion").expect("expectedVersion");
    let recommend = |csrf: String, unit: String, revenue: &'static str| {
        vec![
            ("csrf_token".to_owned(), csrf),
            ("designationId".to_owned(), unit),
            ("commandId".to_owned(), command_id.clone()),
            ("expectedVersion".to_owned(), version.clone()),
            ("year".to_owned(), "2025".to_owned()),
            ("revenueYuan".to_owned(), revenue.to_owned()),
            ("decidedOn".to_owned(), "2025-03-15".to_owned()),
            ("documentRef".to_owned(), "苏发改服务发〔2025〕1号".to_owned()),
        ]
    };
    async fn post(b: &mut Browserless, form: Vec<(String, String)>) -> Page {
        let request = b
            .client
            .post(format!("{}/console/decisions/recommend", b.base))
            .form_body(&form);
        b.send(request).await
    }

    // Without the session's CSRF token: refused, nothing recorded.
    let before = head(demo).await;
    let page = post(&mut city, recommend("0".repeat(64), suzhou.clone(), "1500000000")).await;
    assert_eq!(page.status, 403, "wrong CSRF token");
    assert!(page.body.contains("CSRF"));
    let mut no_csrf = recommend(csrf.clone(), suzhou.clone(), "1500000000");
    no_csrf.remove(0);
    assert_eq!(post(&mut city, no_csrf).await.status, 403, "no CSRF token");

    // READER and AUDITOR: refused whatever they post.
    for role in ["READER", "AUDITOR"] {
        let mut b = Browserless::new(demo);
        b.login(demo.token(role)).await;
        let their_csrf = csrf_of(&b.get("/console/units").await.body);
        let page = post(&mut b, recommend(their_csrf, suzhou.clone(), "1500000000")).await;
        assert_eq!(page.status, 403, "{role} POST");
        assert!(page.body.contains("无权"), "{role}: {}", page.body);
    }
    // CITY for another city's unit: refused by the engine, the reason shown.
    let page = post(&mut city, recommend(csrf.clone(), nanjing.clone(), "1500000000")).await;
    assert_eq!(page.status, 403, "苏州 recommending a 南京 unit");
    assert!(
        page.body.contains("无权进行此操作") && page.body.contains("南京"),
        "{}",
        page.body
    );
    assert_eq!(head(demo).await, before, "nothing recorded by refused forms");

    // Not eligible: every unmet criterion named.
    let page = post(&mut city, recommend(csrf.clone(), suzhou.clone(), "500000000")).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("不符合标杆引领典型基本条件"));
    assert!(
        page.body.contains("企业规模或市场地位") && page.body.contains("5亿元"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("id=\"alert\""),
        "the refusal is summed up at the top"
    );
    assert!(
        page.body.contains(&command_id),
        "the refused form keeps its commandId"
    );
    assert_eq!(head(demo).await, before);

    // Accepted, then the same form again (a double click): recorded once.
    let page = post(&mut city, recommend(csrf.clone(), suzhou.clone(), "1500000000")).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(
        page.location
            .starts_with(&format!("/console/units/{suzhou}?recorded=")),
        "{}",
        page.location
    );
    let after = head(demo).await;
    assert_eq!(after, before + 1);
    let again = post(&mut city, recommend(csrf.clone(), suzhou.clone(), "1500000000")).await;
    assert_eq!(again.status, 303);
    assert!(again.location.contains("duplicate=1"), "{}", again.location);
    assert_eq!(head(demo).await, after, "a repeated commandId records nothing");
    let shown = city.get(&again.location).await.body;
    assert!(shown.contains("重复提交未再次记录"));
    assert!(shown.contains("推荐参评2025年度") || shown.contains("2025年度标杆引领典型"));

    // 审计: sign a checkpoint, download the unit's proofs, check one, and a forged one.
    let key = demo.db.path("console-key");
    let key = key.to_str().expect("utf-8 path");
    let (ok, out, err) = liangye(
        &demo.db.url,
        &["keygen", "--origin", "liangye.test/console", "--out", key],
    )
    .await;
    assert!(ok, "{out}{err}");
    let (ok, out, err) = liangye(&demo.db.url, &["checkpoint", "--signing-key", key]).await;
    assert!(ok, "{out}{err}");
    let public_key = std::fs::read_to_string(format!("{key}.pub")).expect("verifier key");
    let mut auditor = Browserless::new(demo);
    auditor.login(demo.token("AUDITOR")).await;
    let audit = auditor.get("/console/audit").await;
    assert!(
        !audit.body.contains("id=\"no-checkpoint\""),
        "the checkpoint is shown"
    );
    let proofs = auditor.get(&format!("/console/audit/proofs?unit={suzhou}")).await;
    assert_eq!(proofs.status, 200, "{}", proofs.body);
    let bundles: serde_json::Value = serde_json::from_str(&proofs.body).expect("JSON bundles");
    let bundles = bundles.as_array().expect("an array of bundles");
    assert!(bundles.len() >= 2, "listing and recommendation: {bundles:?}");
    let bundle = bundles[0].to_string();
    let csrf_a = csrf_of(&audit.body);
    let page = auditor
        .post(
            "/console/audit/verify",
            &[
                ("csrf_token", &csrf_a),
                ("bundle", &bundle),
                ("publicKey", &public_key),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("校验通过"), "{}", page.body);
    let mut forged = bundles[0].clone();
    forged["canonical"] = json!(
        forged["canonical"]
            .as_str()
            .expect("canonical")
            .replace("控制台", "伪造")
    );
    let page = auditor
        .post(
            "/console/audit/verify",
            &[
                ("csrf_token", &csrf_a),
                ("bundle", &forged.to_string()),
                ("publicKey", &public_key),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("校验未通过"), "{}", page.body);
    let page = city.get(&format!("/console/audit/proofs?unit={suzhou}")).await;
    assert_eq!(page.status, 403, "CITY may not download proofs");

    // Logout ends the session.
    let page = city.post("/console/logout", &[("csrf_token", &csrf)]).await;
    assert_eq!(page.status, 303);
    assert!(page.location.starts_with("/console/login"));
    assert_eq!(city.get("/console/").await.status, 303, "after logout");

    // A revoked token ends its sessions at the next request.
    let (ok, out, err) = liangye(
        &demo.db.url,
        &["token", "issue", "--role", "READER", "--name", "临时查阅"],
    )
    .await;
    assert!(ok, "{out}{err}");
    let secret = out.lines().last().expect("secret").trim().to_owned();
    let mut temp = Browserless::new(demo);
    // The live registry follows the log written by the command line.
    let base = temp.base.clone();
    eventually("the new token logs in", || {
        let secret = secret.clone();
        let base = base.clone();
        async move {
            let mut b = Browserless {
                client: liangye_tests::http_client_builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .expect("HTTP client"),
                base,
                cookies: HashMap::new(),
                https: false,
            };
            b.login(&secret).await.status == 303
        }
    })
    .await;
    assert_eq!(temp.login(&secret).await.status, 303);
    assert_eq!(temp.get("/console/units").await.status, 200);
    let (_, list, _) = liangye(&demo.db.url, &["token", "list"]).await;
    let id = list
        .lines()
        .find(|l| l.ends_with("临时查阅"))
        .and_then(|l| l.split_whitespace().next())
        .expect("token id")
        .to_owned();
    let (ok, out, err) = liangye(&demo.db.url, &["token", "revoke", &id]).await;
    assert!(ok, "{out}{err}");
    let mut revoked_at = None;
    for _ in 0..600 {
        let page = temp.get("/console/units").await;
        if page.status == 303 {
            revoked_at = Some(page.location);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(revoked_at.as_deref(), Some("/console/login?reason=revoked"));
    assert_eq!(
        temp.get("/console/units").await.status,
        303,
        "the session stays ended"
    );
}

// ---------------------------------------------------------------------------------------
// 导入 and 导出

/// A credit code of 苏州 numbered `n` (far from the demo's and the other tests'), and the
/// same code with its check character wrong.
fn codes(n: u64) -> (String, String) {
    let good =
        liangye_services::scenario::credit_code(liangye_events::catalogue::CityCode::Suzhou, 880_000 + n)
            .to_string();
    let last = good.chars().last().unwrap();
    let bad = format!("{}{}", &good[..17], if last == '0' { '1' } else { '0' });
    (good, bad)
}

impl Browserless {
    async fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)], file: Option<&[u8]>) -> Page {
        let (content_type, body) = multipart(fields, file.map(|bytes| ("名单.xlsx", bytes)));
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        self.send(request).await
    }
}

/// 导入 over HTTP: CSRF and roles, a bad row shown, a fixed file checked, confirmed and
/// recorded once; 导出 with a bad and a good `asOf`.
async fn imports_and_exports_over_http(demo: &Demo) {
    let (good, bad) = codes(1);
    // An enterprise with credit code `code`, and a county.
    let list = |code: &str| {
        pilot_list(&[
            ["控制台导入企业", "企业", "苏州", "", code, "", "", "集成电路", ""],
            [
                "控制台导入的县",
                "县(市、区)",
                "苏州",
                "",
                "",
                "320586",
                "",
                "",
                "",
            ],
        ])
    };
    let (bad_file, good_file) = (list(&bad), list(&good));
    let mut b = Browserless::new(demo);
    b.login(demo.token("PROVINCIAL")).await;
    let page = b.get("/console/imports").await;
    let csrf = csrf_of(&page.body);
    assert!(
        page.body.contains("id=\"form-import\"") && page.body.contains("enctype=\"multipart/form-data\"")
    );
    let before = head(demo).await;
    let form = |csrf: &str, dry: bool| {
        let mut f = vec![
            ("csrf_token", csrf.to_owned()),
            ("batch", "9".to_owned()),
            ("decidedOn", "2025-05-01".to_owned()),
        ];
        if dry {
            f.push(("dryRun", "true".to_owned()));
        }
        f
    };

    // Without the session's CSRF token: refused.
    let no_csrf = form("0", false);
    let refs: Vec<(&str, &str)> = no_csrf.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = b
        .post_multipart("/console/imports", &refs, Some(&good_file))
        .await;
    assert_eq!(page.status, 403, "no CSRF token");
    assert_eq!(head(demo).await, before);

    // A bad row: every error listed, nothing recorded.
    let checked = form(&csrf, true);
    let refs: Vec<(&str, &str)> = checked.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = b.post_multipart("/console/imports", &refs, Some(&bad_file)).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("id=\"import-errors\""), "{}", page.body);
    assert!(
        page.body.contains("第 2 行") && page.body.contains("校验位不符"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("id=\"form-confirm\""),
        "a bad file cannot be confirmed"
    );
    assert_eq!(head(demo).await, before);

    // Fixed: checked, then confirmed; recorded once.
    let page = b
        .post_multipart("/console/imports", &refs, Some(&good_file))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("检查通过，共 2 行"), "{}", page.body);
    let confirm = form_html(&page.body, "form-confirm");
    let pending = hidden(confirm, "pending").expect("a pending id");
    assert_eq!(head(demo).await, before, "checking records nothing");
    let confirm_fields = [("csrf_token", csrf.as_str()), ("pending", pending.as_str())];
    let page = b.post_multipart("/console/imports", &confirm_fields, None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("已列入 2 个单位"), "{}", page.body);
    assert!(page.body.contains("id=\"import-listed\"") && page.body.contains("/console/units/"));
    assert_eq!(head(demo).await, before + 2);
    let again = b.post_multipart("/console/imports", &confirm_fields, None).await;
    assert_eq!(again.status, 400, "a confirmation is used once");
    assert!(again.body.contains("已过期或已导入"));
    assert_eq!(head(demo).await, before + 2);

    // Another session cannot confirm this one's file, nor may a READER import.
    let mut reader = Browserless::new(demo);
    reader.login(demo.token("READER")).await;
    let reader_page = reader.get("/console/imports").await;
    assert!(reader_page.body.contains("id=\"no-forms\""));
    let reader_csrf = csrf_of(&reader_page.body);
    let refs_reader = [
        ("csrf_token", reader_csrf.as_str()),
        ("batch", "9"),
        ("decidedOn", "2025-05-01"),
    ];
    let page = reader
        .post_multipart("/console/imports", &refs_reader, Some(&good_file))
        .await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("无权"));

    // 导出: a bad asOf is explained, a good one carried into every link.
    let page = b.get("/console/exports?asOf=abc").await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("“截至”无效"), "{}", page.body);
    assert!(page.body.contains("href=\"/exports/registry.xlsx\""));
    let page = b.get(&format!("/console/exports?asOf={before}&year=2024")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("导出数据截至日志位置 {before}")),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("href=\"/exports/registry.xlsx?asOf={before}\""))
    );
    let unescaped = page.body.replace("&#38;", "&").replace("&amp;", "&");
    assert!(unescaped.contains(&format!(
        "href=\"/exports/applications.xlsx?year=2024&asOf={before}\""
    )));
    // The links work with the session alone.
    let download = b.get(&format!("/exports/registry.csv?asOf={before}")).await;
    assert_eq!(download.status, 200);
    assert!(download.body.starts_with('\u{feff}'));
}

// ---------------------------------------------------------------------------------------
// Headless Chromium over WebDriver

mod browser {
    use super::*;
    use fantoccini::{Client, ClientBuilder, Locator};

    pub fn screenshots() -> PathBuf {
        let dir = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target/console-screenshots"
        ));
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        dir
    }

    fn installed(program: &str) -> bool {
        std::process::Command::new(program)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// `chromedriver` on a free port, and a headless Chromium session through it.
    pub struct Driver {
        _process: Child,
        pub client: Client,
        pub base: String,
        pub tag: String,
    }

    impl Driver {
        /// `None` (after saying so) when the browser is not installed and `CI` is unset.
        pub async fn start(base: &str, tag: &str) -> Option<Self> {
            let chromium = ["chromium", "chromium-browser", "google-chrome"]
                .into_iter()
                .find(|p| installed(p));
            if chromium.is_none() || !installed("chromedriver") {
                // "skipped: …" in the output; under CI, where nothing may be skipped, a failure.
                skip(
                    "console browser tests",
                    "chromium/chromedriver not installed (apt-get install chromium chromium-driver)",
                );
                return None;
            }
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("free port")
                .port();
            let process = Command::new("chromedriver")
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .expect("start chromedriver");
            let url = format!("http://127.0.0.1:{port}");
            let mut caps = serde_json::Map::new();
            caps.insert(
                "goog:chromeOptions".to_owned(),
                json!({ "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1366,768", "--lang=zh-CN", "--no-proxy-server"
                ] }),
            );
            let mut client = None;
            for _ in 0..200 {
                match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&url)
                    .await
                {
                    Ok(c) => {
                        client = Some(c);
                        break;
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
            let client = client.expect("a WebDriver session with chromedriver");
            client.set_window_size(1366, 768).await.expect("window size");
            Some(Self {
                _process: process,
                client,
                base: base.to_owned(),
                tag: tag.to_owned(),
            })
        }

        pub async fn goto(&self, path: &str) {
            self.client
                .goto(&format!("{}{path}", self.base))
                .await
                .unwrap_or_else(|e| panic!("goto {path}: {e}"));
        }

        /// The `href` of the element `locator` finds.
        pub async fn href(&self, locator: Locator<'_>) -> String {
            self.client
                .find(locator)
                .await
                .unwrap_or_else(|e| panic!("find {locator:?}: {e}"))
                .attr("href")
                .await
                .expect("href")
                .unwrap_or_else(|| panic!("{locator:?} has no href"))
        }

        pub async fn source(&self) -> String {
            self.client.source().await.expect("page source")
        }

        pub async fn path(&self) -> String {
            let url = self.client.current_url().await.expect("current url");
            url.path().to_owned() + url.query().map(|q| format!("?{q}")).as_deref().unwrap_or("")
        }

        pub async fn shot(&self, name: &str) {
            let png = self.client.screenshot().await.expect("screenshot");
            let path = screenshots().join(format!("{}-{name}.png", self.tag));
            std::fs::write(&path, png).expect("write screenshot");
        }

        /// Click `selector` and wait until the next page has loaded.
        pub async fn click_and_wait(&self, selector: &str) {
            self.client
                .execute("window.__before = true;", vec![])
                .await
                .expect("mark page");
            self.client
                .find(Locator::Css(selector))
                .await
                .unwrap_or_else(|e| panic!("find {selector}: {e}"))
                .click()
                .await
                .unwrap_or_else(|e| panic!("click {selector}: {e}"));
            for _ in 0..600 {
                let done = self
                    .client
                    .execute(
                        "return window.__before === undefined && document.readyState === 'complete';",
                        vec![],
                    )
                    .await
                    .ok()
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false);
                if done {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!("no new page after clicking {selector}");
        }

        /// Fill the fields of form `#id` (inputs, selects, textareas by name) and submit it.
        pub async fn submit(&self, id: &str, values: &[(&str, &str)]) -> String {
            for (name, value) in values {
                let found = self
                    .client
                    .execute(
                        "const f = document.getElementById(arguments[0]); const e = f && f.elements[arguments[1]];\
                         if (!e) return false; e.value = arguments[2]; return true;",
                        vec![json!(id), json!(name), json!(value)],
                    )
                    .await
                    .expect("fill field");
                assert_eq!(found, json!(true), "form {id} has no field {name}");
            }
            self.click_and_wait(&format!("#{id} button[type=submit]")).await;
            self.source().await
        }

        pub async fn login(&self, token: &str) {
            self.goto("/console/login").await;
            self.client
                .find(Locator::Id("token"))
                .await
                .expect("token field")
                .send_keys(token)
                .await
                .expect("type token");
            self.click_and_wait("#login").await;
            assert_eq!(self.path().await, "/console/", "logged in");
        }

        pub async fn logout(&self) {
            self.click_and_wait("#logout").await;
            assert!(self.path().await.starts_with("/console/login"), "logged out");
            self.goto("/console/").await;
            assert!(
                self.path().await.starts_with("/console/login"),
                "the session has ended"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_use_the_console_in_chromium() {
    for (backend, db) in backends("console staff_use_the_console_in_chromium").await {
        eprintln!("{backend}: the console in Chromium");
        let demo = Demo::start(db).await;
        let Some(driver) = browser::Driver::start(&demo.url(""), backend).await else {
            return;
        };
        // Close the browser also when the walkthrough fails, then fail.
        let result =
            futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(walkthrough(&demo, &driver))).await;
        let _ = driver.client.clone().close().await;
        if let Err(panic) = result {
            std::panic::resume_unwind(panic);
        }
    }
}

/// The session cookie of the browser, as a `Cookie` header value.
async fn browser_session(d: &browser::Driver) -> String {
    let cookies = d.client.get_all_cookies().await.expect("cookies");
    let session = cookies
        .iter()
        .find(|c| c.name() == "liangye_session")
        .expect("the session cookie");
    format!("liangye_session={}", session.value())
}

/// GET `href` as the browser's session: the status, headers and bytes.
async fn fetch_as_browser(d: &browser::Driver, href: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = liangye_tests::http_client()
        .get(format!("{}{href}", d.base))
        .header("cookie", browser_session(d).await)
        .send()
        .await
        .expect("download");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.expect("bytes").to_vec())
}

/// 导入: download the template, upload a list with a bad row, see the error, fix it, check,
/// confirm; 导出: download the registry through the page's link and read it back.
async fn import_and_export_in_the_browser(demo: &Demo, d: &browser::Driver) {
    use calamine::Reader;
    use fantoccini::Locator;
    d.goto("/console/imports").await;
    d.shot("imports").await;
    let template_href = d.href(Locator::Id("template-link")).await;
    let (status, _, template) = fetch_as_browser(d, &template_href).await;
    assert_eq!(status, 200);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(template)).expect("the template is a workbook");
    let header: Vec<String> = book
        .worksheet_range("试点名单")
        .expect("the template's sheet")
        .rows()
        .next()
        .expect("a header row")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(header, PILOT_HEADERS);

    let (good, bad) = codes(2);
    // An enterprise with credit code `code`, and a county, written to the file `name`.
    let upload = |code: &str, name: &str| {
        let rows = [
            [
                "浏览器导入企业",
                "企业",
                "苏州",
                "320505",
                code,
                "",
                "",
                "集成电路、高端装备",
                "芯片",
            ],
            [
                "浏览器导入的县",
                "县(市、区)",
                "苏州",
                "",
                "",
                "320587",
                "",
                "",
                "",
            ],
        ];
        let path = demo.db.path(name);
        std::fs::write(&path, pilot_list(&rows)).expect("write the list");
        path
    };
    let (bad_path, good_path) = (upload(&bad, "bad-list.xlsx"), upload(&good, "good-list.xlsx"));
    let choose = |path: std::path::PathBuf| async move {
        d.client
            .find(fantoccini::Locator::Id("import-file"))
            .await
            .expect("the file field")
            .send_keys(path.to_str().expect("utf-8 path"))
            .await
            .expect("choose the file");
    };
    let before = head(demo).await;
    choose(bad_path).await;
    let page = d
        .submit("form-import", &[("batch", "4"), ("decidedOn", "2025-06-01")])
        .await;
    assert!(page.contains("id=\"import-errors\""), "{page}");
    assert!(page.contains("第 2 行") && page.contains("校验位不符"), "{page}");
    assert!(
        page.contains("id=\"alert\""),
        "the refusal is summed up at the top"
    );
    d.shot("import-bad-row").await;
    assert_eq!(head(demo).await, before, "a bad file records nothing");

    choose(good_path).await;
    let page = d
        .submit("form-import", &[("batch", "4"), ("decidedOn", "2025-06-01")])
        .await;
    assert!(page.contains("检查通过，共 2 行"), "{page}");
    d.shot("import-checked").await;
    assert_eq!(head(demo).await, before, "checking records nothing");
    d.click_and_wait("#confirm-import").await;
    let page = d.source().await;
    assert!(page.contains("已列入 2 个单位"), "{page}");
    d.shot("import-recorded").await;
    assert_eq!(head(demo).await, before + 2);
    let listed = demo
        .api()
        .query(
            "query($code: String!) { designationByCode(code: $code) { name pilotBatch sectors } }",
            json!({ "code": good }),
        )
        .await;
    assert_eq!(listed["designationByCode"]["name"], "浏览器导入企业");
    assert_eq!(listed["designationByCode"]["pilotBatch"], 4);
    assert_eq!(
        listed["designationByCode"]["sectors"],
        json!(["INTEGRATED_CIRCUITS", "HIGH_END_EQUIPMENT"])
    );

    // 导出: the page's link, fetched with the browser's session, is the registry.
    d.goto("/console/exports").await;
    d.shot("exports").await;
    let href = d
        .href(Locator::Css("#export-links a[href^=\"/exports/registry.xlsx\"]"))
        .await;
    let (status, headers, bytes) = fetch_as_browser(d, &href).await;
    assert_eq!(status, 200);
    let disposition = headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("the export is a workbook");
    let registry = book.worksheet_range("名录").expect("the 名录 sheet");
    let total = demo
        .api()
        .query("{ designations(first: 1) { totalCount } }", json!({}))
        .await["designations"]["totalCount"]
        .as_i64()
        .expect("totalCount");
    assert_eq!(registry.height() as i64 - 1, total, "one row per unit");
    assert!(
        registry
            .rows()
            .any(|r| r.first().map(ToString::to_string).as_deref() == Some("浏览器导入企业")),
        "the imported unit is in the export"
    );
}

async fn walkthrough(demo: &Demo, d: &browser::Driver) {
    let suzhou = demo.list(4).await;
    let nanjing = demo.list(13).await;

    // Every role logs in and sees the overview; read-only roles see no decision forms.
    for role in ["READER", "AUDITOR"] {
        d.login(demo.token(role)).await;
        let overview = d.source().await;
        assert!(overview.contains("目标进度") && overview.contains("各设区市"));
        d.shot(&format!("overview-{}", role.to_lowercase())).await;
        d.goto(&format!("/console/units/{suzhou}")).await;
        let unit = d.source().await;
        assert!(unit.contains("id=\"no-forms\"") && !unit.contains("/console/decisions/"));
        if role == "AUDITOR" {
            d.goto("/console/audit").await;
            assert!(d.source().await.contains("日志头"));
            d.shot("audit").await;
        }
        d.logout().await;
    }

    // CITY (苏州): finds its unit by name, recommends it; another city's unit offers no
    // form, and a forged submission for it is refused with the reason.
    d.login(demo.token("CITY")).await;
    d.shot("overview-city").await;
    let name = demo
        .api()
        .query(
            "query($id: UUID!) { designation(id: $id) { name } }",
            json!({ "id": suzhou }),
        )
        .await["designation"]["name"]
        .as_str()
        .expect("name")
        .to_owned();
    d.goto("/console/units").await;
    // Typing filters the list in place (htmx), without loading a new page.
    d.client
        .execute("window.__typed = true;", vec![])
        .await
        .expect("mark page");
    d.client
        .find(fantoccini::Locator::Id("q"))
        .await
        .expect("search field")
        .send_keys(&name)
        .await
        .expect("type a name");
    let mut filtered = false;
    for _ in 0..600 {
        let state = d
            .client
            .execute(
                "return [window.__typed === true, document.querySelectorAll('#results a.unit-link').length];",
                vec![],
            )
            .await
            .expect("read the list");
        assert_eq!(state[0], json!(true), "typing must not load a new page");
        if state[1] == json!(1) {
            filtered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(filtered, "the list was not filtered while typing");
    d.shot("units-search").await;
    d.click_and_wait("a.unit-link").await;
    assert_eq!(d.path().await, format!("/console/units/{suzhou}"));
    d.shot("unit-city").await;
    let page = d
        .submit(
            "form-recommend",
            &[
                ("year", "2025"),
                ("revenueYuan", "1800000000"),
                ("decidedOn", "2025-03-15"),
                ("documentRef", "苏发改服务发〔2025〕8号"),
            ],
        )
        .await;
    assert!(page.contains("已记录"), "{page}");
    assert!(page.contains("已推荐"));
    d.shot("unit-recommended").await;
    d.goto(&format!("/console/units/{nanjing}")).await;
    assert!(d.source().await.contains("该单位不属于本市"));
    // Forge: take a form of our own city's page and point it at the 南京 unit.
    let other = demo.list(17).await;
    d.goto(&format!("/console/units/{other}")).await;
    let page = d
        .submit(
            "form-recommend",
            &[
                ("designationId", &nanjing),
                ("year", "2025"),
                ("revenueYuan", "1800000000"),
                ("decidedOn", "2025-03-15"),
            ],
        )
        .await;
    assert!(page.contains("无权进行此操作") && page.contains("南京"), "{page}");
    d.shot("refused-other-city").await;
    d.logout().await;

    // PROVINCIAL: list a new unit from the 名录 page and walk it to the award.
    d.login(demo.token("PROVINCIAL")).await;
    d.shot("overview-provincial").await;
    d.goto("/console/units").await;
    d.shot("units").await;
    let credit = liangye_services::scenario::credit_code(liangye_events::catalogue::CityCode::Wuxi, 990_001)
        .to_string();
    let page = d
        .submit(
            "form-listPilot",
            &[
                ("name", "无锡控制台示范企业"),
                ("kind", "ENTERPRISE"),
                ("cityCode", "320200"),
                ("creditCode", &credit),
                ("industries", "高端装备、工业互联网"),
                ("batch", "3"),
                ("decidedOn", "2025-01-10"),
                ("documentRef", "苏发改服务发〔2025〕2号"),
            ],
        )
        .await;
    assert!(
        page.contains("无锡控制台示范企业") && page.contains("已记录"),
        "{page}"
    );
    let unit_path = d.path().await;
    let unit_path = unit_path.split('?').next().expect("path").to_owned();
    // Not eligible first: the refusal names the unmet criterion.
    let page = d
        .submit(
            "form-recommend",
            &[
                ("year", "2025"),
                ("revenueYuan", "300000000"),
                ("decidedOn", "2025-03-01"),
            ],
        )
        .await;
    assert!(
        page.contains("不符合标杆引领典型基本条件") && page.contains("企业规模或市场地位"),
        "{page}"
    );
    d.shot("refused-not-eligible").await;
    let page = d
        .submit(
            "form-recommend",
            &[
                ("year", "2025"),
                ("revenueYuan", "1200000000"),
                ("decidedOn", "2025-03-01"),
            ],
        )
        .await;
    assert!(page.contains("已推荐"), "{page}");
    for (stage, date, extra) in [
        ("MATERIAL", "2025-04-01", vec![]),
        ("EXPERT", "2025-05-01", vec![("score", "88")]),
        ("SITE_INSPECTION", "2025-06-01", vec![]),
        (
            "PUBLIC_NOTICE",
            "2025-06-20",
            vec![("noticeStart", "2025-06-05"), ("noticeEnd", "2025-06-15")],
        ),
    ] {
        let mut values = vec![("stage", stage), ("outcome", "PASSED"), ("decidedOn", date)];
        values.extend(extra);
        let page = d.submit("form-recordReview", &values).await;
        assert!(page.contains("已记录"), "{stage}: {page}");
    }
    d.shot("unit-reviewed").await;
    let page = d
        .submit(
            "form-award",
            &[
                ("decidedOn", "2025-07-01"),
                ("documentRef", "苏发改服务发〔2025〕66号"),
            ],
        )
        .await;
    assert!(page.contains("已授牌") && page.contains("JSLY-2025-"), "{page}");
    assert!(
        page.contains("苏发改服务发〔2025〕66号"),
        "the timeline shows the 文号"
    );
    d.shot("unit-awarded").await;
    assert!(unit_path.starts_with("/console/units/"));

    // A mistaken award is retracted from the unit's own page: the timeline marks it 已撤销,
    // the unit is 已推荐 again, and it is awarded again.
    let unit_id = unit_path
        .trim_start_matches("/console/units/")
        .split('?')
        .next()
        .expect("unit id")
        .to_owned();
    let history = demo
        .api()
        .query(
            "query($id: UUID!) { designation(id: $id) { history { position type } } }",
            json!({ "id": unit_id }),
        )
        .await;
    let award_position = history["designation"]["history"]
        .as_array()
        .and_then(|h| h.iter().rev().find(|e| e["type"] == "Awarded"))
        .map(|e| e["position"].to_string())
        .expect("the award is in the history");
    let page = d
        .submit(
            "form-retractDecision",
            &[
                ("position", award_position.as_str()),
                ("reason", "授牌文号录入错误"),
                ("decidedOn", "2025-07-02"),
            ],
        )
        .await;
    assert!(page.contains("已撤销") && page.contains("已推荐"), "{page}");
    d.shot("unit-award-retracted").await;
    let page = d
        .submit(
            "form-award",
            &[
                ("decidedOn", "2025-07-03"),
                ("documentRef", "苏发改服务发〔2025〕67号"),
            ],
        )
        .await;
    assert!(
        page.contains("已授牌") && page.contains("苏发改服务发〔2025〕67号"),
        "{page}"
    );

    // 名录 filters by 行业领域: the count it shows is GraphQL's.
    let by_sector = demo
        .api()
        .query("{ statistics { bySector { sector total } } }", json!({}))
        .await;
    let (sector, total) = by_sector["statistics"]["bySector"]
        .as_array()
        .and_then(|s| s.iter().find(|c| c["total"].as_i64().unwrap_or(0) > 0))
        .map(|c| {
            (
                c["sector"].as_str().unwrap_or("").to_owned(),
                c["total"].as_i64().unwrap_or(0),
            )
        })
        .expect("a sector with units");
    d.goto(&format!("/console/units?sector={sector}")).await;
    let page = d.source().await;
    assert!(page.contains(&format!("共 {total} 个单位")), "{page}");
    d.shot("units-by-sector").await;

    d.goto("/console/applications?year=2025").await;
    let page = d.source().await;
    assert!(page.contains("无锡控制台示范企业") && page.contains("已授牌"));
    d.shot("applications").await;
    import_and_export_in_the_browser(demo, d).await;
    d.goto("/console/audit").await;
    d.shot("audit-provincial").await;

    // The same pages on a 1920-wide screen.
    d.client.set_window_size(1920, 1080).await.expect("window size");
    d.goto("/console/").await;
    d.shot("overview-1920").await;
    d.goto(&unit_path).await;
    d.shot("unit-1920").await;
    d.goto("/console/units").await;
    d.shot("units-1920").await;
    d.client.set_window_size(1366, 768).await.expect("window size");
    // Nothing overflows sideways at 1366.
    for path in [
        "/console/",
        "/console/units",
        unit_path.as_str(),
        "/console/applications",
    ] {
        d.goto(path).await;
        let wide = d
            .client
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth;",
                vec![],
            )
            .await
            .expect("measure");
        assert_eq!(wide, json!(true), "{path} scrolls sideways at 1366");
    }
    d.logout().await;
    d.shot("logged-out").await;
}
