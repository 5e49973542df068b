//! The Wave 2 reads of DESIGN.md §4 (issue 14) over real HTTP and websockets, each case on
//! SQLite and PostgreSQL: every unit is built through real mutations, and every answer is
//! checked against what the test itself decided (or, over the demo sample, against the
//! registry read another way).
//!
//! - `applications`: every typed field of each result (IN_REVIEW, FAILED, WITHDRAWN,
//!   NOT_SELECTED, AWARDED), each filter, Relay paging, `asOf` before a retraction and
//!   before an award, and bad cursors and filters refused;
//! - `statistics`: by sector, county, city × year, evaluations, subsidies, monitoring and the
//!   target within and after the programme's period, now and as of every earlier position;
//!   over the demo sample, equal to counts made by walking `designations`;
//! - sync: `designations(filter: { changedAfter })` and `lastPosition` against the log, and
//!   the `sector`, `countyCode`, `pilotBatch`, `recommendedYear` filters, also as of a moment;
//! - push: `designationChanged(afterPosition)`, catch-up then live, for READER (never an
//!   actor) as for the others, one change per unit event, across a reconnect and while
//!   decisions race the catch-up (the two-node case is `api/tests/two_nodes_push.rs`);
//! - the auditors' `events` filters, combined, paged, refused to READER and CITY, costed
//!   like a type scan, bounded and resumable over a long log;
//! - history entries' typed fields.

use std::collections::{BTreeMap, BTreeSet};

use liangye_events::catalogue::CityCode;
use liangye_tests::app::first_error;
use liangye_tests::{TestApp, TestDb};
use serde_json::{Value, json};

use crate::support::{
    STAGES, award, county, decide, enterprise, evaluation, head, id_of, list_county, list_enterprise,
    list_pilot, pass_reviews, query_error, quota, recommend, review,
};

on_both_backends!(
    applications_show_every_stage_and_result_filter_page_and_stand_as_of,
    applications_refuse_bad_cursors_and_filters,
    statistics_count_what_was_decided_now_and_as_of_every_position,
    statistics_of_the_demo_equal_counts_over_its_designations,
    changed_after_returns_exactly_the_units_changed_since,
    designation_filters_select_by_sector_county_batch_and_recommended_year,
    designation_changes_are_pushed_once_each_in_order_to_every_role,
    designation_changes_miss_nothing_while_decisions_race_the_catch_up,
    auditors_filter_events_by_actor_document_and_dates,
    auditor_filters_cost_like_a_type_scan_and_resume_over_a_long_log,
    history_entries_carry_typed_fields,
);

// ---------------------------------------------------------------------------------------
// Shared helpers

fn pos(payload: &Value) -> i64 {
    payload["position"]
        .as_i64()
        .unwrap_or_else(|| panic!("no position in {payload}"))
}

fn at(position: i64) -> Value {
    json!({ "position": position })
}

fn opt(input: &Value, key: &str) -> Value {
    input.get(key).cloned().unwrap_or(Value::Null)
}

fn stage_label(stage: &str) -> &'static str {
    match stage {
        "MATERIAL" => "材料审查",
        "EXPERT" => "专家评审",
        "SITE_INSPECTION" => "现场察看",
        "PUBLIC_NOTICE" => "社会公示",
        other => panic!("unknown stage {other}"),
    }
}

fn outcome_label(outcome: &Value) -> &'static str {
    match outcome.as_str() {
        Some("PASSED") => "通过",
        Some("FAILED") => "未通过",
        other => panic!("unknown outcome {other:?}"),
    }
}

fn result_label(result: &str) -> &'static str {
    match result {
        "IN_REVIEW" => "评审中",
        "FAILED" => "未通过评审",
        "WITHDRAWN" => "已撤回",
        "NOT_SELECTED" => "未入选",
        "AWARDED" => "已授牌",
        other => panic!("unknown result {other}"),
    }
}

fn retract(id: &str, position: i64, reason: &str, on: &str) -> Value {
    json!({ "designationId": id, "position": position, "reason": reason, "decidedOn": on })
}

/// `listPilot` input for an enterprise of `city` with these sectors and county.
fn enterprise_in(name: &str, city: CityCode, n: u64, sectors: &[&str], county: Option<&str>) -> Value {
    let mut input = enterprise(name, city, n);
    if !sectors.is_empty() {
        input["sectors"] = json!(sectors);
    }
    if let Some(county) = county {
        input["countyCode"] = json!(county);
    }
    input
}

/// The whole log as the auditor reads it, oldest first.
async fn log(app: &TestApp) -> Vec<Value> {
    let query = "query($after: Int) { events(after: $after, first: 100) { \
        nodes { position streamId type actor recordedAt } pageInfo { hasNextPage endCursor } } }";
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let data = app
            .gql_data(app.tokens.auditor.secret(), query, json!({ "after": after }))
            .await;
        let page = &data["events"];
        events.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return events;
        }
        after = page["pageInfo"]["endCursor"].as_str().unwrap().parse().unwrap();
    }
}

