//! The role matrix of DESIGN.md §1 over HTTP: every mutation and every read, for PROVINCIAL,
//! CITY of the unit's own city, CITY of another city, AUDITOR, READER, no token and a
//! revoked token. A refusal is `FORBIDDEN` (a token without the right) or
//! `UNAUTHENTICATED` (no valid token), and stores nothing.

use std::cell::RefCell;

use liangye_events::catalogue::{CityCode, Role};
use liangye_tests::app::Token;
use liangye_tests::{TestApp, TestDb};
use serde_json::{Value, json};

use crate::support::{
    self, MUTATIONS, STAGES, award, commend, decide, delist, enterprise, evaluation, head, list_enterprise,
    pass_reviews, quota, recommend, refuse, review, revoke_pilot,
};

on_both_backends!(
    every_mutation_follows_the_role_matrix,
    every_read_follows_the_role_matrix
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Provincial,
    /// 苏州, the city of every unit in these cases.
    CityOwn,
    /// 南京.
    CityOther,
    Auditor,
    Reader,
    NoToken,
    /// A PROVINCIAL token, revoked.
    Revoked,
}

const CALLERS: [Caller; 7] = [
    Caller::Provincial,
    Caller::CityOwn,
    Caller::CityOther,
    Caller::Auditor,
    Caller::Reader,
    Caller::NoToken,
    Caller::Revoked,
];

struct Callers<'a> {
    app: &'a TestApp,
    revoked: Token,
    /// The mutations [`matrix`] was run for, in order.
    tried: RefCell<Vec<String>>,
}

impl<'a> Callers<'a> {
    async fn new(app: &'a TestApp) -> Self {
        let revoked = app
            .issue_token("已撤销的省级令牌(测试)", Role::Provincial, None)
            .await;
        app.revoke(&revoked).await;
        Self {
            app,
            revoked,
            tried: RefCell::new(Vec::new()),
        }
    }

    fn token(&self, caller: Caller) -> Option<&str> {
        let t = &self.app.tokens;
        match caller {
            Caller::Provincial => t.provincial.secret(),
            Caller::CityOwn => t.suzhou.secret(),
            Caller::CityOther => t.nanjing.secret(),
            Caller::Auditor => t.auditor.secret(),
            Caller::Reader => t.reader.secret(),
            Caller::NoToken => None,
            Caller::Revoked => self.revoked.secret(),
        }
    }
}

/// The code a refused caller gets.
fn refusal(caller: Caller) -> &'static str {
    match caller {
        Caller::NoToken | Caller::Revoked => "UNAUTHENTICATED",
        _ => "FORBIDDEN",
    }
}

/// Every caller not in `allowed` is refused `name` with its code, and the log does not move.
async fn refused_to_all_but(callers: &Callers<'_>, allowed: &[Caller], name: &str, input: &Value) {
    let app = callers.app;
    let before = head(app).await;
    for caller in CALLERS.into_iter().filter(|c| !allowed.contains(c)) {
        let (code, message) = refuse(app, callers.token(caller), name, input.clone()).await;
        assert_eq!(
            code,
            refusal(caller),
            "{name} by {caller:?}: expected {}, got {code}: {message}",
            refusal(caller)
        );
        assert!(!message.is_empty(), "{name} by {caller:?}: an empty message");
    }
    assert_eq!(head(app).await, before, "a refused {name} stored something");
}

/// Recorded as tried; refused to every caller in `refused`, then accepted for `caller` (one
/// event appended).
async fn matrix(callers: &Callers<'_>, name: &str, input: Value, caller: Caller) -> Value {
    callers.tried.borrow_mut().push(name.to_owned());
    let allowed = match name {
        "recommend" | "withdrawRecommendation" | "reportIndicators" => {
            vec![Caller::Provincial, Caller::CityOwn]
        }
        _ => vec![Caller::Provincial],
    };
    refused_to_all_but(callers, &allowed, name, &input).await;
    let before = head(callers.app).await;
    let payload = decide(callers.app, callers.token(caller), name, input).await;
    assert_eq!(
        payload["position"].as_i64(),
        Some(before + 1),
        "{name}: {payload}"
    );
    assert_eq!(head(callers.app).await, before + 1);
    payload
}

