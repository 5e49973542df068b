//! Importing a pilot list (`POST /imports/pilots`, the console's 导入 page, `liangye
//! import-pilots`): every row of the template's sheet becomes the `listPilot` mutation's own
//! input object and is converted exactly as the mutation converts it
//! (`Command::try_from(ListPilotInput)`: the same field parsers); the rows are then decided
//! by the engine as one all-or-nothing batch ([`Engine::submit_all`]), so each is judged by
//! `decide` against the registry and against the rows before it. A row that names the same
//! unit as an earlier row is refused here (the file's own duplicates) and not submitted.
//!
//! One bad row records nothing; every bad row is reported with its sheet row number (the
//! header is row 1), its column and the reason in Chinese. A good file is listed in one
//! write transaction, one `PilotListed` per row at consecutive positions; a dry run checks
//! everything the same way and records nothing.

use std::collections::HashMap;
use std::io::{Cursor, Read, Seek};

use calamine::{DataRef, Reader, Xlsx};
use chrono::NaiveDate;
use liangye_events::catalogue::UnitKind;
use liangye_projections::decision_state::zone_name_key;
use liangye_projections::policy::{self, Action};
use liangye_services::decide::{Coded, Command, DomainError, ErrorCode, ListPilot, Principal, fields};
use liangye_services::engine::{BatchOutcome, Engine, EngineError, Submission};
use uuid::Uuid;

use super::labels;
use super::template::{self, HEADERS};
use crate::graphql::inputs::ListPilotInput;
use crate::graphql::scalars::Date;

/// The largest file accepted.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// The most units one file may list.
pub const MAX_ROWS: usize = 2000;
/// The most the file's parts may hold once decompressed, as its zip directory declares.
const MAX_UNCOMPRESSED_BYTES: u64 = 64 * 1024 * 1024;

/// What applies to every row: the decision's batch, date and document.
#[derive(Debug, Clone)]
pub struct ImportForm {
    pub batch: i64,
    pub decided_on: NaiveDate,
    pub document_ref: Option<String>,
    pub dry_run: bool,
}

/// One problem with one row (or, with no row, with the form's own fields).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    /// The sheet's own row number (the header is row 1); `None` for the batch, date or
    /// document number, which apply to every row.
    pub row: Option<u32>,
    /// The column's header (名称, 统一社会信用代码 …) or the form field (批次, 决定日期, 文号).
    pub column: &'static str,
    /// The error code the mutation would answer with (`VALIDATION_FAILED`, `DUPLICATE` …).
    pub code: &'static str,
    /// Why, in Chinese (with the registry's own detail where it has one).
    pub reason: String,
}

/// A unit the import listed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedUnit {
    pub row: u32,
    pub designation_id: Uuid,
    pub name: String,
    pub position: i64,
}

/// How an import went.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub dry_run: bool,
    /// The data rows read (blank rows and the untouched example row aside).
    pub rows: usize,
    /// Whether the template's example row was found untouched and ignored.
    pub example_ignored: bool,
    /// Every problem found; empty when the file is good.
    pub errors: Vec<RowError>,
    /// Whether the units were recorded (never on a dry run or with any error).
    pub recorded: bool,
    /// The units listed, in row order (empty unless recorded).
    pub listed: Vec<ListedUnit>,
}

impl ImportReport {
    /// The file is good (checked, or recorded).
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The positions of the first and last event recorded.
    pub fn positions(&self) -> Option<(i64, i64)> {
        Some((self.listed.first()?.position, self.listed.last()?.position))
    }
}

