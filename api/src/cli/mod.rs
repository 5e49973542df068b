//! The `liangye` command line (DESIGN.md §5).

mod audit;
mod excel;
mod log;

mod serve;
mod token;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use liangye_services::EventStore;

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
        /// Sign checkpoints with this key (from `liangye keygen`).
        #[arg(long)]
        signing_key: Option<String>,
        /// With --signing-key: sign once this many events were added.
        #[arg(long, default_value_t = 1000)]
        checkpoint_every: i64,
        /// With --signing-key: sign at least this often (seconds) while the log grows.
        #[arg(long, default_value_t = 60)]
        checkpoint_interval: u64,
        /// Most connections open at once (websockets included); beyond it new ones wait.
        #[arg(long, default_value_t = crate::connections::ServeLimits::DEFAULT_MAX_CONNECTIONS)]
        max_connections: usize,
        /// Seconds a request's headers may take to arrive, and a keep-alive connection may
        /// sit idle.
        #[arg(long, default_value_t = crate::connections::ServeLimits::DEFAULT_HEADER_READ_TIMEOUT.as_secs())]
        header_read_timeout: u64,
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
    /// Check every event's hash and canonical form, the log's continuity, the Merkle tree and
    /// checkpoints, and replay the projections.
    Verify {
        /// A signed checkpoint note (file, `-` for stdin) the log must extend.
        #[arg(long, requires = "public_key")]
        checkpoint: Option<String>,
        /// The verifier key (FILE.pub) the checkpoint is signed with.
        #[arg(long, requires = "checkpoint")]
        public_key: Option<String>,
    },
    /// Print the registry as it stood at a position or an RFC 3339 moment, as JSON.
    Replay {
        #[arg(long)]
        as_of: String,
    },
    /// Make an Ed25519 signing key (FILE) and its verifier key (FILE.pub), C2SP formats.
    Keygen {
        /// The log's name, e.g. registry.jiangsu.gov.cn/liangye.
        #[arg(long)]
        origin: String,
        #[arg(long)]
        out: String,
    },
    /// Sign the current head now and print the signed note.
    Checkpoint {
        #[arg(long)]
        signing_key: String,
    },
    /// Print a self-contained proof bundle for the event at a position.
    Prove {
        #[arg(long)]
        position: i64,
    },
    /// Check a proof bundle offline (no database).
    VerifyProof {
        bundle: String,
        #[arg(long)]
        public_key: String,
    },
    /// Write the registry, a year's applications or the statistics as an Excel workbook
    /// (or the registry as CSV), as it stands or as of a moment.
    Report {
        what: excel::Report,
        #[arg(long, value_enum, default_value = "xlsx")]
        format: excel::Format,
        /// The applications' year.
        #[arg(long)]
        year: Option<String>,
        /// A log position or an RFC 3339 time.
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        out: String,
    },
    /// Write a template: `template pilots --out FILE` is the pilot list `import-pilots` reads.
    Template {
        what: excel::Template,
        #[arg(long)]
        out: String,
    },
    /// List the units of a pilot-list workbook (the template's sheet) as pilots, all or none:
    /// every row is checked as `listPilot` checks it; bad rows are listed (exit 2) and
    /// nothing is recorded.
    ImportPilots {
        file: String,
        /// The pilot batch (批次), 1 to 999.
        #[arg(long)]
        batch: String,
        /// The date of the decision document, YYYY-MM-DD.
        #[arg(long)]
        decided_on: String,
        /// The decision's 文号.
        #[arg(long)]
        document_ref: Option<String>,
        /// Check every row, record nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// The operator acting from this command line (a local provincial operator).
pub(crate) fn operator() -> liangye_services::decide::Principal {
    let user = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    liangye_services::decide::Principal::operator(format!("cli:{user}"))
}

/// Print `text` and a newline to standard output; a closed pipe (`| head`) is not an error.
pub fn emit(text: &str) -> CliResult<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Run one command; the exit code says whether it held.
pub async fn run(args: Args) -> CliResult<ExitCode> {
    match args.command {
        Command::Serve {
            listen,
            demo,
            signing_key,
            checkpoint_every,
            checkpoint_interval,
            max_connections,
            header_read_timeout,
        } => {
            let signing = match signing_key {
                Some(path) => Some((
                    audit::load_signer(&path)?,
                    liangye_services::checkpoints::SigningPolicy {
                        every_events: checkpoint_every.max(1),
                        every: std::time::Duration::from_secs(checkpoint_interval.max(1)),
                    },
                )),
                None => None,
            };
            let limits = crate::connections::ServeLimits {
                max_connections,
                header_read_timeout: std::time::Duration::from_secs(header_read_timeout.max(1)),
            };
            serve::run(&args.database, listen, demo, signing, limits).await
        }
        Command::Keygen { origin, out } => audit::keygen(&origin, &out),
        Command::VerifyProof { bundle, public_key } => audit::verify_proof(&bundle, &public_key),
        Command::Replay { as_of } => audit::replay(&EventStore::connect(&args.database).await?, &as_of).await,
        Command::Checkpoint { signing_key } => {
            audit::checkpoint(&EventStore::connect(&args.database).await?, &signing_key).await
        }
        Command::Prove { position } => {
            audit::prove(&EventStore::connect(&args.database).await?, position).await
        }
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
        Command::Report {
            what,
            format,
            year,
            as_of,
            out,
        } => {
            let store = EventStore::connect(&args.database).await?;
            excel::report(&store, what, format, year.as_deref(), as_of.as_deref(), &out).await
        }
        Command::Template { what, out } => excel::template(what, &out),
        Command::ImportPilots {
            file,
            batch,
            decided_on,
            document_ref,
            dry_run,
        } => {
            let store = EventStore::connect(&args.database).await?;
            excel::import_pilots(
                &store,
                &file,
                &batch,
                &decided_on,
                document_ref.as_deref(),
                dry_run,
            )
            .await
        }
        Command::Verify {
            checkpoint,
            public_key,
        } => {
            let mut options = liangye_services::verify::VerifyOptions::default();
            if let (Some(note), Some(key)) = (checkpoint, public_key) {
                options.checkpoint = Some((audit::read_text(&note)?, audit::load_verifier(&key)?));
            }
            let store = EventStore::connect(&args.database).await?;
            log::verify(&store, options).await
        }
    }
}
