//! The `liangye` binary as a process, for the reliability, hardening and browser tests of
//! `api/tests/` (where Cargo builds the binary for them): run a command to completion, start
//! `serve` on a fresh database and talk to it over real HTTP, and realistic enterprise
//! lifecycles with a `commandId` on every decision.
//!
//! Every spawned server is killed (SIGKILL) when its [`Server`] is dropped, also when the
//! test fails. Timeouts here only turn hangs into failures; nothing asserts on speed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use liangye_events::StoredEvent;
use liangye_events::catalogue::CityCode;
use liangye_events::integrity::row_from_canonical;
use liangye_services::scenario;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use uuid::Uuid;

/// Longest any one request, process or wait may take before the test fails as hung.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The year every lifecycle is recommended and awarded for.
pub const YEAR: i64 = 2025;

/// The `liangye` binary: `LIANGYE_BIN` if set, else the one Cargo built beside the running
/// test (`target/<profile>/liangye`; the integration tests of `liangye-api` get it built).
pub fn bin() -> PathBuf {
    if let Some(path) = std::env::var_os("LIANGYE_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test's own path");
    // target/<profile>/deps/<test> → target/<profile>/liangye
    let path = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join(format!("liangye{}", std::env::consts::EXE_SUFFIX)))
        .expect("the test runs from target/<profile>/deps");
    assert!(
        path.exists(),
        "{} does not exist: run process tests from liangye-api's integration tests (Cargo \
         builds the binary for them), or set LIANGYE_BIN",
        path.display()
    );
    path
}

// ---------------------------------------------------------------------------------------
// The binary

/// Run `liangye --database DB ARGS…` to completion: exit success, stdout, stderr.
pub async fn liangye(db: &str, args: &[&str]) -> (bool, String, String) {
    let run = tokio::process::Command::new(bin())
        .arg("--database")
        .arg(db)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(PATIENCE, run)
        .await
        .unwrap_or_else(|_| panic!("liangye {args:?} hung"))
        .unwrap_or_else(|e| panic!("run liangye {args:?}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `liangye token issue`: the secret (the last line of its output).
pub async fn issue_token(db: &str, role: &str, name: &str) -> String {
    let (ok, out, err) = liangye(db, &["token", "issue", "--role", role, "--name", name]).await;
    assert!(ok, "token issue failed:\n{out}\n{err}");
    out.lines()
        .last()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| panic!("no secret in:\n{out}"))
        .to_owned()
}

/// `liangye verify` must exit 0.
pub async fn assert_verifies(db: &str, when: &str) {
    let (ok, out, err) = liangye(db, &["verify"]).await;
    assert!(ok, "liangye verify failed {when}:\n{out}\n{err}");
}

/// The whole log through `liangye export`, each line checked and parsed; asserts the
/// positions are exactly 1..=n.
pub async fn export(db: &str) -> Vec<StoredEvent> {
    let (ok, out, err) = liangye(db, &["export"]).await;
    assert!(ok, "liangye export failed:\n{err}");
    let log: Vec<StoredEvent> = out
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| row_from_canonical(l).unwrap_or_else(|e| panic!("exported line {l}: {e}")))
        .collect();
    for (i, ev) in log.iter().enumerate() {
        assert_eq!(ev.position, i as i64 + 1, "the exported log has a gap");
    }
    log
}

/// A running `liangye serve`; SIGKILLed when dropped.
pub struct Server {
    child: tokio::process::Child,
    pub addr: String,
    pub log: PathBuf,
    /// The tokens it printed before listening (`serve --demo`): role and secret, in order.
    pub tokens: Vec<(String, String)>,
}

impl Server {
    /// `liangye serve --listen 127.0.0.1:0` on `db`, logging to `log`; returns once it
    /// prints `listening on http://ADDR/graphql`, keeping the tokens printed before that.
    pub async fn start(db: &str, log: &Path) -> Self {
        Self::start_with(db, log, &[]).await
    }

    /// [`Server::start`] with more `serve` arguments (`--demo`, `--max-connections 20`, …).
    pub async fn start_with(db: &str, log: &Path, serve_args: &[&str]) -> Self {
        Self::start_program(&bin(), db, log, serve_args).await
    }

    /// [`Server::start_with`] through `program` (the binary, or a script that `exec`s it).
    pub async fn start_program(program: &Path, db: &str, log: &Path, serve_args: &[&str]) -> Self {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("server log file");
        let mut child = tokio::process::Command::new(program)
            .arg("--database")
            .arg(db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(serve_args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .expect("spawn liangye serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut tokens = Vec::new();
        let addr = tokio::time::timeout(PATIENCE, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(rest) = line.strip_prefix("listening on http://") {
                    return rest.strip_suffix("/graphql").map(str::to_owned);
                }
                // `  PROVINCIAL 省发展改革委(演示): lyt_…`
                if let Some((head, secret)) = line.split_once(": lyt_")
                    && let Some(role) = head.split_whitespace().next()
                {
                    tokens.push((role.to_owned(), format!("lyt_{}", secret.trim())));
                }
            }
            None
        })
        .await
        .ok()
        .flatten();
        let Some(addr) = addr else {
            let _ = child.start_kill();
            panic!(
                "liangye serve did not start; its log:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        };
        // Keep draining standard output so the server never blocks on it.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            child,
            addr,
            log: log.to_owned(),
            tokens,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("server pid")
    }

    /// The secret of the first token printed for `role`.
    pub fn token(&self, role: &str) -> &str {
        self.tokens
            .iter()
            .find(|(r, _)| r == role)
            .map(|(_, secret)| secret.as_str())
            .unwrap_or_else(|| panic!("no token printed for {role}: {:?}", self.tokens))
    }

    /// `http://ADDR<path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `kill -SIGNAL` (e.g. `"-9"`, `"-TERM"`), and its exit status once it has exited.
    pub async fn signal(&mut self, signal: &str) -> std::io::Result<std::process::ExitStatus> {
        let pid = self.pid();
        let status = std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {signal} {pid} failed");
        tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "the server did not exit on kill {signal}; its log:\n{}",
                    self.log_text()
                )
            })
    }

    /// `kill -9`, and reap it.
    pub async fn kill(&mut self) {
        let _ = self.signal("-9").await;
    }

    /// Still running (not crashed)?
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn api(&self, token: &str) -> Api {
        Api::new(&self.addr, token)
    }
}

// ---------------------------------------------------------------------------------------
// GraphQL over HTTP

/// What a mutation came back with.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// HTTP 200, no errors: the `DecisionPayload`.
    Accepted(Value),
    /// A GraphQL error (any HTTP status): its code and message.
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// Something that is not a GraphQL answer.
    Http { status: u16, body: String },
    /// No HTTP answer at all (connection refused or reset, timeout).
    Transport(String),
}

