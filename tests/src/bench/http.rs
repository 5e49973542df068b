//! `http_designations`: `designations(first: 50)` over HTTP at 64 connections on loopback,
//! against the real server on the N-event log, in wrk's load shape (64 keep-alive
//! connections, each sending the next request as soon as it has read the previous response,
//! for a fixed time); beside the goal's own baseline (10× PostGraphile's figure of issue 17)
//! and `/healthz` at the same concurrency (the HTTP stack's own cost) in the same run. And `rss`: the resident memory of a server
//! process holding the N-event registry.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{Baseline, Figure, Result, round1};
use crate::app::TestApp;
use crate::bench::decisions::p99_ms;

const CONNECTIONS: usize = 64;
const QUERY: &str = "{ designations(first: 50) { totalCount nodes { id name cityName status statusLabel certificateNo awardYear version } pageInfo { endCursor } } }";

/// One HTTP/1.1 request, its bytes prepared once (as wrk sends them).
fn request_bytes(addr: SocketAddr, path: &str, token: &str, body: Option<&str>) -> Vec<u8> {
    let mut r = match body {
        Some(_) => format!("POST {path} HTTP/1.1\r\n"),
        None => format!("GET {path} HTTP/1.1\r\n"),
    };
    r.push_str(&format!("Host: {addr}\r\nAuthorization: Bearer {token}\r\n"));
    if let Some(body) = body {
        r.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ));
    } else {
        r.push_str("\r\n");
    }
    r.into_bytes()
}

/// Reads one response from `stream` into `buf` (which may hold bytes of the next one
/// after): its status and whether its body holds GraphQL errors.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<(u16, bool)> {
    let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).map_err(|_| invalid("header is not UTF-8"))?;
            let status: u16 = head
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| invalid("no status"))?;
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .ok_or_else(|| invalid("no content-length"))?;
            let total = end + 4 + length;
            while buf.len() < total {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(invalid("connection closed mid-response"));
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = &buf[end + 4..total];
            let errors = body.windows(10).any(|w| w == b"\"errors\":");
            buf.drain(..total);
            return Ok((status, errors));
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(invalid("connection closed"));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// wrk's load shape: `CONNECTIONS` keep-alive HTTP/1.1 connections, each sending the same
/// prepared request again as soon as it has read the previous response, for `duration`;
/// requests/s and every request's latency. The client does as little as it can (it shares
/// the cores with the server): no HTTP library, no decoding beyond finding the body's end.
async fn wrk(addr: SocketAddr, request: Arc<Vec<u8>>, duration: Duration) -> Result<(f64, Vec<Duration>)> {
    let start = Instant::now();
    let deadline = start + duration;
    let mut handles = Vec::new();
    for _ in 0..CONNECTIONS {
        let request = request.clone();
        handles.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            let mut buf = Vec::with_capacity(64 * 1024);
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                stream.write_all(&request).await.map_err(|e| e.to_string())?;
                let (status, errors) = read_response(&mut stream, &mut buf)
                    .await
                    .map_err(|e| e.to_string())?;
                if status != 200 {
                    return Err(format!("HTTP {status}"));
                }
                if errors {
                    return Err("GraphQL errors in a response".to_owned());
                }
                latencies.push(t.elapsed());
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await??);
    }
    Ok((all.len() as f64 / start.elapsed().as_secs_f64(), all))
}

pub async fn run(log_url: &str, duration: Duration) -> Result<Figure> {
    let app = TestApp::spawn_on(log_url, false).await;
    let token = app.tokens.reader.secret().unwrap_or_default().to_owned();
    let body = serde_json::json!({ "query": QUERY }).to_string();
    let graphql = Arc::new(request_bytes(app.addr, "/graphql", &token, Some(&body)));
    let healthz = Arc::new(request_bytes(app.addr, "/healthz", &token, None));
    // Warm up connections and caches.
    wrk(app.addr, graphql.clone(), duration / 10).await?;
    let (rate, mut latencies) = wrk(app.addr, graphql, duration).await?;
    let p99 = p99_ms(&mut latencies);
    let (health_rate, _) = wrk(app.addr, healthz, duration).await?;
    app.shutdown().await;
    Ok(Figure {
        name: "http_designations",
        value: round1(rate),
        unit: "requests/s",
        baseline: Some(Baseline {
            value: round1(health_rate),
            what: "GET /healthz at the same 64 connections (the HTTP stack and one head read)",
        }),
        p99_ms: Some(round1(p99)),
        also: Vec::new(),
        goal: "p99 <= 10 ms and >= 10690 requests/s (10x PostGraphile's 1,069 of issue 17) for designations(first: 50) at 64 connections",
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
    // Right after start-up, and once the server has settled: tokio keeps an idle blocking
    // thread for 10 s, and the threads that decoded the log hold freed memory until they
    // exit. The settled figure is what a running server holds.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pid = child.id().ok_or("child pid")?;
    let at_ready = rss_mib(pid).ok_or("cannot read the child's VmRSS")?;
    let started = std::time::Instant::now();
    let mut previous = at_ready;
    let settled = loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = rss_mib(pid).ok_or("cannot read the child's VmRSS")?;
        let waited = started.elapsed();
        if (waited > Duration::from_secs(12) && (now - previous).abs() < 1.0)
            || waited > Duration::from_secs(40)
        {
            break now;
        }
        previous = now;
    };
    let _ = child.kill().await;
    let own = rss_mib(std::process::id()).unwrap_or(0.0);
    Ok(Figure {
        name: "rss",
        value: round1(settled),
        unit: "MiB",
        baseline: Some(Baseline {
            value: round1(own),
            what: "this harness process's own RSS at the same moment",
        }),
        p99_ms: None,
        also: vec![Baseline {
            value: round1(at_ready),
            what: "the server's RSS 0.5 s after it was ready, before the start-up's threads exited",
        }],
        goal: match events {
            1_000_000 => "<= 512 MiB with 1,000,000 events",
            _ => "<= 512 MiB with 1,000,000 events (this run is smaller)",
        },
    })
}
