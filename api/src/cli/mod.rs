//! The `liangye` command line (DESIGN.md §5).

mod log;
mod serve;
mod token;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use liangye_events::EventStore;

/// Errors of a command-line run: printed as `error: …`, exit code 1.
pub type CliResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Parser, Debug)]
#[command(
    name = "liangye",
    version,
    about = "江苏省两业融合发展标杆引领典型情况信息库 — the Liangye Registry"
)]
pub struct Args {
    /// Database URL: sqlite://FILE (created if missing) or postgres://…
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "sqlite://liangye.db"
    )]
    pub database: String,
    /// Log as JSON lines (for log collectors) instead of text.
    #[arg(long, global = true)]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the GraphQL API.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Fill an empty database with a realistic sample and print one token per role.
        #[arg(long)]
        demo: bool,
    },
    /// Print the GraphQL schema (SDL); `api/schema.graphql` is this output.
    Schema,
    /// Manage access tokens.
    Token {
        #[command(subcommand)]
        command: token::TokenCommand,
    },
    /// Print the log as NDJSON, one canonical event a line.
    Export {
        /// Only events after this position.
        #[arg(long, default_value_t = 0)]
        after: i64,
    },
    /// Append an exported log into an empty database, after checking every event.
    Import {
        /// The NDJSON file written by `export` (`-` for standard input).
        file: String,
    },
    /// Check every event's hash and canonical form, the log's continuity, and replay it.
    Verify,
}

/// Run one command; the exit code says whether it held.
pub async fn run(args: Args) -> CliResult<ExitCode> {
    match args.command {
        Command::Serve { listen, demo } => serve::run(&args.database, listen, demo).await,
        Command::Schema => {
            print!("{}", crate::graphql::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { command } => {
            let store = EventStore::connect(&args.database).await?;
            token::run(&store, command).await
        }
        Command::Export { after } => {
            let store = EventStore::connect(&args.database).await?;
            log::export(&store, after).await
        }
        Command::Import { file } => {
            let store = EventStore::connect(&args.database).await?;
            log::import(&store, &file).await
        }
        Command::Verify => {
            let store = EventStore::connect(&args.database).await?;
            log::verify(&store).await
        }
    }
}
