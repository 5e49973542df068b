//! `liangye export`, `import` and `verify`: the log as a whole.

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use liangye_events::catalogue::RecordedEvent;
use liangye_events::checkpoint::{VerifierKey, open_note};
use liangye_events::hash::parse_hex;
use liangye_events::integrity::{ContinuityCheck, IntegrityError, check_event, row_from_canonical};
use liangye_events::merkle::{MemoryTree, split_stored_hash_index};
use liangye_services::EventStore;

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

/// What `verify` checks besides the log itself.
#[derive(Debug, Default)]
pub struct VerifyOptions {
    /// A signed checkpoint the log must extend, and the key it must be signed with.
    pub checkpoint: Option<(String, VerifierKey)>,
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

fn finding(position: i64, problem: impl Into<String>) -> IntegrityError {
    IntegrityError {
        position,
        problem: problem.into(),
    }
}

/// The checks of `verify`; the outer error is a failure to read, the inner one a finding.
pub async fn verify_log(
    store: &EventStore,
    options: &VerifyOptions,
) -> CliResult<Result<i64, IntegrityError>> {
    // The log may grow while it is verified (a live server): read to its end, then look at
    // the head again, and go on until nothing new was committed meanwhile.
    let mut head = store.head().await?.position;
    let mut check = ContinuityCheck::new();
    let mut tree = MemoryTree::new();
    loop {
        loop {
            let page = store.read_from(check.position(), PAGE).await?;
            if page.is_empty() {
                break;
            }
            for ev in &page {
                if let Err(e) = check_event(ev).and_then(|()| check.next(ev)) {
                    return Ok(Err(e));
                }
                if let Err(e) = RecordedEvent::from_stored(ev) {
                    return Ok(Err(finding(ev.position, e.to_string())));
                }
                let leaf =
                    parse_hex(&ev.leaf_hash).ok_or_else(|| format!("position {}: leaf hash", ev.position))?;
                tree.push(leaf)?;
            }
        }
        if check.position() < head {
            return Ok(Err(finding(
                check.position() + 1,
                format!("missing: the head is at {head}"),
            )));
        }
        let now = store.head().await?.position;
        if now <= check.position() {
            break;
        }
        head = now;
    }
    let head = check.position();
    if let Err(e) = compare_tree(store, &tree).await? {
        return Ok(Err(e));
    }
    if let Err(e) = compare_checkpoints(store, &tree, options).await? {
        return Ok(Err(e));
    }
    if head > 0 {
        let mut replayed = liangye_projections::Registry::new();
        liangye_services::live::replay_range(store, 0, Some(head), |page| replayed.apply_all(page)).await?;
        let from_snapshots = liangye_services::live::registry_at(store, head).await?;
        if replayed != from_snapshots {
            return Ok(Err(finding(
                head,
                "the projections rebuilt from snapshots differ from a full replay of the log",
            )));
        }
    }
    Ok(Ok(check.position()))
}

/// Every stored tree hash equals the recomputed one, and there are no more of them.
async fn compare_tree(store: &EventStore, tree: &MemoryTree) -> CliResult<Result<(), IntegrityError>> {
    let expected = tree.stored_hashes();
    let mut idx = 0u64;
    loop {
        let rows = store.tree_hashes_from(idx, PAGE).await?;
        let Some(&(last, _)) = rows.last() else { break };
        for (i, hash) in rows {
            let position = |i: u64| {
                let (level, n) = split_stored_hash_index(i);
                (n << level) as i64 + 1
            };
            if i != idx {
                return Ok(Err(finding(
                    position(idx),
                    format!("stored tree hash {idx} is missing"),
                )));
            }
            match expected.get(i as usize) {
                Some(h) if *h == hash => {}
                Some(_) => {
                    return Ok(Err(finding(
                        position(i),
                        format!("stored tree hash {i} differs from the one recomputed from the events"),
                    )));
                }
                // Hashes of events committed after the log was read (a live server).
                None => return Ok(Ok(())),
            }
            idx += 1;
        }
        idx = last + 1;
    }
    if (idx as usize) < expected.len() {
        let (level, n) = split_stored_hash_index(idx);
        return Ok(Err(finding(
            (n << level) as i64 + 1,
            format!("stored tree hash {idx} is missing"),
        )));
    }
    Ok(Ok(()))
}

/// Stored checkpoints, and the pinned one if given, match the recomputed tree.
async fn compare_checkpoints(
    store: &EventStore,
    tree: &MemoryTree,
    options: &VerifyOptions,
) -> CliResult<Result<(), IntegrityError>> {
    let head = tree.size() as i64;
    if let Some((note, key)) = &options.checkpoint {
        let pinned = open_note(note, key).map_err(|e| format!("--checkpoint: {e}"))?;
        let size = pinned.size as i64;
        if size > head {
            return Ok(Err(finding(
                head + 1,
                format!(
                    "the log has {head} events but the pinned checkpoint covers {size}: it was truncated"
                ),
            )));
        }
        if tree.root_at(pinned.size)? != pinned.root {
            return Ok(Err(finding(
                size,
                format!("the log's first {size} events do not have the pinned checkpoint's root"),
            )));
        }
    }
    if let Some(latest) = store.latest_checkpoint().await? {
        if latest.size > head {
            // Signed after the log was read (a live server), or the log lost its tail.
            if store.read_from(latest.size - 1, 1).await?.is_empty() {
                return Ok(Err(finding(
                    head + 1,
                    format!("a checkpoint of size {} is beyond the log", latest.size),
                )));
            }
            return Ok(Ok(()));
        }
        if hex::encode(tree.root_at(latest.size as u64)?) != latest.root_hash {
            return Ok(Err(finding(
                latest.size,
                "the latest stored checkpoint's root differs from the log's",
            )));
        }
    }
    Ok(Ok(()))
}