/// Why a file was not checked row by row: it cannot be read as a pilot list at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("只有省发展改革委可以导入试点名单 (only PROVINCIAL may import pilot lists)")]
    Forbidden,
    #[error(
        "文件过大：{bytes} 字节，上限为 {max} 字节 (the file is {bytes} bytes; at most {max} are accepted)",
        max = MAX_FILE_BYTES
    )]
    TooLarge { bytes: usize },
    #[error("文件不是有效的 Excel 工作簿（.xlsx）：{zh} (the file is not an xlsx workbook: {en})")]
    NotXlsx { zh: &'static str, en: String },
    #[error("文件中没有数据行：请在表头下逐行填写单位 (the file holds no data rows below the header)")]
    Empty,
    #[error("表头与模板不符：{zh} (the header row is not the template's: {en})")]
    WrongHeader { zh: String, en: String },
    #[error(
        "行数过多：{rows} 行，一个文件至多 {max} 行 (the file has {rows} data rows; at most {max} are accepted)",
        max = MAX_ROWS
    )]
    TooManyRows { rows: usize },
    #[error("{zh} ({en})")]
    Form {
        field: &'static str,
        zh: String,
        en: String,
    },
    /// The engine or the store failed: not the caller's doing.
    #[error("the import could not be decided: {0}")]
    Engine(EngineError),
    /// Something else failed that is not the caller's doing.
    #[error("the import failed: {0}")]
    Internal(String),
}

impl ImportError {
    /// The code a client is answered with.
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::Forbidden => ErrorCode::Forbidden,
            ImportError::TooLarge { .. } | ImportError::TooManyRows { .. } => ErrorCode::QueryTooComplex,
            ImportError::Engine(e) => e.code(),
            ImportError::Internal(_) => ErrorCode::Internal,
            _ => ErrorCode::ValidationFailed,
        }
    }
}

/// A form field's text, trimmed; `None` when absent or blank.
fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// The form's batch and date, read from text (HTTP fields, the command line).
pub fn read_form(
    batch: Option<&str>,
    decided_on: Option<&str>,
    document_ref: Option<&str>,
    dry_run: bool,
) -> Result<ImportForm, ImportError> {
    let batch = given(batch).ok_or_else(|| ImportError::Form {
        field: "批次",
        zh: "缺少批次：请填写试点批次（1 至 999）".to_owned(),
        en: "batch is required (1 to 999)".to_owned(),
    })?;
    let batch_number: i64 = batch.parse().map_err(|_| ImportError::Form {
        field: "批次",
        zh: format!("批次“{batch}”不是整数：请填写 1 至 999"),
        en: format!("batch must be a whole number from 1 to 999; got {batch:?}"),
    })?;
    // The mutation's own parser, once for the whole file.
    fields::batch("batch", batch_number).map_err(|e| ImportError::Form {
        field: "批次",
        zh: format!("批次 {batch_number} 超出范围：应为 1 至 999"),
        en: e.to_string(),
    })?;
    let date = given(decided_on).ok_or_else(|| ImportError::Form {
        field: "决定日期",
        zh: "缺少决定日期：请填写决定文件的日期（如 2025-03-01）".to_owned(),
        en: "decidedOn is required (YYYY-MM-DD)".to_owned(),
    })?;
    let decided_on = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| ImportError::Form {
        field: "决定日期",
        zh: format!("决定日期“{date}”无效：应为 YYYY-MM-DD，如 2025-03-01"),
        en: format!("decidedOn must be a date as YYYY-MM-DD; got {date:?}"),
    })?;
    Ok(ImportForm {
        batch: batch_number,
        decided_on,
        document_ref: given(document_ref).map(str::to_owned),
        dry_run,
    })
}

/// One data row as read: its sheet row number and its cells' text, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PilotRow {
    pub number: u32,
    pub cells: [String; 9],
}

/// Checks the file's rows and, unless it is a dry run or any row is bad, lists them all in
/// one write transaction.
pub async fn import_pilots(
    engine: &Engine,
    principal: &Principal,
    file: Vec<u8>,
    form: &ImportForm,
) -> Result<ImportReport, ImportError> {
    if !policy::allows(principal.role, Action::ListPilot) {
        return Err(ImportError::Forbidden);
    }
    if file.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { bytes: file.len() });
    }
    let read = tokio::task::spawn_blocking(move || read_rows(&file))
        .await
        .map_err(|e| ImportError::Internal(format!("reading the file failed: {e}")))?;
    let (rows, example_ignored) = read?;
    check_rows(engine, principal, rows, example_ignored, form).await
}