/// A client for one server, bearing one token.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    pub url: String,
    token: String,
}

impl Api {
    pub fn new(addr: &str, token: &str) -> Self {
        Self {
            client: crate::http_client(),
            url: format!("http://{addr}/graphql"),
            token: token.to_owned(),
        }
    }

    /// POST `{query, variables}`: the status and the JSON body.
    pub async fn post(&self, query: &str, variables: Value) -> Result<(u16, Value), String> {
        let response = self
            .client
            .post(&self.url)
            .bearer_auth(&self.token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .map_err(|e| format!("transport: {e}"))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| format!("transport: {e}"))?;
        let body = serde_json::from_str(&text).map_err(|_| format!("HTTP {status}: {text}"))?;
        Ok((status, body))
    }

    /// A query that must succeed: its `data`.
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self
            .post(query, variables)
            .await
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        assert!(
            status == 200 && body.get("errors").is_none_or(Value::is_null),
            "{query}: HTTP {status} {body}"
        );
        body["data"].clone()
    }

    pub async fn head(&self) -> i64 {
        self.query("{ logHead { position } }", json!({})).await["logHead"]["position"]
            .as_i64()
            .expect("logHead.position")
    }

    /// Mutation `name` with `input`.
    pub async fn mutate(&self, name: &str, input: &Value) -> Outcome {
        let response = self
            .client
            .post(&self.url)
            .bearer_auth(&self.token)
            .json(&json!({ "query": mutation(name), "variables": { "input": input } }))
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(e) => return Outcome::Transport(e.to_string()),
        };
        let status = response.status().as_u16();
        let text = match response.text().await {
            Ok(t) => t,
            Err(e) => return Outcome::Transport(e.to_string()),
        };
        let Ok(body) = serde_json::from_str::<Value>(&text) else {
            return Outcome::Http { status, body: text };
        };
        if let Some(error) = body.get("errors").and_then(|e| e.get(0)) {
            return Outcome::Refused {
                status,
                code: error["extensions"]["code"].as_str().unwrap_or("").to_owned(),
                message: error["message"].as_str().unwrap_or("").to_owned(),
            };
        }
        match body["data"].get(name) {
            Some(payload) if status == 200 && payload.is_object() => Outcome::Accepted(payload.clone()),
            _ => Outcome::Http { status, body: text },
        }
    }
}

