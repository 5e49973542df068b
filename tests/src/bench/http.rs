//! `http_designations`: `designations(first: 50)` over HTTP at 64 connections on loopback,
//! against the real server on the N-event log; baseline `/healthz` at the same concurrency
//! (the HTTP stack's own cost) in the same run. And `rss`: the resident memory of a server
//! process holding the N-event registry.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Baseline, Figure, Result, round1};
use crate::app::TestApp;
use crate::bench::decisions::p99_ms;

const CONNECTIONS: usize = 64;
const QUERY: &str = "{ designations(first: 50) { totalCount nodes { id name cityName status statusLabel certificateNo awardYear version } pageInfo { endCursor } } }";

/// Send `total` requests from `CONNECTIONS` tasks; requests/s and latencies.
async fn drive(
    client: reqwest::Client,
    url: String,
    body: Option<Arc<String>>,
    token: Arc<String>,
    total: usize,
) -> Result<(f64, Vec<Duration>)> {
    let per_task = total.div_ceil(CONNECTIONS);
    let start = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..CONNECTIONS {
        let (client, url, body, token) = (client.clone(), url.clone(), body.clone(), token.clone());
        handles.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_task);
            for _ in 0..per_task {
                let t = Instant::now();
                let request = match &body {
                    Some(b) => client
                        .post(&url)
                        .bearer_auth(token.as_str())
                        .header("content-type", "application/json")
                        .body(b.as_str().to_owned()),
                    None => client.get(&url),
                };
                let response = request.send().await.map_err(|e| e.to_string())?;
                if !response.status().is_success() {
                    return Err(format!("HTTP {}", response.status()));
                }
                // Bytes, checked as UTF-8 without a lossy copy: the load generator shares the
                // cores with the server, so it does as little as it can.
                let body = response.bytes().await.map_err(|e| e.to_string())?;
                let text = std::str::from_utf8(&body).map_err(|e| e.to_string())?;
                if text.contains("\"errors\"") {
                    return Err(format!("GraphQL errors: {text}"));
                }
                latencies.push(t.elapsed());
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut all = Vec::with_capacity(total);
    for h in handles {
        all.extend(h.await??);
    }
    Ok((all.len() as f64 / start.elapsed().as_secs_f64(), all))
}

pub async fn run(log_url: &str, requests: usize) -> Result<Figure> {
    let app = TestApp::spawn_on(log_url, false).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()?;
    let token = Arc::new(app.tokens.reader.secret().unwrap_or_default().to_owned());
    let body = Arc::new(serde_json::json!({ "query": QUERY }).to_string());
    // Warm up connections and caches.
    drive(
        client.clone(),
        app.url("/graphql"),
        Some(body.clone()),
        token.clone(),
        CONNECTIONS * 2,
    )
    .await?;
    let (rate, mut latencies) = drive(
        client.clone(),
        app.url("/graphql"),
        Some(body),
        token.clone(),
        requests,
    )
    .await?;
    let p99 = p99_ms(&mut latencies);
    let (health_rate, _) = drive(client, app.url("/healthz"), None, token, requests).await?;
    app.shutdown().await;
    Ok(Figure {
        name: "http_designations",
        value: round1(rate),
        unit: "requests/s",
        baseline: Some(Baseline {
            value: round1(health_rate),
            what: "GET /healthz at the same 64 connections",
        }),
        p99_ms: Some(round1(p99)),
        goal: "p99 <= 10 ms for designations(first: 50) at 64 connections",
    })
}

/// The resident set of a process, in MiB (Linux).
pub fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// The server as `liangye serve` composes it (store, engine, live registry, HTTP), for a
/// child process whose memory `rss` measures: prints `ready` once the registry holds the
/// whole log, then serves until killed.
pub async fn serve_only(url: &str) -> Result<()> {
    use liangye_api::app::{App, Options};
    let app = App::start(url, Options::default()).await?;
    let head = app.ready().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("ready {head}");
    liangye_api::server::serve(listener, app.state.clone(), std::future::pending()).await?;
    Ok(())
}

/// `rss`: start [`serve_only`] in a child process (this same binary) on the log and read
/// its resident memory once it holds the whole registry.
pub async fn rss(log_url: &str, events: usize) -> Result<Figure> {
    use tokio::io::AsyncBufReadExt;
    let exe = std::env::current_exe()?;
    let mut child = tokio::process::Command::new(exe)
        .arg("--serve-only")
        .arg(log_url)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().ok_or("child stdout")?;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    while let Some(line) = lines.next_line().await? {
        if line.starts_with("ready") {
            break;
        }
    }
    // Let allocator and page cache settle a moment before reading.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pid = child.id().ok_or("child pid")?;
    let rss = rss_mib(pid).ok_or("cannot read the child's VmRSS")?;
    let _ = child.kill().await;
    let own = rss_mib(std::process::id()).unwrap_or(0.0);
    Ok(Figure {
        name: "rss",
        value: round1(rss),
        unit: "MiB",
        baseline: Some(Baseline {
            value: round1(own),
            what: "this harness process's own RSS at the same moment",
        }),
        p99_ms: None,
        goal: match events {
            1_000_000 => "<= 512 MiB with 1,000,000 events",
            _ => "<= 512 MiB with 1,000,000 events (this run is smaller)",
        },
    })
}