async fn every_mutation_follows_the_role_matrix(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let callers = Callers::new(&app).await;
    let provincial = app.tokens.provincial.secret();

    // listPilot: a 苏州 enterprise.
    let listed = matrix(
        &callers,
        "listPilot",
        enterprise("苏州角色矩阵科技有限公司", CityCode::Suzhou, 1),
        Caller::Provincial,
    )
    .await;
    let id = support::id_of(&listed);

    // revokePilot: another 苏州 pilot.
    let other = list_enterprise(&app, "苏州撤销试点科技有限公司", CityCode::Suzhou, 2).await;
    let revoked = matrix(&callers, "revokePilot", revoke_pilot(&other), Caller::Provincial).await;
    assert_eq!(revoked["designation"]["status"], "PILOT_REVOKED");

    // setAnnualQuota.
    matrix(&callers, "setAnnualQuota", quota(2025, 10), Caller::Provincial).await;

    // recommend: 苏州's own token may, 南京's may not; the province may for any city.
    let recommended = matrix(&callers, "recommend", recommend(&id, 2025), Caller::CityOwn).await;
    assert_eq!(recommended["designation"]["status"], "RECOMMENDED");
    assert_eq!(recommended["events"][0]["role"], "CITY");
    let nanjing = list_enterprise(&app, "南京角色矩阵科技有限公司", CityCode::Nanjing, 3).await;
    let (code, message) = refuse(
        &app,
        app.tokens.suzhou.secret(),
        "recommend",
        recommend(&nanjing, 2025),
    )
    .await;
    assert_eq!(code, "FORBIDDEN", "苏州 recommending a 南京 unit: {message}");
    let by_nanjing = decide(
        &app,
        app.tokens.nanjing.secret(),
        "recommend",
        recommend(&nanjing, 2025),
    )
    .await;
    assert_eq!(by_nanjing["designation"]["status"], "RECOMMENDED");
    let third = list_enterprise(&app, "苏州省级推荐科技有限公司", CityCode::Suzhou, 4).await;
    decide(&app, provincial, "recommend", recommend(&third, 2025)).await;

    // recordReview: the first stage under the matrix, the rest by the province.
    matrix(
        &callers,
        "recordReview",
        review(&id, 2025, STAGES[0], "PASSED"),
        Caller::Provincial,
    )
    .await;
    pass_reviews(&app, &id, 2025, &STAGES[1..]).await;

    let awarded = matrix(&callers, "award", award(&id, 2025), Caller::Provincial).await;
    assert_eq!(awarded["designation"]["status"], "AWARDED");

    matrix(
        &callers,
        "recordEvaluation",
        evaluation(&id, 2025, "GOOD"),
        Caller::Provincial,
    )
    .await;

    matrix(&callers, "commend", commend(&id, 2025), Caller::Provincial).await;

    // reportIndicators: 苏州's own token may, like recommend.
    let reported = matrix(
        &callers,
        "reportIndicators",
        json!({ "designationId": id, "year": 2025, "revenueYuan": "1600000000",
                "decidedOn": "2026-01-15", "documentRef": "苏发改服务〔2026〕3号" }),
        Caller::CityOwn,
    )
    .await;
    assert_eq!(reported["events"][0]["role"], "CITY");

    matrix(
        &callers,
        "grantSubsidy",
        json!({ "designationId": id, "year": 2025, "amountYuan": "2000000",
                "fund": "省级服务业发展专项资金", "decidedOn": "2026-01-20" }),
        Caller::Provincial,
    )
    .await;

    matrix(
        &callers,
        "amendUnit",
        json!({ "designationId": id, "reason": "企业更名", "name": "苏州角色矩阵智能科技有限公司",
                "decidedOn": "2026-01-25" }),
        Caller::Provincial,
    )
    .await;

    // withdrawRecommendation: 苏州 withdraws the province's recommendation of its own unit.
    let withdrawn = matrix(
        &callers,
        "withdrawRecommendation",
        json!({ "designationId": third, "year": 2025, "reason": "材料需补充",
                "decidedOn": "2025-04-01" }),
        Caller::CityOwn,
    )
    .await;
    assert_eq!(withdrawn["designation"]["status"], "PILOT");

    // closeSelection: 南京's unit passes every stage and is not chosen.
    pass_reviews(&app, &nanjing, 2025, &STAGES).await;
    let closed = matrix(
        &callers,
        "closeSelection",
        json!({ "designationId": nanjing, "year": 2025, "reason": "择优遴选未入选",
                "decidedOn": "2025-07-25" }),
        Caller::Provincial,
    )
    .await;
    assert_eq!(closed["designation"]["status"], "PILOT");

    // retractDecision: the revocation of the other pilot.
    let restored = matrix(
        &callers,
        "retractDecision",
        json!({ "designationId": other, "position": revoked["position"], "reason": "误撤销",
                "decidedOn": "2024-09-30" }),
        Caller::Provincial,
    )
    .await;
    assert_eq!(restored["designation"]["status"], "PILOT");

    let delisted = matrix(&callers, "delist", delist(&id), Caller::Provincial).await;
    assert_eq!(delisted["designation"]["status"], "DELISTED");

    let mut tried = callers.tried.take();
    tried.sort_unstable();
    let mut all = MUTATIONS.to_vec();
    all.sort_unstable();
    assert_eq!(tried, all, "every mutation went through the matrix");
}

