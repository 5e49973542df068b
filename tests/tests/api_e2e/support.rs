//! What the cases share: mutation documents, realistic inputs, and checks on answers.

use liangye_events::catalogue::CityCode;
use liangye_services::scenario;
use liangye_tests::TestApp;
use liangye_tests::app::first_error;
use serde_json::{Value, json};

/// Every `Designation` field but `history`.
pub const DESIGNATION: &str = "id name kind kindLabel cityCode cityName status statusLabel \
    creditCode creditCodeCheckOverridden divisionCode zoneCode industries pilotBatch awardYear \
    certificateNo version recommendedYear evaluations { year grade gradeLabel score decidedOn } \
    commendations { year citation decidedOn } delistingReason";

/// The fifteen mutations of DESIGN.md §4.
pub const MUTATIONS: [&str; 15] = [
    "retractDecision",
    "amendUnit",
    "withdrawRecommendation",
    "closeSelection",
    "reportIndicators",
    "grantSubsidy",
    "listPilot",
    "revokePilot",
    "recommend",
    "recordReview",
    "award",
    "setAnnualQuota",
    "recordEvaluation",
    "commend",
    "delist",
];

/// The review stages, in the order they are recorded.
pub const STAGES: [&str; 4] = ["MATERIAL", "EXPERT", "SITE_INSPECTION", "PUBLIC_NOTICE"];

/// The document of mutation `name` with `$input`, answering the whole `DecisionPayload`.
pub fn mutation(name: &str) -> String {
    let input = format!("{}{}Input", name[..1].to_uppercase(), &name[1..]);
    format!(
        "mutation($input: {input}!) {{ {name}(input: $input) {{ position duplicate \
         designation {{ {DESIGNATION} }} \
         events {{ position eventId type streamId streamVersion commandId role actor leafHash }} }} }}"
    )
}

/// Run mutation `name`: the whole response body.
pub async fn mutate(app: &TestApp, token: Option<&str>, name: &str, input: Value) -> Value {
    app.gql(token, &mutation(name), json!({ "input": input })).await
}

/// Run mutation `name`, which must be accepted: its `DecisionPayload`.
pub async fn decide(app: &TestApp, token: Option<&str>, name: &str, input: Value) -> Value {
    let body = mutate(app, token, name, input).await;
    if let Some((code, message)) = first_error(&body) {
        panic!("{name} refused: {code}: {message}");
    }
    body["data"][name].clone()
}

/// Run mutation `name`, which must be refused: the error's code and message (checked to be
/// free of database text), with no `data` for it.
pub async fn refuse(app: &TestApp, token: Option<&str>, name: &str, input: Value) -> (String, String) {
    let body = mutate(app, token, name, input).await;
    let (code, message) =
        first_error(&body).unwrap_or_else(|| panic!("{name} was accepted, expected a refusal: {body}"));
    assert!(
        body["data"].is_null() || body["data"][name].is_null(),
        "a refused {name} answered data: {body}"
    );
    assert_clean(&message);
    (code, message)
}