/// The document of mutation `name`, answering what the checks need.
pub fn mutation(name: &str) -> String {
    let input = format!("{}{}Input", name[..1].to_uppercase(), &name[1..]);
    format!(
        "mutation($input: {input}!) {{ {name}(input: $input) {{ position duplicate \
         designation {{ id status }} events {{ position eventId commandId }} }} }}"
    )
}

// ---------------------------------------------------------------------------------------
// Decisions

/// An acknowledged decision: HTTP 200 with data and no errors.
#[derive(Debug, Clone)]
pub struct Ack {
    pub mutation: &'static str,
    /// The input as sent, `commandId` included.
    pub input: Value,
    pub command_id: Uuid,
    pub position: i64,
    /// `(position, eventId)` of each event answered.
    pub events: Vec<(i64, Uuid)>,
    pub duplicate: bool,
}

impl Ack {
    pub fn new(mutation: &'static str, input: &Value, payload: &Value) -> Self {
        let command_id = input["commandId"]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .expect("input has a commandId");
        let events = payload["events"]
            .as_array()
            .expect("payload.events")
            .iter()
            .map(|e| {
                (
                    e["position"].as_i64().expect("event position"),
                    e["eventId"]
                        .as_str()
                        .and_then(|s| Uuid::parse_str(s).ok())
                        .expect("eventId"),
                )
            })
            .collect();
        Self {
            mutation,
            input: input.clone(),
            command_id,
            position: payload["position"].as_i64().expect("payload.position"),
            events,
            duplicate: payload["duplicate"].as_bool().expect("payload.duplicate"),
        }
    }
}

/// What concurrent writers against `liangye serve` share: the next lifecycle number (its
/// credit code is unique to it), a stop flag, every acknowledged decision, and every answer
/// that should not have come.
#[derive(Default)]
pub struct Ledger {
    next: AtomicU64,
    stop: AtomicBool,
    acks: Mutex<Vec<Ack>>,
    unexpected: Mutex<Vec<String>>,
}

