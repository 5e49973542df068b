//! `liangye token issue|revoke|list`.

use std::process::ExitCode;

use clap::Subcommand;
use liangye_events::catalogue::{ACCESS_STREAM, CityCode, RecordedEvent, Role};
use liangye_projections::DecisionState;
use liangye_services::EventStore;
use liangye_services::access::new_token;
use liangye_services::decide::fields;
use liangye_services::engine::Engine;

use super::{CliResult, operator};

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Issue a token; its secret is printed once, alone on the last line.
    Issue {
        /// PROVINCIAL, CITY, AUDITOR or READER.
        #[arg(long)]
        role: String,
        /// The city code of a CITY token (e.g. 320500 for 苏州).
        #[arg(long)]
        city: Option<String>,
        /// Who holds it, e.g. 苏州市发展改革委.
        #[arg(long)]
        name: String,
    },
    /// Revoke a token by its id (see `token list`).
    Revoke { token_id: String },
    /// List tokens: ids, names, roles, cities, whether active. Never secrets.
    List,
}

pub async fn run(store: &EventStore, command: TokenCommand) -> CliResult<ExitCode> {
    match command {
        TokenCommand::Issue { role, city, name } => {
            let role: Role = role.parse().map_err(|e| format!("--role: {e}"))?;
            let city = city
                .map(|c| CityCode::parse(&c))
                .transpose()
                .map_err(|e| format!("--city: {e}"))?;
            let token = new_token(&name, role, city)?;
            let (engine, _) = Engine::start(store.clone());
            let decided = engine.execute(token.command, &operator()).await?;
            println!(
                "token {} issued to {name} ({role}{}) at position {}",
                token.token_id,
                city_suffix(city),
                decided.position
            );
            println!("the secret is shown once; keep it safe:");
            println!("{}", token.secret);
        }
        TokenCommand::Revoke { token_id } => {
            let command = fields::revoke_access(&token_id)?;
            let (engine, _) = Engine::start(store.clone());
            let decided = engine.execute(command, &operator()).await?;
            println!(
                "token {} revoked at position {}",
                token_id.trim(),
                decided.position
            );
        }
        TokenCommand::List => {
            let mut state = DecisionState::new();
            for stored in store.read_stream(ACCESS_STREAM, 0).await? {
                state.apply(&RecordedEvent::from_stored(&stored)?);
            }
            println!(
                "{:<36}  {:<10}  {:<6}  {:<7}  name",
                "id", "role", "city", "status"
            );
            for t in state.tokens() {
                println!(
                    "{:<36}  {:<10}  {:<6}  {:<7}  {}",
                    t.id,
                    t.role.as_str(),
                    t.city.map_or("", |c| c.code()),
                    if t.is_active() { "active" } else { "revoked" },
                    t.name
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn city_suffix(city: Option<CityCode>) -> String {
    city.map(|c| format!(", {} {}", c.code(), c.name()))
        .unwrap_or_default()
}
