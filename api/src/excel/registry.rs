//! The registry export (`/exports/registry.xlsx`, `/exports/registry.csv`, `liangye report
//! registry`): one row per unit as the registry shows it at the export's moment, in id
//! (listing) order, read a page at a time from the live registry and written as it is read.

use std::io::Write;

use liangye_projections::registry::{Designation, DesignationFilter, PageRequest};
use liangye_services::live::Live;
use rust_xlsxwriter::{DocProperties, Workbook};

use super::sheet::{Cell, Column, CsvTable, Formats, TableWriter, column, streamed_sheet, write_pairs};
use super::{ExportError, ExportMoment};

/// Units read from the live registry per hold of its read lock.
const PAGE: usize = 500;

/// The sheet's name.
pub const SHEET: &str = "名录";

/// The columns, in order (the CSV has the same).
pub const COLUMNS: &[Column] = &[
    column("名称", 36.0),
    column("类型", 12.0),
    column("设区市", 8.0),
    column("县(市、区)代码", 14.0),
    column("统一社会信用代码", 22.0),
    column("行政区划代码", 13.0),
    column("开发区代码", 12.0),
    column("行业领域", 30.0),
    column("行业描述", 24.0),
    column("试点批次", 9.0),
    column("状态", 11.0),
    column("参评年度", 9.0),
    column("授牌年度", 9.0),
    column("证书编号", 15.0),
    column("授牌日期", 12.0),
    column("最近评价年度", 12.0),
    column("最近评价等级", 12.0),
    column("奖励补助合计（元）", 18.0),
    column("摘牌日期", 12.0),
    column("摘牌原因", 28.0),
    column("单位编号", 38.0),
];

/// One unit's row.
pub fn row(d: &Designation) -> Vec<Cell> {
    let latest = d.evaluations.iter().max_by_key(|e| e.year);
    let subsidies: i64 = d.subsidies.iter().map(|s| s.amount_yuan.get()).sum();
    vec![
        Cell::text(&d.name),
        Cell::text(d.kind.label_zh()),
        Cell::text(d.city.name()),
        Cell::opt_text(d.county_code),
        Cell::opt_text(d.credit_code),
        Cell::opt_text(d.division_code),
        Cell::opt_text(d.zone_code),
        Cell::text(
            d.sectors
                .iter()
                .map(|s| s.label_zh())
                .collect::<Vec<_>>()
                .join("、"),
        ),
        Cell::text(d.industries.join("、")),
        Cell::Int(i64::from(d.pilot_batch.get())),
        Cell::text(d.status.label_zh()),
        Cell::opt_int(d.recommended_year.map(|y| y.get())),
        Cell::opt_int(d.award_year().map(|y| y.get())),
        Cell::opt_text(d.certificate_no()),
        Cell::opt_date(d.award.map(|a| a.decided_on)),
        Cell::opt_int(latest.map(|e| e.year.get())),
        Cell::opt_text(latest.map(|e| e.grade.label_zh())),
        Cell::opt_yuan((!d.subsidies.is_empty()).then_some(subsidies)),
        Cell::opt_date(d.delisting.as_ref().map(|x| x.decided_on)),
        Cell::opt_text(d.delisting.as_ref().map(|x| x.reason.clone())),
        Cell::text(d.id.to_string()),
    ]
}

/// Calls `each` with every unit as of `moment`, in id order, a page at a time (the live
/// registry's read lock is held for one page only). Returns how many there were.
pub fn for_each(
    live: &Live,
    moment: &ExportMoment,
    mut each: impl FnMut(&Designation) -> Result<(), ExportError>,
) -> Result<u64, ExportError> {
    if moment.position == 0 {
        return Ok(0);
    }
    let filter = DesignationFilter::default();
    let mut after = None;
    let mut count = 0;
    loop {
        let page = live.designations(&filter, PageRequest { first: PAGE, after }, moment.at());
        for designation in &page.page.items {
            each(designation)?;
            count += 1;
        }
        match page.page.items.last() {
            Some(last) if page.page.has_next_page => after = Some(last.id),
            _ => return Ok(count),
        }
    }
}

/// What an export's 说明 sheet says besides its moment.
#[derive(Debug, Clone, Default)]
pub struct About {
    /// Who asked for it (the token's name), if known.
    pub exported_by: Option<String>,
}

