//! The statistics workbook (`/exports/statistics.xlsx`, `liangye report statistics`): the
//! registry's statistics at the export's moment (the same figures GraphQL's `statistics`
//! answers with), one sheet per view: 总表, 分市 (with awards per year), 分行业, 分年度 (awards
//! and quotas), 绩效评价, 奖励补助, then 分县(市、区), 统计监测 and 说明.

use std::collections::BTreeSet;
use std::io::Write;

use liangye_events::catalogue::{Grade, Status, UnitKind};
use liangye_projections::Statistics;
use liangye_services::live::Live;

use super::registry::{About, Export};
use super::sheet::{Cell, Column, column, column_owned};
use super::{ExportError, ExportMoment};

/// The sheets, in order (the six DESIGN.md names first).
pub const SHEETS: [&str; 9] = [
    "总表",
    "分市",
    "分行业",
    "分年度",
    "绩效评价",
    "奖励补助",
    "分县(市、区)",
    "统计监测",
    "说明",
];

const STATUS_COLUMNS: [Column; 5] = [
    column("试点", 8.0),
    column("已推荐", 8.0),
    column("已授牌", 8.0),
    column("已摘牌", 8.0),
    column("试点已撤销", 10.0),
];

fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

/// The rows of 总表: (指标, 数值).
pub fn summary(s: &Statistics) -> Vec<(String, Cell)> {
    let count = |n: u64| Cell::Int(n as i64);
    let mut rows = vec![("单位总数".to_owned(), count(s.units))];
    for status in Status::ALL {
        rows.push((
            format!("状态：{}", status.label_zh()),
            count(s.by_status.get(*status)),
        ));
    }
    for kind in UnitKind::ALL {
        let counts = s.by_kind.iter().find(|k| k.kind == *kind);
        rows.push((
            format!("类型：{}", kind.label_zh()),
            count(counts.map_or(0, |k| k.total)),
        ));
        rows.push((
            format!("类型：{}（已授牌）", kind.label_zh()),
            count(counts.map_or(0, |k| k.by_status.awarded)),
        ));
    }
    let t = &s.target;
    rows.extend([
        ("目标（家）".to_owned(), count(t.target)),
        ("目标年份".to_owned(), Cell::Int(t.target_year)),
        ("现有标杆（已授牌）".to_owned(), count(t.awarded)),
        ("其中期内授牌".to_owned(), count(t.awarded_in_period)),
        ("其中期后授牌".to_owned(), count(t.awarded_after_period)),
        ("累计授牌（含已摘牌）".to_owned(), count(t.awards_made)),
        ("期内累计授牌".to_owned(), count(t.awards_made_in_period)),
        ("距目标尚差".to_owned(), count(t.remaining)),
        ("是否达到目标".to_owned(), Cell::text(yes_no(t.reached))),
    ]);
    rows
}

/// The award years of 分市's per-year columns.
pub fn award_years(s: &Statistics) -> Vec<i32> {
    let years: BTreeSet<i32> = s.by_city_year.iter().map(|c| c.year.get()).collect();
    years.into_iter().collect()
}

fn status_cells(c: &liangye_projections::statistics::StatusCounts) -> Vec<Cell> {
    Status::ALL.iter().map(|s| Cell::Int(c.get(*s) as i64)).collect()
}

