//! What the templates show: owned, already formatted values (the templates only lay out).

use askama::Template;
use liangye_events::catalogue::Role;
use liangye_projections::policy::{self, Action};
use liangye_services::decide::{DomainError, ErrorCode, Principal, UnmetCriterion};
use liangye_services::engine::EngineError;

use super::forms::{COMMON, DecisionForm, Input, Values};
use crate::graphql::error::ApiError;

/// The header of every page.
pub struct Chrome {
    pub user: Option<UserView>,
    pub nav: Vec<NavItem>,
    pub flash: Option<String>,
    /// A refusal, summed up at the top of the page (the form below has the details).
    pub alert: Option<String>,
}

pub struct UserView {
    pub name: String,
    pub role: &'static str,
    pub city: Option<&'static str>,
    pub csrf: String,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// Which pages the navigation offers a role.
pub fn may_audit(role: Role) -> bool {
    policy::allows(role, Action::ReadLog)
}

impl Chrome {
    pub fn anonymous() -> Self {
        Self {
            user: None,
            nav: Vec::new(),
            flash: None,
            alert: None,
        }
    }

    /// The session's CSRF token ("" before login).
    pub fn csrf(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.csrf.as_str())
    }

    pub fn for_principal(principal: &Principal, csrf: &str, active: &str) -> Self {
        let mut items = vec![
            ("/console/", "总览", "overview"),
            ("/console/units", "名录", "units"),
            ("/console/applications", "申报", "applications"),
            ("/console/imports", "导入", "imports"),
            ("/console/exports", "导出", "exports"),
        ];
        if may_audit(principal.role) {
            items.push(("/console/audit", "审计", "audit"));
        }
        Self {
            user: Some(UserView {
                name: principal.name.clone(),
                role: principal.role.label_zh(),
                city: principal.city.map(|c| c.name()),
                csrf: csrf.to_owned(),
            }),
            nav: items
                .into_iter()
                .map(|(href, label, key)| NavItem {
                    href,
                    label,
                    active: key == active,
                })
                .collect(),
            flash: None,
            alert: None,
        }
    }

    /// Sum up the refused form among `forms`, if any.
    pub fn alert_for<'a>(&mut self, forms: impl IntoIterator<Item = &'a FormView>) {
        self.alert = forms.into_iter().find_map(|f| {
            f.error
                .as_ref()
                .map(|e| format!("未记录“{}”：{}。原因见下方表单。", f.title, e.title))
        });
    }
}

/// An amount of yuan as staff read it, exactly: `1500000000` → `15亿元`, `2250000000` →
/// `22.5亿元`, `123456789` → `1.23456789亿元`, `50000` → `5万元`, `12345` → `12345元`. Never
/// rounded: a figure on a page is the figure recorded.
pub fn yuan_zh(yuan: liangye_events::catalogue::Yuan) -> String {
    const YI: i64 = 100_000_000;
    let v = yuan.get();
    if v >= YI {
        let fraction = format!("{:08}", v % YI);
        let fraction = fraction.trim_end_matches('0');
        match fraction {
            "" => format!("{}亿元", v / YI),
            digits => format!("{}.{digits}亿元", v / YI),
        }
    } else if v >= 10_000 && v % 10_000 == 0 {
        format!("{}万元", v / 10_000)
    } else {
        format!("{v}元")
    }
}

/// A recorded instant (RFC 3339, UTC) in Beijing time, to the second.
pub fn beijing(recorded_at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(recorded_at).map_or_else(
        |_| recorded_at.to_owned(),
        |t| {
            (t.with_timezone(&chrono::Utc) + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        },
    )
}

#[derive(Template)]
#[template(path = "console/login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub message: Option<String>,
}

#[derive(Template)]
#[template(path = "console/message.html")]
pub struct MessagePage {
    pub chrome: Chrome,
    pub heading: String,
    pub message: String,
}

/// A `<select>` option.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn list<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, selected: &str) -> Vec<Choice> {
        pairs
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.to_owned(),
                label: label.to_owned(),
                selected: value == selected,
            })
            .collect()
    }
}

pub struct Hidden {
    pub name: &'static str,
    pub value: String,
}

pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub required: bool,
    pub value: String,
    pub input_type: &'static str,
    pub numeric: bool,
    pub is_select: bool,
    pub is_textarea: bool,
    pub class: &'static str,
    pub options: Vec<Choice>,
}

