//! `liangye serve`: the GraphQL server.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use liangye_events::checkpoint::SignerKey;
use liangye_services::EventStore;
use liangye_services::checkpoints::{SigningPolicy, spawn_signer};
use liangye_services::engine::Engine;
use liangye_services::live::{Live, LiveConfig};

use super::CliResult;
use crate::graphql::AppState;
use crate::metrics::Metrics;

pub async fn run(
    database: &str,
    listen: SocketAddr,
    demo: bool,
    signing: Option<(SignerKey, SigningPolicy)>,
) -> CliResult<ExitCode> {
    let store = EventStore::connect(database).await?;
    let (engine, writer) = Engine::start(store.clone());
    if demo {
        let filled = crate::demo::fill(&engine).await?;
        if filled > 0 {
            println!("demo: recorded {filled} sample decisions across all 13 cities");
        } else {
            println!("demo: the database already holds a log; no sample added");
        }
    }
    let live = Live::start(store.clone(), LiveConfig::default()).await?;
    let state = AppState {
        store: store.clone(),
        engine: engine.clone(),
        live,
        metrics: Arc::new(Metrics::new()),
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    if demo {
        let tokens = crate::demo::tokens(&engine).await?;
        println!("demo tokens (each shown once):");
        for (role, name, secret) in &tokens.lines {
            println!("  {:<10} {name}: {secret}", role.as_str());
        }
        if let Some((_, _, provincial)) = tokens.lines.first() {
            println!();
            println!("console:  http://{addr}/console/  (log in with a token above)");
            println!("GraphiQL: http://{addr}/graphql  (set header Authorization: Bearer <token>)");
            println!("try:");
            println!(
                "  curl -s http://{addr}/graphql -H 'Authorization: Bearer {provincial}' -H 'Content-Type: application/json' \\\n    -d '{{\"query\":\"{{ statistics {{ total target {{ awarded target }} }} designations(first: 3, filter: {{ status: AWARDED }}) {{ nodes {{ name cityName statusLabel certificateNo }} }} }}\"}}'"
            );
        }
    }
    // The tokens just issued (and anything else written since the live registry started)
    // must authenticate the moment "listening" is printed.
    let head = store.head().await?.position;
    state.live.wait_for(head).await?;
    let signer = signing.map(|(key, policy)| {
        tracing::info!(key = %key.verifier().to_text(), every_events = policy.every_events, "signing checkpoints");
        spawn_signer(store.clone(), key, policy)
    });
    tracing::info!(%addr, database = %redact(database), "serving GraphQL on /graphql");
    println!("listening on http://{addr}/graphql");
    crate::server::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("shutting down: finishing the write batch in flight");
    if let Some(signer) = signer {
        signer.abort();
    }
    drop(engine);
    let _ = writer.await;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}

/// A database URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
