//! A year's applications (`/exports/applications.xlsx?year=Y`, `liangye report applications
//! --year Y`): one row per recommendation of the year as the `applications` projection holds
//! it at the export's moment (the same node GraphQL's `applications` answers with), with
//! the figures it was judged on, each of the four review stages and how it ended.

use std::io::Write;

use liangye_events::catalogue::{ReviewStage, Role, Year};
use liangye_projections::applications::{Application, ApplicationFilter, ReviewView};
use liangye_projections::registry::Designation;
use liangye_services::live::Live;

use super::registry::{About, Export};
use super::sheet::{Cell, Column, column};
use super::{ExportError, ExportMoment};

/// Applications read from the live registry per hold of its read lock.
const PAGE: usize = 500;

/// The sheet's name.
pub const SHEET: &str = "申报";

/// The columns, in order.
pub const COLUMNS: &[Column] = &[
    column("名称", 36.0),
    column("类型", 12.0),
    column("设区市", 8.0),
    column("统一社会信用代码", 22.0),
    column("行政区划代码", 13.0),
    column("开发区代码", 12.0),
    column("推荐单位", 16.0),
    column("推荐日期", 12.0),
    column("推荐文号", 24.0),
    column("年营业收入（元）", 18.0),
    column("地区生产总值（元）", 18.0),
    column("制造业增加值占比", 10.0),
    column("市场占有率排名", 9.0),
    column("材料审查", 10.0),
    column("材料审查日期", 12.0),
    column("专家评审", 10.0),
    column("专家评分", 9.0),
    column("专家评审日期", 12.0),
    column("现场察看", 10.0),
    column("现场察看日期", 12.0),
    column("社会公示", 10.0),
    column("公示开始", 12.0),
    column("公示结束", 12.0),
    column("公示异议", 20.0),
    column("社会公示日期", 12.0),
    column("结果", 11.0),
    column("结果日期", 12.0),
    column("结果说明", 28.0),
    column("证书编号", 15.0),
    column("单位编号", 38.0),
];

/// The latest review of `stage` that stands.
fn stage(application: &Application, stage: ReviewStage) -> Option<&ReviewView> {
    application.reviews.iter().rev().find(|r| r.stage == stage)
}

/// Who recommended: the city's 发展改革委 or the province's.
fn recommended_by(role: Option<Role>, unit: &Designation) -> Cell {
    match role {
        Some(Role::City) => Cell::text(format!("{}市发展改革委", unit.city.name())),
        Some(Role::Provincial) => Cell::text("省发展改革委"),
        Some(other) => Cell::text(other.label_zh()),
        None => Cell::Empty,
    }
}

/// One application's row.
pub fn row(application: &Application, unit: &Designation) -> Vec<Cell> {
    let figures = &application.figures;
    let material = stage(application, ReviewStage::Material);
    let expert = stage(application, ReviewStage::Expert);
    let site = stage(application, ReviewStage::SiteInspection);
    let notice = stage(application, ReviewStage::PublicNotice);
    let outcome = |r: Option<&ReviewView>| Cell::opt_text(r.map(|r| r.outcome.label_zh()));
    let on = |r: Option<&ReviewView>| Cell::opt_date(r.map(|r| r.decided_on));
    vec![
        Cell::text(&unit.name),
        Cell::text(unit.kind.label_zh()),
        Cell::text(unit.city.name()),
        Cell::opt_text(unit.credit_code),
        Cell::opt_text(unit.division_code),
        Cell::opt_text(unit.zone_code),
        recommended_by(application.recommended_by_role, unit),
        Cell::Date(application.recommended_on),
        Cell::opt_text(application.document_ref.clone()),
        Cell::opt_yuan(figures.revenue_yuan.map(|y| y.get())),
        Cell::opt_yuan(figures.gdp_yuan.map(|y| y.get())),
        figures
            .manufacturing_share_bp
            .map_or(Cell::Empty, |bp| Cell::Percent(i64::from(bp.get()))),
        Cell::opt_int(figures.market_share_rank.map(|r| r.get())),
        outcome(material),
        on(material),
        outcome(expert),
        Cell::opt_int(expert.and_then(|r| r.score).map(|s| s.get())),
        on(expert),
        outcome(site),
        on(site),
        outcome(notice),
        Cell::opt_date(notice.and_then(|r| r.notice_start)),
        Cell::opt_date(notice.and_then(|r| r.notice_end)),
        Cell::opt_text(notice.and_then(|r| r.objections.clone())),
        on(notice),
        Cell::text(application.result.label_zh()),
        Cell::opt_date(application.result_on),
        Cell::opt_text(application.result_reason.clone()),
        Cell::opt_text(application.certificate_no),
        Cell::text(unit.id.to_string()),
    ]
}

/// Calls `each` with every application of `year` as of `moment`, in unit-id order, a page
/// at a time. Returns how many there were.
pub fn for_each(
    live: &Live,
    year: Year,
    moment: &ExportMoment,
    mut each: impl FnMut(&Application, &Designation) -> Result<(), ExportError>,
) -> Result<u64, ExportError> {
    if moment.position == 0 {
        return Ok(0);
    }
    let filter = ApplicationFilter {
        year: Some(year),
        ..ApplicationFilter::default()
    };
    let mut after = None;
    let mut count = 0;
    loop {
        let page = live.applications(&filter, PAGE, after, moment.at());
        for (application, unit) in &page.items {
            each(application, unit)?;
            count += 1;
        }
        match page.items.last() {
            Some((last, _)) if page.has_next_page => after = Some((last.year, last.unit_id)),
            _ => return Ok(count),
        }
    }
}

/// The year's applications as a workbook (sheets 申报 and 说明), streamed to `out` once
/// built.
pub fn write_xlsx(
    live: &Live,
    year: Year,
    moment: &ExportMoment,
    about: &About,
    out: impl Write + Send,
) -> Result<u64, ExportError> {
    let mut export = Export::new(format!("两业融合发展标杆引领典型 {} 年度申报", year.get()));
    let count = export.streamed(SHEET, COLUMNS, |table| {
        for_each(live, year, moment, |a, d| Ok(table.row(&row(a, d))?))
    })?;
    let record = live.statistics(moment.at());
    let quota = record.quotas.iter().find(|q| q.year == year);
    export.finish(
        moment,
        about,
        &[
            ("申报年度", Cell::Int(i64::from(year.get()))),
            ("申报数", Cell::Int(count as i64)),
            (
                "年度指标",
                quota
                    .and_then(|q| q.quota)
                    .map_or_else(|| Cell::text("未制定"), |q| Cell::Int(i64::from(q))),
            ),
            ("已授牌", Cell::Int(quota.map_or(0, |q| q.used as i64))),
        ],
        out,
    )?;
    Ok(count)
}
