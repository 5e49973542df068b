//! Every error code of DESIGN.md §4 produced over HTTP (`INTERNAL` aside: nothing a client
//! sends provokes it), each refusal storing nothing and no message showing database text.

use liangye_events::catalogue::{CREDIT_CODE_ALPHABET, CityCode};
use liangye_tests::{TestApp, TestDb};
use serde_json::json;
use uuid::Uuid;

use crate::support::{
    STAGES, award, commend, credit_code, decide, enterprise, head, list_county, list_enterprise,
    pass_reviews, query_error, quota, ready_for_award, recommend, refuse, review, revoke_pilot,
};

on_both_backends!(
    authentication_and_permission_errors,
    validation_errors_name_what_is_wrong,
    decision_errors_carry_their_codes,
    queries_over_the_limits_are_too_complex,
);

async fn authentication_and_permission_errors(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let before = head(&app).await;
    let input = enterprise("苏州无权限科技有限公司", CityCode::Suzhou, 1);

    let (code, message) = refuse(&app, None, "listPilot", input.clone()).await;
    assert_eq!(code, "UNAUTHENTICATED", "{message}");
    assert!(message.contains("Authorization"), "{message}");
    let (code, _) = refuse(&app, Some("lyt_0000"), "listPilot", input.clone()).await;
    assert_eq!(code, "UNAUTHENTICATED");
    let (code, message) = refuse(&app, app.tokens.reader.secret(), "listPilot", input.clone()).await;
    assert_eq!(code, "FORBIDDEN", "{message}");
    // Reads need a token too.
    let (code, _) = query_error(&app, None, "{ statistics { total } }", json!({})).await;
    assert_eq!(code, "UNAUTHENTICATED");
    let (code, _) = query_error(
        &app,
        app.tokens.reader.secret(),
        "{ events { nodes { position } } }",
        json!({}),
    )
    .await;
    assert_eq!(code, "FORBIDDEN");

    assert_eq!(head(&app).await, before, "nothing stored");
}

async fn validation_errors_name_what_is_wrong(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let before = head(&app).await;

    // A city code that is not one of the 13.
    let mut input = enterprise("无效城市科技有限公司", CityCode::Suzhou, 1);
    input["cityCode"] = json!("320000");
    let (code, message) = refuse(&app, provincial, "listPilot", input).await;
    assert_eq!(code, "VALIDATION_FAILED", "{message}");
    assert!(message.contains("320000"), "{message}");

    // A credit code failing its check: the message names the expected check character.
    let valid = credit_code(CityCode::Suzhou, 5);
    let expected = valid.chars().last().unwrap();
    let wrong = CREDIT_CODE_ALPHABET.chars().find(|c| *c != expected).unwrap();
    let invalid = format!("{}{wrong}", &valid[..17]);
    let mut input = enterprise("校验位错误科技有限公司", CityCode::Suzhou, 5);
    input["creditCode"] = json!(invalid);
    let (code, message) = refuse(&app, provincial, "listPilot", input.clone()).await;
    assert_eq!(code, "VALIDATION_FAILED", "{message}");
    assert!(
        message.contains(&format!("give {expected}")),
        "the expected check character {expected} is not named: {message}"
    );
    // … which `acceptInvalidCreditCode` with a note overrides.
    input["acceptInvalidCreditCode"] = json!(true);
    input["note"] = json!("营业执照上的登记代码如此,经市场监管部门核实");
    let accepted = decide(&app, provincial, "listPilot", input).await;
    assert_eq!(accepted["designation"]["creditCode"], invalid);
    assert_eq!(accepted["designation"]["creditCodeCheckOverridden"], true);
    let before = before + 1;

    // A date that does not exist, and one that is not a date.
    for date in ["2024-02-30", "2024/03/01", "yesterday"] {
        let mut input = enterprise("日期错误科技有限公司", CityCode::Suzhou, 6);
        input["decidedOn"] = json!(date);
        let (code, message) = refuse(&app, provincial, "listPilot", input).await;
        assert_eq!(code, "VALIDATION_FAILED", "{date}: {message}");
    }
    // A public notice that ends before it starts.
    let id = list_enterprise(&app, "公示日期科技有限公司", CityCode::Suzhou, 7).await;
    decide(&app, provincial, "recommend", recommend(&id, 2025)).await;
    pass_reviews(&app, &id, 2025, &STAGES[..3]).await;
    let before = before + 5;
    let mut notice = review(&id, 2025, "PUBLIC_NOTICE", "PASSED");
    notice["noticeEnd"] = json!("2025-05-31");
    let (code, message) = refuse(&app, provincial, "recordReview", notice).await;
    assert_eq!(code, "VALIDATION_FAILED", "{message}");

    // An unknown field, in the selection and in an input.
    let (code, message) = query_error(&app, provincial, "{ statistics { total colour } }", json!({})).await;
    assert_eq!(code, "VALIDATION_FAILED", "{message}");
    assert!(message.contains("colour"), "{message}");
    let mut input = enterprise("多余字段科技有限公司", CityCode::Suzhou, 8);
    input["colour"] = json!("red");
    let (code, message) = refuse(&app, provincial, "listPilot", input).await;
    assert_eq!(code, "VALIDATION_FAILED", "{message}");
    // A wrong type, and a missing required field.
    let mut input = enterprise("类型错误科技有限公司", CityCode::Suzhou, 9);
    input["batch"] = json!("first");
    let (code, _) = refuse(&app, provincial, "listPilot", input).await;
    assert_eq!(code, "VALIDATION_FAILED");
    let mut input = enterprise("缺少字段科技有限公司", CityCode::Suzhou, 10);
    input.as_object_mut().unwrap().remove("decidedOn");
    let (code, _) = refuse(&app, provincial, "listPilot", input).await;
    assert_eq!(code, "VALIDATION_FAILED");
    // A bad code to look up, a bad filter, a bad cursor, a bad page size.
    for query in [
        r#"{ designationByCode(code: "not-a-code") { id } }"#,
        r#"{ designations(filter: { cityCode: "110000" }) { totalCount } }"#,
        r#"{ designations(after: "not-a-cursor") { totalCount } }"#,
        r#"{ designations(first: 101) { totalCount } }"#,
        r#"{ designations(first: -1) { totalCount } }"#,
        r#"{ events(first: 101) { nodes { position } } }"#,
    ] {
        let (code, message) = query_error(&app, provincial, query, json!({})).await;
        assert_eq!(code, "VALIDATION_FAILED", "{query}: {message}");
    }

    assert_eq!(head(&app).await, before, "nothing stored by a refusal");
}