/// Decides the rows read from a file (see [`import_pilots`]).
async fn check_rows(
    engine: &Engine,
    principal: &Principal,
    rows: Vec<PilotRow>,
    example_ignored: bool,
    form: &ImportForm,
) -> Result<ImportReport, ImportError> {
    let mut errors: Vec<RowError> = Vec::new();
    // The rows that became commands, with their row numbers, in order.
    let mut commands: Vec<(u32, ListPilot)> = Vec::new();
    // Identifiers seen so far in the file, with the row that holds them.
    let mut seen: HashMap<(&'static str, String), u32> = HashMap::new();
    for row in &rows {
        let command = match command(row, form) {
            Ok(command) => command,
            Err(row_errors) => {
                errors.extend(row_errors);
                continue;
            }
        };
        let mut duplicate = None;
        for (column, key) in identity(&command) {
            if let Some(first) = seen.get(&(column, key.clone())) {
                duplicate.get_or_insert((column, *first, key));
            }
        }
        if let Some((column, first, key)) = duplicate {
            errors.push(RowError {
                row: Some(row.number),
                column,
                code: ErrorCode::Duplicate.as_str(),
                reason: format!(
                    "与第 {first} 行重复：{column}“{}”在文件中出现了两次，同一单位只能列入一次",
                    display_key(&key)
                ),
            });
            continue;
        }
        for (column, key) in identity(&command) {
            seen.insert((column, key), row.number);
        }
        commands.push((row.number, command));
    }

    let dry_run = form.dry_run || !errors.is_empty();
    let submissions: Vec<Submission> = commands
        .iter()
        .map(|(_, c)| Submission::new(Command::ListPilot(c.clone()), principal.clone()))
        .collect();
    let outcome = engine
        .submit_all(submissions, dry_run)
        .await
        .map_err(ImportError::Engine)?;
    let mut listed = Vec::new();
    match outcome {
        BatchOutcome::Recorded(decided) => {
            for ((row, command), decided) in commands.iter().zip(decided) {
                listed.push(ListedUnit {
                    row: *row,
                    designation_id: command.unit_id,
                    name: command.name.trim().to_owned(),
                    position: decided.position,
                });
            }
        }
        BatchOutcome::Checked => {}
        BatchOutcome::Refused(refused) => {
            for (index, error) in refused {
                let Some((row, command)) = commands.get(index) else {
                    continue;
                };
                match error {
                    EngineError::Rejected(e) => errors.push(refusal(*row, command, &e)),
                    other => return Err(ImportError::Engine(other)),
                }
            }
        }
    }
    errors.sort_by_key(|e| e.row);
    Ok(ImportReport {
        dry_run: form.dry_run,
        rows: rows.len(),
        example_ignored,
        recorded: !listed.is_empty(),
        errors: form_errors_once(errors),
        listed,
    })
}

/// The batch, date and document number apply to every row: a problem with one of them is
/// said once, without a row.
fn form_errors_once(errors: Vec<RowError>) -> Vec<RowError> {
    let mut out: Vec<RowError> = Vec::with_capacity(errors.len());
    for mut error in errors {
        if FORM_COLUMNS.contains(&error.column) {
            error.row = None;
            if out.iter().any(|e| e.row.is_none() && e.column == error.column) {
                continue;
            }
        }
        out.push(error);
    }
    out.sort_by_key(|e| e.row);
    out
}

const FORM_COLUMNS: [&str; 4] = ["批次", "决定日期", "文号", "备注"];

/// A row as the mutation's input object, converted as the mutation converts it; cells that
/// name a kind, city or sector by an unknown label are refused here first.
fn command(row: &PilotRow, form: &ImportForm) -> Result<ListPilot, Vec<RowError>> {
    let cells = &row.cells;
    let mut errors = Vec::new();
    let mut refuse = |column: usize, reason: String| {
        errors.push(RowError {
            row: Some(row.number),
            column: HEADERS[column],
            code: ErrorCode::ValidationFailed.as_str(),
            reason,
        });
    };
    let kind = if cells[1].is_empty() {
        refuse(1, "必填：请选择单位类型".to_owned());
        None
    } else {
        labels::kind(&cells[1]).map_err(|e| refuse(1, e)).ok()
    };
    let city = if cells[2].is_empty() {
        refuse(2, "必填：请选择设区市".to_owned());
        None
    } else {
        labels::city(&cells[2]).map_err(|e| refuse(2, e)).ok()
    };
    let sectors = labels::sectors(&cells[7]).map_err(|e| refuse(7, e)).ok();
    let (Some(kind), Some(city), Some(sectors)) = (kind, city, sectors) else {
        return Err(errors);
    };
    let optional = |i: usize| (!cells[i].is_empty()).then(|| cells[i].clone());
    let input = ListPilotInput {
        name: cells[0].clone(),
        kind: kind.into(),
        city_code: city.code().to_owned(),
        division_code: optional(5),
        credit_code: optional(4),
        accept_invalid_credit_code: false,
        zone_code: optional(6),
        industries: labels::items(&cells[8]),
        sectors: (!sectors.is_empty()).then(|| sectors.into_iter().map(Into::into).collect()),
        county_code: optional(3),
        batch: form.batch,
        decided_on: Date(form.decided_on),
        document_ref: form.document_ref.clone(),
        note: None,
        command_id: None,
        expected_version: None,
    };
    match Command::try_from(input) {
        Ok(Command::ListPilot(command)) => Ok(command),
        Ok(_) => unreachable!("a ListPilotInput converts into a ListPilot"),
        Err(e) => Err(vec![refusal_of(row.number, kind, None, &e)]),
    }
}

/// What makes a unit the same unit (the registry's identifiers: DESIGN.md §1), as
/// (column, value) pairs.
fn identity(command: &ListPilot) -> Vec<(&'static str, String)> {
    let mut keys = Vec::new();
    if let Some(code) = &command.credit_code {
        keys.push(("统一社会信用代码", code.to_string()));
    }
    if command.kind == UnitKind::County
        && let Some(code) = &command.division_code
    {
        keys.push(("行政区划代码", code.to_string()));
    }
    if command.kind.is_zone() {
        keys.push((
            "名称",
            format!(
                "{}\u{0}{}",
                command.city_code.code(),
                zone_name_key(&command.name)
            ),
        ));
    }
    if let Some(code) = &command.zone_code {
        keys.push(("开发区代码", code.to_string()));
    }
    keys
}

/// An identity key as shown (a zone's key is its city and name).
fn display_key(key: &str) -> String {
    match key.split_once('\u{0}') {
        Some((_, name)) => name.to_owned(),
        None => key.to_owned(),
    }
}

/// The column a refused row is about, and why in Chinese.
fn refusal(row: u32, command: &ListPilot, error: &DomainError) -> RowError {
    refusal_of(row, command.kind, Some(command), error)
}

fn refusal_of(row: u32, kind: UnitKind, command: Option<&ListPilot>, error: &DomainError) -> RowError {
    let (column, reason) = match error {
        DomainError::Validation { field, message } => {
            let column = column_of(field);
            (column, validation_zh(field, column, message, kind, command))
        }
        DomainError::Duplicate(message) => {
            let column = match kind {
                UnitKind::Enterprise => "统一社会信用代码",
                UnitKind::County => "行政区划代码",
                UnitKind::DevelopmentZone if message.starts_with("zone code") => "开发区代码",
                _ => "名称",
            };
            (column, format!("该单位已在名录中，不能重复列入（{message}）"))
        }
        other => (
            "名称",
            format!("{}（{other}）", crate::console::code_title(other.code())),
        ),
    };
    RowError {
        row: Some(row),
        column,
        code: error.code().as_str(),
        reason,
    }
}

/// The template column (or form field) of a `listPilot` input field.
fn column_of(field: &str) -> &'static str {
    match field {
        "name" => "名称",
        "kind" => "类型",
        "cityCode" => "设区市",
        "countyCode" => "县(市、区)代码",
        "creditCode" | "acceptInvalidCreditCode" => "统一社会信用代码",
        "divisionCode" => "行政区划代码",
        "zoneCode" => "开发区代码",
        "sectors" => "行业领域",
        "industries" => "行业描述",
        "batch" => "批次",
        "decidedOn" => "决定日期",
        "documentRef" => "文号",
        _ => "备注",
    }
}

