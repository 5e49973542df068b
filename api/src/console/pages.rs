//! The console's read pages: 总览, 名录, a unit, 申报, 导入, 导出.

use std::collections::{BTreeSet, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use liangye_events::catalogue::{
    CityCode, DivisionCode, DomainEvent, ReviewOutcome, ReviewStage, Role, Sector, Status, UnitKind, Year,
};
use liangye_projections::applications::ApplicationFilter;
use liangye_projections::registry::{DesignationFilter, PageRequest};
use liangye_services::live::AsOf;
use uuid::Uuid;

use super::charts::{self, Bar};
use super::forms::{DECISIONS, DecisionForm, Scope, Values};
use super::views::{
    ApplicationRow, ApplicationsPage, Choice, ExportsPage, FormView, Hidden, HistoryView, Link, OverviewPage,
    QuotaRow, Refusal, Row, StageCell, UnitPage, UnitRow, UnitsPage, yuan_zh,
};
use super::{Console, Staff, html, message};

/// Today in China (UTC+8), for defaults shown in forms.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// `Some(value)` for a non-blank query parameter.
fn param<'a>(query: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// A flash message from the query string after a recorded decision.
fn flash(query: &HashMap<String, String>) -> Option<String> {
    let position = param(query, "recorded")?;
    Some(if param(query, "duplicate").is_some() {
        format!("该决定此前已记录（日志位置 {position}），重复提交未再次记录。")
    } else {
        format!("已记录，日志位置 {position}。")
    })
}

/// Resolve an `asOf` text (position or RFC 3339) to a position.
async fn resolve_as_of(console: &Console, text: Option<&str>) -> Result<Option<i64>, String> {
    let Some(text) = text else { return Ok(None) };
    let as_of = AsOf::parse(text).map_err(|e| format!("“截至”填写有误：{e}"))?;
    let moment = console
        .app
        .live
        .resolve(as_of)
        .await
        .map_err(|e| format!("无法回到该时点：{e}"))?;
    Ok(Some(moment.position))
}

// ---------------------------------------------------------------------------------------
// 总览

pub async fn overview(
    State(console): State<Console>,
    staff: Staff,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let stats = console.app.live.statistics(None);
    let this_year = today().year();
    let quota_use = stats
        .quotas
        .iter()
        .find(|q| i64::from(q.year.get()) == i64::from(this_year));
    let used = stats
        .by_award_year
        .iter()
        .find(|y| i64::from(y.year.get()) == i64::from(this_year))
        .map_or(0, |y| y.counts.awarded);
    let quota = quota_use.and_then(|q| q.quota);
    let s = &stats.by_status;
    let statuses = vec![
        Row {
            label: Status::Pilot.label_zh(),
            value: s.pilot.to_string(),
        },
        Row {
            label: Status::Recommended.label_zh(),
            value: s.recommended.to_string(),
        },
        Row {
            label: Status::Awarded.label_zh(),
            value: s.awarded.to_string(),
        },
        Row {
            label: Status::Delisted.label_zh(),
            value: s.delisted.to_string(),
        },
        Row {
            label: Status::PilotRevoked.label_zh(),
            value: s.pilot_revoked.to_string(),
        },
    ];
    let city_bars: Vec<Bar> = stats
        .by_city
        .iter()
        .map(|c| Bar {
            label: c.city_name.to_owned(),
            total: c.total,
            part: Some(c.by_status.awarded),
        })
        .collect();
    let sector_bars: Vec<Bar> = stats
        .by_sector
        .iter()
        .filter(|s| s.total > 0)
        .map(|s| Bar {
            label: short_sector(s.sector).to_owned(),
            total: s.total,
            part: Some(s.by_status.awarded),
        })
        .collect();
    let year_bars: Vec<Bar> = stats
        .by_award_year
        .iter()
        .map(|y| Bar {
            label: format!("{}年", y.year),
            total: y.counts.awarded,
            part: None,
        })
        .collect();
    let mut chrome = staff.chrome("overview");
    chrome.flash = flash(&query);
    let page = OverviewPage {
        chrome,
        position: stats.position,
        units: stats.units,
        awarded: stats.target.awarded_in_period,
        after_period: stats.target.awarded_after_period,
        target: stats.target.target,
        target_year: stats.target.target_year,
        remaining: stats.target.remaining,
        progress_svg: charts::progress(stats.target.awarded_in_period, stats.target.target),
        this_year,
        quota,
        used,
        quota_svg: quota.map_or_else(String::new, |q| charts::progress(used, u64::from(q))),
        statuses,
        city_svg: charts::bars(&city_bars, Some(("全部", "已授牌"))),
        sector_title: "各行业领域（全部 / 已授牌）",
        sector_svg: charts::bars(&sector_bars, Some(("全部", "已授牌"))),
        sector_note: "一个单位属于多个行业领域时，在每个领域各计一次。",
        year_svg: charts::bars(&year_bars, None),
        quotas: stats
            .quotas
            .iter()
            .map(|q| QuotaRow {
                year: q.year.to_string(),
                quota: q.quota.map_or_else(|| "未制定".to_owned(), |n| n.to_string()),
                used: q.used,
                remaining: q.remaining.map_or_else(|| "—".to_owned(), |n| n.to_string()),
            })
            .collect(),
    };
    html(StatusCode::OK, &page)
}

/// A sector's label short enough for a chart's axis (the part before any parenthesis or
/// "和": 海工装备, 生物医药, 汽车及零部件 …).
fn short_sector(sector: Sector) -> &'static str {
    let label = sector.label_zh();
    let label = label.split('(').next().unwrap_or(label);
    label.split('和').next().unwrap_or(label)
}

