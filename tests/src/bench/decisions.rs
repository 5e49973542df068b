//! `decisions_concurrent`: 64 concurrent writers through the engine on a durable SQLite file,
//! each taking its own units through the whole lifecycle (listing, recommendation, four
//! reviews, award, evaluation). Baseline: the same kind of decisions from one writer at a
//! time (no group commit possible), measured in the same run.

use std::time::{Duration, Instant};

use liangye_events::catalogue::{CityCode, Grade};
use liangye_services::EventStore;
use liangye_services::decide::{Command, Principal};
use liangye_services::engine::Engine;
use liangye_services::scenario;
use uuid::Uuid;

use super::{Baseline, Figure, Result, round1};

/// The decisions of one unit's life, in order.
fn lifecycle(writer: usize, n: usize) -> Vec<Command> {
    let id = Uuid::now_v7();
    let city = CityCode::all()
        .nth((writer + n) % 13)
        .unwrap_or(CityCode::Nanjing);
    let serial = (writer * 1_000_000 + n) as u64;
    let mut commands =
        scenario::enterprise_to_award(id, &format!("基准企业{writer}-{n}"), city, serial, 2024);
    commands.push(scenario::evaluate(id, 2024, Grade::Good, Some(85)));
    commands
}

/// Run `writers` tasks until together they made `total` decisions; decisions/s and latencies.
async fn drive(engine: &Engine, writers: usize, total: usize) -> Result<(f64, Vec<Duration>)> {
    let per_writer = total.div_ceil(writers);
    let start = Instant::now();
    let mut handles = Vec::new();
    for w in 0..writers {
        let engine = engine.clone();
        handles.push(tokio::spawn(async move {
            let operator = Principal::operator("基准");
            let mut latencies = Vec::with_capacity(per_writer);
            let mut n = 0;
            while latencies.len() < per_writer {
                for command in lifecycle(w, n) {
                    if latencies.len() == per_writer {
                        break;
                    }
                    let t = Instant::now();
                    engine
                        .execute(command, &operator)
                        .await
                        .map_err(|e| e.to_string())?;
                    latencies.push(t.elapsed());
                }
                n += 1;
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut all = Vec::with_capacity(total);
    for h in handles {
        all.extend(h.await??);
    }
    let rate = all.len() as f64 / start.elapsed().as_secs_f64();
    Ok((rate, all))
}

/// The 99th percentile in milliseconds.
pub fn p99_ms(latencies: &mut [Duration]) -> f64 {
    if latencies.is_empty() {
        return 0.0;
    }
    latencies.sort_unstable();
    let i = ((latencies.len() as f64) * 0.99).ceil() as usize;
    latencies[i.saturating_sub(1).min(latencies.len() - 1)].as_secs_f64() * 1000.0
}

pub async fn run(target: &super::Target, total: usize) -> Result<Figure> {
    let url = target.database("decisions").await?;
    let store = EventStore::connect(&url).await?;
    let (engine, _) = Engine::start(store.clone());
    let (rate, mut latencies) = drive(&engine, 64, total).await?;
    let p99 = p99_ms(&mut latencies);
    let baseline_url = target.database("decisions-serial").await?;
    let (serial, _) = Engine::start(EventStore::connect(&baseline_url).await?);
    let (serial_rate, _) = drive(&serial, 1, (total / 10).max(200)).await?;
    Ok(Figure {
        name: "decisions_concurrent",
        value: round1(rate),
        unit: "decisions/s",
        baseline: Some(Baseline {
            value: round1(serial_rate),
            what: "one writer at a time, same engine and durability (no group commit)",
        }),
        p99_ms: Some(round1(p99)),
        also: Vec::new(),
        goal: ">= 5000 decisions/s with p99 <= 25 ms at 64 writers",
    })
}