/// A validation refusal in Chinese: what is wrong with the column, then the registry's own
/// detail.
fn validation_zh(
    field: &str,
    column: &'static str,
    message: &str,
    kind: UnitKind,
    command: Option<&ListPilot>,
) -> String {
    if message.starts_with("is required") {
        let what = match field {
            "creditCode" => "企业须填写 18 位统一社会信用代码".to_owned(),
            "divisionCode" if kind == UnitKind::County => "县(市、区)须填写本级 6 位行政区划代码".to_owned(),
            "divisionCode" => "工业集中区须填写所在县(市、区)的 6 位行政区划代码".to_owned(),
            "name" => "名称必填".to_owned(),
            _ => format!("{column}必填"),
        };
        return format!("{what}（{message}）");
    }
    if message.starts_with("does not apply") {
        return format!("{}不填{column}：请清空该单元格（{message}）", kind.label_zh());
    }
    if field == "creditCode"
        && let Some(code) = command.and_then(|c| c.credit_code)
        && !code.has_valid_check()
    {
        return format!(
            "统一社会信用代码 {code} 校验位不符：按前 17 位计算末位应为 {}，请核对营业执照（{message}）",
            code.expected_check()
        );
    }
    let headline = match field {
        "name" => "名称不符合要求",
        "creditCode" => "统一社会信用代码有误",
        "divisionCode" => "行政区划代码有误",
        "countyCode" => "县(市、区)代码有误",
        "zoneCode" => "开发区代码有误",
        "sectors" => "行业领域有误",
        "industries" => "行业描述有误",
        "batch" => "批次有误",
        "decidedOn" => "决定日期有误",
        "documentRef" => "文号有误",
        _ => "填写有误",
    };
    format!("{headline}（{message}）")
}

