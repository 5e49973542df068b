//! Excel in and out (DESIGN.md §5): the exports of the registry, a year's applications and
//! the statistics (xlsx, and CSV for the registry), the pilot-list template and its
//! all-or-nothing import. Served over HTTP ([`http`]), by the console (`crate::console`)
//! and by the command line (`liangye report`, `template`, `import-pilots`) through the same
//! functions; nothing here decides: rows become the `listPilot` mutation's own input and
//! go through the engine.

pub mod applications;
pub mod http;
pub mod import;
pub mod labels;
pub mod naming;
pub mod registry;
pub mod sheet;
pub mod statistics;
pub mod template;

use liangye_services::live::{AsOf, AsOfError, Live, LiveError, Moment};

/// An export's moment: the log position it is read at and that event's `recordedAt`
/// (position 0 and no time for an empty log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportMoment {
    pub position: i64,
    pub recorded_at: Option<String>,
    /// Whether the caller asked for this moment (`asOf`) rather than the registry as it
    /// stands.
    pub asked: bool,
}

impl ExportMoment {
    /// The position to read the registry at: pinned, so that every page of a long export
    /// comes from the same moment however the registry grows meanwhile.
    pub fn at(&self) -> Option<i64> {
        (self.position > 0).then_some(self.position)
    }
}

/// Why an export's parameters are refused: the caller's mistake (HTTP 400, `VALIDATION_FAILED`),
/// said in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{zh} ({en})")]
pub struct ParamError {
    pub zh: String,
    pub en: String,
}

/// Why an export failed (not the caller's doing, except [`ExportError::Param`]).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Param(#[from] ParamError),
    #[error("the live registry cannot answer: {0}")]
    Live(LiveError),
    #[error("the workbook cannot be written: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("the CSV cannot be written: {0}")]
    Csv(#[from] csv::Error),
    #[error("the export cannot be written: {0}")]
    Io(#[from] std::io::Error),
}

/// Reads an `asOf` parameter: a log position or an RFC 3339 time.
pub fn parse_as_of(text: &str) -> Result<AsOf, ParamError> {
    AsOf::parse(text).map_err(|e| as_of_error(&e))
}

/// An as-of moment the log does not have, in Chinese and English.
pub fn as_of_error(e: &AsOfError) -> ParamError {
    let zh = match e {
        AsOfError::Both | AsOfError::Neither => "asOf 参数应为日志位置或时间之一",
        AsOfError::Unreadable(_) => {
            "asOf 参数无效：应为日志位置（整数）或 RFC 3339 时间（如 2025-06-30T16:00:00+08:00）"
        }
        AsOfError::BelowOne(_) => "asOf 参数无效：日志位置从 1 开始",
        AsOfError::BeyondHead { .. } => "asOf 参数无效：日志中还没有这个位置",
        AsOfError::BeforeFirstEvent { .. } => "asOf 参数无效：该时间早于日志中的第一条记录",
        AsOfError::InTheFuture { .. } => "asOf 参数无效：该时间在未来",
        AsOfError::EmptyLog => "日志为空，没有可供截至的时点",
    };
    ParamError {
        zh: zh.to_owned(),
        en: e.to_string(),
    }
}

/// Reads a `year` parameter (a year the registry holds: 2020–2100).
pub fn parse_year(text: Option<&str>) -> Result<liangye_events::catalogue::Year, ParamError> {
    use liangye_events::catalogue::Year;
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Err(ParamError {
            zh: "缺少 year 参数：请给出申报年度，如 year=2025".to_owned(),
            en: "year is required, e.g. year=2025".to_owned(),
        });
    };
    let (min, max) = (Year::MIN.get(), Year::MAX.get());
    let refused = |en: String| ParamError {
        zh: format!("year 参数无效：应为 {min} 至 {max} 之间的年份，而不是“{text}”"),
        en,
    };
    let number: i64 = text.parse().map_err(|_| {
        refused(format!(
            "year must be a whole number from {min} to {max}; got {text:?}"
        ))
    })?;
    Year::new(number).map_err(|e| refused(e.to_string()))
}

/// Resolves the moment of an export: `as_of` as given (waiting until the live registry has
/// folded it), or the registry as it stands.
pub async fn moment(live: &Live, as_of: Option<AsOf>) -> Result<ExportMoment, ExportError> {
    let asked = as_of.is_some();
    let as_of = match as_of {
        Some(as_of) => as_of,
        None => {
            let position = live.position();
            if position == 0 {
                return Ok(ExportMoment {
                    position: 0,
                    recorded_at: None,
                    asked,
                });
            }
            AsOf::Position(position)
        }
    };
    match live.resolve(as_of).await {
        Ok(Moment {
            position,
            recorded_at,
        }) => Ok(ExportMoment {
            position,
            recorded_at: Some(recorded_at),
            asked,
        }),
        Err(LiveError::AsOf(e)) => Err(as_of_error(&e).into()),
        Err(e) => Err(ExportError::Live(e)),
    }
}