async fn decision_errors_carry_their_codes(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();

    // NOT_ELIGIBLE names every unmet criterion: exactly 100亿元 GDP does not exceed 100亿元,
    // 34.99% is below 35%.
    let county_id = list_county(&app, "昆山市", CityCode::Suzhou, "320583").await;
    let before = head(&app).await;
    let poor = json!({
        "designationId": county_id,
        "year": 2025,
        "gdpYuan": "10000000000",
        "manufacturingShareBp": 3499,
        "decidedOn": "2025-03-15",
    });
    let (code, message) = refuse(&app, app.tokens.suzhou.secret(), "recommend", poor).await;
    assert_eq!(code, "NOT_ELIGIBLE", "{message}");
    assert!(message.contains("(1)") && message.contains("(2)"), "{message}");
    assert!(
        message.contains("35.00%"),
        "the share criterion is not named: {message}"
    );
    assert!(
        message.contains("100亿元"),
        "the scale criterion is not named: {message}"
    );
    let enterprise_id = list_enterprise(&app, "苏州小微科技有限公司", CityCode::Suzhou, 20).await;
    let before = before + 1;
    let small = json!({
        "designationId": enterprise_id,
        "year": 2025,
        "revenueYuan": "999999999",
        "marketShareRank": 6,
        "decidedOn": "2025-03-15",
    });
    let (code, message) = refuse(&app, provincial, "recommend", small).await;
    assert_eq!(code, "NOT_ELIGIBLE", "{message}");
    assert!(message.contains("10亿元"), "{message}");
    assert_eq!(head(&app).await, before);
    // The boundaries pass: 35.00% with GDP just over 100亿元; revenue of exactly 10亿元.
    let fair = json!({
        "designationId": county_id,
        "year": 2025,
        "gdpYuan": "10000000001",
        "manufacturingShareBp": 3500,
        "decidedOn": "2025-03-15",
    });
    decide(&app, app.tokens.suzhou.secret(), "recommend", fair).await;
    let mut exactly = recommend(&enterprise_id, 2025);
    exactly["revenueYuan"] = json!("1000000000");
    decide(&app, provincial, "recommend", exactly).await;

    // INVALID_TRANSITION: commend a unit that is not AWARDED; revoke a pilot that is
    // recommended.
    let before = head(&app).await;
    let (code, message) = refuse(&app, provincial, "commend", commend(&enterprise_id, 2025)).await;
    assert_eq!(code, "INVALID_TRANSITION", "{message}");
    let (code, message) = refuse(&app, provincial, "revokePilot", revoke_pilot(&enterprise_id)).await;
    assert_eq!(code, "INVALID_TRANSITION", "{message}");

    // CONFLICT: a stale expectedVersion (the unit is at version 2).
    let mut stale = review(&enterprise_id, 2025, "MATERIAL", "PASSED");
    stale["expectedVersion"] = json!(1);
    let (code, message) = refuse(&app, provincial, "recordReview", stale).await;
    assert_eq!(code, "CONFLICT", "{message}");
    assert!(message.contains("version 2"), "{message}");

    // NOT_FOUND: a unit that does not exist.
    let (code, message) = refuse(
        &app,
        provincial,
        "revokePilot",
        revoke_pilot(&Uuid::now_v7().to_string()),
    )
    .await;
    assert_eq!(code, "NOT_FOUND", "{message}");

    // DUPLICATE: a second unit with a listed credit code.
    let (code, message) = refuse(
        &app,
        provincial,
        "listPilot",
        enterprise("同一代码的另一家公司", CityCode::Suzhou, 20),
    )
    .await;
    assert_eq!(code, "DUPLICATE", "{message}");
    assert_eq!(head(&app).await, before, "nothing stored by a refusal");

    // QUOTA_EXCEEDED: a quota of one award, and a second unit ready for it.
    decide(&app, provincial, "setAnnualQuota", quota(2025, 1)).await;
    let first = ready_for_award(&app, "苏州第一名科技有限公司", CityCode::Suzhou, 30, 2025).await;
    let second = ready_for_award(&app, "苏州第二名科技有限公司", CityCode::Suzhou, 31, 2025).await;
    let awarded = decide(&app, provincial, "award", award(&first, 2025)).await;
    assert_eq!(awarded["designation"]["certificateNo"], "JSLY-2025-001");
    let before = head(&app).await;
    let (code, message) = refuse(&app, provincial, "award", award(&second, 2025)).await;
    assert_eq!(code, "QUOTA_EXCEEDED", "{message}");
    // A quota below the awards made is a validation error.
    let (code, message) = refuse(&app, provincial, "setAnnualQuota", quota(2025, 0)).await;
    assert_eq!(code, "VALIDATION_FAILED", "{message}");
    assert_eq!(head(&app).await, before, "nothing stored by a refusal");
    // Raised, the quota admits the second award.
    decide(&app, provincial, "setAnnualQuota", quota(2025, 2)).await;
    let awarded = decide(&app, provincial, "award", award(&second, 2025)).await;
    assert_eq!(awarded["designation"]["certificateNo"], "JSLY-2025-002");
}