/// Reads the data rows of a pilot list: the template's sheet (or the first), its header row
/// checked against the template's, blank rows skipped, and the template's example row
/// ignored when left untouched. Returns the rows and whether the example was found.
pub fn read_rows(bytes: &[u8]) -> Result<(Vec<PilotRow>, bool), ImportError> {
    check_container(bytes)?;
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e: calamine::XlsxError| {
            ImportError::NotXlsx {
                zh: "无法读取工作簿，请用 Excel 另存为 .xlsx 后重试",
                en: e.to_string(),
            }
        })?;
    let names = workbook.sheet_names();
    let sheet = names
        .iter()
        .find(|n| n.as_str() == template::SHEET)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| ImportError::NotXlsx {
            zh: "工作簿中没有工作表",
            en: "the workbook has no sheet".to_owned(),
        })?;
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| ImportError::NotXlsx {
            zh: "无法读取工作表",
            en: e.to_string(),
        })?;
    let mut header: Vec<String> = Vec::new();
    let mut rows: Vec<PilotRow> = Vec::new();
    loop {
        let cell = cells.next_cell().map_err(|e| ImportError::NotXlsx {
            zh: "工作表内容无法读取",
            en: e.to_string(),
        })?;
        let Some(cell) = cell else { break };
        let (row, col) = cell.get_position();
        let text = cell_text(cell.get_value());
        if row == 0 {
            let col = col as usize;
            if header.len() <= col {
                header.resize(col + 1, String::new());
            }
            header[col] = text;
            continue;
        }
        if text.is_empty() {
            continue;
        }
        let col = col as usize;
        if col >= HEADERS.len() {
            // Beyond the template's columns (a note of the sender's): not read.
            continue;
        }
        let number = row + 1;
        if rows.last().is_none_or(|r| r.number != number) {
            if rows.len() == MAX_ROWS + 1 {
                // Already one too many: count no further, say how many at least.
                return Err(ImportError::TooManyRows { rows: rows.len() });
            }
            rows.push(PilotRow {
                number,
                cells: Default::default(),
            });
        }
        if let Some(last) = rows.last_mut() {
            last.cells[col] = text;
        }
    }
    check_header(&header)?;
    if rows.len() > MAX_ROWS {
        return Err(ImportError::TooManyRows { rows: rows.len() });
    }
    let example = template::example();
    let before = rows.len();
    rows.retain(|r| r.cells != example);
    let example_ignored = rows.len() < before;
    if rows.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok((rows, example_ignored))
}

