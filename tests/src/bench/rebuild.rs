//! `rebuild`: the full projection rebuild — every event of the log read, decoded and folded
//! into the registry — beside a plain scan of the `events` table (every column of every
//! row, one streaming query) in the same run.
//!
//! The log is realistic: units through their real lifecycles (listing, recommendation,
//! reviews — some failing —, award, evaluation, commendation, delisting, revocation),
//! decided by the real `decide` against the decision state and appended through the store
//! in big write transactions; [`ensure_log`] builds it once per size and the `as_of`
//! workload reuses it.

use std::time::Instant;

use futures::TryStreamExt;
use liangye_events::catalogue::{CityCode, Grade, RecordedEvent, ReviewOutcome, ReviewStage};
use liangye_events::{Metadata, NewEvent};
use liangye_projections::DecisionState;
use liangye_services::EventStore;
use liangye_services::decide::{Command, Principal, decide};
use liangye_services::scenario;
use liangye_services::store::{PreparedEvent, prepare};
use uuid::Uuid;

use super::{Baseline, Figure, Result, round1};

/// Events per write transaction while building the log.
const BUILD_BATCH: usize = 10_000;

/// The commands of unit number `i`'s life: 1 to 9 decisions, by pattern.
fn lifecycle(i: u64) -> Vec<Command> {
    let id = Uuid::now_v7();
    let city = CityCode::all()
        .nth((i % 13) as usize)
        .unwrap_or(CityCode::Nanjing);
    let year = 2021 + (i % 5) as i64;
    let name = format!("江苏两业融合企业{i}");
    let mut to_award = scenario::enterprise_to_award(id, &name, city, i, year);
    match i % 8 {
        0..=2 => {
            to_award.push(scenario::evaluate(id, year, Grade::Good, Some(88)));
            to_award
        }
        3 => vec![
            to_award.swap_remove(0),
            scenario::recommend(id, year, scenario::enterprise_figures(1_200_000_000)),
            scenario::review(id, year, ReviewStage::Material, ReviewOutcome::Failed),
        ],
        4 => vec![to_award.swap_remove(0)],
        5 => vec![
            to_award.swap_remove(0),
            scenario::revoke_pilot(id, scenario::day_in(year, 11, 1)),
        ],
        6 => {
            to_award.push(scenario::evaluate(id, year, Grade::Fail, Some(45)));
            to_award.push(scenario::delist(id, year, "绩效评价不合格"));
            to_award
        }
        _ => {
            // A commendation rests on that year's good evaluation.
            to_award.push(scenario::evaluate(id, year, Grade::Excellent, Some(95)));
            to_award.push(scenario::commend(id, year, "示范带动作用明显"));
            to_award
        }
    }
}

/// Decides units' lifecycles until `n` events are produced, and sends them in batches.
fn generate(n: usize, batches: tokio::sync::mpsc::Sender<Vec<PreparedEvent>>) -> Result<()> {
    let operator = Principal::operator("基准");
    let metadata = Metadata {
        actor: operator.name.clone(),
        role: "PROVINCIAL".into(),
        ..Metadata::default()
    };
    let mut state = DecisionState::new();
    let mut versions = std::collections::HashMap::<String, i64>::new();
    let mut batch = Vec::with_capacity(BUILD_BATCH);
    let mut produced = 0usize;
    let mut unit = 0u64;
    while produced < n {
        for command in lifecycle(unit) {
            if produced == n {
                break;
            }
            let events = decide(&state, &command, &operator).map_err(|e| format!("{command:?}: {e}"))?;
            for (stream_id, event) in events {
                produced += 1;
                let version = versions.entry(stream_id.clone()).or_default();
                *version += 1;
                state.apply(&RecordedEvent {
                    position: produced as i64,
                    stream_id: stream_id.clone(),
                    stream_version: *version,
                    recorded_at: String::new(),
                    metadata: metadata.clone(),
                    event: event.clone(),
                });
                batch.push(prepare(NewEvent {
                    event_id: Uuid::now_v7(),
                    stream_id,
                    event_type: event.event_type().to_owned(),
                    schema_version: event.schema_version(),
                    payload: event.to_payload(),
                    metadata: metadata.clone(),
                })?);
            }
            if batch.len() >= BUILD_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BUILD_BATCH));
                if batches.blocking_send(full).is_err() {
                    return Ok(());
                }
            }
        }
        unit += 1;
    }
    if !batch.is_empty() {
        let _ = batches.blocking_send(batch);
    }
    Ok(())
}