/// A read and who may make it.
struct Read {
    what: &'static str,
    query: String,
    audit_only: bool,
}

async fn every_read_follows_the_role_matrix(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let callers = Callers::new(&app).await;
    let id = list_enterprise(&app, "苏州读取权限科技有限公司", CityCode::Suzhou, 11).await;
    let code = support::credit_code(CityCode::Suzhou, 11);
    let head = head(&app).await;

    let open = |what, query: String| Read {
        what,
        query,
        audit_only: false,
    };
    let audit = |what, query: String| Read {
        what,
        query,
        audit_only: true,
    };
    let reads = [
        open(
            "designations",
            "{ designations { totalCount nodes { id } } }".to_owned(),
        ),
        open(
            "designation",
            format!(r#"{{ designation(id: "{id}") {{ id name status }} }}"#),
        ),
        open(
            "designationByCode",
            format!(r#"{{ designationByCode(code: "{code}") {{ id }} }}"#),
        ),
        open(
            "history",
            format!(r#"{{ designation(id: "{id}") {{ history {{ position type documentRef }} }} }}"#),
        ),
        open(
            "statistics",
            "{ statistics { total target { target } } }".to_owned(),
        ),
        open("logHead", "{ logHead { position rootHash } }".to_owned()),
        audit(
            "events",
            "{ events(first: 3) { nodes { position actor canonical } } }".to_owned(),
        ),
        audit(
            "treeHead",
            format!("{{ treeHead(size: {head}) {{ size rootHash }} }}"),
        ),
        audit(
            "inclusionProof",
            "{ inclusionProof(position: 1) { rootHash hashes } }".to_owned(),
        ),
        audit(
            "consistencyProof",
            "{ consistencyProof(fromSize: 1) { toRoot hashes } }".to_owned(),
        ),
        audit("checkpoint", "{ checkpoint { size note } }".to_owned()),
        audit(
            "accessTokens",
            "{ accessTokens { id name role active } }".to_owned(),
        ),
    ];

    for read in &reads {
        for caller in CALLERS {
            let allowed = match caller {
                Caller::Provincial | Caller::Auditor => true,
                Caller::CityOwn | Caller::CityOther | Caller::Reader => !read.audit_only,
                Caller::NoToken | Caller::Revoked => false,
            };
            let body = app.gql(callers.token(caller), &read.query, json!({})).await;
            if allowed {
                assert!(
                    body.get("errors").is_none(),
                    "{} by {caller:?} refused: {body}",
                    read.what
                );
                // Everything asked for is there (no checkpoint is signed in these cases).
                let data = body["data"].as_object().expect("data");
                assert!(
                    read.what == "checkpoint" || data.values().all(|v| !v.is_null()),
                    "{} by {caller:?}: {body}",
                    read.what
                );
            } else {
                let (code, message) = liangye_tests::app::first_error(&body)
                    .unwrap_or_else(|| panic!("{} by {caller:?} was answered: {body}", read.what));
                assert_eq!(code, refusal(caller), "{} by {caller:?}: {message}", read.what);
                support::assert_clean(&message);
            }
        }
    }

    // The actor of a history entry: shown to PROVINCIAL and AUDITOR only.
    let query = format!(r#"{{ designation(id: "{id}") {{ history {{ type actor }} }} }}"#);
    for caller in [
        Caller::Provincial,
        Caller::CityOwn,
        Caller::CityOther,
        Caller::Auditor,
        Caller::Reader,
    ] {
        let data = app.gql_data(callers.token(caller), &query, json!({})).await;
        let entry = &data["designation"]["history"][0];
        assert_eq!(entry["type"], "PilotListed");
        match caller {
            Caller::Provincial | Caller::Auditor => {
                assert_eq!(entry["actor"], app.tokens.provincial.name, "actor for {caller:?}")
            }
            _ => assert!(entry["actor"].is_null(), "actor shown to {caller:?}: {entry}"),
        }
    }

    // The access tokens never show a secret or its hash.
    let text = app
        .gql(
            app.tokens.auditor.secret(),
            "{ accessTokens { id name role roleLabel cityCode grantedAt revokedAt active } }",
            json!({}),
        )
        .await
        .to_string();
    for token in [&app.tokens.provincial, &app.tokens.suzhou, &app.tokens.reader] {
        assert!(!text.contains(&token.secret), "a secret is shown");
        assert!(!text.contains(&token.secret[4..]), "a secret is shown");
    }
    let tokens: Value = serde_json::from_str(&text).unwrap();
    let revoked = tokens["data"]["accessTokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == callers.revoked.id.to_string())
        .expect("the revoked token is listed");
    assert_eq!(revoked["active"], false);
    assert!(revoked["revokedAt"].is_i64());
}