/// An xlsx file is a zip archive holding a workbook part; its parts may not declare more
/// than [`MAX_UNCOMPRESSED_BYTES`] in all (a small file that unpacks into gigabytes is
/// refused before it is unpacked).
fn check_container(bytes: &[u8]) -> Result<(), ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    let not_xlsx = |en: String| ImportError::NotXlsx {
        zh: "请上传 Excel 2007 及以上版本的 .xlsx 文件（旧版 .xls、CSV 或其他格式请先用 Excel 另存为 .xlsx）",
        en,
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| not_xlsx(format!("not a zip container: {e}")))?;
    let mut total: u64 = 0;
    let mut has_workbook = false;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| not_xlsx(format!("unreadable zip entry: {e}")))?;
        total = total.saturating_add(entry.size());
        has_workbook |= entry.name().is_ok_and(|n| n == "xl/workbook.xml");
    }
    if !has_workbook {
        return Err(not_xlsx("the zip container holds no xl/workbook.xml".to_owned()));
    }
    if total > MAX_UNCOMPRESSED_BYTES {
        return Err(ImportError::TooLarge {
            bytes: usize::try_from(total).unwrap_or(usize::MAX),
        });
    }
    Ok(())
}

fn check_header(header: &[String]) -> Result<(), ImportError> {
    if header.iter().all(String::is_empty) {
        return Err(ImportError::WrongHeader {
            zh: format!(
                "第 1 行应为表头（{}）；请使用模板 /templates/pilots.xlsx",
                HEADERS.join("、")
            ),
            en: "row 1 must be the template's header row".to_owned(),
        });
    }
    for (i, expected) in HEADERS.iter().enumerate() {
        let found = header.get(i).map_or("", String::as_str);
        if found != *expected {
            return Err(ImportError::WrongHeader {
                zh: format!(
                    "第 {} 列（{}1 单元格）应为“{}”，实为“{found}”；请使用模板 /templates/pilots.xlsx，不要改动表头",
                    i + 1,
                    column_letter(i),
                    expected
                ),
                en: format!("column {} must be {expected:?}, not {found:?}", i + 1),
            });
        }
    }
    if let Some((i, extra)) = header
        .iter()
        .enumerate()
        .skip(HEADERS.len())
        .find(|(_, h)| !h.is_empty())
    {
        return Err(ImportError::WrongHeader {
            zh: format!(
                "第 {} 列（{}1 单元格）“{extra}”不是模板的列；模板只有 {} 列",
                i + 1,
                column_letter(i),
                HEADERS.len()
            ),
            en: format!("column {} ({extra:?}) is not a column of the template", i + 1),
        });
    }
    Ok(())
}

/// `A` for 0, `B` for 1 … `AA` for 26.
fn column_letter(mut i: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push((b'A' + (i % 26) as u8) as char);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// A cell's text: strings trimmed, whole numbers without a decimal point (a code typed as
/// a number), other values as they print.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::String(s) => s.trim().to_owned(),
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(d) => d.as_f64().to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.trim().to_owned(),
        DataRef::Error(e) => format!("#{e:?}"),
        DataRef::Empty => String::new(),
    }
}

/// Reads a whole file into memory, at most [`MAX_FILE_BYTES`] (the command line's input).
pub fn read_file_limited(mut reader: impl Read + Seek) -> Result<Vec<u8>, ImportError> {
    let mut bytes = Vec::new();
    reader
        .by_ref()
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::NotXlsx {
            zh: "无法读取文件",
            en: e.to_string(),
        })?;
    if bytes.len() > MAX_FILE_BYTES {
        let total = reader
            .seek(std::io::SeekFrom::End(0))
            .unwrap_or(bytes.len() as u64);
        return Err(ImportError::TooLarge {
            bytes: usize::try_from(total).unwrap_or(usize::MAX),
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(8), "I");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }

    #[test]
    fn the_template_reads_as_its_example_only() {
        let bytes = template::workbook().unwrap();
        assert!(matches!(read_rows(&bytes), Err(ImportError::Empty)));
    }

    #[test]
    fn form_errors_are_said_once() {
        let error = |row, column| RowError {
            row: Some(row),
            column,
            code: "VALIDATION_FAILED",
            reason: "x".into(),
        };
        let errors = form_errors_once(vec![error(2, "决定日期"), error(3, "名称"), error(3, "决定日期")]);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].row, None);
        assert_eq!(errors[1].row, Some(3));
    }
}