impl Ledger {
    /// A lifecycle number no writer has had.
    pub fn next(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// Tell the writers to stop.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Record the acknowledgement of mutation `name` with `input` (as sent): `payload`.
    pub fn ack(&self, name: &'static str, input: &Value, payload: &Value) {
        self.record(Ack::new(name, input, payload));
    }

    pub fn record(&self, ack: Ack) {
        self.acks.lock().expect("acks").push(ack);
    }

    /// Record an answer that should not have come.
    pub fn unexpected(&self, problem: String) {
        self.unexpected.lock().expect("unexpected answers").push(problem);
    }

    /// The acknowledged decisions so far, in the order they were acknowledged.
    pub fn acks(&self) -> Vec<Ack> {
        self.acks.lock().expect("acks").clone()
    }

    /// How many decisions were acknowledged so far.
    pub fn acked(&self) -> usize {
        self.acks.lock().expect("acks").len()
    }

    /// Panics listing the unexpected answers, if there were any, with `context` (server logs).
    pub fn assert_nothing_unexpected(&self, what: &str, context: &str) {
        let unexpected = self.unexpected.lock().expect("unexpected answers").clone();
        assert!(unexpected.is_empty(), "{what}: {unexpected:#?}\n{context}");
    }
}

/// Every acknowledged decision is in `log`: each answered event at its answered position,
/// carrying the decision's `commandId`.
pub fn assert_acks_in_log(log: &[StoredEvent], acks: &[Ack], when: &str) {
    let by_id: HashMap<Uuid, &StoredEvent> = log.iter().map(|e| (e.event_id, e)).collect();
    for ack in acks {
        assert!(
            !ack.events.is_empty(),
            "{when}: an acknowledged decision without events: {ack:?}"
        );
        for (position, event_id) in &ack.events {
            let stored = by_id.get(event_id).unwrap_or_else(|| {
                panic!(
                    "{when}: acknowledged {} (commandId {}) lost: event {event_id} at {position} is not in the log of {}",
                    ack.mutation,
                    ack.command_id,
                    log.len()
                )
            });
            assert_eq!(stored.position, *position, "{when}: event {event_id} moved");
            assert_eq!(
                stored.command_id,
                Some(ack.command_id),
                "{when}: event {event_id}"
            );
        }
    }
}

/// Each `commandId` in the log belongs to the events of exactly one decision (one event
/// each, today), never repeated.
pub fn assert_command_ids_once(log: &[StoredEvent]) {
    let mut seen: HashMap<Uuid, i64> = HashMap::new();
    for ev in log {
        if let Some(id) = ev.command_id
            && let Some(first) = seen.insert(id, ev.position)
        {
            panic!("commandId {id} recorded twice: at {first} and {}", ev.position);
        }
    }
}

/// `input` with a fresh `commandId`.
pub fn with_command_id(mut input: Value) -> Value {
    input["commandId"] = json!(Uuid::now_v7().to_string());
    input
}

/// The city of lifecycle `n`.
pub fn city_of(n: u64) -> CityCode {
    CityCode::all().nth((n % 13) as usize).expect("13 cities")
}

/// The `listPilot` input of enterprise `n`: a valid credit code unique to `n`.
pub fn list_pilot(n: u64, prefix: &str) -> Value {
    let city = city_of(n);
    json!({
        "name": format!("{prefix}企业{n}"),
        "kind": "ENTERPRISE",
        "cityCode": city.code(),
        "creditCode": scenario::credit_code(city, n).to_string(),
        "industries": ["高端装备", "工业互联网"],
        "batch": 1,
        "decidedOn": "2024-09-01",
        "documentRef": "苏发改服务发〔2024〕101号",
    })
}

/// After the listing: recommendation for `year`, the four reviews, the award, and (if
/// asked) a good evaluation and a commendation — the whole path of a benchmark, for unit
/// `id`.
pub fn steps_after_listing(id: &str, year: i64, commend: bool) -> Vec<(&'static str, Value)> {
    let mut steps = vec![(
        "recommend",
        json!({ "designationId": id, "year": year, "revenueYuan": "1500000000", "decidedOn": format!("{year}-03-15") }),
    )];
    for (stage, month) in [
        ("MATERIAL", 4),
        ("EXPERT", 5),
        ("SITE_INSPECTION", 6),
        ("PUBLIC_NOTICE", 7),
    ] {
        let mut review = json!({
            "designationId": id, "year": year, "stage": stage, "outcome": "PASSED",
            "decidedOn": format!("{year}-{month:02}-10"),
        });
        if stage == "EXPERT" {
            review["score"] = json!(86);
        }
        if stage == "PUBLIC_NOTICE" {
            review["noticeStart"] = json!(format!("{year}-06-15"));
            review["noticeEnd"] = json!(format!("{year}-06-21"));
        }
        steps.push(("recordReview", review));
    }
    steps.push((
        "award",
        json!({ "designationId": id, "year": year, "decidedOn": format!("{year}-07-20") }),
    ));
    if commend {
        // A commendation rests on the same year's EXCELLENT or GOOD evaluation.
        steps.push((
            "recordEvaluation",
            json!({ "designationId": id, "year": year, "grade": "GOOD", "decidedOn": format!("{year}-12-01") }),
        ));
        steps.push((
            "commend",
            json!({ "designationId": id, "year": year, "citation": "两业融合示范引领", "decidedOn": format!("{year}-12-20") }),
        ));
    }
    steps
}

/// The designation id a `listPilot` payload names.
pub fn designation_id(payload: &Value) -> String {
    payload["designation"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("listPilot payload without designation: {payload}"))
        .to_owned()
}

// ---------------------------------------------------------------------------------------
// Randomness (no dependency): xorshift64*, seeded from the clock and printed.

pub struct Rng(u64);

impl Rng {
    pub fn from_clock(label: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0x9E37_79B9, |d| d.as_nanos() as u64);
        let seed = nanos | 1;
        eprintln!("{label}: random seed {seed}");
        Self(seed)
    }

    pub fn seeded(seed: u64) -> Self {
        Self(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo).max(1)
    }
}

/// Poll `check` until it holds (every 50 ms, at most [`PATIENCE`]); panics with `what`.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
