//! `liangye serve`: the GraphQL server.

use std::net::SocketAddr;
use std::process::ExitCode;

use liangye_events::checkpoint::SignerKey;
use liangye_services::checkpoints::SigningPolicy;

use super::CliResult;
use crate::app::{App, Options};

pub async fn run(
    database: &str,
    listen: SocketAddr,
    demo: bool,
    signing: Option<(SignerKey, SigningPolicy)>,
    limits: crate::connections::ServeLimits,
) -> CliResult<ExitCode> {
    let app = App::start(
        database,
        Options {
            demo,
            signing,
            ..Options::default()
        },
    )
    .await?;
    // Demo tokens are minted only into the sample just written: on an existing log,
    // `--demo` adds nothing, not even tokens (issue them with `liangye token issue`).
    let filled_demo = app.demo_recorded > 0;
    if demo {
        if filled_demo {
            println!(
                "demo: recorded {} sample decisions across all 13 cities",
                app.demo_recorded
            );
        } else {
            println!(
                "demo: the database already holds a log; no sample added and no demo tokens issued \
                 (use `liangye token issue` or the tokens printed when it was filled)"
            );
        }
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    if filled_demo {
        let tokens = crate::demo::tokens(&app.state.engine).await?;
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
    // The tokens just issued must authenticate the moment "listening" is printed.
    app.ready().await?;
    tracing::info!(%addr, database = %redact(database), "serving GraphQL on /graphql");
    println!("listening on http://{addr}/graphql");
    crate::server::serve_with(listener, app.state.clone(), limits, shutdown_signal()).await?;
    tracing::info!("shutting down: finishing the write batch in flight");
    app.shutdown().await;
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