async fn queries_over_the_limits_are_too_complex(db: &TestDb) {
    let app = TestApp::spawn_with_demo(db).await;
    let auditor = app.tokens.auditor.secret();

    // Deeper than the depth limit (introspection nests as deep as one likes).
    let mut deep = String::from("name");
    for _ in 0..14 {
        deep = format!("ofType {{ {deep} }}");
    }
    let deep = format!("{{ __schema {{ types {{ fields {{ type {{ {deep} }} }} }} }} }}");
    let (code, message) = query_error(&app, auditor, &deep, json!({})).await;
    assert_eq!(code, "QUERY_TOO_COMPLEX", "{message}");

    // A page of 100 with 300 fields a node: 30,000 > the complexity limit.
    let fields: String = (0..300).map(|i| format!("f{i}: name ")).collect();
    let wide = format!("{{ designations(first: 100) {{ nodes {{ {fields} }} }} }}");
    let (code, message) = query_error(&app, auditor, &wide, json!({})).await;
    assert_eq!(code, "QUERY_TOO_COMPLEX", "{message}");
    // The same with a page of 20 (the default) is within the limits.
    let narrow = format!("{{ designations(first: 20) {{ nodes {{ {fields} }} }} }}");
    let data = app.gql_data(auditor, &narrow, json!({})).await;
    assert_eq!(data["designations"]["nodes"].as_array().unwrap().len(), 20);
    // Many raw-log pages at once.
    let pages: String = (0..40)
        .map(|i| {
            format!(
                "p{i}: events(first: 100) {{ nodes {{ position type canonical leafHash actor streamId }} }} "
            )
        })
        .collect();
    let (code, message) = query_error(&app, auditor, &format!("{{ {pages} }}"), json!({})).await;
    assert_eq!(code, "QUERY_TOO_COMPLEX", "{message}");

    // The server still answers.
    let data = app.gql_data(auditor, "{ statistics { total } }", json!({})).await;
    assert!(data["statistics"]["total"].as_i64().unwrap() >= 40);
}