/// A decision form as rendered.
pub struct FormView {
    pub name: &'static str,
    pub title: &'static str,
    pub csrf: String,
    pub hidden: Vec<Hidden>,
    pub fields: Vec<FieldView>,
    pub error: Option<Refusal>,
}

impl FormView {
    /// The form of `decision`, filled with `values`; `hidden` carries the unit, the
    /// expected version and the `commandId` minted for this rendering.
    pub fn new(decision: &DecisionForm, csrf: &str, hidden: Vec<Hidden>, values: &Values) -> Self {
        let fields = decision
            .fields
            .iter()
            .chain(COMMON)
            .map(|f| {
                let value = values.raw(f.name).to_owned();
                let (input_type, numeric, is_select, is_textarea) = match f.input {
                    Input::Date => ("date", false, false, false),
                    Input::Int => ("text", true, false, false),
                    Input::Yuan => ("text", true, false, false),
                    Input::Text => ("text", false, false, false),
                    Input::LongText => ("text", false, false, true),
                    Input::Choice(_) => ("text", false, true, false),
                };
                let options = match f.input {
                    Input::Choice(options) => Choice::list(options(), &value),
                    _ => Vec::new(),
                };
                FieldView {
                    name: f.name,
                    label: f.label,
                    hint: f.hint,
                    required: f.required,
                    value,
                    input_type,
                    numeric,
                    is_select,
                    is_textarea,
                    class: if is_textarea { "wide" } else { "" },
                    options,
                }
            })
            .collect();
        Self {
            name: decision.name,
            title: decision.title,
            csrf: csrf.to_owned(),
            hidden,
            fields,
            error: None,
        }
    }
}

/// Why a decision was not recorded, in Chinese, with every unmet criterion.
pub struct Refusal {
    pub code: &'static str,
    /// The input field a validation error is about, as the form labels it.
    pub field: Option<&'static str>,
    /// Its name in the input (camelCase).
    pub field_name: Option<&'static str>,
    pub title: &'static str,
    pub message: String,
    pub unmet: Vec<UnmetView>,
}

pub struct UnmetView {
    pub criterion: &'static str,
    pub required: &'static str,
    pub actual: String,
}

fn given<T: std::fmt::Display>(value: Option<T>, unit: &str) -> String {
    value.map_or_else(|| "未填写".to_owned(), |v| format!("{v}{unit}"))
}

fn unmet_view(criterion: &UnmetCriterion) -> UnmetView {
    match *criterion {
        UnmetCriterion::ManufacturingShare { share } => UnmetView {
            criterion: "制造业增加值占比",
            required: "达 35% 以上（含 35%）",
            actual: given(share.map(|s| format!("{:.2}", f64::from(s.get()) / 100.0)), "%"),
        },
        UnmetCriterion::RegionalScale { gdp, revenue } => UnmetView {
            criterion: "区域经济规模",
            required: "地区生产总值或年营业收入超过 100 亿元（不含 100 亿元）",
            actual: format!(
                "地区生产总值 {}；年营业收入 {}",
                given(gdp.map(yuan_zh), ""),
                given(revenue.map(yuan_zh), "")
            ),
        },
        UnmetCriterion::EnterpriseStanding { revenue, rank } => UnmetView {
            criterion: "企业规模或市场地位",
            required: "年营业收入 10 亿元以上（含 10 亿元），或细分行业市场占有率全国前 5 名",
            actual: format!(
                "年营业收入 {}；市场占有率排名 {}",
                given(revenue, " 元"),
                given(rank, "")
            ),
        },
    }
}

/// The Chinese heading of an error code.
pub fn code_title(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unauthenticated => "未登录或令牌已失效",
        ErrorCode::Forbidden => "无权进行此操作",
        ErrorCode::ValidationFailed => "填写有误",
        ErrorCode::NotEligible => "不符合标杆引领典型基本条件",
        ErrorCode::InvalidTransition => "当前状态不能进行此操作",
        ErrorCode::Conflict => "该单位已有新的决定，请刷新页面后重新填写",
        ErrorCode::QuotaExceeded => "年度授牌指标已用完",
        ErrorCode::Duplicate => "已存在，不能重复记录",
        ErrorCode::NotFound => "未找到",
        ErrorCode::QueryTooComplex => "请求超出限制",
        ErrorCode::Internal => "系统错误",
    }
}

