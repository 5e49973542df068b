//! `liangye export`, `import` and `verify`: the log as a whole.

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use liangye_events::catalogue::RecordedEvent;
use liangye_events::integrity::{ContinuityCheck, IntegrityError, check_event, row_from_canonical};
use liangye_services::EventStore;
use liangye_services::verify::{VerifyOptions, verify_log};

use super::CliResult;

/// Events read or written per round trip.
const PAGE: i64 = 5000;

/// `export [--after N]`: NDJSON of canonical events, exactly the hashed bytes.
pub async fn export(store: &EventStore, after: i64) -> CliResult<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match write_log(store, after, &mut out).await {
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(ExitCode::SUCCESS)
        }
        other => other,
    }
}

async fn write_log(store: &EventStore, after: i64, out: &mut impl Write) -> CliResult<ExitCode> {
    let head = store.head().await?.position;
    let mut position = after.max(0);
    while position < head {
        let page = store.read_from(position, PAGE.min(head - position)).await?;
        let Some(last) = page.last() else { break };
        position = last.position;
        for ev in &page {
            out.write_all(ev.canonical.as_bytes())?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `import FILE`: every line checked (canonical form, hash, continuity, decodable) before
/// anything is committed; all or nothing, into an empty database only.
pub async fn import(store: &EventStore, file: &str) -> CliResult<ExitCode> {
    let reader: Box<dyn BufRead + Send> = if file == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(file).map_err(|e| format!("{file}: {e}"))?;
        Box::new(std::io::BufReader::new(f))
    };
    let mut tx = store.begin_write().await?;
    if tx.head().position != 0 {
        let head = tx.head().position;
        tx.rollback().await?;
        return Err(format!("import needs an empty database; this one holds {head} events").into());
    }
    let mut check = ContinuityCheck::new();
    let mut batch = Vec::with_capacity(PAGE as usize);
    for (n, line) in reader.lines().enumerate() {
        let line = line?;
        if line.is_empty() {
            continue;
        }
        let at_line = |e: IntegrityError| format!("line {}: {e}", n + 1);
        let row = row_from_canonical(&line).map_err(at_line)?;
        check_event(&row).map_err(at_line)?;
        check.next(&row).map_err(at_line)?;
        RecordedEvent::from_stored(&row).map_err(|e| format!("line {}: {e}", n + 1))?;
        batch.push(row);
        if batch.len() == PAGE as usize {
            tx.append_sealed(&batch).await?;
            batch.clear();
        }
    }
    tx.append_sealed(&batch).await?;
    let imported = check.position();
    tx.commit().await?;
    println!("imported {imported} events; head is now {imported}");
    Ok(ExitCode::SUCCESS)
}

/// `verify`: recompute every leaf hash and the tree, check canonical forms, columns,
/// continuity and decoding, compare the stored tree and checkpoints with the recomputed
/// ones, replay the projections and compare them with what snapshots give. Exit 0 when all
/// hold; else name the first bad position.
pub async fn verify(store: &EventStore, options: VerifyOptions) -> CliResult<ExitCode> {
    match verify_log(store, &options).await? {
        Ok(head) => {
            println!("ok: {head} events verified");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("FAILED at position {}: {}", e.position, e.problem);
            Ok(ExitCode::from(2))
        }
    }
}