// ---------------------------------------------------------------------------------------
// 名录

fn cities(selected: &str) -> Vec<Choice> {
    Choice::list(CityCode::all().map(|c| (c.code(), c.name())), selected)
}

/// The hidden fields and defaults of a form, minted now: the `commandId` that makes a
/// double submit record once.
fn new_form(
    decision: &DecisionForm,
    staff: &Staff,
    unit: Option<(Uuid, i64)>,
    defaults: Vec<(&'static str, String)>,
) -> FormView {
    let mut hidden = vec![Hidden {
        name: "commandId",
        value: Uuid::now_v7().to_string(),
    }];
    if let Some((id, version)) = unit {
        hidden.push(Hidden {
            name: "designationId",
            value: id.to_string(),
        });
        hidden.push(Hidden {
            name: "expectedVersion",
            value: version.to_string(),
        });
    }
    let mut values: HashMap<String, String> = defaults.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    values
        .entry("decidedOn".to_owned())
        .or_insert_with(|| today().to_string());
    FormView::new(decision, &staff.session.csrf, hidden, &Values(values))
}

/// A form re-shown after a refusal: the values as sent, the same `commandId`.
pub fn refused_form(
    decision: &DecisionForm,
    staff: &Staff,
    values: &Values,
    mut refusal: Refusal,
) -> FormView {
    refusal.field = refusal.field_name.and_then(|name| {
        decision
            .fields
            .iter()
            .chain(super::forms::COMMON)
            .find(|f| f.name == name)
            .map(|f| f.label)
    });
    let hidden = ["commandId", "designationId", "expectedVersion"]
        .into_iter()
        .filter_map(|name| values.text(name).map(|value| Hidden { name, value }))
        .collect();
    let mut form = FormView::new(decision, &staff.session.csrf, hidden, values);
    form.error = Some(refusal);
    form
}

/// The 名录 page; `refused` re-shows the new-unit form with its refusal.
pub async fn units(
    State(console): State<Console>,
    staff: Staff,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    render_units(&console, &staff, &query, None).await
}

pub async fn render_units(
    console: &Console,
    staff: &Staff,
    query: &HashMap<String, String>,
    refused: Option<FormView>,
) -> Response {
    let live = &console.app.live;
    let q = param(query, "q").unwrap_or("").to_owned();
    let mut error = None;
    let mut filter = DesignationFilter::default();
    let city = param(query, "city").unwrap_or("");
    let kind = param(query, "kind").unwrap_or("");
    let status = param(query, "status").unwrap_or("");
    let sector = param(query, "sector").unwrap_or("");
    let county = param(query, "county").unwrap_or("");
    filter.city = CityCode::parse(city).ok();
    filter.kind = UnitKind::parse(kind).ok();
    filter.status = Status::parse(status).ok();
    filter.sector = Sector::parse(sector).ok();
    if !county.is_empty() {
        match DivisionCode::parse(county) {
            Ok(code) => filter.county = Some(code),
            Err(e) => error = Some(format!("县(市、区)代码有误：{e}")),
        }
    }
    let as_of_text = param(query, "asOf").unwrap_or("").to_owned();
    let at = match resolve_as_of(console, param(query, "asOf")).await {
        Ok(at) => at,
        Err(e) => {
            error = Some(e);
            None
        }
    };
    // A code finds its unit directly; anything else is part of a name.
    let by_code = (!q.is_empty())
        .then(|| live.designation_by_code(&q, at).ok())
        .flatten();
    let (items, total, next) = match by_code {
        Some(found) => {
            let items: Vec<_> = found.into_iter().filter(|d| filter.matches(d)).collect();
            let total = items.len();
            (items, total, None)
        }
        None => {
            filter.name_contains = (!q.is_empty()).then(|| q.clone());
            if let Err(e) = filter.check() {
                error = Some(format!("查询条件有误：{e}"));
                filter.name_contains = None;
            }
            let after = param(query, "after");
            let page = match PageRequest::new(Some(20), after) {
                Ok(page) => page,
                Err(e) => {
                    error = Some(format!("分页参数有误：{e}"));
                    PageRequest::default()
                }
            };
            let found = live.designations(&filter, page, at);
            let next = found
                .page
                .has_next_page
                .then(|| found.page.end_cursor())
                .flatten();
            (found.page.items, found.total, next)
        }
    };
    let link = |after: Option<&str>| {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("q", &q),
            ("city", city),
            ("kind", kind),
            ("status", status),
            ("sector", sector),
            ("county", county),
        ];
        pairs.push(("asOf", &as_of_text));
        if let Some(after) = after {
            pairs.push(("after", after));
        }
        let query: Vec<String> = pairs
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        format!("/console/units?{}", query.join("&"))
    };
    let rows = items
        .iter()
        .map(|d| UnitRow {
            href: match at {
                Some(at) => format!("/console/units/{}?asOf={at}", d.id),
                None => format!("/console/units/{}", d.id),
            },
            name: d.name.clone(),
            kind: d.kind.label_zh(),
            city: d.city_name(),
            status: d.status_label(),
            status_code: d.status.as_str(),
            batch: format!("第{}批", d.pilot_batch),
            award_year: d.award_year().map(|y| y.to_string()).unwrap_or_default(),
            certificate: d.certificate_no().map(|c| c.to_string()).unwrap_or_default(),
            code: unit_code(d),
        })
        .collect();
    let new_unit = refused.or_else(|| {
        DECISIONS
            .iter()
            .find(|d| d.scope == Scope::NewUnit && d.allows(staff.principal.role))
            .filter(|_| at.is_none())
            .map(|d| new_form(d, staff, None, vec![("batch", "1".to_owned())]))
    });
    let mut chrome = staff.chrome("units");
    chrome.flash = flash(query);
    chrome.alert_for(new_unit.iter());
    let status_code = if new_unit.as_ref().is_some_and(|f| f.error.is_some()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = UnitsPage {
        chrome,
        cities: cities(city),
        kinds: Choice::list(UnitKind::ALL.iter().map(|k| (k.as_str(), k.label_zh())), kind),
        statuses: Choice::list(Status::ALL.iter().map(|s| (s.as_str(), s.label_zh())), status),
        sectors: Choice::list(Sector::ALL.iter().map(|s| (s.as_str(), s.label_zh())), sector),
        county: county.to_owned(),
        q: q.clone(),
        as_of: as_of_text.clone(),
        error,
        total,
        at,
        rows,
        first_href: param(query, "after").map(|_| link(None)),
        next_href: next.as_deref().map(|n| link(Some(n))),
        new_unit,
    };
    html(status_code, &page)
}

fn unit_code(d: &liangye_projections::registry::Designation) -> String {
    if let Some(code) = &d.credit_code {
        return code.as_str().to_owned();
    }
    if let Some(code) = &d.division_code {
        return code.to_string();
    }
    d.zone_code.as_ref().map(|z| z.to_string()).unwrap_or_default()
}

/// Percent-encode a query value.
pub fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// A unit

pub async fn unit(
    State(console): State<Console>,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Ok(id) = Uuid::try_parse(&id) else {
        return message(
            StatusCode::NOT_FOUND,
            staff.chrome("units"),
            "未找到",
            "没有这个单位。",
        );
    };
    render_unit(&console, &staff, id, &query, None).await
}

/// The page of unit `id`; `refused` replaces that form with its refused version.
pub async fn render_unit(
    console: &Console,
    staff: &Staff,
    id: Uuid,
    query: &HashMap<String, String>,
    refused: Option<(&'static str, FormView)>,
) -> Response {
    let live = &console.app.live;
    let at = match resolve_as_of(console, param(query, "asOf")).await {
        Ok(at) => at,
        Err(e) => return message(StatusCode::BAD_REQUEST, staff.chrome("units"), "查询条件有误", &e),
    };
    let Some(d) = live.designation(id, at) else {
        return message(
            StatusCode::NOT_FOUND,
            staff.chrome("units"),
            "未找到",
            "没有这个单位（或该时点尚未列入）。",
        );
    };
    let history = match live.history(id, at).await {
        Ok(history) => history,
        Err(e) => {
            let error = crate::graphql::error::ApiError::internal(e);
            return message(
                StatusCode::INTERNAL_SERVER_ERROR,
                staff.chrome("units"),
                "系统错误",
                &error.message,
            );
        }
    };
    // The review stages passed, by year, from the unit's own history (for form defaults).
    let passed_stages: Vec<(i64, ReviewStage)> = history
        .as_ref()
        .map(|h| {
            h.entries()
                .iter()
                .filter_map(|e| match &e.event {
                    DomainEvent::ReviewRecorded(r) if r.outcome == ReviewOutcome::Passed => {
                        Some((i64::from(r.year.get()), r.stage))
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let with_actor = super::views::may_audit(staff.principal.role);
    let history: Vec<HistoryView> = history
        .map(|h| {
            h.entries()
                .iter()
                .rev()
                .map(|e| HistoryView {
                    position: e.position,
                    decided_on: e.decided_on.map(|d| d.to_string()).unwrap_or_default(),
                    label: e.label_zh(),
                    summary: e.summary_zh(),
                    document_ref: e.document_ref.clone().unwrap_or_default(),
                    note: e.note.clone().unwrap_or_default(),
                    recorded_at: super::views::beijing(&e.recorded_at),
                    actor: if with_actor {
                        e.actor.clone()
                    } else {
                        String::new()
                    },
                    retracted: e.retracted_by.is_some(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut details = vec![
        row("类型", d.kind.label_zh().to_owned()),
        row("设区市", format!("{}（{}）", d.city_name(), d.city.code())),
        row("状态", d.status_label().to_owned()),
        row("试点批次", format!("第{}批", d.pilot_batch)),
    ];
    if let Some(code) = &d.credit_code {
        let mut text = code.as_str().to_owned();
        if d.credit_code_check_overridden {
            text.push_str("（校验位未通过，经核实登记）");
        }
        details.push(row("统一社会信用代码", text));
    }
    if let Some(code) = &d.division_code {
        details.push(row("行政区划代码", code.to_string()));
    }
    if let Some(code) = &d.zone_code {
        details.push(row("开发区代码", code.to_string()));
    }
    let sectors: Vec<&str> = d.sectors.iter().map(|s| s.label_zh()).collect();
    details.push(row("行业领域", sectors.join("、")));
    if let Some(county) = &d.county_code {
        details.push(row("所在县(市、区)代码", county.to_string()));
    }
    if !d.industries.is_empty() {
        details.push(row("行业描述", d.industries.join("、")));
    }
    if let Some(year) = d.recommended_year {
        details.push(row("参评年度", year.to_string()));
    }
    if let Some(award) = &d.award {
        details.push(row(
            "授牌",
            format!("{} 年度，证书编号 {}", award.year, award.certificate_no),
        ));
    }
    for e in &d.evaluations {
        details.push(row(
            "绩效评价",
            format!("{} 年度：{}", e.year, e.grade.label_zh()),
        ));
    }
    for c in &d.commendations {
        details.push(row("表彰", format!("{} 年度：{}", c.year, c.citation)));
    }
    if let Some(delisting) = &d.delisting {
        details.push(row("摘牌", delisting.reason.clone()));
    }
    details.push(row("版本", d.version.to_string()));
    details.push(row("单位 ID", d.id.to_string()));

    // The forms this role may submit for this unit now (never for a past moment). A CITY
    // user sees forms only for units of its own city.
    let role = staff.principal.role;
    let own_city = role != Role::City || staff.principal.city == Some(d.city);
    let this_year = i64::from(today().year());
    let mut refused = refused;
    let mut forms: Vec<FormView> = if at.is_some() || !own_city {
        Vec::new()
    } else {
        DECISIONS
            .iter()
            .filter(|f| {
                f.allows(role) && matches!(f.scope, Scope::Unit(statuses) if statuses.contains(&d.status))
            })
            .map(|f| {
                if let Some((name, _)) = &refused
                    && *name == f.name
                    && let Some((_, form)) = refused.take()
                {
                    return form;
                }
                let year = d.recommended_year.map_or(this_year, |y| i64::from(y.get()));
                let mut defaults = vec![("year", year.to_string())];
                if f.name == "recordReview" {
                    // A default only: the stage after the last one passed this year.
                    let passed = passed_stages.iter().filter(|(y, _)| *y == year).count();
                    if let Some(stage) = ReviewStage::ALL.get(passed) {
                        defaults.push(("stage", stage.as_str().to_owned()));
                    }
                    defaults.push(("outcome", "PASSED".to_owned()));
                }
                new_form(f, staff, Some((d.id, d.version)), defaults)
            })
            .collect()
    };
    // A refused form the unit's status no longer offers is still shown, with its refusal.
    if let Some((_, form)) = refused {
        forms.insert(0, form);
    }
    let no_forms = match role {
        Role::Auditor | Role::Reader => "您的角色只能查阅，不能记录决定。",
        Role::City if !own_city => "该单位不属于本市，本市发展改革委只能推荐本市单位。",
        _ if at.is_some() => "查看历史时点时不能记录决定。",
        _ => "该单位当前状态下没有您可以记录的决定。",
    };
    let mut chrome = staff.chrome("units");
    chrome.flash = flash(query);
    chrome.alert_for(forms.iter());
    let status = if forms.iter().any(|f| f.error.is_some()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = UnitPage {
        chrome,
        href: format!("/console/units/{}", d.id),
        name: d.name.clone(),
        status: d.status_label(),
        status_code: d.status.as_str(),
        at,
        details,
        history,
        forms,
        no_forms,
        next_step: super::views::next_step(d.status, staff.principal.role),
    };
    html(status, &page)
}

fn row(label: &'static str, value: String) -> Row {
    Row { label, value }
}

// ---------------------------------------------------------------------------------------
// 申报

pub async fn applications(
    State(console): State<Console>,
    staff: Staff,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    render_applications(&console, &staff, &query, None).await
}

pub async fn render_applications(
    console: &Console,
    staff: &Staff,
    query: &HashMap<String, String>,
    refused: Option<FormView>,
) -> Response {
    let this_year = i64::from(today().year());
    let city = param(query, "city").unwrap_or("");
    let city_filter = CityCode::parse(city).ok();
    let year = param(query, "year").and_then(|y| y.parse::<i64>().ok());
    let wanted = year.unwrap_or(this_year);
    let Ok(y) = Year::new(wanted) else {
        return message(
            StatusCode::BAD_REQUEST,
            staff.chrome("applications"),
            "查询条件有误",
            &format!("{wanted} 不是有效年度"),
        );
    };
    // Without a year asked for: the latest year up to this one that has applications.
    let mut years: BTreeSet<i64> = console
        .app
        .live
        .application_years(None)
        .iter()
        .map(|y| i64::from(y.get()))
        .collect();
    years.insert(this_year);
    let year = year.unwrap_or_else(|| {
        years
            .iter()
            .copied()
            .filter(|y| *y <= this_year)
            .max()
            .unwrap_or(this_year)
    });
    let y = Year::new(year).unwrap_or(y);
    years.insert(year);
    let record = console.app.live.year_record(y);
    let filter = ApplicationFilter {
        year: Some(y),
        city: city_filter,
        ..ApplicationFilter::default()
    };
    let found = console.app.live.applications(&filter, usize::MAX, None, None);
    let rows: Vec<ApplicationRow> = found
        .items
        .iter()
        .map(|(application, unit)| {
            let stages = ReviewStage::ALL
                .iter()
                .map(
                    |stage| match application.reviews.iter().rev().find(|r| r.stage == *stage) {
                        Some(review) if review.outcome == ReviewOutcome::Passed => StageCell {
                            label: match review.score {
                                Some(score) => format!("通过（{score}分）"),
                                None => "通过".to_owned(),
                            },
                            class: "passed",
                        },
                        Some(_) => StageCell {
                            label: "未通过".to_owned(),
                            class: "failed",
                        },
                        None => StageCell {
                            label: "—".to_owned(),
                            class: "pending",
                        },
                    },
                )
                .collect();
            let f = &application.figures;
            let mut figures = Vec::new();
            if let Some(v) = f.revenue_yuan {
                figures.push(format!("营收 {}", yuan_zh(v)));
            }
            if let Some(v) = f.gdp_yuan {
                figures.push(format!("GDP {}", yuan_zh(v)));
            }
            if let Some(v) = f.manufacturing_share_bp {
                figures.push(format!("制造业占比 {:.2}%", f64::from(v.get()) / 100.0));
            }
            if let Some(v) = f.market_share_rank {
                figures.push(format!("市场占有率第 {v} 名"));
            }
            ApplicationRow {
                href: format!("/console/units/{}", unit.id),
                name: unit.name.clone(),
                city: unit.city.name(),
                kind: unit.kind.label_zh(),
                recommended_on: application.recommended_on.to_string(),
                figures: figures.join("；"),
                stages,
                result: application.result.label_zh(),
                result_class: application.result.as_str(),
            }
        })
        .collect();
    let quota_form = refused.or_else(|| {
        DECISIONS
            .iter()
            .find(|d| d.scope == Scope::Year && d.allows(staff.principal.role))
            .map(|d| {
                let mut defaults = vec![("year", year.to_string())];
                if let Some(q) = record.quota {
                    defaults.push(("total", q.to_string()));
                }
                new_form(d, staff, None, defaults)
            })
    });
    let mut chrome = staff.chrome("applications");
    chrome.flash = flash(query);
    chrome.alert_for(quota_form.iter());
    let status = if quota_form.as_ref().is_some_and(|f| f.error.is_some()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ApplicationsPage {
        chrome,
        year,
        years: years
            .iter()
            .rev()
            .map(|y| Choice {
                value: y.to_string(),
                label: format!("{y} 年度"),
                selected: *y == year,
            })
            .collect(),
        cities: cities(city),
        stages: ReviewStage::ALL.iter().map(|s| s.label_zh()).collect(),
        rows,
        awarded: record.awards_made,
        quota: record
            .quota
            .map_or_else(|| "未制定".to_owned(), |q| format!("{q} 个")),
        quota_form,
    };
    html(status, &page)
}

// ---------------------------------------------------------------------------------------
// 导入, 导出

pub async fn exports(
    State(console): State<Console>,
    staff: Staff,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut chrome = staff.chrome("exports");
    let mut as_of = param(&query, "asOf").unwrap_or("").to_owned();
    let year = param(&query, "year")
        .and_then(|y| y.parse::<i64>().ok())
        .unwrap_or_else(|| i64::from(today().year()));
    // The moment the links stand for, checked as the exports check it.
    let parsed = if as_of.is_empty() {
        Ok(None)
    } else {
        crate::excel::parse_as_of(&as_of).map(Some)
    };
    let resolved = match parsed {
        Ok(at) => crate::excel::moment(&console.app.live, at).await,
        Err(e) => Err(e.into()),
    };
    let moment = match resolved {
        Ok(m) => match (&m.recorded_at, m.asked) {
            (Some(at), true) => format!(
                "导出数据截至日志位置 {}（记录于北京时间 {}）。",
                m.position,
                super::views::beijing(at)
            ),
            (Some(at), false) => format!(
                "导出最新数据（现为日志位置 {}，北京时间 {}）；填写“截至”可导出过去某一时点的数据。",
                m.position,
                super::views::beijing(at)
            ),
            (None, _) => "日志为空，导出的文件只有表头。".to_owned(),
        },
        Err(e) => {
            let text = match e {
                crate::excel::ExportError::Param(p) => format!("“截至”无效：{}", p.zh),
                other => format!("无法确定截至时点：{other}"),
            };
            chrome.alert = Some(text.clone());
            as_of.clear();
            format!("{text}；下列链接导出最新数据。")
        }
    };
    let suffix = |first: bool| {
        if as_of.is_empty() {
            String::new()
        } else {
            format!("{}asOf={}", if first { "?" } else { "&" }, urlencode(&as_of))
        }
    };
    let links = vec![
        Link {
            href: format!("/exports/registry.xlsx{}", suffix(true)),
            label: "名录（Excel）",
            note: "registry.xlsx",
        },
        Link {
            href: format!("/exports/registry.csv{}", suffix(true)),
            label: "名录（CSV）",
            note: "registry.csv",
        },
        Link {
            href: format!("/exports/applications.xlsx?year={year}{}", suffix(false)),
            label: "年度申报（Excel）",
            note: "applications.xlsx",
        },
        Link {
            href: format!("/exports/statistics.xlsx{}", suffix(true)),
            label: "统计（Excel：总表、分市、分行业、分年度、绩效评价、奖励补助）",
            note: "statistics.xlsx",
        },
    ];
    let status = if chrome.alert.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = ExportsPage {
        chrome,
        as_of: param(&query, "asOf").unwrap_or("").to_owned(),
        year,
        moment,
        links,
    };
    html(status, &page)
}