/// The 说明 sheet: what the workbook holds and as of when.
fn about_sheet(
    workbook: &mut Workbook,
    formats: &Formats,
    title: &str,
    moment: &ExportMoment,
    about: &About,
    extra: &[(&str, Cell)],
) -> Result<(), ExportError> {
    let sheet = workbook.add_worksheet();
    sheet.set_name("说明")?;
    let as_of = match (&moment.recorded_at, moment.position) {
        (Some(at), position) => {
            let local = super::naming::beijing_time(at)
                .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default();
            format!("日志位置 {position}（记录于 {at}，北京时间 {local}）")
        }
        (None, _) => "日志为空".to_owned(),
    };
    let now = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"));
    let mut pairs: Vec<(&str, Cell)> = vec![
        ("内容", Cell::text(title)),
        ("数据截至", Cell::text(as_of)),
        (
            "截至方式",
            Cell::text(if moment.asked {
                "按请求的时点（asOf）"
            } else {
                "导出时的最新数据"
            }),
        ),
        (
            "导出时间（北京时间）",
            Cell::text(now.format("%Y-%m-%d %H:%M:%S").to_string()),
        ),
        ("导出人", Cell::opt_text(about.exported_by.clone())),
    ];
    pairs.extend(extra.iter().cloned());
    pairs.push((
        "来源",
        Cell::text("江苏省两业融合发展标杆引领典型情况信息库（事件日志，可用 liangye verify 核验）"),
    ));
    write_pairs(sheet, formats, &pairs)?;
    Ok(())
}

/// Document properties every export carries.
pub fn properties(title: &str) -> DocProperties {
    DocProperties::new()
        .set_title(title)
        .set_company("江苏省发展和改革委员会")
        .set_comment("两业融合发展标杆引领典型情况信息库")
}

/// A workbook being exported: its document properties set and its formats made. Its
/// sheets are added in order; [`Export::finish`] adds the 说明 sheet and writes it out.
pub struct Export {
    pub workbook: Workbook,
    pub formats: Formats,
    title: String,
}

impl Export {
    pub fn new(title: impl Into<String>) -> Self {
        let title = title.into();
        let mut workbook = Workbook::new();
        workbook.set_properties(&properties(&title));
        Self {
            workbook,
            formats: Formats::new(),
            title,
        }
    }

    /// A sheet of `columns` whose rows `write` adds as it reads them: they go to a
    /// temporary file, never into memory all at once. Answers what `write` does.
    pub fn streamed<T>(
        &mut self,
        name: &str,
        columns: &[Column],
        write: impl FnOnce(&mut TableWriter<'_>) -> Result<T, ExportError>,
    ) -> Result<T, ExportError> {
        let mut sheet = streamed_sheet(&mut self.workbook, name)?;
        let mut table = TableWriter::new(&mut sheet, &self.formats, columns)?;
        let written = write(&mut table)?;
        table.finish()?;
        self.workbook.push_worksheet(sheet);
        Ok(written)
    }

    /// A sheet of `columns` and `rows`.
    pub fn table(
        &mut self,
        name: &str,
        columns: &[Column],
        rows: impl IntoIterator<Item = Vec<Cell>>,
    ) -> Result<(), ExportError> {
        let sheet = self.workbook.add_worksheet();
        sheet.set_name(name)?;
        let mut table = TableWriter::new(sheet, &self.formats, columns)?;
        for row in rows {
            table.row(&row)?;
        }
        table.finish()?;
        Ok(())
    }

    /// Adds the 说明 sheet (its moment, `about`, then `extra`) and writes the workbook to
    /// `out`.
    pub fn finish(
        mut self,
        moment: &ExportMoment,
        about: &About,
        extra: &[(&str, Cell)],
        out: impl Write + Send,
    ) -> Result<(), ExportError> {
        about_sheet(
            &mut self.workbook,
            &self.formats,
            &self.title,
            moment,
            about,
            extra,
        )?;
        self.workbook.save_to_writer(out)?;
        Ok(())
    }
}

/// The registry as a workbook (sheets 名录 and 说明), streamed to `out` once built: the
/// rows go to a temporary file as they are read, never into memory all at once.
pub fn write_xlsx(
    live: &Live,
    moment: &ExportMoment,
    about: &About,
    out: impl Write + Send,
) -> Result<u64, ExportError> {
    let mut export = Export::new("两业融合发展标杆引领典型情况信息库 名录");
    let count = export.streamed(SHEET, COLUMNS, |table| {
        for_each(live, moment, |d| Ok(table.row(&row(d))?))
    })?;
    export.finish(moment, about, &[("单位数", Cell::Int(count as i64))], out)?;
    Ok(count)
}

/// The registry as CSV (UTF-8 with a BOM), written to `out` page by page.
pub fn write_csv(live: &Live, moment: &ExportMoment, out: impl Write) -> Result<u64, ExportError> {
    let mut table = CsvTable::new(out, COLUMNS)?;
    let count = for_each(live, moment, |d| Ok(table.row(&row(d))?))?;
    table.flush()?;
    Ok(count)
}
