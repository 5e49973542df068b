//! `append_bulk`: events appended through the EventStore in batches of 1,000 to a durable
//! SQLite file, beside the best plain insert of the very same rows (prepared multi-row
//! `INSERT … VALUES (…), (…)` of 1,000 rows, one transaction each) into a fresh file with the
//! same schema, PRAGMAs and durability.

use std::time::Instant;

use liangye_events::{Metadata, NewEvent, StoredEvent};
use liangye_services::EventStore;
use liangye_services::store::{PreparedEvent, prepare};
use serde_json::json;
use uuid::Uuid;

use super::{Baseline, Figure, Result, round1};

pub const BATCH: usize = 1000;

/// Realistic events: units of 1–8 events each, payloads shaped like the catalogue's.
pub fn sample_events(n: usize) -> Vec<NewEvent> {
    let types = [
        "PilotListed",
        "Recommended",
        "ReviewRecorded",
        "ReviewRecorded",
        "Awarded",
        "EvaluationRecorded",
    ];
    let mut out = Vec::with_capacity(n);
    let mut unit = Uuid::now_v7();
    for i in 0..n {
        if i % 7 == 0 {
            unit = Uuid::now_v7();
        }
        let city = 320100 + (i % 13) as i64 * 100;
        let event_type = types[i % types.len()];
        out.push(NewEvent {
            event_id: Uuid::now_v7(),
            stream_id: format!("unit-{unit}"),
            event_type: event_type.into(),
            schema_version: 1,
            payload: json!({
                "unitId": unit,
                "decidedOn": "2024-05-06",
                "documentRef": format!("苏发改服务发〔2024〕{}号", i % 997),
                "note": "材料齐全,符合条件",
                "year": 2021 + (i % 5) as i64,
                "cityCode": city.to_string(),
                "revenueYuan": 1_000_000_000i64 + i as i64,
                "manufacturingShareBp": 3500 + (i % 1000) as i64,
            }),
            metadata: Metadata {
                actor: "bench".into(),
                role: "PROVINCIAL".into(),
                command_id: Some(Uuid::now_v7()),
                correlation_id: None,
                causation_id: None,
                city: None,
            },
        });
    }
    out
}

/// Append `events` through the store in batches; returns the stored rows and events/s.
/// Preparation (validation and canonical form) of the next batch runs on a blocking thread
/// while the current batch is written, as an import would do.
pub async fn through_store(url: &str, events: Vec<NewEvent>) -> Result<(Vec<StoredEvent>, f64)> {
    let store = EventStore::connect(url).await?;
    let n = events.len();
    let mut stored = Vec::with_capacity(n);
    let start = Instant::now();
    let (tx_batches, mut rx_batches) = tokio::sync::mpsc::channel::<Vec<PreparedEvent>>(2);
    let producer = tokio::task::spawn_blocking(move || -> Result<()> {
        let mut events = events.into_iter().peekable();
        while events.peek().is_some() {
            let chunk = events
                .by_ref()
                .take(BATCH)
                .map(prepare)
                .collect::<std::result::Result<Vec<_>, _>>()?;
            if tx_batches.blocking_send(chunk).is_err() {
                break;
            }
        }
        Ok(())
    });
    while let Some(chunk) = rx_batches.recv().await {
        let mut tx = store.begin_write().await?;
        stored.extend(tx.append_prepared(chunk).await?);
        tx.commit().await?;
    }
    producer.await??;
    let rate = n as f64 / start.elapsed().as_secs_f64();
    store.close().await;
    Ok((stored, rate))
}

/// `INSERT INTO events (…) VALUES (…), (…) …` for `rows` rows, with `?` or `$n` placeholders.
fn multi_row_insert(rows: usize, postgres: bool) -> String {
    let mut sql = String::from(
        "INSERT INTO events (position, event_id, stream_id, stream_version, event_type, \
         schema_version, recorded_at, command_id, actor, role, canonical, leaf_hash) VALUES ",
    );
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ",(" });
        for c in 0..12 {
            if c > 0 {
                sql.push(',');
            }
            match postgres {
                true => sql.push_str(&format!("${}", r * 12 + c + 1)),
                false => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

/// Insert `$rows` by one multi-row statement per batch of [`BATCH`] rows (prepared once per
/// statement text by the connection's statement cache), one transaction (begun by `$begin`)
/// per batch.
macro_rules! insert_rows {
    ($pool:expr, $begin:expr, $postgres:expr, $rows:expr) => {{
        let full = multi_row_insert(BATCH, $postgres);
        for chunk in $rows.chunks(BATCH) {
            let sql = match chunk.len() {
                BATCH => full.clone(),
                n => multi_row_insert(n, $postgres),
            };
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for ev in chunk {
                query = query
                    .bind(ev.position)
                    .bind(ev.event_id.to_string())
                    .bind(ev.stream_id.as_str())
                    .bind(ev.stream_version)
                    .bind(ev.event_type.as_str())
                    .bind(ev.schema_version)
                    .bind(ev.recorded_at.as_str())
                    .bind(ev.command_id.map(|c| c.to_string()))
                    .bind(ev.actor.as_str())
                    .bind(ev.role.as_str())
                    .bind(ev.canonical.as_str())
                    .bind(ev.leaf_hash.as_str());
            }
            let mut tx = $begin.await?;
            query.execute(&mut *tx).await?;
            tx.commit().await?;
        }
        $pool.close().await;
    }};
}

/// The baseline: the best plain insert of the same rows — prepared multi-row `INSERT … VALUES
/// (…), (…)` statements of [`BATCH`] rows, one transaction per batch — in the store's
/// durability (SQLite WAL with `synchronous=FULL`; PostgreSQL's default
/// `synchronous_commit = on`), into the store's own schema (its indexes and triggers).
pub async fn plain_insert(url: &str, rows: &[StoredEvent]) -> Result<f64> {
    // Create the schema through the store, then insert by hand.
    let store = EventStore::connect(url).await?;
    store.close().await;
    let start;
    if url.starts_with("sqlite:") {
        let opts: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
        // The store's writer PRAGMAs.
        let opts = opts
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
            .foreign_keys(true)
            .pragma("cache_size", "-65536");
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await?;
        start = Instant::now();
        insert_rows!(pool, pool.begin_with("BEGIN IMMEDIATE"), false, rows);
    } else {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await?;
        start = Instant::now();
        insert_rows!(pool, pool.begin(), true, rows);
    }
    Ok(rows.len() as f64 / start.elapsed().as_secs_f64())
}

/// Run the workload with `n` events on fresh databases of `target`.
pub async fn run(target: &super::Target, n: usize) -> Result<Figure> {
    let events = sample_events(n);
    let store_url = target.database("append").await?;
    let (rows, rate) = through_store(&store_url, events).await?;
    let plain_url = target.database("append-plain").await?;
    let plain = plain_insert(&plain_url, &rows).await?;
    Ok(Figure {
        name: "append_bulk",
        value: round1(rate),
        unit: "events/s",
        baseline: Some(Baseline {
            value: round1(plain),
            what: "best plain insert of the same rows: prepared multi-row INSERT of 1,000 rows, one transaction each, same PRAGMAs and durability",
        }),
        p99_ms: None,
        also: Vec::new(),
        goal: ">= 100000 events/s and >= 50% of the baseline",
    })
}
