//! `liangye report`, `template` and `import-pilots`: the Excel exports, the pilot-list
//! template and its import from the command line, through the same functions as the HTTP
//! endpoints (`crate::excel`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use liangye_services::EventStore;
use liangye_services::engine::Engine;
use liangye_services::live::{Live, LiveConfig};

use super::CliResult;
use crate::excel::{self, ExportError, ExportMoment, import, registry};

/// What `report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Report {
    /// The registry: one row per unit.
    Registry,
    /// A year's applications (needs --year).
    Applications,
    /// The statistics workbook.
    Statistics,
}

/// The file format of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Xlsx,
    /// UTF-8 with a byte-order mark (the registry only).
    Csv,
}

/// What `template` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Template {
    /// The pilot-list template of `import-pilots` and `POST /imports/pilots`.
    Pilots,
}

/// The live registry of a command-line run: no snapshots saved (a report writes nothing
/// to the database).
async fn live(store: &EventStore) -> CliResult<Live> {
    let config = LiveConfig {
        snapshot_every: None,
        ..LiveConfig::default()
    };
    Ok(Live::start(store.clone(), config).await?)
}

/// Writes `out` through a temporary file beside it, renamed into place once whole: a failed
/// run leaves no half-written file.
fn write_atomically<T>(
    out: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<T, ExportError>,
) -> CliResult<T> {
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut builder = tempfile::Builder::new();
    // A report is an ordinary file (the temporary file's own mode is private).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut file = builder
        .tempfile_in(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = write(file.as_file_mut())?;
    file.as_file_mut().flush()?;
    file.persist(out).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(result)
}

fn describe(moment: &ExportMoment) -> String {
    match &moment.recorded_at {
        Some(at) => format!("as of position {} ({at})", moment.position),
        None => "of an empty log".to_owned(),
    }
}

/// `report registry|applications|statistics [--format xlsx|csv] [--year Y] [--as-of X] --out FILE`.
pub async fn report(
    store: &EventStore,
    what: Report,
    format: Format,
    year: Option<&str>,
    as_of: Option<&str>,
    out: &str,
) -> CliResult<ExitCode> {
    if format == Format::Csv && what != Report::Registry {
        return Err(
            "--format csv is available for the registry only; the applications and \
                    statistics reports are workbooks (--format xlsx)"
                .into(),
        );
    }
    let year = match what {
        Report::Applications => Some(excel::parse_year(year)?),
        _ if year.is_some() => return Err("--year applies to the applications report only".into()),
        _ => None,
    };
    let as_of = as_of.map(excel::parse_as_of).transpose()?;
    let live = live(store).await?;
    let moment = excel::moment(&live, as_of).await?;
    let about = registry::About {
        exported_by: Some(format!("命令行 {}", super::operator().name)),
    };
    let out = Path::new(out);
    let count = match (what, format, year) {
        (Report::Registry, Format::Xlsx, _) => {
            write_atomically(out, |f| registry::write_xlsx(&live, &moment, &about, f))?
        }
        (Report::Registry, Format::Csv, _) => {
            write_atomically(out, |f| registry::write_csv(&live, &moment, f))?
        }
        (Report::Applications, _, Some(year)) => write_atomically(out, |f| {
            excel::applications::write_xlsx(&live, year, &moment, &about, f)
        })?,
        (Report::Statistics, _, _) => {
            write_atomically(out, |f| excel::statistics::write_xlsx(&live, &moment, &about, f))?;
            0
        }
        (Report::Applications, _, None) => unreachable!("the year was required above"),
    };
    let rows = match what {
        Report::Statistics => String::new(),
        _ => format!("{count} rows, "),
    };
    println!("wrote {}: {rows}{}", out.display(), describe(&moment));
    Ok(ExitCode::SUCCESS)
}

/// `template pilots --out FILE`.
pub fn template(what: Template, out: &str) -> CliResult<ExitCode> {
    match what {
        Template::Pilots => {
            let bytes = excel::template::workbook()?;
            write_atomically(Path::new(out), |f| Ok(f.write_all(&bytes)?))?;
            println!("wrote {out}: the pilot-list template");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `import-pilots FILE --batch N --decided-on DATE [--document-ref REF] [--dry-run]`: exit 0
/// when the file is good (checked or recorded), 2 when rows are refused (each printed on
/// standard error as `第N行 列：原因`), 1 when the file cannot be read at all.
pub async fn import_pilots(
    store: &EventStore,
    file: &str,
    batch: &str,
    decided_on: &str,
    document_ref: Option<&str>,
    dry_run: bool,
) -> CliResult<ExitCode> {
    let form = import::read_form(Some(batch), Some(decided_on), document_ref, dry_run)?;
    let handle = std::fs::File::open(file).map_err(|e| format!("{file}: {e}"))?;
    let bytes = import::read_file_limited(handle)?;
    let (engine, writer) = Engine::start(store.clone());
    let report = import::import_pilots(&engine, &super::operator(), bytes, &form).await;
    drop(engine);
    let _ = writer.await;
    let report = report?;
    if !report.ok() {
        let mut err = std::io::stderr().lock();
        for e in &report.errors {
            match e.row {
                Some(row) => writeln!(err, "第{row}行 {}：{}", e.column, e.reason)?,
                None => writeln!(err, "{}：{}", e.column, e.reason)?,
            }
        }
        writeln!(
            err,
            "{file}: {} of {} rows refused; nothing was recorded",
            report.errors.iter().filter(|e| e.row.is_some()).count(),
            report.rows
        )?;
        return Ok(ExitCode::from(2));
    }
    let example = if report.example_ignored {
        " (the template's example row was ignored)"
    } else {
        ""
    };
    match report.positions() {
        Some((first, last)) => {
            for unit in &report.listed {
                println!(
                    "第{}行 {} {} position {}",
                    unit.row, unit.designation_id, unit.name, unit.position
                );
            }
            println!(
                "{file}: {} units listed at positions {first}–{last}{example}",
                report.listed.len()
            );
        }
        None => println!(
            "{file}: all {} rows pass; nothing recorded (--dry-run){example}",
            report.rows
        ),
    }
    Ok(ExitCode::SUCCESS)
}