impl Refusal {
    /// A refusal from the engine or a parser; codes and client messages come from the API's
    /// one error map ([`ApiError`]).
    pub fn of_engine(error: EngineError) -> Self {
        let unmet = match &error {
            EngineError::Rejected(DomainError::NotEligible { unmet, .. }) => {
                unmet.iter().map(unmet_view).collect()
            }
            _ => Vec::new(),
        };
        let field_name = match &error {
            EngineError::Rejected(DomainError::Validation { field, .. }) => Some(*field),
            _ => None,
        };
        let mut refusal = Self::of_api(ApiError::from(error));
        refusal.unmet = unmet;
        refusal.field_name = field_name;
        refusal
    }

    pub fn of_api(api: ApiError) -> Self {
        Self {
            code: api.code.as_str(),
            field: None,
            field_name: None,
            title: code_title(api.code),
            message: api.message,
            unmet: Vec::new(),
        }
    }

    pub fn is_forbidden(&self) -> bool {
        self.code == ErrorCode::Forbidden.as_str() || self.code == ErrorCode::Unauthenticated.as_str()
    }
}

pub struct Row {
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "console/overview.html")]
pub struct OverviewPage {
    pub chrome: Chrome,
    pub position: i64,
    pub units: u64,
    pub awarded: u64,
    /// Units AWARDED now with an award year after the programme's period.
    pub after_period: u64,
    pub target: u64,
    pub target_year: i64,
    pub remaining: u64,
    pub progress_svg: String,
    pub this_year: i32,
    pub quota: Option<u32>,
    pub used: u64,
    pub quota_svg: String,
    pub statuses: Vec<Row>,
    pub city_svg: String,
    pub sector_title: &'static str,
    pub sector_svg: String,
    pub sector_note: &'static str,
    pub year_svg: String,
    pub quotas: Vec<QuotaRow>,
}

pub struct QuotaRow {
    pub year: String,
    pub quota: String,
    pub used: u64,
    pub remaining: String,
}

pub struct UnitRow {
    pub href: String,
    pub name: String,
    pub kind: &'static str,
    pub city: &'static str,
    pub status: &'static str,
    pub status_code: &'static str,
    pub batch: String,
    pub award_year: String,
    pub certificate: String,
    pub code: String,
}

#[derive(Template)]
#[template(path = "console/units.html")]
pub struct UnitsPage {
    pub chrome: Chrome,
    pub q: String,
    pub as_of: String,
    pub cities: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub sectors: Vec<Choice>,
    pub county: String,
    pub error: Option<String>,
    pub total: usize,
    pub at: Option<i64>,
    pub rows: Vec<UnitRow>,
    pub first_href: Option<String>,
    pub next_href: Option<String>,
    pub new_unit: Option<FormView>,
}

pub struct HistoryView {
    pub position: i64,
    pub decided_on: String,
    pub label: &'static str,
    pub summary: String,
    pub document_ref: String,
    pub note: String,
    pub recorded_at: String,
    pub actor: String,
    pub retracted: bool,
}

#[derive(Template)]
#[template(path = "console/unit.html")]
pub struct UnitPage {
    pub chrome: Chrome,
    pub href: String,
    pub name: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub at: Option<i64>,
    pub details: Vec<Row>,
    pub history: Vec<HistoryView>,
    pub forms: Vec<FormView>,
    pub no_forms: &'static str,
    pub next_step: &'static str,
}