/// The statistics as a workbook, streamed to `out` once built.
pub fn write_xlsx(
    live: &Live,
    moment: &ExportMoment,
    about: &About,
    out: impl Write + Send,
) -> Result<(), ExportError> {
    let s = live.statistics(moment.at());
    let mut export = Export::new("两业融合发展标杆引领典型情况统计");

    export.table(
        SHEETS[0],
        &[column("指标", 26.0), column("数值", 12.0)],
        summary(&s).into_iter().map(|(k, v)| vec![Cell::Text(k), v]),
    )?;

    let years = award_years(&s);
    let mut columns = vec![
        column("设区市", 8.0),
        column("设区市代码", 11.0),
        column("单位总数", 9.0),
    ];
    columns.extend(STATUS_COLUMNS.iter().cloned());
    columns.extend(years.iter().map(|y| column_owned(format!("{y}年授牌"), 10.0)));
    export.table(
        SHEETS[1],
        &columns,
        s.by_city.iter().map(|c| {
            let mut row = vec![
                Cell::text(c.city_name),
                Cell::text(c.city.code()),
                Cell::Int(c.total as i64),
            ];
            row.extend(status_cells(&c.by_status));
            row.extend(years.iter().map(|y| {
                let n = s
                    .by_city_year
                    .iter()
                    .find(|cy| cy.city == c.city && cy.year.get() == *y)
                    .map_or(0, |cy| cy.counts.awarded);
                Cell::Int(n as i64)
            }));
            row
        }),
    )?;

    let mut columns = vec![column("行业领域", 40.0), column("单位数", 9.0)];
    columns.extend(STATUS_COLUMNS.iter().cloned());
    export.table(
        SHEETS[2],
        &columns,
        s.by_sector.iter().map(|c| {
            let mut row = vec![Cell::text(c.sector.label_zh()), Cell::Int(c.total as i64)];
            row.extend(status_cells(&c.by_status));
            row
        }),
    )?;

    let mut years: BTreeSet<i32> = s.by_award_year.iter().map(|y| y.year.get()).collect();
    years.extend(s.quotas.iter().map(|q| q.year.get()));
    export.table(
        SHEETS[3],
        &[
            column("年度", 8.0),
            column("授牌数", 9.0),
            column("现仍授牌", 9.0),
            column("已摘牌", 9.0),
            column("年度指标", 9.0),
            column("指标已用", 9.0),
            column("指标剩余", 9.0),
        ],
        years.iter().map(|y| {
            let awards = s.by_award_year.iter().find(|a| a.year.get() == *y);
            let quota = s.quotas.iter().find(|q| q.year.get() == *y);
            vec![
                Cell::Int(i64::from(*y)),
                Cell::Int(awards.map_or(0, |a| a.counts.awarded as i64)),
                Cell::Int(awards.map_or(0, |a| a.counts.still_awarded as i64)),
                Cell::Int(awards.map_or(0, |a| a.counts.delisted as i64)),
                Cell::opt_int(quota.and_then(|q| q.quota)),
                Cell::Int(quota.map_or(0, |q| q.used as i64)),
                Cell::opt_int(quota.and_then(|q| q.remaining).map(|r| r as i64)),
            ]
        }),
    )?;

    let years: BTreeSet<i32> = s.evaluations.iter().map(|e| e.year.get()).collect();
    let mut columns = vec![column("年度", 8.0)];
    columns.extend(Grade::ALL.iter().map(|g| column(g.label_zh(), 8.0)));
    columns.push(column("合计", 8.0));
    export.table(
        SHEETS[4],
        &columns,
        years.iter().map(|y| {
            let of = |g: Grade| {
                s.evaluations
                    .iter()
                    .find(|e| e.year.get() == *y && e.grade == g)
                    .map_or(0, |e| e.count)
            };
            let mut row = vec![Cell::Int(i64::from(*y))];
            row.extend(Grade::ALL.iter().map(|g| Cell::Int(of(*g) as i64)));
            row.push(Cell::Int(Grade::ALL.iter().map(|g| of(*g)).sum::<u64>() as i64));
            row
        }),
    )?;

    export.table(
        SHEETS[5],
        &[
            column("年度", 8.0),
            column("设区市", 8.0),
            column("补助金额（元）", 18.0),
            column("笔数", 8.0),
        ],
        s.subsidies.iter().map(|t| {
            vec![
                Cell::Int(i64::from(t.year.get())),
                Cell::text(t.city.name()),
                Cell::Yuan(i64::try_from(t.total_yuan).unwrap_or(i64::MAX)),
                Cell::Int(t.count as i64),
            ]
        }),
    )?;

    export.table(
        SHEETS[6],
        &[
            column("县(市、区)代码", 15.0),
            column("设区市", 8.0),
            column("单位数", 9.0),
            column("已授牌", 9.0),
        ],
        s.by_county.iter().map(|c| {
            vec![
                Cell::text(c.county.to_string()),
                Cell::text(c.county.city().name()),
                Cell::Int(c.total as i64),
                Cell::Int(c.by_status.awarded as i64),
            ]
        }),
    )?;

    export.table(
        SHEETS[7],
        &[
            column("年度", 8.0),
            column("报送单位数", 11.0),
            column("低于标准（预警）", 16.0),
        ],
        s.monitoring.iter().map(|m| {
            vec![
                Cell::Int(i64::from(m.year.get())),
                Cell::Int(m.reported as i64),
                Cell::Int(m.below_standard as i64),
            ]
        }),
    )?;

    export.finish(
        moment,
        about,
        &[(
            "口径",
            Cell::text(
                "单位按当前状态计数；一个单位可属多个行业领域，分行业合计可大于单位总数；\
                 授牌数含其后摘牌的单位；年度指标未制定时指标列为空。",
            ),
        )],
        out,
    )
}