/// The unit events of the log after `after` (up to `upto`): `(position, unit id)`.
async fn unit_events(app: &TestApp, after: i64, upto: Option<i64>) -> Vec<(i64, String)> {
    log(app)
        .await
        .iter()
        .filter_map(|e| {
            let position = e["position"].as_i64().unwrap();
            let unit = e["streamId"].as_str().unwrap().strip_prefix("unit-")?;
            (position > after && upto.is_none_or(|u| position <= u)).then(|| (position, unit.to_owned()))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// 1. applications

const APPLICATIONS: &str = r#"query($filter: ApplicationFilter, $first: Int, $after: String, $asOf: AsOf) {
    applications(filter: $filter, first: $first, after: $after, asOf: $asOf) {
        totalCount position
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { year designation { id } } }
        nodes {
            year position recommendedByRole recommendedOn documentRef
            figures { revenueYuan gdpYuan manufacturingShareBp marketShareRank }
            reviews { position stage stageLabel outcome outcomeLabel score noticeStart noticeEnd
                      objections reason decidedOn documentRef }
            result resultLabel resultOn resultReason certificateNo
            designation { id name kind cityCode status version }
        }
    }
}"#;

/// Walk every page of `applications(filter, asOf)` with pages of `first`, checking the
/// Relay contract on each: the nodes in order and the `totalCount` every page reported.
async fn walk_applications(
    app: &TestApp,
    filter: &Value,
    first: i64,
    as_of: Option<i64>,
) -> (Vec<Value>, i64) {
    let variables = json!({ "filter": filter, "asOf": as_of.map(at) });
    let check_page = |page: &Value| {
        if let Some(as_of) = as_of {
            assert_eq!(page["position"], as_of);
        }
    };
    let (nodes, total) = crate::support::walk(
        app,
        APPLICATIONS,
        "applications",
        variables,
        first,
        check_page,
        |edge, node| {
            assert_eq!(edge["node"]["year"], node["year"]);
            assert_eq!(edge["node"]["designation"]["id"], node["designation"]["id"]);
        },
    )
    .await;
    assert_eq!(total, nodes.len() as i64, "totalCount of {filter}");
    (nodes, total)
}

/// Record one review stage as PROVINCIAL: the review `applications` must show for it.
async fn stage(app: &TestApp, input: Value) -> Value {
    let payload = decide(app, app.tokens.provincial.secret(), "recordReview", input.clone()).await;
    let stage = input["stage"].as_str().unwrap();
    json!({
        "position": pos(&payload),
        "stage": stage,
        "stageLabel": stage_label(stage),
        "outcome": input["outcome"],
        "outcomeLabel": outcome_label(&input["outcome"]),
        "score": opt(&input, "score"),
        "noticeStart": opt(&input, "noticeStart"),
        "noticeEnd": opt(&input, "noticeEnd"),
        "objections": opt(&input, "objections"),
        "reason": opt(&input, "reason"),
        "decidedOn": input["decidedOn"],
        "documentRef": opt(&input, "documentRef"),
    })
}

/// The unit as `applications` shows it beside an application, as of `as_of`.
async fn unit_as_of(app: &TestApp, id: &str, as_of: Option<i64>) -> Value {
    app.gql_data(
        app.tokens.reader.secret(),
        "query($id: UUID!, $asOf: AsOf) { designation(id: $id, asOf: $asOf) { id name kind cityCode status version } }",
        json!({ "id": id, "asOf": as_of.map(at) }),
    )
    .await["designation"]
        .clone()
}

/// A recommendation made by the test (its input, its position, the role that made it):
/// what its application must read.
struct Recommended {
    input: Value,
    position: i64,
    role: &'static str,
}

impl Recommended {
    async fn make(app: &TestApp, token: Option<&str>, role: &'static str, input: Value) -> Self {
        let payload = decide(app, token, "recommend", input.clone()).await;
        Self {
            input,
            position: pos(&payload),
            role,
        }
    }

    /// The node: `ended` is `(result, resultOn, resultReason, certificateNo)`.
    fn node(&self, reviews: &[&Value], ended: (&str, Value, Value, Value), designation: Value) -> Value {
        let (result, result_on, result_reason, certificate) = ended;
        let input = &self.input;
        json!({
            "year": input["year"],
            "position": self.position,
            "recommendedByRole": self.role,
            "recommendedOn": input["decidedOn"],
            "documentRef": opt(input, "documentRef"),
            "figures": {
                "revenueYuan": opt(input, "revenueYuan"),
                "gdpYuan": opt(input, "gdpYuan"),
                "manufacturingShareBp": opt(input, "manufacturingShareBp"),
                "marketShareRank": opt(input, "marketShareRank"),
            },
            "reviews": reviews,
            "result": result,
            "resultLabel": result_label(result),
            "resultOn": result_on,
            "resultReason": result_reason,
            "certificateNo": certificate,
            "designation": designation,
        })
    }
}

fn in_review() -> (&'static str, Value, Value, Value) {
    ("IN_REVIEW", Value::Null, Value::Null, Value::Null)
}

/// Sorted as `applications` lists them: by year, then unit id.
fn in_order(mut nodes: Vec<Value>) -> Vec<Value> {
    nodes.sort_by_key(|n| {
        (
            n["year"].as_i64().unwrap(),
            n["designation"]["id"].as_str().unwrap().to_owned(),
        )
    });
    nodes
}

/// Whether `node` meets every criterion of an `ApplicationFilter`.
fn selects(filter: &Value, node: &Value) -> bool {
    filter.get("year").is_none_or(|y| node["year"] == *y)
        && filter
            .get("cityCode")
            .is_none_or(|c| node["designation"]["cityCode"] == *c)
        && filter
            .get("kind")
            .is_none_or(|k| node["designation"]["kind"] == *k)
        && filter.get("result").is_none_or(|r| node["result"] == *r)
}

async fn applications_show_every_stage_and_result_filter_page_and_stand_as_of(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let suzhou = app.tokens.suzhou.secret();
    let nanjing = app.tokens.nanjing.secret();

    let a = list_enterprise(&app, "苏州申报甲科技有限公司", CityCode::Suzhou, 201).await;
    let b = list_county(&app, "江宁区", CityCode::Nanjing, "320115").await;
    let c = list_enterprise(&app, "苏州申报丙科技有限公司", CityCode::Suzhou, 203).await;
    let d = list_enterprise(&app, "南京申报丁科技有限公司", CityCode::Nanjing, 204).await;
    let e = list_enterprise(&app, "无锡申报戊科技有限公司", CityCode::Wuxi, 205).await;
    let before_any = head(&app).await;

    // A (苏州, recommended by the city): its expert review retracted and recorded again,
    // then every stage passed and awarded.
    let mut input = recommend(&a, 2024);
    input["marketShareRank"] = json!(3);
    let a_rec = Recommended::make(&app, suzhou, "CITY", input).await;
    let a_material = stage(&app, review(&a, 2024, "MATERIAL", "PASSED")).await;
    let mut first_expert = review(&a, 2024, "EXPERT", "PASSED");
    first_expert["score"] = json!(80);
    let a_expert_80 = stage(&app, first_expert).await;
    let before_retraction = head(&app).await;
    let retraction = decide(
        &app,
        provincial,
        "retractDecision",
        retract(&a, pos(&a_expert_80), "专家评分录入错误", "2024-05-11"),
    )
    .await;
    let mut second_expert = review(&a, 2024, "EXPERT", "PASSED");
    second_expert["decidedOn"] = json!("2024-05-12");
    second_expert["documentRef"] = json!("苏发改服务发〔2024〕52号");
    let a_expert = stage(&app, second_expert).await;
    let a_site = stage(&app, review(&a, 2024, "SITE_INSPECTION", "PASSED")).await;
    let a_notice = stage(&app, review(&a, 2024, "PUBLIC_NOTICE", "PASSED")).await;
    let before_award = head(&app).await;
    let awarded = decide(&app, provincial, "award", award(&a, 2024)).await;
    assert_eq!(awarded["designation"]["certificateNo"], "JSLY-2024-001");

    // B (南京 county, recommended by the province): fails its expert review.
    let b_rec = Recommended::make(
        &app,
        provincial,
        "PROVINCIAL",
        json!({ "designationId": b, "year": 2024, "gdpYuan": "20000000000",
                "manufacturingShareBp": 4000, "decidedOn": "2024-03-20" }),
    )
    .await;
    let b_material = stage(&app, review(&b, 2024, "MATERIAL", "PASSED")).await;
    let mut failed = review(&b, 2024, "EXPERT", "FAILED");
    failed["score"] = json!(55);
    failed["reason"] = json!("专家评审得分未达到要求");
    let b_expert = stage(&app, failed).await;

    // C (苏州): 2024 withdrawn by the city; 2025 passes every stage and is not selected.
    let c_2024 = Recommended::make(&app, suzhou, "CITY", recommend(&c, 2024)).await;
    decide(
        &app,
        suzhou,
        "withdrawRecommendation",
        json!({ "designationId": c, "year": 2024, "reason": "申报材料需补充", "decidedOn": "2024-04-01" }),
    )
    .await;
    let c_2025 = Recommended::make(&app, suzhou, "CITY", recommend(&c, 2025)).await;
    let mut c_reviews = Vec::new();
    for s in STAGES {
        c_reviews.push(stage(&app, review(&c, 2025, s, "PASSED")).await);
    }
    decide(
        &app,
        provincial,
        "closeSelection",
        json!({ "designationId": c, "year": 2025, "reason": "择优遴选未入选", "decidedOn": "2025-07-25" }),
    )
    .await;

    // D (南京): in review after its material review.
    let d_rec = Recommended::make(&app, nanjing, "CITY", recommend(&d, 2025)).await;
    let d_material = stage(&app, review(&d, 2025, "MATERIAL", "PASSED")).await;

    // E (无锡): recommended by the province, then the recommendation retracted.
    let e_rec = Recommended::make(&app, provincial, "PROVINCIAL", recommend(&e, 2025)).await;
    let e_recommended = e_rec.position;
    decide(
        &app,
        provincial,
        "retractDecision",
        retract(&e, e_recommended, "误推荐", "2025-03-16"),
    )
    .await;

    // Now: five applications, one per recommendation that stands.
    let now = in_order(vec![
        a_rec.node(
            &[&a_material, &a_expert, &a_site, &a_notice],
            (
                "AWARDED",
                json!("2024-07-20"),
                Value::Null,
                json!("JSLY-2024-001"),
            ),
            unit_as_of(&app, &a, None).await,
        ),
        b_rec.node(
            &[&b_material, &b_expert],
            (
                "FAILED",
                json!("2024-05-10"),
                json!("专家评审得分未达到要求"),
                Value::Null,
            ),
            unit_as_of(&app, &b, None).await,
        ),
        c_2024.node(
            &[],
            (
                "WITHDRAWN",
                json!("2024-04-01"),
                json!("申报材料需补充"),
                Value::Null,
            ),
            unit_as_of(&app, &c, None).await,
        ),
        c_2025.node(
            &c_reviews.iter().collect::<Vec<_>>(),
            (
                "NOT_SELECTED",
                json!("2025-07-25"),
                json!("择优遴选未入选"),
                Value::Null,
            ),
            unit_as_of(&app, &c, None).await,
        ),
        d_rec.node(&[&d_material], in_review(), unit_as_of(&app, &d, None).await),
    ]);
    assert_eq!(now[0]["designation"]["status"], "AWARDED");
    for size in [1, 2, 3, 100] {
        let (nodes, total) = walk_applications(&app, &Value::Null, size, None).await;
        assert_eq!(total, 5);
        assert_eq!(nodes, now, "pages of {size}");
    }

    // Each filter, and filters combined: exactly the applications they select.
    for (filter, expected) in [
        (json!({ "year": 2024 }), 3),
        (json!({ "year": 2025 }), 2),
        (json!({ "year": 2023 }), 0),
        (json!({ "cityCode": "320500" }), 3),
        (json!({ "cityCode": "320100" }), 2),
        (json!({ "cityCode": "320200" }), 0),
        (json!({ "kind": "COUNTY" }), 1),
        (json!({ "kind": "ENTERPRISE" }), 4),
        (json!({ "result": "IN_REVIEW" }), 1),
        (json!({ "result": "FAILED" }), 1),
        (json!({ "result": "WITHDRAWN" }), 1),
        (json!({ "result": "NOT_SELECTED" }), 1),
        (json!({ "result": "AWARDED" }), 1),
        (json!({ "year": 2025, "cityCode": "320500" }), 1),
        (
            json!({ "year": 2024, "result": "AWARDED", "kind": "ENTERPRISE" }),
            1,
        ),
        (json!({ "kind": "COUNTY", "result": "AWARDED" }), 0),
    ] {
        let wanted: Vec<Value> = now.iter().filter(|n| selects(&filter, n)).cloned().collect();
        assert_eq!(wanted.len(), expected, "the test's own expectation for {filter}");
        let (nodes, total) = walk_applications(&app, &filter, 2, None).await;
        assert_eq!(nodes, wanted, "{filter}");
        assert_eq!(total, expected as i64, "{filter}");
    }

    // Past the last application: an empty page; `first: 0`: the count alone.
    let data = app
        .gql_data(app.tokens.reader.secret(), APPLICATIONS, json!({ "first": 100 }))
        .await;
    let last = data["applications"]["pageInfo"]["endCursor"].clone();
    let data = app
        .gql_data(
            app.tokens.reader.secret(),
            APPLICATIONS,
            json!({ "first": 10, "after": last }),
        )
        .await;
    assert_eq!(data["applications"]["nodes"], json!([]));
    assert_eq!(data["applications"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(data["applications"]["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(data["applications"]["totalCount"], 5);
    let data = app
        .gql_data(app.tokens.reader.secret(), APPLICATIONS, json!({ "first": 0 }))
        .await;
    assert_eq!(data["applications"]["nodes"], json!([]));
    assert_eq!(data["applications"]["totalCount"], 5);

    // As of a moment: before the first recommendation, nothing.
    let (nodes, total) = walk_applications(&app, &Value::Null, 2, Some(before_any)).await;
    assert_eq!((nodes.len(), total), (0, 0));
    // Before the retraction: A's first expert review, 80 points, in review.
    let (nodes, _) = walk_applications(&app, &Value::Null, 2, Some(before_retraction)).await;
    assert_eq!(
        nodes,
        [a_rec.node(
            &[&a_material, &a_expert_80],
            in_review(),
            unit_as_of(&app, &a, Some(before_retraction)).await
        )]
    );
    // Just after it: the expert review is gone.
    let (nodes, _) = walk_applications(&app, &Value::Null, 2, Some(pos(&retraction))).await;
    assert_eq!(
        nodes,
        [a_rec.node(
            &[&a_material],
            in_review(),
            unit_as_of(&app, &a, Some(pos(&retraction))).await
        )]
    );
    // Before the award: four stages passed, still in review, the unit RECOMMENDED.
    let (nodes, _) = walk_applications(&app, &Value::Null, 2, Some(before_award)).await;
    let unit_then = unit_as_of(&app, &a, Some(before_award)).await;
    assert_eq!(unit_then["status"], "RECOMMENDED");
    assert_eq!(
        nodes,
        [a_rec.node(
            &[&a_material, &a_expert, &a_site, &a_notice],
            in_review(),
            unit_then
        )]
    );
    let (nodes, _) = walk_applications(&app, &json!({ "result": "IN_REVIEW" }), 2, Some(before_award)).await;
    assert_eq!(nodes.len(), 1);
    let (nodes, _) = walk_applications(&app, &json!({ "result": "AWARDED" }), 2, Some(before_award)).await;
    assert_eq!(nodes, Vec::<Value>::new());
    // While E's recommendation stood: six, E's by the province, in review.
    let mut then = now.clone();
    then.push(e_rec.node(&[], in_review(), unit_as_of(&app, &e, Some(e_recommended)).await));
    let then = in_order(then);
    let (nodes, total) = walk_applications(&app, &Value::Null, 4, Some(e_recommended)).await;
    assert_eq!(total, 6);
    assert_eq!(nodes, then);
    let (nodes, _) = walk_applications(&app, &json!({ "cityCode": "320200" }), 4, Some(e_recommended)).await;
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0]["recommendedByRole"], "PROVINCIAL");
}

async fn applications_refuse_bad_cursors_and_filters(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let reader = app.tokens.reader.secret();
    let id = list_enterprise(&app, "苏州游标科技有限公司", CityCode::Suzhou, 210).await;
    decide(
        &app,
        app.tokens.suzhou.secret(),
        "recommend",
        recommend(&id, 2025),
    )
    .await;
    let head = head(&app).await;
    let good = app.gql_data(reader, APPLICATIONS, json!({ "first": 1 })).await;
    let cursor = good["applications"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(good["applications"]["totalCount"], 1);

    let bad = [
        json!({ "after": "不是游标" }),
        json!({ "after": "" }),
        json!({ "after": format!("{cursor}x") }),
        // A designations cursor (a unit id) is not an applications cursor.
        json!({ "after": id }),
        json!({ "after": format!("2019:{id}") }),
        json!({ "after": "2025:not-a-uuid" }),
        json!({ "filter": { "year": 2019 } }),
        json!({ "filter": { "year": 2101 } }),
        json!({ "filter": { "cityCode": "320000" } }),
        json!({ "filter": { "cityCode": "苏州" } }),
        json!({ "filter": { "result": "DONE" } }),
        json!({ "first": 101 }),
        json!({ "first": -1 }),
        json!({ "asOf": { "position": 0 } }),
        json!({ "asOf": { "position": head + 1 } }),
    ];
    for variables in bad {
        let (code, message) = query_error(&app, reader, APPLICATIONS, variables.clone()).await;
        assert_eq!(code, "VALIDATION_FAILED", "{variables}: {message}");
    }
    // Without a token: UNAUTHENTICATED; every role may read applications.
    let (code, _) = query_error(&app, None, APPLICATIONS, json!({})).await;
    assert_eq!(code, "UNAUTHENTICATED");
    for token in [
        &app.tokens.provincial,
        &app.tokens.suzhou,
        &app.tokens.nanjing,
        &app.tokens.auditor,
        &app.tokens.reader,
    ] {
        let data = app.gql_data(token.secret(), APPLICATIONS, json!({})).await;
        assert_eq!(data["applications"]["totalCount"], 1, "{}", token.name);
    }
}

// ---------------------------------------------------------------------------------------
// 2. statistics

const STATISTICS: &str = "query($asOf: AsOf) { statistics(asOf: $asOf) { position total \
    byStatus { status count } byCity { cityCode total awarded } byKind { kind total awarded } \
    byAwardYear { year awarded stillAwarded delisted } quotas { year quota used remaining } \
    target { target targetYear awarded awardedInPeriod awardedAfterPeriod awardsMade \
             awardsMadeInPeriod remaining reached } \
    bySector { sector sectorLabel total awarded } \
    byCounty { countyCode cityCode cityName total awarded } \
    byCityYear { cityCode cityName year awarded stillAwarded } \
    evaluations { year grade gradeLabel count } \
    subsidies { year cityCode cityName totalYuan count } \
    monitoring { year reported belowStandard } } }";

/// Every sector, in declaration order, with its label.
const SECTORS: [(&str, &str); 13] = [
    ("NEW_ENERGY_EQUIPMENT", "新型电力(新能源)装备"),
    ("ADVANCED_MATERIALS", "前沿新材料"),
    ("MARINE_EQUIPMENT", "海工装备和高技术船舶"),
    ("HIGH_END_EQUIPMENT", "高端装备"),
    ("BIOMEDICINE", "生物医药和新型医疗器械"),
    ("INTEGRATED_CIRCUITS", "集成电路"),
    ("AUTOMOTIVE", "汽车及零部件(含新能源汽车)"),
    ("INTERNET_SERVICES", "互联网"),
    ("FINANCIAL_SERVICES", "金融"),
    ("LOGISTICS", "物流"),
    (
        "NEW_GENERATION_IT",
        "新一代信息技术(5G、大数据、工业互联网、人工智能)",
    ),
    ("GREEN_LOW_CARBON", "绿色低碳(新能源、节能环保)"),
    ("OTHER", "其他"),
];

async fn statistics(app: &TestApp, as_of: Option<i64>) -> Value {
    app.gql_data(
        app.tokens.reader.secret(),
        STATISTICS,
        json!({ "asOf": as_of.map(at) }),
    )
    .await["statistics"]
        .clone()
}

/// `bySector` as it must read: every sector, those named with `(total, awarded)`.
fn by_sector(counts: &[(&str, i64, i64)]) -> Value {
    SECTORS
        .iter()
        .map(|(sector, label)| {
            let (total, awarded) = counts
                .iter()
                .find(|(s, _, _)| s == sector)
                .map_or((0, 0), |(_, t, a)| (*t, *a));
            json!({ "sector": sector, "sectorLabel": label, "total": total, "awarded": awarded })
        })
        .collect()
}

/// Decisions that keep, after each, the statistics then: to be compared with the
/// statistics as of each of those positions at the end.
struct Ledger<'a> {
    app: &'a TestApp,
    snapshots: Vec<(i64, Value)>,
}

impl Ledger<'_> {
    async fn decide(&mut self, token: Option<&str>, name: &str, input: Value) -> Value {
        let payload = decide(self.app, token, name, input).await;
        let now = statistics(self.app, None).await;
        assert_eq!(now["position"], payload["position"], "statistics after {name}");
        self.snapshots.push((pos(&payload), now));
        payload
    }

    /// List, recommend, pass every stage and award for `year`: the unit's id.
    async fn benchmark(&mut self, listing: Value, year: i64) -> String {
        let provincial = self.app.tokens.provincial.secret();
        let id = id_of(&self.decide(provincial, "listPilot", listing).await);
        self.decide(provincial, "recommend", recommend(&id, year)).await;
        for s in STAGES {
            self.decide(provincial, "recordReview", review(&id, year, s, "PASSED"))
                .await;
        }
        self.decide(provincial, "award", award(&id, year)).await;
        id
    }
}

fn report(id: &str, year: i64, revenue: &str, on: &str) -> Value {
    json!({ "designationId": id, "year": year, "revenueYuan": revenue, "decidedOn": on })
}

fn subsidy(id: &str, year: i64, amount: &str, on: &str) -> Value {
    json!({ "designationId": id, "year": year, "amountYuan": amount,
            "fund": "省级服务业发展专项资金", "decidedOn": on })
}

async fn statistics_count_what_was_decided_now_and_as_of_every_position(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let suzhou = app.tokens.suzhou.secret();
    let nanjing = app.tokens.nanjing.secret();
    let start = head(&app).await;
    let mut ledger = Ledger {
        app: &app,
        snapshots: Vec::new(),
    };

    // S1 苏州, 集成电路 and 物流, in 昆山 (320583): awarded 2024, evaluated EXCELLENT,
    // reports for 2024, a 2024 subsidy.
    let s1 = ledger
        .benchmark(
            enterprise_in(
                "苏州统计一号科技有限公司",
                CityCode::Suzhou,
                301,
                &["INTEGRATED_CIRCUITS", "LOGISTICS"],
                Some("320583"),
            ),
            2024,
        )
        .await;
    ledger
        .decide(provincial, "recordEvaluation", evaluation(&s1, 2024, "EXCELLENT"))
        .await;
    ledger
        .decide(
            provincial,
            "grantSubsidy",
            subsidy(&s1, 2024, "2000000", "2024-12-20"),
        )
        .await;
    ledger
        .decide(
            suzhou,
            "reportIndicators",
            report(&s1, 2024, "1500000000", "2025-04-30"),
        )
        .await;
    // S2 南京, 生物医药, in 江宁区 (320115): awarded 2025, evaluated GOOD, two 2025
    // subsidies whose sum is beyond what a JSON number holds exactly.
    let s2 = ledger
        .benchmark(
            enterprise_in(
                "南京统计二号科技有限公司",
                CityCode::Nanjing,
                302,
                &["BIOMEDICINE"],
                Some("320115"),
            ),
            2025,
        )
        .await;
    // (Graded PASS by mistake, retracted, graded GOOD.)
    let mistaken = ledger
        .decide(provincial, "recordEvaluation", evaluation(&s2, 2025, "PASS"))
        .await;
    ledger
        .decide(
            provincial,
            "retractDecision",
            retract(&s2, pos(&mistaken), "评价等次录入错误", "2025-12-02"),
        )
        .await;
    let mut good = evaluation(&s2, 2025, "GOOD");
    good["decidedOn"] = json!("2025-12-03");
    ledger.decide(provincial, "recordEvaluation", good).await;
    ledger
        .decide(
            provincial,
            "grantSubsidy",
            subsidy(&s2, 2025, "9007199254740991", "2025-12-20"),
        )
        .await;
    ledger
        .decide(provincial, "grantSubsidy", subsidy(&s2, 2025, "9", "2025-12-21"))
        .await;
    // S5 无锡, no sector given (OTHER), no county: awarded 2024, evaluated PASS.
    let s5 = ledger
        .benchmark(enterprise("无锡统计五号科技有限公司", CityCode::Wuxi, 305), 2024)
        .await;
    ledger
        .decide(provincial, "recordEvaluation", evaluation(&s5, 2024, "PASS"))
        .await;
    // S4 昆山市, a county (its own code, OTHER): a pilot.
    ledger
        .decide(
            provincial,
            "listPilot",
            county("昆山市", CityCode::Suzhou, "320583"),
        )
        .await;
    let middle = head(&app).await;

    // S3 苏州, 集成电路, in 昆山: awarded 2026, after the programme's period.
    ledger
        .benchmark(
            enterprise_in(
                "苏州统计三号科技有限公司",
                CityCode::Suzhou,
                303,
                &["INTEGRATED_CIRCUITS"],
                Some("320583"),
            ),
            2026,
        )
        .await;
    // 2025 reports: S1's below standard (预警), S2's not.
    ledger
        .decide(
            suzhou,
            "reportIndicators",
            report(&s1, 2025, "999999999", "2026-04-30"),
        )
        .await;
    // (S2's first 2025 report, below standard, retracted and reported again.)
    let wrong = ledger
        .decide(
            nanjing,
            "reportIndicators",
            report(&s2, 2025, "999999999", "2026-04-30"),
        )
        .await;
    ledger
        .decide(
            provincial,
            "retractDecision",
            retract(&s2, pos(&wrong), "数据填报错误", "2026-05-01"),
        )
        .await;
    ledger
        .decide(
            nanjing,
            "reportIndicators",
            report(&s2, 2025, "2000000000", "2026-05-02"),
        )
        .await;
    // A 2025 subsidy to S1, then retracted.
    let granted = ledger
        .decide(
            provincial,
            "grantSubsidy",
            subsidy(&s1, 2025, "500000", "2026-05-10"),
        )
        .await;
    ledger
        .decide(
            provincial,
            "retractDecision",
            retract(&s1, pos(&granted), "补助金额录入错误", "2026-05-11"),
        )
        .await;
    // S1 moved to another county and sector, and the amendment retracted.
    let moved = ledger
        .decide(
            provincial,
            "amendUnit",
            json!({ "designationId": s1, "reason": "迁址", "countyCode": "320582",
                    "sectors": ["INTEGRATED_CIRCUITS", "LOGISTICS", "GREEN_LOW_CARBON"],
                    "decidedOn": "2026-05-12" }),
        )
        .await;
    ledger
        .decide(
            provincial,
            "retractDecision",
            retract(&s1, pos(&moved), "迁址信息有误", "2026-05-13"),
        )
        .await;
    // S5 delisted, the delisting retracted, delisted again.
    let delisted = ledger
        .decide(provincial, "delist", crate::support::delist(&s5))
        .await;
    ledger
        .decide(
            provincial,
            "retractDecision",
            retract(&s5, pos(&delisted), "摘牌文号有误", "2026-02-02"),
        )
        .await;
    let mut again = crate::support::delist(&s5);
    again["decidedOn"] = json!("2026-02-03");
    ledger.decide(provincial, "delist", again).await;
    // S6 南通, 海工装备: awarded 2025, the award retracted (RECOMMENDED again).
    let s6 = ledger
        .benchmark(
            enterprise_in(
                "南通统计六号海工有限公司",
                CityCode::Nantong,
                306,
                &["MARINE_EQUIPMENT"],
                None,
            ),
            2025,
        )
        .await;
    let last_award = app
        .gql_data(
            provincial,
            "query($id: UUID!) { designation(id: $id) { history { position type } } }",
            json!({ "id": s6 }),
        )
        .await["designation"]["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["position"]
        .as_i64()
        .unwrap();
    ledger
        .decide(
            provincial,
            "retractDecision",
            retract(&s6, last_award, "授牌程序有误", "2025-07-21"),
        )
        .await;

    // Now.
    let s = statistics(&app, None).await;
    assert_eq!(s["total"], 6);
    assert_eq!(
        s["bySector"],
        by_sector(&[
            ("INTEGRATED_CIRCUITS", 2, 2),
            ("LOGISTICS", 1, 1),
            ("BIOMEDICINE", 1, 1),
            ("MARINE_EQUIPMENT", 1, 0),
            ("OTHER", 2, 0),
        ])
    );
    assert_eq!(
        s["byCounty"],
        json!([
            { "countyCode": "320115", "cityCode": "320100", "cityName": "南京", "total": 1, "awarded": 1 },
            { "countyCode": "320583", "cityCode": "320500", "cityName": "苏州", "total": 3, "awarded": 2 },
        ])
    );
    assert_eq!(
        s["byCityYear"],
        json!([
            { "cityCode": "320100", "cityName": "南京", "year": 2025, "awarded": 1, "stillAwarded": 1 },
            { "cityCode": "320200", "cityName": "无锡", "year": 2024, "awarded": 1, "stillAwarded": 0 },
            { "cityCode": "320500", "cityName": "苏州", "year": 2024, "awarded": 1, "stillAwarded": 1 },
            { "cityCode": "320500", "cityName": "苏州", "year": 2026, "awarded": 1, "stillAwarded": 1 },
        ])
    );
    assert_eq!(
        s["evaluations"],
        json!([
            { "year": 2024, "grade": "EXCELLENT", "gradeLabel": "优秀", "count": 1 },
            { "year": 2024, "grade": "PASS", "gradeLabel": "合格", "count": 1 },
            { "year": 2025, "grade": "GOOD", "gradeLabel": "良好", "count": 1 },
        ])
    );
    assert_eq!(
        s["subsidies"],
        json!([
            { "year": 2024, "cityCode": "320500", "cityName": "苏州", "totalYuan": "2000000", "count": 1 },
            { "year": 2025, "cityCode": "320100", "cityName": "南京", "totalYuan": "9007199254741000", "count": 2 },
        ])
    );
    assert_eq!(
        s["monitoring"],
        json!([
            { "year": 2024, "reported": 1, "belowStandard": 0 },
            { "year": 2025, "reported": 2, "belowStandard": 1 },
        ])
    );
    assert_eq!(
        s["target"],
        json!({ "target": 100, "targetYear": 2025, "awarded": 3, "awardedInPeriod": 2,
                "awardedAfterPeriod": 1, "awardsMade": 4, "awardsMadeInPeriod": 3,
                "remaining": 98, "reached": false })
    );
    assert_eq!(
        s["byAwardYear"],
        json!([
            { "year": 2024, "awarded": 2, "stillAwarded": 1, "delisted": 1 },
            { "year": 2025, "awarded": 1, "stillAwarded": 1, "delisted": 0 },
            { "year": 2026, "awarded": 1, "stillAwarded": 1, "delisted": 0 },
        ])
    );

    // Before S3 and the 2025 reports: no award after the period; S5 still awarded.
    let m = statistics(&app, Some(middle)).await;
    assert_eq!(m["position"], middle);
    assert_eq!(m["total"], 4);
    assert_eq!(
        m["bySector"],
        by_sector(&[
            ("INTEGRATED_CIRCUITS", 1, 1),
            ("LOGISTICS", 1, 1),
            ("BIOMEDICINE", 1, 1),
            ("OTHER", 2, 1),
        ])
    );
    assert_eq!(
        m["byCounty"],
        json!([
            { "countyCode": "320115", "cityCode": "320100", "cityName": "南京", "total": 1, "awarded": 1 },
            { "countyCode": "320583", "cityCode": "320500", "cityName": "苏州", "total": 2, "awarded": 1 },
        ])
    );
    assert_eq!(
        m["byCityYear"],
        json!([
            { "cityCode": "320100", "cityName": "南京", "year": 2025, "awarded": 1, "stillAwarded": 1 },
            { "cityCode": "320200", "cityName": "无锡", "year": 2024, "awarded": 1, "stillAwarded": 1 },
            { "cityCode": "320500", "cityName": "苏州", "year": 2024, "awarded": 1, "stillAwarded": 1 },
        ])
    );
    assert_eq!(m["evaluations"], s["evaluations"]);
    assert_eq!(m["subsidies"], s["subsidies"]);
    assert_eq!(
        m["monitoring"],
        json!([{ "year": 2024, "reported": 1, "belowStandard": 0 }])
    );
    assert_eq!(
        m["target"],
        json!({ "target": 100, "targetYear": 2025, "awarded": 3, "awardedInPeriod": 3,
                "awardedAfterPeriod": 0, "awardsMade": 3, "awardsMadeInPeriod": 3,
                "remaining": 97, "reached": false })
    );
    // While S1's 2025 subsidy stood.
    let g = statistics(&app, Some(pos(&granted))).await;
    assert_eq!(
        g["subsidies"],
        json!([
            { "year": 2024, "cityCode": "320500", "cityName": "苏州", "totalYuan": "2000000", "count": 1 },
            { "year": 2025, "cityCode": "320100", "cityName": "南京", "totalYuan": "9007199254741000", "count": 2 },
            { "year": 2025, "cityCode": "320500", "cityName": "苏州", "totalYuan": "500000", "count": 1 },
        ])
    );
    assert_eq!(g["monitoring"], s["monitoring"]);
    // While S2's mistaken evaluation stood.
    assert_eq!(
        statistics(&app, Some(pos(&mistaken))).await["evaluations"],
        json!([
            { "year": 2024, "grade": "EXCELLENT", "gradeLabel": "优秀", "count": 1 },
            { "year": 2025, "grade": "PASS", "gradeLabel": "合格", "count": 1 },
        ])
    );
    // While S1's move stood: in 张家港 (320582), and 绿色低碳 too.
    let at_move = statistics(&app, Some(pos(&moved))).await;
    assert_eq!(
        at_move["byCounty"],
        json!([
            { "countyCode": "320115", "cityCode": "320100", "cityName": "南京", "total": 1, "awarded": 1 },
            { "countyCode": "320582", "cityCode": "320500", "cityName": "苏州", "total": 1, "awarded": 1 },
            { "countyCode": "320583", "cityCode": "320500", "cityName": "苏州", "total": 2, "awarded": 1 },
        ])
    );
    assert_eq!(
        at_move["bySector"],
        by_sector(&[
            ("INTEGRATED_CIRCUITS", 2, 2),
            ("LOGISTICS", 1, 1),
            ("BIOMEDICINE", 1, 1),
            ("GREEN_LOW_CARBON", 1, 1),
            ("OTHER", 2, 1),
        ])
    );
    // While S6's award stood: one more within the period.
    let at_award = statistics(&app, Some(last_award)).await;
    assert_eq!(
        at_award["target"],
        json!({ "target": 100, "targetYear": 2025, "awarded": 4, "awardedInPeriod": 3,
                "awardedAfterPeriod": 1, "awardsMade": 5, "awardsMadeInPeriod": 4,
                "remaining": 97, "reached": false })
    );
    assert!(
        at_award["byCityYear"].as_array().unwrap().contains(&json!(
            { "cityCode": "320600", "cityName": "南通", "year": 2025, "awarded": 1, "stillAwarded": 1 }
        )),
        "{}",
        at_award["byCityYear"]
    );
    // Before anything was decided: nothing counted, every sector listed.
    let empty = statistics(&app, Some(start)).await;
    assert_eq!(empty["total"], 0);
    assert_eq!(empty["bySector"], by_sector(&[]));
    for list in ["byCounty", "byCityYear", "evaluations", "subsidies", "monitoring"] {
        assert_eq!(empty[list], json!([]), "{list}");
    }

    // As of every position the test decided at, exactly what was read just after it.
    assert!(ledger.snapshots.len() > 30);
    for (position, then) in &ledger.snapshots {
        assert_eq!(
            &statistics(&app, Some(*position)).await,
            then,
            "statistics as of {position}"
        );
    }
}

/// The designations fields the demo's statistics are recounted from.
const UNITS: &str = "query($after: String) { designations(first: 100, after: $after) { \
    pageInfo { hasNextPage endCursor } nodes { id cityCode status awardYear recommendedYear \
    sectors countyCode evaluations { year grade } subsidies { year amountYuan } \
    indicators { year belowStandard } } } }";

async fn statistics_of_the_demo_equal_counts_over_its_designations(db: &TestDb) {
    let app = TestApp::spawn_with_demo(db).await;
    let reader = app.tokens.reader.secret();
    let stats = statistics(&app, None).await;

    let mut units = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app.gql_data(reader, UNITS, json!({ "after": after })).await;
        let page = &data["designations"];
        units.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(stats["total"], units.len());
    let awarded = |u: &Value| u["status"] == "AWARDED";

    // By sector: every unit in each of its sectors.
    let mut sectors: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for u in &units {
        for s in u["sectors"].as_array().unwrap() {
            let slot = sectors.entry(s.as_str().unwrap()).or_default();
            slot.0 += 1;
            slot.1 += i64::from(awarded(u));
        }
    }
    let counts: Vec<(&str, i64, i64)> = sectors.iter().map(|(s, (t, a))| (*s, *t, *a)).collect();
    assert_eq!(stats["bySector"], by_sector(&counts));
    assert!(
        sectors.len() > 5,
        "the demo has units in {} sectors",
        sectors.len()
    );

    // By county.
    let mut counties: BTreeMap<String, (String, i64, i64)> = BTreeMap::new();
    for u in units.iter().filter(|u| !u["countyCode"].is_null()) {
        let slot = counties
            .entry(u["countyCode"].as_str().unwrap().to_owned())
            .or_insert_with(|| (u["cityCode"].as_str().unwrap().to_owned(), 0, 0));
        assert_eq!(slot.0, u["cityCode"], "a county of two cities");
        slot.1 += 1;
        slot.2 += i64::from(awarded(u));
    }
    let shown: BTreeMap<String, (String, i64, i64)> = stats["byCounty"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["countyCode"].as_str().unwrap().to_owned(),
                (
                    c["cityCode"].as_str().unwrap().to_owned(),
                    c["total"].as_i64().unwrap(),
                    c["awarded"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(shown, counties);
    assert!(counties.len() >= 13);

    // Awards by city and year; the target.
    let mut city_years: BTreeMap<(String, i64), (i64, i64)> = BTreeMap::new();
    for u in units.iter().filter(|u| !u["awardYear"].is_null()) {
        let slot = city_years
            .entry((
                u["cityCode"].as_str().unwrap().to_owned(),
                u["awardYear"].as_i64().unwrap(),
            ))
            .or_default();
        slot.0 += 1;
        slot.1 += i64::from(awarded(u));
    }
    let shown: BTreeMap<(String, i64), (i64, i64)> = stats["byCityYear"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                (
                    c["cityCode"].as_str().unwrap().to_owned(),
                    c["year"].as_i64().unwrap(),
                ),
                (
                    c["awarded"].as_i64().unwrap(),
                    c["stillAwarded"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(shown, city_years);
    let award_year = |u: &Value| u["awardYear"].as_i64();
    let count = |f: &dyn Fn(&Value) -> bool| units.iter().filter(|u| f(u)).count() as i64;
    let in_period = count(&|u| awarded(u) && award_year(u).is_some_and(|y| y <= 2025));
    let target = &stats["target"];
    assert_eq!(target["awarded"], count(&awarded));
    assert_eq!(target["awardedInPeriod"], in_period);
    assert_eq!(
        target["awardedAfterPeriod"],
        count(&|u| awarded(u) && award_year(u).is_some_and(|y| y > 2025))
    );
    assert_eq!(target["awardsMade"], count(&|u| award_year(u).is_some()));
    assert_eq!(
        target["awardsMadeInPeriod"],
        count(&|u| award_year(u).is_some_and(|y| y <= 2025))
    );
    assert_eq!(target["remaining"], (100 - in_period).max(0));

    // Evaluations, subsidies and monitoring reports, as every unit lists its own.
    let mut evaluations: BTreeMap<(i64, String), i64> = BTreeMap::new();
    let mut subsidies: BTreeMap<(i64, String), (u128, i64)> = BTreeMap::new();
    let mut monitoring: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for u in &units {
        for e in u["evaluations"].as_array().unwrap() {
            *evaluations
                .entry((
                    e["year"].as_i64().unwrap(),
                    e["grade"].as_str().unwrap().to_owned(),
                ))
                .or_default() += 1;
        }
        for s in u["subsidies"].as_array().unwrap() {
            let slot = subsidies
                .entry((
                    s["year"].as_i64().unwrap(),
                    u["cityCode"].as_str().unwrap().to_owned(),
                ))
                .or_default();
            slot.0 += s["amountYuan"].as_str().unwrap().parse::<u128>().unwrap();
            slot.1 += 1;
        }
        for r in u["indicators"].as_array().unwrap() {
            let slot = monitoring.entry(r["year"].as_i64().unwrap()).or_default();
            slot.0 += 1;
            slot.1 += i64::from(r["belowStandard"] == true);
        }
    }
    let shown: BTreeMap<(i64, String), i64> = stats["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                (
                    e["year"].as_i64().unwrap(),
                    e["grade"].as_str().unwrap().to_owned(),
                ),
                e["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(shown, evaluations);
    let shown: BTreeMap<(i64, String), (u128, i64)> = stats["subsidies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                (
                    s["year"].as_i64().unwrap(),
                    s["cityCode"].as_str().unwrap().to_owned(),
                ),
                (
                    s["totalYuan"].as_str().unwrap().parse::<u128>().unwrap(),
                    s["count"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(shown, subsidies);
    let shown: BTreeMap<i64, (i64, i64)> = stats["monitoring"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["year"].as_i64().unwrap(),
                (
                    m["reported"].as_i64().unwrap(),
                    m["belowStandard"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(shown, monitoring);
    assert!(
        !evaluations.is_empty() && !subsidies.is_empty() && !monitoring.is_empty(),
        "the demo records evaluations, subsidies and monitoring"
    );
    assert!(
        monitoring.values().any(|(_, below)| *below > 0),
        "the demo has a 预警"
    );

    // The applications projection agrees: an AWARDED application for every award made, of
    // its year; one IN_REVIEW application for every RECOMMENDED unit, of its attempt's year.
    let by_id: BTreeMap<&str, &Value> = units.iter().map(|u| (u["id"].as_str().unwrap(), u)).collect();
    let mut applications = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app
            .gql_data(
                reader,
                "query($after: String) { applications(first: 100, after: $after) { \
                 pageInfo { hasNextPage endCursor } nodes { year result designation { id } } } }",
                json!({ "after": after }),
            )
            .await;
        let page = &data["applications"];
        applications.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let of = |result: &str| -> BTreeSet<(String, i64)> {
        applications
            .iter()
            .filter(|a| a["result"] == result)
            .map(|a| {
                (
                    a["designation"]["id"].as_str().unwrap().to_owned(),
                    a["year"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let awards: BTreeSet<(String, i64)> = units
        .iter()
        .filter_map(|u| Some((u["id"].as_str()?.to_owned(), award_year(u)?)))
        .collect();
    assert_eq!(of("AWARDED"), awards);
    let attempts: BTreeSet<(String, i64)> = units
        .iter()
        .filter(|u| u["status"] == "RECOMMENDED")
        .map(|u| {
            (
                u["id"].as_str().unwrap().to_owned(),
                u["recommendedYear"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(of("IN_REVIEW"), attempts);
    assert!(!attempts.is_empty());
    for result in ["FAILED", "WITHDRAWN", "NOT_SELECTED"] {
        let ended = of(result);
        assert!(!ended.is_empty(), "the demo has no {result} application");
        for (id, _) in &ended {
            assert!(
                by_id.contains_key(id.as_str()),
                "an application of an unknown unit"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// 3. Sync: changedAfter, lastPosition, and the new designation filters

const SYNC: &str = "query($filter: DesignationFilter, $first: Int, $after: String, $asOf: AsOf) { \
    designations(filter: $filter, first: $first, after: $after, asOf: $asOf) { totalCount position \
    pageInfo { hasNextPage endCursor } nodes { id name cityCode status sectors countyCode pilotBatch \
    recommendedYear lastPosition } } }";

/// Every designation `filter` selects (as of `as_of`), walked two at a time: the nodes by
/// id, checked against the `totalCount` each page reported.
async fn select(app: &TestApp, filter: Value, as_of: Option<i64>) -> BTreeMap<String, Value> {
    let mut nodes = BTreeMap::new();
    let mut after = Value::Null;
    let mut total = None;
    for _ in 0..100 {
        let data = app
            .gql_data(
                app.tokens.reader.secret(),
                SYNC,
                json!({ "filter": filter, "first": 2, "after": after, "asOf": as_of.map(at) }),
            )
            .await;
        let page = &data["designations"];
        let count = page["totalCount"].as_i64().unwrap();
        assert_eq!(*total.get_or_insert(count), count, "{filter}");
        for node in page["nodes"].as_array().unwrap() {
            let id = node["id"].as_str().unwrap().to_owned();
            assert!(nodes.insert(id, node.clone()).is_none(), "{filter}: a unit twice");
        }
        if page["pageInfo"]["hasNextPage"] != true {
            assert_eq!(total, Some(nodes.len() as i64), "totalCount of {filter}");
            return nodes;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    panic!("pagination of {filter} does not end");
}

/// The units with an event in `(after, upto]` of the log but `except`: the position of
/// each one's last.
async fn last_in_log(app: &TestApp, after: i64, upto: i64, except: &str) -> BTreeMap<String, i64> {
    let mut last = BTreeMap::new();
    for (position, unit) in unit_events(app, after, Some(upto)).await {
        last.insert(unit, position);
    }
    last.remove(except);
    last
}

fn ids_of(nodes: &BTreeMap<String, Value>) -> BTreeSet<&str> {
    nodes.keys().map(String::as_str).collect()
}

fn set<'a>(ids: &[&'a String]) -> BTreeSet<&'a str> {
    ids.iter().map(|s| s.as_str()).collect()
}

async fn changed_after_returns_exactly_the_units_changed_since(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let suzhou = app.tokens.suzhou.secret();
    let nanjing = app.tokens.nanjing.secret();

    let u1 = list_enterprise(&app, "苏州同步一号科技有限公司", CityCode::Suzhou, 401).await;
    let u2 = list_enterprise(&app, "苏州同步二号科技有限公司", CityCode::Suzhou, 402).await;
    let u3 = list_enterprise(&app, "南京同步三号科技有限公司", CityCode::Nanjing, 403).await;
    let u4 = list_enterprise(&app, "南京同步四号科技有限公司", CityCode::Nanjing, 404).await;
    // Another system reads the registry and remembers the position of the answer.
    let first_read = app
        .gql_data(app.tokens.reader.secret(), SYNC, json!({ "first": 100 }))
        .await;
    let p0 = first_read["designations"]["position"].as_i64().unwrap();
    assert_eq!(p0, head(&app).await);
    assert_eq!(first_read["designations"]["totalCount"], 4);

    // Changes: two units, a new unit, one listed and retracted, and events about no unit.
    decide(&app, provincial, "setAnnualQuota", quota(2025, 5)).await;
    decide(
        &app,
        provincial,
        "amendUnit",
        json!({ "designationId": u2, "reason": "更名", "name": "苏州同步二号智能科技有限公司",
                "decidedOn": "2024-04-01" }),
    )
    .await;
    decide(&app, nanjing, "recommend", recommend(&u4, 2025)).await;
    let u5 = list_enterprise(&app, "苏州同步五号科技有限公司", CityCode::Suzhou, 405).await;
    let listed = list_pilot(&app, "苏州误列同步科技有限公司", CityCode::Suzhou, 406).await;
    decide(
        &app,
        provincial,
        "retractDecision",
        retract(&id_of(&listed), pos(&listed), "误列入", "2024-03-02"),
    )
    .await;
    app.issue_token("同步测试令牌", liangye_events::catalogue::Role::Reader, None)
        .await;
    let p1 = head(&app).await;
    decide(&app, suzhou, "recommend", recommend(&u1, 2025)).await;
    let p2 = head(&app).await;

    // The log says which units changed; the registry must say the same (but for the
    // listing retracted: it left no unit).
    let retracted = id_of(&listed);
    for (after, as_of, expected) in [
        (p0, None, set(&[&u1, &u2, &u4, &u5])),
        (p1, None, set(&[&u1])),
        (0, None, set(&[&u1, &u2, &u3, &u4, &u5])),
        (p2, None, BTreeSet::new()),
        (p0, Some(p1), set(&[&u2, &u4, &u5])),
        (p1, Some(p1), BTreeSet::new()),
    ] {
        let filter = json!({ "changedAfter": after });
        let nodes = select(&app, filter.clone(), as_of).await;
        assert_eq!(ids_of(&nodes), expected, "changedAfter {after} as of {as_of:?}");
        let log = last_in_log(&app, after, as_of.unwrap_or(p2), &retracted).await;
        assert_eq!(nodes.keys().collect::<Vec<_>>(), log.keys().collect::<Vec<_>>());
        for (id, node) in &nodes {
            assert!(node["lastPosition"].as_i64().unwrap() > after);
            assert_eq!(node["lastPosition"], log[id], "lastPosition of {id}");
        }
    }
    // Every unit's lastPosition is its stream's last event (as of the moment asked).
    let all = select(&app, json!({}), Some(p1)).await;
    let log = last_in_log(&app, 0, p1, &retracted).await;
    for (id, node) in &all {
        assert_eq!(node["lastPosition"], log[id]);
    }
    // Combined with the other criteria.
    let nodes = select(&app, json!({ "changedAfter": p0, "cityCode": "320500" }), None).await;
    assert_eq!(ids_of(&nodes), set(&[&u1, &u2, &u5]));
    let nodes = select(&app, json!({ "changedAfter": p0, "status": "RECOMMENDED" }), None).await;
    assert_eq!(ids_of(&nodes), set(&[&u1, &u4]));
    // A position the log has not reached selects nothing; a negative one is refused.
    let nodes = select(&app, json!({ "changedAfter": p2 + 1000 }), None).await;
    assert!(nodes.is_empty());
    let (code, message) = query_error(
        &app,
        app.tokens.reader.secret(),
        SYNC,
        json!({ "filter": { "changedAfter": -1 } }),
    )
    .await;
    assert_eq!(code, "VALIDATION_FAILED", "{message}");
}

async fn designation_filters_select_by_sector_county_batch_and_recommended_year(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let suzhou = app.tokens.suzhou.secret();
    let list = |input: Value| {
        let app = &app;
        async move { id_of(&decide(app, provincial, "listPilot", input).await) }
    };
    let batch = |mut input: Value, batch: i64| {
        input["batch"] = json!(batch);
        input
    };
    let u1 = list(enterprise_in(
        "苏州筛选一号科技有限公司",
        CityCode::Suzhou,
        501,
        &["LOGISTICS"],
        Some("320506"),
    ))
    .await;
    let u2 = list(batch(
        enterprise_in(
            "苏州筛选二号科技有限公司",
            CityCode::Suzhou,
            502,
            &["INTEGRATED_CIRCUITS", "LOGISTICS"],
            Some("320583"),
        ),
        2,
    ))
    .await;
    let u3 = list(county("江宁区", CityCode::Nanjing, "320115")).await;
    let u4 = list(batch(
        enterprise_in(
            "南京筛选四号科技有限公司",
            CityCode::Nanjing,
            504,
            &["BIOMEDICINE"],
            None,
        ),
        3,
    ))
    .await;
    let u5 = list(batch(
        enterprise("苏州筛选五号科技有限公司", CityCode::Suzhou, 505),
        2,
    ))
    .await;
    // Attempts: U4 recommended for 2025; U5 recommended and withdrawn; U1 awarded 2024.
    decide(
        &app,
        app.tokens.nanjing.secret(),
        "recommend",
        recommend(&u4, 2025),
    )
    .await;
    decide(&app, suzhou, "recommend", recommend(&u5, 2025)).await;
    decide(
        &app,
        suzhou,
        "withdrawRecommendation",
        json!({ "designationId": u5, "year": 2025, "reason": "材料不全", "decidedOn": "2025-04-01" }),
    )
    .await;
    decide(&app, suzhou, "recommend", recommend(&u1, 2024)).await;
    pass_reviews(&app, &u1, 2024, &STAGES).await;
    let before_award = head(&app).await;
    decide(&app, provincial, "award", award(&u1, 2024)).await;
    // U2 moves: other sectors, another county.
    let before_move = head(&app).await;
    decide(
        &app,
        provincial,
        "amendUnit",
        json!({ "designationId": u2, "reason": "迁址并调整行业领域", "sectors": ["LOGISTICS"],
                "countyCode": "320582", "decidedOn": "2025-05-01" }),
    )
    .await;

    let stats = statistics(&app, None).await;
    let stats_then = statistics(&app, Some(before_move)).await;
    let sector_total = |stats: &Value, sector: &str| {
        stats["bySector"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["sector"] == sector)
            .unwrap()["total"]
            .clone()
    };
    for (filter, as_of, expected) in [
        (json!({ "sector": "LOGISTICS" }), None, set(&[&u1, &u2])),
        (json!({ "sector": "INTEGRATED_CIRCUITS" }), None, BTreeSet::new()),
        (
            json!({ "sector": "INTEGRATED_CIRCUITS" }),
            Some(before_move),
            set(&[&u2]),
        ),
        (json!({ "sector": "BIOMEDICINE" }), None, set(&[&u4])),
        (json!({ "sector": "OTHER" }), None, set(&[&u3, &u5])),
        (json!({ "sector": "MARINE_EQUIPMENT" }), None, BTreeSet::new()),
        (json!({ "countyCode": "320506" }), None, set(&[&u1])),
        (json!({ "countyCode": "320115" }), None, set(&[&u3])),
        (json!({ "countyCode": "320582" }), None, set(&[&u2])),
        (json!({ "countyCode": "320583" }), None, BTreeSet::new()),
        (json!({ "countyCode": "320583" }), Some(before_move), set(&[&u2])),
        (json!({ "pilotBatch": 1 }), None, set(&[&u1, &u3])),
        (json!({ "pilotBatch": 2 }), None, set(&[&u2, &u5])),
        (json!({ "pilotBatch": 3 }), None, set(&[&u4])),
        (json!({ "pilotBatch": 4 }), None, BTreeSet::new()),
        (json!({ "recommendedYear": 2025 }), None, set(&[&u4])),
        (json!({ "recommendedYear": 2024 }), None, BTreeSet::new()),
        (
            json!({ "recommendedYear": 2024 }),
            Some(before_award),
            set(&[&u1]),
        ),
        (
            json!({ "sector": "LOGISTICS", "pilotBatch": 2 }),
            None,
            set(&[&u2]),
        ),
        (
            json!({ "cityCode": "320100", "sector": "BIOMEDICINE", "recommendedYear": 2025 }),
            None,
            set(&[&u4]),
        ),
        (
            json!({ "sector": "LOGISTICS", "status": "AWARDED", "countyCode": "320506" }),
            None,
            set(&[&u1]),
        ),
        (
            json!({ "sector": "LOGISTICS", "kind": "COUNTY" }),
            None,
            BTreeSet::new(),
        ),
    ] {
        let nodes = select(&app, filter.clone(), as_of).await;
        assert_eq!(ids_of(&nodes), expected, "{filter} as of {as_of:?}");
        for node in nodes.values() {
            if let Some(sector) = filter.get("sector") {
                assert!(node["sectors"].as_array().unwrap().contains(sector));
            }
            if let Some(county) = filter.get("countyCode") {
                assert_eq!(node["countyCode"], *county);
            }
            if let Some(batch) = filter.get("pilotBatch") {
                assert_eq!(node["pilotBatch"], *batch);
            }
            if let Some(year) = filter.get("recommendedYear") {
                assert_eq!(node["recommendedYear"], *year);
            }
        }
        // A sector alone counts what the statistics count.
        if let (Some(sector), 1) = (filter.get("sector"), filter.as_object().unwrap().len()) {
            let s = if as_of.is_some() { &stats_then } else { &stats };
            assert_eq!(sector_total(s, sector.as_str().unwrap()), nodes.len(), "{filter}");
        }
    }
    for filter in [
        json!({ "countyCode": "3205" }),
        json!({ "countyCode": "江宁区" }),
        json!({ "pilotBatch": 0 }),
        json!({ "recommendedYear": 2019 }),
        json!({ "sector": "SHIPPING" }),
    ] {
        let (code, message) = query_error(
            &app,
            app.tokens.reader.secret(),
            SYNC,
            json!({ "filter": filter }),
        )
        .await;
        assert_eq!(code, "VALIDATION_FAILED", "{filter}: {message}");
    }
}

// ---------------------------------------------------------------------------------------
// 4. designationChanged

const CHANGES: &str = "subscription($after: Int) { designationChanged(afterPosition: $after) { \
    position designationId designation { id name status version lastPosition recommendedYear \
    history { position type actor } } } }";

/// The next change, which must carry no error.
async fn next_change(subscription: &mut liangye_tests::app::Subscription) -> Value {
    let payload = subscription.next().await.expect("a change");
    assert!(first_error(&payload).is_none(), "subscription error: {payload}");
    payload["data"]["designationChanged"].clone()
}

/// A change shows the unit just after its event: its last position is the event's, and so
/// is its history's last entry; `actors` says whether the history may name who recorded it.
fn check_change(change: &Value, position: i64, unit: &str, actors: bool) {
    assert_eq!(change["position"], position, "{change}");
    assert_eq!(change["designationId"], unit, "{change}");
    let designation = &change["designation"];
    if designation.is_null() {
        return;
    }
    assert_eq!(designation["id"], unit);
    assert_eq!(designation["lastPosition"], position, "{change}");
    let history = designation["history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["position"], position);
    assert_eq!(designation["version"], history.len());
    for entry in history {
        assert_eq!(
            entry["actor"].is_string(),
            actors,
            "actor shown {} : {entry}",
            if actors { "never" } else { "to a reader" }
        );
    }
}

async fn designation_changes_are_pushed_once_each_in_order_to_every_role(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let suzhou = app.tokens.suzhou.secret();
    let reader = app.tokens.reader.secret();
    let u1 = list_enterprise(&app, "苏州推送一号科技有限公司", CityCode::Suzhou, 601).await;
    let u2 = list_enterprise(&app, "南京推送二号科技有限公司", CityCode::Nanjing, 602).await;
    decide(&app, provincial, "setAnnualQuota", quota(2025, 5)).await;
    let mut received = Vec::new();

    // Catch-up from the start: one change per unit event (none for the tokens or the
    // quota), each with the unit as it stood just after it.
    let mut subscription = app.subscribe(reader, CHANGES, json!({ "after": 0 })).await;
    let catch_up = unit_events(&app, 0, None).await;
    assert_eq!(catch_up.len(), 2);
    for (position, unit) in &catch_up {
        let change = next_change(&mut subscription).await;
        check_change(&change, *position, unit, false);
        assert_eq!(change["designation"]["status"], "PILOT");
        assert_eq!(change["designation"]["version"], 1);
        received.push(*position);
    }

    // Live: each decision about a unit, as it is made.
    let recommended = decide(&app, suzhou, "recommend", recommend(&u1, 2025)).await;
    let change = next_change(&mut subscription).await;
    check_change(&change, pos(&recommended), &u1, false);
    assert_eq!(change["designation"]["status"], "RECOMMENDED");
    assert_eq!(change["designation"]["recommendedYear"], 2025);
    received.push(pos(&recommended));
    // An event about no unit is not a change: the next one is the review.
    decide(&app, provincial, "setAnnualQuota", quota(2026, 3)).await;
    let material = decide(
        &app,
        provincial,
        "recordReview",
        review(&u1, 2025, "MATERIAL", "PASSED"),
    )
    .await;
    let change = next_change(&mut subscription).await;
    check_change(&change, pos(&material), &u1, false);
    received.push(pos(&material));
    let listed = list_pilot(&app, "苏州推送三号科技有限公司", CityCode::Suzhou, 603).await;
    let u3 = id_of(&listed);
    let change = next_change(&mut subscription).await;
    check_change(&change, pos(&listed), &u3, false);
    assert_eq!(change["designation"]["name"], "苏州推送三号科技有限公司");
    received.push(pos(&listed));
    // The client goes away, remembering the last position it saw.
    let last_seen = pos(&listed);
    subscription.close().await;

    // Meanwhile: U3's listing retracted, U2 renamed.
    let retracted = decide(
        &app,
        provincial,
        "retractDecision",
        retract(&u3, last_seen, "误列入", "2024-03-02"),
    )
    .await;
    let amended = decide(
        &app,
        provincial,
        "amendUnit",
        json!({ "designationId": u2, "reason": "更名", "name": "南京推送二号智能科技有限公司",
                "decidedOn": "2024-04-01" }),
    )
    .await;

    // Back again after the last position seen: exactly what it missed, then live.
    let mut subscription = app
        .subscribe(reader, CHANGES, json!({ "after": last_seen }))
        .await;
    let change = next_change(&mut subscription).await;
    check_change(&change, pos(&retracted), &u3, false);
    assert!(
        change["designation"].is_null(),
        "a retracted listing leaves no unit: {change}"
    );
    received.push(pos(&retracted));
    let change = next_change(&mut subscription).await;
    check_change(&change, pos(&amended), &u2, false);
    assert_eq!(change["designation"]["name"], "南京推送二号智能科技有限公司");
    received.push(pos(&amended));
    let expert = decide(
        &app,
        provincial,
        "recordReview",
        review(&u1, 2025, "EXPERT", "PASSED"),
    )
    .await;
    let change = next_change(&mut subscription).await;
    check_change(&change, pos(&expert), &u1, false);
    received.push(pos(&expert));
    subscription.close().await;

    // Everything received, across the reconnect: each unit event of the log once, in order.
    let log: Vec<i64> = unit_events(&app, 0, None)
        .await
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(received, log);

    // PROVINCIAL and AUDITOR see who recorded each decision; a CITY (of any city) is
    // pushed changes too.
    for (token, actors) in [
        (&app.tokens.provincial, true),
        (&app.tokens.auditor, true),
        (&app.tokens.nanjing, false),
    ] {
        let mut subscription = app
            .subscribe(token.secret(), CHANGES, json!({ "after": pos(&recommended) - 1 }))
            .await;
        let change = next_change(&mut subscription).await;
        check_change(&change, pos(&recommended), &u1, actors);
        if actors {
            let history = change["designation"]["history"].as_array().unwrap();
            assert_eq!(history[1]["actor"], app.tokens.suzhou.name);
            assert_eq!(history[0]["actor"], app.tokens.provincial.name);
        }
        let change = next_change(&mut subscription).await;
        check_change(&change, pos(&material), &u1, actors);
        subscription.close().await;
    }

    // Caught up later, U3's listing still shows the unit as it stood then; its retraction,
    // none.
    let mut subscription = app
        .subscribe(reader, CHANGES, json!({ "after": last_seen - 1 }))
        .await;
    let change = next_change(&mut subscription).await;
    check_change(&change, last_seen, &u3, false);
    assert_eq!(change["designation"]["name"], "苏州推送三号科技有限公司");
    assert_eq!(change["designation"]["status"], "PILOT");
    let change = next_change(&mut subscription).await;
    check_change(&change, pos(&retracted), &u3, false);
    assert!(change["designation"].is_null(), "{change}");
    subscription.close().await;

    // A negative position is refused.
    let mut subscription = app.subscribe(reader, CHANGES, json!({ "after": -1 })).await;
    let payload = subscription.next().await.expect("an answer");
    let (code, message) = first_error(&payload).unwrap_or_else(|| panic!("answered: {payload}"));
    assert_eq!(code, "VALIDATION_FAILED", "{message}");
}

/// Subscribers that connect while decisions are being made (their catch-up racing new
/// commits) each receive every unit event after their position once, in log order.
async fn designation_changes_miss_nothing_while_decisions_race_the_catch_up(db: &TestDb) {
    const LIGHT: &str = "subscription($after: Int) { designationChanged(afterPosition: $after) { \
        position designationId designation { name lastPosition } } }";
    const MARKER: &str = "苏州推送终点科技有限公司";
    const WRITERS: u64 = 3;
    const UNITS: u64 = 8;
    let app = TestApp::spawn(db).await;
    let reader = app.tokens.reader.secret();
    let suzhou = app.tokens.suzhou.secret();
    for n in 0..4 {
        list_enterprise(
            &app,
            &format!("苏州推送前序{n}号科技有限公司"),
            CityCode::Suzhou,
            1_000 + n,
        )
        .await;
    }
    let start = head(&app).await;

    let writers = async {
        futures::future::join_all((0..WRITERS).map(|w| {
            let app = &app;
            async move {
                for i in 0..UNITS {
                    let n = 1_100 + w * 100 + i;
                    let id = list_enterprise(
                        app,
                        &format!("苏州推送并发{n}号科技有限公司"),
                        CityCode::Suzhou,
                        n,
                    )
                    .await;
                    decide(app, suzhou, "recommend", recommend(&id, 2025)).await;
                }
            }
        }))
        .await;
        list_enterprise(&app, MARKER, CityCode::Suzhou, 1_999).await;
    };
    // Subscribers from the start, from before the writers, and from wherever the log has
    // reached once a third and two thirds of the decisions are made.
    let subscribers = futures::future::join_all((0..4u64).map(|k| {
        let app = &app;
        async move {
            let after = match k {
                0 => 0,
                1 => start,
                _ => {
                    let reached = start + ((k - 1) * WRITERS * UNITS * 2 / 3) as i64;
                    loop {
                        let now = head(app).await;
                        if now >= reached {
                            break now - 2;
                        }
                        // Only pacing the polls; nothing is asserted on time.
                        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    }
                }
            };
            let mut subscription = app.subscribe(reader, LIGHT, json!({ "after": after })).await;
            let mut got = Vec::new();
            loop {
                let change = next_change(&mut subscription).await;
                let position = change["position"].as_i64().unwrap();
                assert_eq!(change["designation"]["lastPosition"], position, "{change}");
                got.push((position, change["designationId"].as_str().unwrap().to_owned()));
                if change["designation"]["name"] == MARKER {
                    break;
                }
            }
            subscription.close().await;
            (after, got)
        }
    }));
    let ((), received) = tokio::join!(writers, subscribers);
    let log = unit_events(&app, 0, None).await;
    assert_eq!(log.len() as u64, 4 + WRITERS * UNITS * 2 + 1);
    for (after, got) in received {
        let expected: Vec<(i64, String)> = log.iter().filter(|(p, _)| *p > after).cloned().collect();
        assert_eq!(got, expected, "subscribed after {after}");
    }
}

// ---------------------------------------------------------------------------------------
// 5. events: the auditors' filters

const SEARCH: &str = "query($after: Int, $first: Int, $streamId: String, $type: String, $actor: String, \
    $documentRef: String, $decidedFrom: Date, $decidedTo: Date, $recordedFrom: DateTime, \
    $recordedTo: DateTime) { events(after: $after, first: $first, streamId: $streamId, type: $type, \
    actor: $actor, documentRef: $documentRef, decidedFrom: $decidedFrom, decidedTo: $decidedTo, \
    recordedFrom: $recordedFrom, recordedTo: $recordedTo) { \
    nodes { position type actor } \
    edges { cursor node { position } } \
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";

/// One page of `events(filter)` after `after`.
async fn search_page(app: &TestApp, filter: &Value, after: i64, first: i64) -> Value {
    let mut variables = filter.clone();
    variables["after"] = json!(after);
    variables["first"] = json!(first);
    app.gql_data(app.tokens.auditor.secret(), SEARCH, variables).await["events"].clone()
}

/// Every event `filter` selects after `after`, page by page of `first`, following each
/// `endCursor`: their positions.
async fn search(app: &TestApp, filter: &Value, after: i64, first: i64) -> Vec<i64> {
    let mut positions: Vec<i64> = Vec::new();
    let mut cursor = after;
    for _ in 0..200 {
        let page = search_page(app, filter, cursor, first).await;
        let nodes = page["nodes"].as_array().unwrap();
        let edges = page["edges"].as_array().unwrap();
        assert!(nodes.len() as i64 <= first);
        assert_eq!(nodes.len(), edges.len());
        for (node, edge) in nodes.iter().zip(edges) {
            assert_eq!(edge["cursor"], node["position"].as_i64().unwrap().to_string());
        }
        let info = &page["pageInfo"];
        assert_eq!(info["hasPreviousPage"], cursor > 0, "{filter}");
        if let (Some(start), Some(end)) = (nodes.first(), nodes.last()) {
            assert_eq!(
                info["startCursor"],
                start["position"].as_i64().unwrap().to_string()
            );
            assert_eq!(info["endCursor"], end["position"].as_i64().unwrap().to_string());
        }
        for node in nodes {
            let position = node["position"].as_i64().unwrap();
            assert!(
                positions.last().is_none_or(|last| *last < position) && position > after,
                "{filter}: {position} out of order"
            );
            positions.push(position);
        }
        if info["hasNextPage"] != true {
            return positions;
        }
        cursor = info["endCursor"].as_str().unwrap().parse().unwrap();
    }
    panic!("the search for {filter} does not end");
}

async fn auditors_filter_events_by_actor_document_and_dates(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let suzhou = app.tokens.suzhou.secret();
    let nanjing = app.tokens.nanjing.secret();
    let (p_name, sz_name, nj_name) = (
        app.tokens.provincial.name.clone(),
        app.tokens.suzhou.name.clone(),
        app.tokens.nanjing.name.clone(),
    );

    // e1: listed 2024-03-01 under 苏发改服务发〔2024〕21号 (PROVINCIAL).
    let l1 = list_pilot(&app, "苏州审计一号科技有限公司", CityCode::Suzhou, 701).await;
    let u1 = id_of(&l1);
    // e2: listed 2024-03-01 under 宁发改服务发〔2024〕5号 (PROVINCIAL).
    let mut input = enterprise("南京审计二号科技有限公司", CityCode::Nanjing, 702);
    input["documentRef"] = json!("宁发改服务发〔2024〕5号");
    let l2 = decide(&app, provincial, "listPilot", input).await;
    let u2 = id_of(&l2);
    // e3: recommended 2024-03-15 under 苏发改服务发〔2024〕30号 (苏州).
    let r3 = decide(&app, suzhou, "recommend", recommend(&u1, 2024)).await;
    // e4: recommended 2025-03-15 under 宁发改服务发〔2025〕8号 (南京).
    let mut input = recommend(&u2, 2025);
    input["documentRef"] = json!("宁发改服务发〔2025〕8号");
    let r4 = decide(&app, nanjing, "recommend", input).await;
    // e5: material review 2024-04-10 under 苏发改服务发〔2024〕41号 (PROVINCIAL).
    let mut input = review(&u1, 2024, "MATERIAL", "PASSED");
    input["documentRef"] = json!("苏发改服务发〔2024〕41号");
    let m5 = decide(&app, provincial, "recordReview", input).await;
    // e6: the 2025 quota, 2025-01-10, 苏发改服务发〔2025〕1号 (PROVINCIAL).
    let mut input = quota(2025, 10);
    input["documentRef"] = json!("苏发改服务发〔2025〕1号");
    let q6 = decide(&app, provincial, "setAnnualQuota", input).await;
    // e7: withdrawn 2024-05-01 under 苏发改服务〔2024〕12号 (苏州).
    let w7 = decide(
        &app,
        suzhou,
        "withdrawRecommendation",
        json!({ "designationId": u1, "year": 2024, "reason": "材料需补充", "decidedOn": "2024-05-01",
                "documentRef": "苏发改服务〔2024〕12号" }),
    )
    .await;
    // e8: amended 2025-04-01, no 文号 (PROVINCIAL).
    let a8 = decide(
        &app,
        provincial,
        "amendUnit",
        json!({ "designationId": u2, "reason": "更名", "name": "南京审计二号智能科技有限公司",
                "decidedOn": "2025-04-01" }),
    )
    .await;
    let [e1, e2, e3, e4, e5, e6, e7, e8] = [&l1, &l2, &r3, &r4, &m5, &q6, &w7, &a8].map(pos);
    assert!(
        [e1, e2, e3, e4, e5, e6, e7, e8].is_sorted(),
        "decided in log order"
    );

    // When each was recorded, as the log says.
    let log = log(&app).await;
    let recorded = |position: i64| -> String {
        log.iter().find(|e| e["position"] == position).unwrap()["recordedAt"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let time = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
    let recorded_between = |from: Option<i64>, to: Option<i64>| -> Vec<i64> {
        log.iter()
            .filter(|e| {
                let t = time(e["recordedAt"].as_str().unwrap());
                from.is_none_or(|f| t >= time(&recorded(f))) && to.is_none_or(|to| t <= time(&recorded(to)))
            })
            .map(|e| e["position"].as_i64().unwrap())
            .collect()
    };
    let (t3, t6, t7) = (recorded(e3), recorded(e6), recorded(e7));
    // The same instant written in China's offset.
    let t3_beijing = time(&t3)
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
    assert!(t3_beijing.ends_with("+08:00"), "{t3_beijing}");
    let from_3_to_6 = recorded_between(Some(e3), Some(e6));
    assert!(from_3_to_6.contains(&e3) && from_3_to_6.contains(&e6) && !from_3_to_6.contains(&e7));
    // A nanosecond after e3 was recorded, and one before e6 was: the bounds hold to the
    // nanosecond though the log keeps microseconds.
    let nanos =
        |t: chrono::DateTime<chrono::FixedOffset>| t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let just_after_3 = nanos(time(&t3) + chrono::Duration::nanoseconds(1));
    let just_before_6 = nanos(time(&t6) - chrono::Duration::nanoseconds(1));
    let strictly = |from: &str, to: &str| -> Vec<i64> {
        log.iter()
            .filter(|e| {
                let t = time(e["recordedAt"].as_str().unwrap());
                t >= time(from) && t <= time(to)
            })
            .map(|e| e["position"].as_i64().unwrap())
            .collect()
    };
    let after_3_to_6 = strictly(&just_after_3, &t6);
    assert!(!after_3_to_6.contains(&e3) && after_3_to_6.contains(&e6));
    let from_3_before_6 = strictly(&t3, &just_before_6);
    assert!(from_3_before_6.contains(&e3) && !from_3_before_6.contains(&e6));

    for (filter, expected) in [
        (json!({ "actor": sz_name }), vec![e3, e7]),
        (json!({ "actor": nj_name }), vec![e4]),
        (json!({ "actor": p_name }), vec![e1, e2, e5, e6, e8]),
        (json!({ "actor": p_name, "type": "ReviewRecorded" }), vec![e5]),
        (json!({ "actor": "无此人" }), vec![]),
        (json!({ "documentRef": "宁发改服务发" }), vec![e2, e4]),
        (json!({ "documentRef": "〔2025〕" }), vec![e4, e6]),
        (json!({ "documentRef": "苏发改服务发〔2024〕30号" }), vec![e3]),
        (json!({ "documentRef": "〔2024〕3" }), vec![e3]),
        (
            json!({ "documentRef": "〔2024〕", "actor": sz_name }),
            vec![e3, e7],
        ),
        (
            json!({ "documentRef": "〔2024〕", "type": "PilotListed" }),
            vec![e1, e2],
        ),
        (json!({ "documentRef": "不存在的文号" }), vec![]),
        (json!({ "decidedFrom": "2025-01-01" }), vec![e4, e6, e8]),
        (json!({ "decidedTo": "2024-03-01" }), vec![e1, e2]),
        (
            json!({ "decidedFrom": "2024-03-15", "decidedTo": "2024-03-15" }),
            vec![e3],
        ),
        (
            json!({ "decidedFrom": "2024-03-15", "decidedTo": "2024-05-01" }),
            vec![e3, e5, e7],
        ),
        (
            json!({ "decidedFrom": "2024-03-15", "decidedTo": "2024-05-01", "type": "Recommended" }),
            vec![e3],
        ),
        (
            json!({ "decidedFrom": "2024-03-15", "decidedTo": "2024-05-01", "actor": sz_name }),
            vec![e3, e7],
        ),
        (
            json!({ "decidedFrom": "2025-01-01", "documentRef": "宁" }),
            vec![e4],
        ),
        (
            json!({ "recordedFrom": t3, "recordedTo": t6 }),
            from_3_to_6.clone(),
        ),
        (
            json!({ "recordedFrom": t3_beijing, "recordedTo": t6 }),
            from_3_to_6,
        ),
        (
            json!({ "recordedFrom": just_after_3, "recordedTo": t6 }),
            after_3_to_6,
        ),
        (
            json!({ "recordedFrom": t3, "recordedTo": just_before_6 }),
            from_3_before_6,
        ),
        (json!({ "recordedFrom": t3 }), recorded_between(Some(e3), None)),
        (json!({ "recordedTo": t6 }), recorded_between(None, Some(e6))),
        (json!({ "recordedFrom": t3, "actor": sz_name }), vec![e3, e7]),
        (json!({ "recordedTo": t6, "actor": sz_name }), vec![e3]),
        (
            json!({ "recordedFrom": t7, "decidedFrom": "2025-01-01" }),
            vec![e8],
        ),
        (
            json!({ "recordedFrom": t3, "recordedTo": t6, "documentRef": "宁", "decidedFrom": "2025-01-01",
                    "actor": nj_name, "type": "Recommended" }),
            vec![e4],
        ),
        // Within one stream (read by its index), the other criteria still hold.
        (
            json!({ "streamId": format!("unit-{u1}"), "actor": sz_name }),
            vec![e3, e7],
        ),
        (
            json!({ "streamId": format!("unit-{u1}"), "documentRef": "〔2024〕" }),
            vec![e1, e3, e5, e7],
        ),
        (
            json!({ "streamId": format!("unit-{u1}"), "decidedFrom": "2024-04-01", "recordedTo": t6 }),
            vec![e5],
        ),
    ] {
        for first in [1, 2, 100] {
            assert_eq!(
                search(&app, &filter, 0, first).await,
                expected,
                "{filter}, pages of {first}"
            );
        }
        // Each page continues after the cursor it is given.
        if let Some(first_match) = expected.first() {
            assert_eq!(
                search(&app, &filter, *first_match, 2).await,
                expected[1..],
                "{filter} after {first_match}"
            );
        }
    }
    // A page of one with more to come says so, and its endCursor continues it.
    let page = search_page(&app, &json!({ "actor": sz_name }), 0, 1).await;
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    assert_eq!(page["pageInfo"]["endCursor"], e3.to_string());
    let page = search_page(&app, &json!({ "actor": sz_name }), e3, 1).await;
    assert_eq!(page["nodes"][0]["position"], e7);
    assert_eq!(page["nodes"][0]["actor"], sz_name);
    assert_eq!(page["pageInfo"]["hasNextPage"], false);

    // The raw log stays PROVINCIAL's and AUDITOR's, whatever the filter.
    for filter in [
        json!({ "actor": sz_name }),
        json!({ "documentRef": "〔2024〕" }),
        json!({ "decidedFrom": "2024-01-01" }),
        json!({ "recordedFrom": t3 }),
    ] {
        for token in [&app.tokens.reader, &app.tokens.suzhou, &app.tokens.nanjing] {
            let (code, message) = query_error(&app, token.secret(), SEARCH, filter.clone()).await;
            assert_eq!(code, "FORBIDDEN", "{} {filter}: {message}", token.name);
        }
        let data = app.gql_data(provincial, SEARCH, filter.clone()).await;
        assert!(
            !data["events"]["nodes"].as_array().unwrap().is_empty(),
            "{filter}"
        );
    }
    // Bad dates are refused.
    for filter in [
        json!({ "decidedFrom": "2024-13-01" }),
        json!({ "recordedFrom": "yesterday" }),
    ] {
        let (code, message) = query_error(&app, app.tokens.auditor.secret(), SEARCH, filter.clone()).await;
        assert_eq!(code, "VALIDATION_FAILED", "{filter}: {message}");
    }
}

/// The cost a `QUERY_TOO_COMPLEX` refusal names (`the query costs N …`).
fn refused_cost(message: &str) -> u64 {
    let rest = message
        .split("costs ")
        .nth(1)
        .unwrap_or_else(|| panic!("no cost in {message:?}"));
    rest.split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no cost in {message:?}"))
}

async fn auditor_filters_cost_like_a_type_scan_and_resume_over_a_long_log(db: &TestDb) {
    use liangye_events::NewEvent;
    use liangye_events::catalogue::{AnnualQuotaSet, Decision, DomainEvent, Year};
    let app = TestApp::spawn(db).await;
    let auditor = app.tokens.auditor.secret();
    let provincial = app.tokens.provincial.secret();
    let scans = |n: usize, args: &str| -> String {
        let fields: String = (0..n)
            .map(|i| format!("s{i}: events(first: 0, {args}) {{ pageInfo {{ hasNextPage }} }} "))
            .collect();
        format!("{{ {fields} }}")
    };

    // Twenty-five type scans are over the cost; each auditor filter costs the same.
    let (code, message) = query_error(&app, auditor, &scans(25, r#"type: "X""#), json!({})).await;
    assert_eq!(code, "QUERY_TOO_COMPLEX", "{message}");
    let type_scans = refused_cost(&message);
    assert!(type_scans > 20_000, "{message}");
    for args in [
        r#"actor: "某人""#,
        r#"documentRef: "〔2024〕""#,
        r#"decidedFrom: "2024-01-01""#,
        r#"decidedTo: "2024-12-31""#,
        r#"recordedFrom: "2024-01-01T00:00:00Z""#,
        r#"recordedTo: "2099-01-01T00:00:00Z""#,
        r#"actor: "某人", documentRef: "〔2024〕", decidedFrom: "2024-01-01""#,
    ] {
        let (code, message) = query_error(&app, auditor, &scans(25, args), json!({})).await;
        assert_eq!(code, "QUERY_TOO_COMPLEX", "{args}: {message}");
        assert_eq!(
            refused_cost(&message),
            type_scans,
            "{args} costs like a type scan"
        );
        // Fewer scans are within the cost, and answered.
        app.gql_data(auditor, &scans(19, args), json!({})).await;
    }
    // A stream is read by its index, not scanned: 25 are cheap whatever else is asked.
    app.gql_data(
        auditor,
        &scans(
            25,
            r#"streamId: "access", actor: "某人", documentRef: "〔2024〕""#,
        ),
        json!({}),
    )
    .await;
    app.gql_data(auditor, &scans(25, "after: 0"), json!({})).await;

    // A long log: 10,500 events that match nothing, then one decision that matches.
    let before = head(&app).await;
    let tokens_recorded = log(&app).await.last().unwrap()["recordedAt"].clone();
    // (Real events, so that the engine and the live registry fold them and decide after
    // them: a quota of 2030 set again and again, dated 2021, by an actor of its own.)
    let bulk = DomainEvent::from(AnnualQuotaSet {
        year: Year::new(2030).unwrap(),
        total: 10,
        guideline_ref: None,
        decision: Decision::on(chrono::NaiveDate::from_ymd_opt(2021, 1, 10).unwrap()),
    });
    let events: Vec<NewEvent> = (0..10_500)
        .map(|_| NewEvent {
            schema_version: bulk.schema_version(),
            ..liangye_tests::raw_event(bulk.stream_id(), bulk.event_type(), bulk.to_payload(), "批量导入")
        })
        .collect();
    liangye_tests::append(&app.state.store, events).await.unwrap();
    let mut input = enterprise("苏州长日志科技有限公司", CityCode::Suzhou, 801);
    input["documentRef"] = json!("苏发改服务发〔2024〕99号");
    let listed = decide(&app, provincial, "listPilot", input).await;
    let target = pos(&listed);
    assert_eq!(target, before + 10_501);
    let recorded_at = log(&app).await.last().unwrap()["recordedAt"].clone();

    for filter in [
        json!({ "actor": app.tokens.provincial.name }),
        json!({ "documentRef": "〔2024〕99号" }),
        json!({ "decidedFrom": "2024-03-01" }),
    ] {
        // One request reads at most 10,000 events: an empty page that says to go on.
        let page = search_page(&app, &filter, 0, 10).await;
        assert_eq!(page["nodes"], json!([]), "{filter}");
        assert_eq!(page["pageInfo"]["hasNextPage"], true, "{filter}");
        let cursor: i64 = page["pageInfo"]["endCursor"].as_str().unwrap().parse().unwrap();
        assert!(cursor >= 10_000 && cursor < target, "{filter}: {cursor}");
        // Going on reaches the decision, and the end.
        assert_eq!(search(&app, &filter, cursor, 10).await, vec![target], "{filter}");
        assert_eq!(search(&app, &filter, 0, 10).await, vec![target], "{filter}");
    }
    // `recordedFrom` starts where the log reaches it: the decision in the first request.
    let page = search_page(
        &app,
        &json!({ "recordedFrom": recorded_at, "actor": app.tokens.provincial.name }),
        0,
        10,
    )
    .await;
    assert_eq!(page["nodes"][0]["position"], target);
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
    // `recordedTo` stops at the first event recorded after it: the tokens, in one request.
    let page = search_page(
        &app,
        &json!({ "recordedTo": tokens_recorded, "type": "AccessGranted" }),
        0,
        10,
    )
    .await;
    assert_eq!(page["nodes"].as_array().unwrap().len(), 5);
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
}

// ---------------------------------------------------------------------------------------
// 6. History entries' typed fields

const HISTORY: &str = "query($id: UUID!, $asOf: AsOf) { designation(id: $id, asOf: $asOf) { \
    history { position type typeLabel decidedOn documentRef actor retractedBy year reason \
    retractsPosition figures { revenueYuan gdpYuan manufacturingShareBp marketShareRank } \
    review { stage stageLabel outcome outcomeLabel score noticeStart noticeEnd objections } \
    changes { field fieldLabel from to } } } }";

async fn history_of(app: &TestApp, token: Option<&str>, id: &str, as_of: Option<i64>) -> Vec<Value> {
    app.gql_data(token, HISTORY, json!({ "id": id, "asOf": as_of.map(at) }))
        .await["designation"]["history"]
        .as_array()
        .unwrap()
        .clone()
}

/// A history entry with every typed field empty, as a reader sees it.
fn entry(payload: &Value, event_type: &str, label: &str, input: &Value) -> Value {
    json!({
        "position": pos(payload),
        "type": event_type,
        "typeLabel": label,
        "decidedOn": input["decidedOn"],
        "documentRef": opt(input, "documentRef"),
        "actor": null,
        "retractedBy": null,
        "year": opt(input, "year"),
        "reason": null,
        "retractsPosition": null,
        "figures": null,
        "review": null,
        "changes": [],
    })
}

/// Decide, and the history entry it must add.
async fn recorded(
    app: &TestApp,
    token: Option<&str>,
    name: &str,
    input: Value,
    event_type: &str,
    label: &str,
) -> Value {
    let payload = decide(app, token, name, input.clone()).await;
    let mut e = entry(&payload, event_type, label, &input);
    match name {
        "recommend" => {
            e["figures"] = json!({
                "revenueYuan": opt(&input, "revenueYuan"),
                "gdpYuan": opt(&input, "gdpYuan"),
                "manufacturingShareBp": opt(&input, "manufacturingShareBp"),
                "marketShareRank": opt(&input, "marketShareRank"),
            });
        }
        "recordReview" => {
            let stage = input["stage"].as_str().unwrap();
            e["review"] = json!({
                "stage": stage,
                "stageLabel": stage_label(stage),
                "outcome": input["outcome"],
                "outcomeLabel": outcome_label(&input["outcome"]),
                "score": opt(&input, "score"),
                "noticeStart": opt(&input, "noticeStart"),
                "noticeEnd": opt(&input, "noticeEnd"),
                "objections": opt(&input, "objections"),
            });
            e["reason"] = opt(&input, "reason");
        }
        "retractDecision" => {
            e["reason"] = input["reason"].clone();
            e["retractsPosition"] = input["position"].clone();
        }
        "withdrawRecommendation" | "closeSelection" | "amendUnit" => e["reason"] = input["reason"].clone(),
        "delist" => {
            e["reason"] = input["reason"].clone();
            e["year"] = opt(&input, "evaluationYear");
        }
        "reportIndicators" => {
            e["figures"] = json!({
                "revenueYuan": opt(&input, "revenueYuan"),
                "gdpYuan": opt(&input, "gdpYuan"),
                "manufacturingShareBp": opt(&input, "manufacturingShareBp"),
                "marketShareRank": opt(&input, "marketShareRank"),
            });
        }
        _ => {}
    }
    e
}

async fn history_entries_carry_typed_fields(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let suzhou = app.tokens.suzhou.secret();
    let reader = app.tokens.reader.secret();

    // A unit listed without sectors or county, renamed and placed, then three attempts.
    let listing = enterprise("苏州史册科技有限公司", CityCode::Suzhou, 901);
    let listed = decide(&app, provincial, "listPilot", listing.clone()).await;
    let id = id_of(&listed);
    let mut entries = vec![entry(&listed, "PilotListed", "列入试点", &listing)];
    let amend = json!({ "designationId": id, "reason": "企业更名并明确行业领域",
        "name": "苏州史册新名科技有限公司", "sectors": ["INTEGRATED_CIRCUITS", "LOGISTICS"],
        "countyCode": "320583", "decidedOn": "2024-03-10" });
    let mut amended = recorded(&app, provincial, "amendUnit", amend, "UnitAmended", "信息变更").await;
    amended["changes"] = json!([
        { "field": "name", "fieldLabel": "名称", "from": "苏州史册科技有限公司", "to": "苏州史册新名科技有限公司" },
        { "field": "sectors", "fieldLabel": "行业领域", "from": "OTHER", "to": "INTEGRATED_CIRCUITS、LOGISTICS" },
        { "field": "countyCode", "fieldLabel": "县(市、区)代码", "from": null, "to": "320583" },
    ]);
    entries.push(amended);
    // A wrong name, retracted: the next amendment's old value is the name before it.
    let mut wrong = recorded(
        &app,
        provincial,
        "amendUnit",
        json!({ "designationId": id, "reason": "更名", "name": "苏州史册错名科技有限公司",
                "decidedOn": "2024-03-11" }),
        "UnitAmended",
        "信息变更",
    )
    .await;
    wrong["changes"] = json!([
        { "field": "name", "fieldLabel": "名称", "from": "苏州史册新名科技有限公司", "to": "苏州史册错名科技有限公司" },
    ]);
    let wrong_at = pos(&wrong);
    entries.push(wrong);
    let undo = recorded(
        &app,
        provincial,
        "retractDecision",
        retract(&id, wrong_at, "名称录入错误", "2024-03-12"),
        "DecisionRetracted",
        "撤销错误决定",
    )
    .await;
    entries.last_mut().unwrap()["retractedBy"] = undo["position"].clone();
    entries.push(undo);
    let mut renamed = recorded(
        &app,
        provincial,
        "amendUnit",
        json!({ "designationId": id, "reason": "再次更名", "name": "苏州史册三名科技有限公司",
                "industries": ["高端装备"], "decidedOn": "2024-03-13" }),
        "UnitAmended",
        "信息变更",
    )
    .await;
    renamed["changes"] = json!([
        { "field": "name", "fieldLabel": "名称", "from": "苏州史册新名科技有限公司", "to": "苏州史册三名科技有限公司" },
        { "field": "industries", "fieldLabel": "行业描述", "from": "高端装备、工业互联网", "to": "高端装备" },
    ]);
    entries.push(renamed);
    // 2024: figures with a market-share rank; material passed; an expert review retracted
    // and recorded again as FAILED.
    let mut input = recommend(&id, 2024);
    input["marketShareRank"] = json!(2);
    entries.push(recorded(&app, suzhou, "recommend", input, "Recommended", "推荐").await);
    entries.push(
        recorded(
            &app,
            provincial,
            "recordReview",
            review(&id, 2024, "MATERIAL", "PASSED"),
            "ReviewRecorded",
            "评审",
        )
        .await,
    );
    entries.push(
        recorded(
            &app,
            provincial,
            "recordReview",
            review(&id, 2024, "EXPERT", "PASSED"),
            "ReviewRecorded",
            "评审",
        )
        .await,
    );
    let expert = entries.last().unwrap()["position"].as_i64().unwrap();
    let before_retraction = entries.clone();
    let retraction = recorded(
        &app,
        provincial,
        "retractDecision",
        retract(&id, expert, "专家评分录入错误", "2024-05-11"),
        "DecisionRetracted",
        "撤销错误决定",
    )
    .await;
    entries.last_mut().unwrap()["retractedBy"] = retraction["position"].clone();
    entries.push(retraction);
    let mut failed = review(&id, 2024, "EXPERT", "FAILED");
    failed["score"] = json!(50);
    failed["reason"] = json!("专家评审未通过");
    failed["decidedOn"] = json!("2024-05-12");
    entries.push(recorded(&app, provincial, "recordReview", failed, "ReviewRecorded", "评审").await);
    // 2025: withdrawn.
    entries.push(
        recorded(
            &app,
            suzhou,
            "recommend",
            recommend(&id, 2025),
            "Recommended",
            "推荐",
        )
        .await,
    );
    entries.push(
        recorded(
            &app,
            suzhou,
            "withdrawRecommendation",
            json!({ "designationId": id, "year": 2025, "reason": "申报材料需补充", "decidedOn": "2025-04-01",
                    "documentRef": "苏发改服务〔2025〕12号" }),
            "RecommendationWithdrawn",
            "撤回推荐",
        )
        .await,
    );
    // 2026: every stage passed (the public notice with its period and objections), not
    // selected.
    entries.push(
        recorded(
            &app,
            suzhou,
            "recommend",
            recommend(&id, 2026),
            "Recommended",
            "推荐",
        )
        .await,
    );
    for s in STAGES {
        entries.push(
            recorded(
                &app,
                provincial,
                "recordReview",
                review(&id, 2026, s, "PASSED"),
                "ReviewRecorded",
                "评审",
            )
            .await,
        );
    }
    entries.push(
        recorded(
            &app,
            provincial,
            "closeSelection",
            json!({ "designationId": id, "year": 2026, "reason": "择优遴选未入选", "decidedOn": "2026-07-25" }),
            "NotSelected",
            "未入选",
        )
        .await,
    );

    assert_eq!(history_of(&app, reader, &id, None).await, entries);
    // As of just before the retraction: the expert review not (yet) retracted.
    assert_eq!(
        history_of(&app, reader, &id, Some(expert)).await,
        before_retraction
    );
    // PROVINCIAL and AUDITOR see who recorded each; the rest is the same.
    for token in [&app.tokens.provincial, &app.tokens.auditor] {
        let shown = history_of(&app, token.secret(), &id, None).await;
        assert_eq!(shown.len(), entries.len());
        for (entry, expected) in shown.iter().zip(&entries) {
            let by_city = expected["type"] == "Recommended" || expected["type"] == "RecommendationWithdrawn";
            let actor = if by_city {
                &app.tokens.suzhou.name
            } else {
                &app.tokens.provincial.name
            };
            assert_eq!(entry["actor"], actor.as_str(), "{entry}");
            let mut entry = entry.clone();
            entry["actor"] = Value::Null;
            assert_eq!(&entry, expected);
        }
    }

    // A benchmark's later life: award, evaluation, monitoring figures, subsidy, delisting.
    let other =
        crate::support::ready_for_award(&app, "苏州史册标杆科技有限公司", CityCode::Suzhou, 902, 2024).await;
    let tail = [
        recorded(&app, provincial, "award", award(&other, 2024), "Awarded", "授牌").await,
        recorded(
            &app,
            provincial,
            "recordEvaluation",
            evaluation(&other, 2024, "GOOD"),
            "EvaluationRecorded",
            "绩效评价",
        )
        .await,
        recorded(
            &app,
            suzhou,
            "reportIndicators",
            json!({ "designationId": other, "year": 2024, "revenueYuan": "1600000000",
                    "marketShareRank": 4, "serviceRevenueYuan": "300000000", "decidedOn": "2025-04-30" }),
            "IndicatorsReported",
            "统计监测",
        )
        .await,
        recorded(
            &app,
            provincial,
            "grantSubsidy",
            subsidy(&other, 2024, "2000000", "2025-05-10"),
            "SubsidyGranted",
            "奖励补助",
        )
        .await,
        recorded(
            &app,
            provincial,
            "delist",
            crate::support::delist(&other),
            "Delisted",
            "摘牌",
        )
        .await,
    ];
    let shown = history_of(&app, reader, &other, None).await;
    assert_eq!(shown.len(), 6 + tail.len());
    assert_eq!(shown[6..], tail[..]);
    // The listing and the four passed stages before them, typed too.
    assert_eq!(shown[1]["type"], "Recommended");
    assert_eq!(shown[1]["figures"]["revenueYuan"], "1500000000");
    assert_eq!(shown[5]["review"]["stage"], "PUBLIC_NOTICE");
    assert_eq!(shown[5]["review"]["noticeEnd"], "2024-06-21");
}