/// What usually comes next for a unit in `status`, in the words of what `role` itself may
/// do: guidance for staff, not a rule (the engine judges every decision).
pub fn next_step(
    status: liangye_events::catalogue::Status,
    role: liangye_events::catalogue::Role,
) -> &'static str {
    use liangye_events::catalogue::{Role, Status};
    match (role, status) {
        (Role::Provincial, Status::Pilot) => {
            "下一步：由所在设区市发展改革委（或省发展改革委）推荐参评，填写年营业收入等申报数据。"
        }
        (Role::Provincial, Status::Recommended) => {
            "下一步：依次记录材料审查、专家评审（填写得分）、现场察看、社会公示（填写公示起止日期）四个评审环节；四个环节全部通过后授牌，或择优未入选的记录“未入选”。任一环节未通过，本年度申报结束，单位恢复为试点。"
        }
        (Role::Provincial, Status::Awarded) => {
            "已授牌：可记录年度绩效评价、统计监测数据和奖励补助；评价为优秀或良好的可予表彰；评价不合格等情形可摘牌。"
        }
        (Role::City, Status::Pilot) => "下一步：可推荐本市试点单位参评，填写年营业收入等申报数据。",
        (Role::City, Status::Recommended) => {
            "已推荐：等待省发展改革委评审。如申报材料需补充，可撤回推荐，下一年度重新申报。"
        }
        (Role::City, Status::Awarded) => "已授牌：请按年度报送统计监测数据。",
        _ => "",
    }
}

pub struct StageCell {
    pub label: String,
    pub class: &'static str,
}

pub struct ApplicationRow {
    pub href: String,
    pub name: String,
    pub city: &'static str,
    pub kind: &'static str,
    pub recommended_on: String,
    pub figures: String,
    pub stages: Vec<StageCell>,
    pub result: &'static str,
    pub result_class: &'static str,
}

#[derive(Template)]
#[template(path = "console/applications.html")]
pub struct ApplicationsPage {
    pub chrome: Chrome,
    pub year: i64,
    pub years: Vec<Choice>,
    pub cities: Vec<Choice>,
    pub stages: Vec<&'static str>,
    pub rows: Vec<ApplicationRow>,
    pub awarded: u32,
    pub quota: String,
    pub quota_form: Option<FormView>,
}

#[derive(Template)]
#[template(path = "console/imports.html")]
pub struct ImportsPage {
    pub chrome: Chrome,
    pub can_import: bool,
    pub csrf: String,
    pub batch: String,
    pub decided_on: String,
    pub document_ref: String,
    pub max_rows: usize,
    pub max_mib: usize,
    pub result: Option<ImportResultView>,
}

/// What an upload came to.
pub struct ImportResultView {
    /// `refused`, `checked` or `recorded`.
    pub kind: &'static str,
    pub heading: String,
    pub rows: usize,
    pub example_ignored: bool,
    pub errors: Vec<ImportErrorView>,
    pub listed: Vec<ListedView>,
    /// A checked file waiting for 确认导入.
    pub pending: Option<String>,
}

pub struct ImportErrorView {
    pub row: String,
    pub column: &'static str,
    pub reason: String,
}

pub struct ListedView {
    pub row: u32,
    pub id: String,
    pub name: String,
    pub position: i64,
}

pub struct Link {
    pub href: String,
    pub label: &'static str,
    pub note: &'static str,
}

#[derive(Template)]
#[template(path = "console/exports.html")]
pub struct ExportsPage {
    pub chrome: Chrome,
    pub as_of: String,
    pub year: i64,
    /// What the links are as of, in words.
    pub moment: String,
    pub links: Vec<Link>,
}

pub struct CheckpointView {
    pub size: i64,
    pub root_hash: String,
    pub signed_at: String,
    pub note: String,
}

pub struct VerifyResult {
    pub ok: bool,
    pub message: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub head_position: i64,
    pub head_root: String,
    pub head_recorded_at: String,
    pub checkpoint: Option<CheckpointView>,
    pub result: Option<VerifyResult>,
    pub bundle: String,
    pub public_key: String,
    pub unit: String,
}

#[cfg(test)]
mod tests {
    use liangye_events::catalogue::Yuan;

    use super::yuan_zh;

    fn zh(v: i64) -> String {
        yuan_zh(Yuan::new(v).expect("a valid amount"))
    }

    #[test]
    fn amounts_read_exactly_as_recorded() {
        assert_eq!(zh(1_500_000_000), "15亿元");
        assert_eq!(zh(2_250_000_000), "22.5亿元");
        assert_eq!(zh(10_000_000_001), "100.00000001亿元");
        assert_eq!(zh(123_456_789), "1.23456789亿元");
        assert_eq!(zh(100_000_000), "1亿元");
        assert_eq!(zh(99_990_000), "9999万元");
        assert_eq!(zh(50_000), "5万元");
        assert_eq!(zh(12_345), "12345元");
        assert_eq!(zh(0), "0元");
    }
}