/// A query that must fail: the first error's code and (clean) message.
pub async fn query_error(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> (String, String) {
    let (code, message) = app.gql_error(token, query, variables).await;
    assert_clean(&message);
    (code, message)
}

/// An error message shows nothing of the database: no SQL, no driver or backend names.
pub fn assert_clean(message: &str) {
    let lower = message.to_lowercase();
    for word in [
        "sqlx",
        "sqlite",
        "postgres",
        "sql",
        "select ",
        "insert ",
        "constraint",
        "relation \"",
        "pg_",
        "database",
        "unique",
        "syntax error at",
        "pool",
    ] {
        assert!(!lower.contains(word), "error message shows {word:?}: {message}");
    }
}

/// The log head over HTTP (`logHead.position`, read with the auditor's token).
pub async fn head(app: &TestApp) -> i64 {
    let data = app
        .gql_data(app.tokens.auditor.secret(), "{ logHead { position } }", json!({}))
        .await;
    data["logHead"]["position"].as_i64().expect("logHead.position")
}

/// A credit code that passes its check, the `n`-th of `city`.
pub fn credit_code(city: CityCode, n: u64) -> String {
    scenario::credit_code(city, n).as_str().to_owned()
}

/// `listPilot` input for an enterprise of `city`.
pub fn enterprise(name: &str, city: CityCode, n: u64) -> Value {
    json!({
        "name": name,
        "kind": "ENTERPRISE",
        "cityCode": city.code(),
        "creditCode": credit_code(city, n),
        "industries": ["高端装备", "工业互联网"],
        "batch": 1,
        "decidedOn": "2024-03-01",
        "documentRef": "苏发改服务发〔2024〕21号",
    })
}

/// `listPilot` input for a county with its own division code.
pub fn county(name: &str, city: CityCode, division_code: &str) -> Value {
    json!({
        "name": name,
        "kind": "COUNTY",
        "cityCode": city.code(),
        "divisionCode": division_code,
        "batch": 1,
        "decidedOn": "2024-03-01",
    })
}

/// `recommend` input for an enterprise with 15亿元 revenue.
pub fn recommend(id: &str, year: i64) -> Value {
    json!({
        "designationId": id,
        "year": year,
        "revenueYuan": "1500000000",
        "decidedOn": format!("{year}-03-15"),
        "documentRef": format!("苏发改服务发〔{year}〕30号"),
    })
}

/// `recordReview` input: one stage, with a score for EXPERT, dates for PUBLIC_NOTICE (after
/// the site inspection, and recorded once the notice has ended) and a reason for FAILED.
/// Stages are dated 10 April, May, June and July.
pub fn review(id: &str, year: i64, stage: &str, outcome: &str) -> Value {
    let month = 4 + STAGES.iter().position(|s| *s == stage).unwrap_or(0);
    let mut input = json!({
        "designationId": id,
        "year": year,
        "stage": stage,
        "outcome": outcome,
        "decidedOn": format!("{year}-{month:02}-10"),
    });
    match stage {
        "EXPERT" => input["score"] = json!(88),
        "PUBLIC_NOTICE" => {
            input["noticeStart"] = json!(format!("{year}-06-15"));
            input["noticeEnd"] = json!(format!("{year}-06-21"));
            input["objections"] = json!("无");
        }
        _ => {}
    }
    if outcome == "FAILED" {
        input["reason"] = json!("未达到评审要求");
    }
    input
}

pub fn award(id: &str, year: i64) -> Value {
    json!({ "designationId": id, "year": year, "decidedOn": format!("{year}-07-20") })
}

pub fn quota(year: i64, total: i64) -> Value {
    json!({ "year": year, "total": total, "decidedOn": format!("{year}-01-10") })
}

pub fn evaluation(id: &str, year: i64, grade: &str) -> Value {
    json!({ "designationId": id, "year": year, "grade": grade, "score": 61, "decidedOn": format!("{year}-12-01") })
}

pub fn commend(id: &str, year: i64) -> Value {
    json!({
        "designationId": id,
        "year": year,
        "citation": "两业融合成效显著",
        "decidedOn": format!("{year}-12-20"),
    })
}

pub fn delist(id: &str) -> Value {
    json!({ "designationId": id, "reason": "企业注销", "ground": "OTHER", "decidedOn": "2026-02-01" })
}

pub fn revoke_pilot(id: &str) -> Value {
    json!({ "designationId": id, "decidedOn": "2024-09-30" })
}

/// List an enterprise over HTTP as PROVINCIAL: the `DecisionPayload`.
pub async fn list_pilot(app: &TestApp, name: &str, city: CityCode, n: u64) -> Value {
    decide(
        app,
        app.tokens.provincial.secret(),
        "listPilot",
        enterprise(name, city, n),
    )
    .await
}

/// List an enterprise over HTTP as PROVINCIAL: its id.
pub async fn list_enterprise(app: &TestApp, name: &str, city: CityCode, n: u64) -> String {
    id_of(&list_pilot(app, name, city, n).await)
}

/// List a county over HTTP as PROVINCIAL: its id.
pub async fn list_county(app: &TestApp, name: &str, city: CityCode, division_code: &str) -> String {
    let provincial = app.tokens.provincial.secret();
    id_of(&decide(app, provincial, "listPilot", county(name, city, division_code)).await)
}

/// List, recommend and pass all four reviews of `year` over HTTP as PROVINCIAL: the id of
/// an enterprise ready for `award`.
pub async fn ready_for_award(app: &TestApp, name: &str, city: CityCode, n: u64, year: i64) -> String {
    let provincial = app.tokens.provincial.secret();
    let id = list_enterprise(app, name, city, n).await;
    decide(app, provincial, "recommend", recommend(&id, year)).await;
    pass_reviews(app, &id, year, &STAGES).await;
    id
}

/// Record `stages` of `year` for `id` as PASSED, over HTTP as PROVINCIAL.
pub async fn pass_reviews(app: &TestApp, id: &str, year: i64, stages: &[&str]) {
    let provincial = app.tokens.provincial.secret();
    for stage in stages {
        decide(app, provincial, "recordReview", review(id, year, stage, "PASSED")).await;
    }
}

/// The designation id in a `DecisionPayload`.
pub fn id_of(payload: &Value) -> String {
    payload["designation"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no designation in {payload}"))
        .to_owned()
}

/// Walk every page of the connection `field` that `query` answers, as READER, with
/// `variables` and pages of `first` (`first` and `after` set page by page), checking the
/// Relay contract on each page: the same `totalCount`, at most `first` nodes and one edge
/// each (`check_edge(edge, node)` says the edge's node is that node), `hasPreviousPage` on
/// all but the first, the start and end cursors of the first and last edges (none on an
/// empty page), and every page but the last full; `check_page` sees each page first. The
/// nodes in order, and the `totalCount`.
pub async fn walk(
    app: &TestApp,
    query: &str,
    field: &str,
    mut variables: Value,
    first: i64,
    check_page: impl Fn(&Value),
    check_edge: impl Fn(&Value, &Value),
) -> (Vec<Value>, i64) {
    let reader = app.tokens.reader.secret();
    let mut nodes = Vec::new();
    let mut total = None;
    variables["first"] = json!(first);
    variables["after"] = Value::Null;
    for page_no in 0.. {
        assert!(page_no < 1000, "pagination does not end");
        let data = app.gql_data(reader, query, variables.clone()).await;
        let page = &data[field];
        check_page(page);
        let count = page["totalCount"].as_i64().unwrap();
        assert_eq!(
            *total.get_or_insert(count),
            count,
            "totalCount changed between pages"
        );
        let page_nodes = page["nodes"].as_array().unwrap();
        let edges = page["edges"].as_array().unwrap();
        assert!(page_nodes.len() as i64 <= first);
        assert_eq!(edges.len(), page_nodes.len());
        for (edge, node) in edges.iter().zip(page_nodes) {
            check_edge(edge, node);
        }
        let info = &page["pageInfo"];
        assert_eq!(
            info["hasPreviousPage"],
            !variables["after"].is_null(),
            "{variables} page {page_no}"
        );
        match (edges.first(), edges.last()) {
            (Some(first_edge), Some(last_edge)) => {
                assert_eq!(info["startCursor"], first_edge["cursor"]);
                assert_eq!(info["endCursor"], last_edge["cursor"]);
            }
            _ => assert!(info["endCursor"].is_null()),
        }
        nodes.extend(page_nodes.iter().cloned());
        if info["hasNextPage"] != true {
            break;
        }
        assert_eq!(page_nodes.len() as i64, first, "a page before the last is full");
        variables["after"] = info["endCursor"].clone();
    }
    (nodes, total.unwrap_or_default())
}