/// A log of `n` realistic events in `target` (built once per size, then reused).
pub async fn ensure_log(target: &super::Target, n: usize) -> Result<String> {
    let url = target.log_database(n).await?;
    let mut store = EventStore::connect(&url).await?;
    let mut head = store.head().await?.position;
    if head as usize == n {
        store.close().await;
        return Ok(url);
    }
    if head != 0 {
        let Some(file) = target.kept_log() else {
            return Err(format!("the log database holds {head} events, not {n}").into());
        };
        // A kept log of another size (or one append_tree added to) is made again.
        store.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let mut path = file.as_os_str().to_owned();
            path.push(suffix);
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        store = EventStore::connect(&url).await?;
        head = store.head().await?.position;
        if head != 0 {
            return Err(format!("{} still holds {head} events", file.display()).into());
        }
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<PreparedEvent>>(2);
    let producer = tokio::task::spawn_blocking(move || generate(n, tx));
    while let Some(batch) = rx.recv().await {
        let mut write = store.begin_write().await?;
        write.append_prepared(batch).await?;
        write.commit().await?;
    }
    producer.await??;
    store.close().await;
    Ok(url)
}

/// Every column of a row of `events`, as the row-by-row scan reads it.
type Row = (
    i64,
    String,
    String,
    i64,
    String,
    i32,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
);

/// Every column of `events`, in the store's order (a macro, so that [`SCAN`] is a constant).
macro_rules! all_columns {
    () => {
        "position, event_id, stream_id, stream_version, event_type, schema_version, \
         recorded_at, command_id, actor, role, canonical, leaf_hash"
    };
}
const ALL_COLUMNS: &str = all_columns!();

const SCAN: &str = concat!("SELECT ", all_columns!(), " FROM events ORDER BY position");

/// Rows per page of the paged scans (as the replay and `verify` read).
const SCAN_PAGE: i64 = 4096;

/// Every column of a page, as text (PostgreSQL streams rows cheaply: no paging by rows).
const PG_ROWS_PAGE: &str = "SELECT position::text, event_id, stream_id, stream_version::text, \
     event_type, schema_version::text, recorded_at, command_id, actor, role, canonical, leaf_hash \
     FROM events e WHERE e.position > $1 ORDER BY e.position LIMIT $2";

/// A scan's rows and rate.
pub struct Scan {
    pub rows: usize,
    pub rate: f64,
}

async fn sqlite_pool(url: &str) -> Result<sqlx::SqlitePool> {
    Ok(sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?)
}

async fn pg_pool(url: &str) -> Result<sqlx::PgPool> {
    Ok(sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?)
}

/// sqlx row by row: every column of every row, one streaming query, nothing decoded.
pub async fn scan_row_by_row(url: &str) -> Result<Scan> {
    macro_rules! scan {
        ($pool:expr) => {{
            let pool = $pool;
            let start = Instant::now();
            let mut rows = sqlx::query_as::<_, Row>(SCAN).fetch(&pool);
            let (mut count, mut bytes) = (0usize, 0usize);
            while let Some(row) = rows.try_next().await? {
                count += 1;
                bytes += row.10.len();
            }
            drop(rows);
            let rate = count as f64 / start.elapsed().as_secs_f64();
            pool.close().await;
            std::hint::black_box(bytes);
            Scan { rows: count, rate }
        }};
    }
    Ok(match url.starts_with("sqlite:") {
        true => scan!(sqlite_pool(url).await?),
        false => scan!(pg_pool(url).await?),
    })
}

/// SQLite's own limit for reading `columns` of every event in position order: one statement
/// stepped through SQLite's C API (`rusqlite`) on a blocking thread, each value looked at
/// where SQLite holds it (its length summed), nothing copied. Rows, bytes and seconds.
async fn sqlite_limit(url: &str, columns: &'static str) -> Result<(usize, usize, f64)> {
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
    let file = options.get_filename().to_path_buf();
    let scan = tokio::task::spawn_blocking(move || -> rusqlite::Result<(usize, usize, f64)> {
        let conn = rusqlite::Connection::open_with_flags(&file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let start = Instant::now();
        let mut statement = conn.prepare(&format!("SELECT {columns} FROM events ORDER BY position"))?;
        let width = statement.column_count();
        let mut rows = statement.query(())?;
        let (mut count, mut bytes) = (0usize, 0usize);
        while let Some(row) = rows.next()? {
            count += 1;
            for c in 0..width {
                bytes += match row.get_ref(c)? {
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => t.len(),
                    _ => 8,
                };
            }
        }
        Ok((count, bytes, start.elapsed().as_secs_f64()))
    });
    Ok(scan.await??)
}

/// The replay's read done plainly: the canonical texts of every event, nothing decoded —
/// SQLite's own limit ([`sqlite_limit`]), PostgreSQL the column streamed.
pub async fn scan_canonical(url: &str) -> Result<Scan> {
    if url.starts_with("sqlite:") {
        let (rows, bytes, seconds) = sqlite_limit(url, "canonical").await?;
        std::hint::black_box(bytes);
        return Ok(Scan {
            rows,
            rate: rows as f64 / seconds,
        });
    }
    let start;
    let mut count = 0usize;
    let mut bytes = 0usize;
    {
        let pool = pg_pool(url).await?;
        start = Instant::now();
        let mut rows =
            sqlx::query_scalar::<_, String>("SELECT canonical FROM events ORDER BY position").fetch(&pool);
        while let Some(text) = rows.try_next().await? {
            count += 1;
            bytes += text.len();
        }
        drop(rows);
        pool.close().await;
    }
    std::hint::black_box(bytes);
    Ok(Scan {
        rows: count,
        rate: count as f64 / start.elapsed().as_secs_f64(),
    })
}

/// `verify`'s read done plainly: every column of every event, nothing checked — SQLite's
/// own limit ([`sqlite_limit`]), PostgreSQL pages of rows streamed as text. With `keep`,
/// the canonical texts are returned too (for the hashing baseline; not timed).
pub async fn scan_all_columns(url: &str, keep: bool) -> Result<(Scan, Vec<String>)> {
    let kept = match keep {
        true => canonical_texts(url).await?,
        false => Vec::new(),
    };
    if url.starts_with("sqlite:") {
        let (rows, bytes, seconds) = sqlite_limit(url, ALL_COLUMNS).await?;
        std::hint::black_box(bytes);
        let rate = rows as f64 / seconds;
        return Ok((Scan { rows, rate }, kept));
    }
    let start;
    let mut count = 0usize;
    let mut bytes = 0usize;
    {
        use sqlx::Row as _;
        let pool = pg_pool(url).await?;
        start = Instant::now();
        loop {
            let mut rows = sqlx::query(PG_ROWS_PAGE)
                .bind(count as i64)
                .bind(SCAN_PAGE)
                .fetch(&pool);
            let mut n = 0;
            while let Some(row) = rows.try_next().await? {
                n += 1;
                for i in 0..12 {
                    bytes += row.try_get::<Option<&str>, _>(i)?.map_or(0, str::len);
                }
            }
            if n == 0 {
                break;
            }
            count += n;
        }
        pool.close().await;
    }
    let rate = count as f64 / start.elapsed().as_secs_f64();
    std::hint::black_box(bytes);
    Ok((Scan { rows: count, rate }, kept))
}

/// Every canonical text, in order (not timed).
async fn canonical_texts(url: &str) -> Result<Vec<String>> {
    let sql = "SELECT canonical FROM events ORDER BY position";
    Ok(match url.starts_with("sqlite:") {
        true => {
            let pool = sqlite_pool(url).await?;
            let texts = sqlx::query_scalar(sql).fetch_all(&pool).await?;
            pool.close().await;
            texts
        }
        false => {
            let pool = pg_pool(url).await?;
            let texts = sqlx::query_scalar(sql).fetch_all(&pool).await?;
            pool.close().await;
            texts
        }
    })
}

/// Run the workload on a log of `n` events in `target`.
pub async fn run(target: &super::Target, n: usize) -> Result<Figure> {
    let url = ensure_log(target, n).await?;
    // Once untimed, so that every measurement finds the file in the page cache.
    scan_canonical(&url).await?;
    let timed = super::timed_in_fresh_process("rebuild", &url).await?;
    let rate = timed.events as f64 / timed.seconds;
    let busy = timed.baselines("seconds the rebuild took (in a fresh process, as at start-up)");
    let scan = scan_canonical(&url).await?;
    let row_by_row = scan_row_by_row(&url).await?;
    if timed.events as usize != scan.rows {
        return Err(format!("rebuilt {} events of {}", timed.events, scan.rows).into());
    }
    Ok(Figure {
        name: "rebuild",
        value: round1(rate),
        unit: "events/s",
        baseline: Some(Baseline {
            value: round1(scan.rate),
            what: match url.starts_with("sqlite:") {
                true => {
                    "plain scan of what the rebuild reads: the canonical texts of every event, nothing decoded (SQLite: one statement stepped through the C API, nothing copied)"
                }
                false => {
                    "plain scan of what the rebuild reads: the canonical texts of every event, nothing decoded (PostgreSQL: the column streamed through sqlx, one statement, each text taken as a String)"
                }
            },
        }),
        p99_ms: None,
        also: [Baseline {
            value: round1(row_by_row.rate),
            what: "sqlx row-by-row scan of every column of every event",
        }]
        .into_iter()
        .chain(busy)
        .collect(),
        goal: ">= 1000000 events/s over 1000000 events",
    })
}
