//! Malformed input at volume (property tests, modest case counts):
//!
//! - the engine: random and mutated commands — every field either a valid value (codes,
//!   ids of units in every lifecycle state, plausible years and dates) or a random one —
//!   built with the input parsers of `liangye_services::decide::input` and submitted by
//!   valid, unknown-token, city and reader principals, some with repeated `commandId`s.
//!   No panic; a refusal has a clear code (never `INTERNAL`); the log grows by exactly the
//!   accepted commands' events, so a refused command stores nothing; the log stays gapless
//!   and every stored event decodes and folds.
//! - the HTTP endpoint of the real server: random bytes, random JSON-ish text, byte- and
//!   JSON-level mutations of valid GraphQL bodies (mutations and queries), and batches of
//!   them, with and without tokens and content types. Never a 5xx (but the documented 503
//!   for a request that outran its time), never a dropped connection; every error has a
//!   code; a request whose every operation was refused stores nothing; the server still
//!   answers and still decides afterwards.
//!
//! Each on SQLite and (when `TEST_DATABASE_URL` is set) PostgreSQL.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::NaiveDate;
use liangye_api::graphql::inputs::{
    AwardInput, CommendInput, DelistInput, ListPilotInput, RecommendInput, RecordEvaluationInput,
    RecordReviewInput, RevokePilotInput, SetAnnualQuotaInput,
};
use liangye_api::graphql::scalars::{Date, YuanScalar};
use liangye_events::catalogue::{CityCode, Grade, RecordedEvent, ReviewOutcome, ReviewStage, Role, UnitKind};
use liangye_projections::DecisionState;
use liangye_services::EventStore;
use liangye_services::decide::{Coded, Command, DomainError, ErrorCode, Principal};
use liangye_services::engine::{Engine, Submission};
use liangye_services::scenario;
use liangye_tests::{TestApp, TestDb};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use tokio::runtime::Runtime;
use uuid::Uuid;

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let rt = super::runtime();
                    let db = liangye_tests::TestDb::sqlite();
                    super::$name(&rt, &db);
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    let rt = super::runtime();
                    let test = concat!(module_path!(), "::", stringify!($name));
                    let Some(db) = rt.block_on(liangye_tests::TestDb::postgres_or_skip(test)) else {
                        return;
                    };
                    super::$name(&rt, &db);
                }
            )*
        }
    };
}

on_both_backends!(
    random_and_mutated_commands_store_nothing_when_refused,
    random_and_mutated_http_bodies_get_clear_errors_and_store_nothing,
);

const ENGINE_CASES: u32 = 96;
const HTTP_CASES: u32 = 256;
const YEAR: i64 = 2025;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..Config::default()
    })
}

fn operator() -> Principal {
    Principal::operator("畸形输入测试")
}

// ---------------------------------------------------------------------------------------
// The scene: units in every lifecycle state.

/// Ids of units: listed only, recommended, half-reviewed, ready for award, awarded, and a
/// county and a pilot to revoke.
#[derive(Debug, Clone)]
struct Scene {
    ids: Vec<Uuid>,
}

async fn build_scene(engine: &Engine) -> Scene {
    let mut ids = Vec::new();
    let run = |commands: Vec<Command>| async move {
        for command in commands {
            engine
                .execute(command.clone(), &operator())
                .await
                .unwrap_or_else(|e| panic!("scene {command:?}: {e}"));
        }
    };
    run(vec![scenario::set_quota(YEAR, 40)]).await;
    for (i, keep) in [1usize, 2, 4, 6, 7, 7].into_iter().enumerate() {
        let id = Uuid::now_v7();
        let city = CityCode::all().nth(i).expect("city");
        let mut commands =
            scenario::enterprise_to_award(id, &format!("场景企业{i}"), city, 50 + i as u64, YEAR);
        commands.truncate(keep);
        run(commands).await;
        ids.push(id);
    }
    let county = Uuid::now_v7();
    run(vec![scenario::list_county(
        county,
        "场景县",
        CityCode::Yangzhou,
        3,
        1,
        scenario::day_in(2024, 2, 1),
    )])
    .await;
    ids.push(county);
    Scene { ids }
}

// ---------------------------------------------------------------------------------------
// Engine: strategies

/// Any text: empty, blank, random, control and bidi characters, too long.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        Just(String::new()),
        "[ \t\n]{1,3}",
        "\\PC{0,24}",
        "[0-9A-Z]{0,20}",
        ".{0,12}",
        Just("长".repeat(2100)),
        Just("\u{0}\u{202e}\u{feff}".to_owned()),
    ]
    .boxed()
}

/// Mostly `valid` (a command with a field or two broken), sometimes `broken`.
fn mostly<T: std::fmt::Debug + Clone + 'static>(
    valid: impl Strategy<Value = T> + 'static,
    broken: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<T> {
    prop_oneof![12 => valid, 1 => broken].boxed()
}

/// Ordinary Chinese text.
fn words() -> BoxedStrategy<String> {
    mostly("[一-龥]{2,12}", text())
}

fn opt_words() -> BoxedStrategy<Option<String>> {
    mostly(
        prop_oneof![Just(None), "[一-龥]{2,12}".prop_map(Some)],
        text().prop_map(Some),
    )
}

fn city() -> BoxedStrategy<String> {
    let codes: Vec<String> = CityCode::all().map(|c| c.code().to_owned()).collect();
    mostly(
        proptest::sample::select(codes),
        prop_oneof![text(), "3[0-9]{5}".boxed()],
    )
}

fn credit_code() -> BoxedStrategy<Option<String>> {
    let valid = (0usize..13, 0u64..1_000_000)
        .prop_map(|(c, n)| Some(scenario::credit_code(CityCode::all().nth(c).expect("city"), n).to_string()));
    // A valid body with another check character, or anything.
    let broken = prop_oneof![
        (0usize..13, 0u64..1_000_000, "[0-9A-Z]").prop_map(|(c, n, last)| {
            let code = scenario::credit_code(CityCode::all().nth(c).expect("city"), n).to_string();
            Some(format!("{}{last}", &code[..17]))
        }),
        text().prop_map(Some),
        Just(None),
    ];
    mostly(valid, broken)
}

fn year() -> BoxedStrategy<i64> {
    mostly(
        prop_oneof![4 => Just(YEAR), 1 => 2024i64..=2026],
        prop_oneof![Just(2019i64), Just(2101i64), any::<i64>(), -3000i64..3000],
    )
}

fn any_int() -> BoxedStrategy<i64> {
    prop_oneof![-2i64..120, any::<i64>(), Just(i64::MIN), Just(i64::MAX)].boxed()
}

fn date() -> BoxedStrategy<NaiveDate> {
    mostly(
        (0u64..1200).prop_map(|d| scenario::day_in(2023, 1, 1) + chrono::Days::new(d)),
        prop_oneof![
            Just(NaiveDate::MIN),
            Just(NaiveDate::MAX),
            (1i32..3_000_000).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap_or(NaiveDate::MIN)),
        ],
    )
}

/// The fields every decision input has.
#[derive(Debug, Clone)]
struct DecisionInput {
    decided_on: NaiveDate,
    document_ref: Option<String>,
    note: Option<String>,
    expected_version: Option<i64>,
}

fn decision() -> BoxedStrategy<DecisionInput> {
    (
        date(),
        opt_words(),
        opt_words(),
        mostly(Just(None), any_int().prop_map(Some)),
    )
        .prop_map(
            |(decided_on, document_ref, note, expected_version)| DecisionInput {
                decided_on,
                document_ref,
                note,
                expected_version,
            },
        )
        .boxed()
}

fn unit_id(scene: &Scene) -> BoxedStrategy<Uuid> {
    mostly(
        proptest::sample::select(scene.ids.clone()),
        any::<u128>().prop_map(Uuid::from_u128),
    )
}

fn score() -> BoxedStrategy<Option<i64>> {
    mostly(
        prop_oneof![Just(None), (0i64..=100).prop_map(Some)],
        any_int().prop_map(Some),
    )
}

fn yuan() -> BoxedStrategy<Option<String>> {
    mostly(
        prop_oneof![
            Just(None),
            Just(Some("1500000000".to_owned())),
            "[1-9][0-9]{8,11}".prop_map(Some)
        ],
        prop_oneof![
            Just("-1".to_owned()),
            Just("1e9".to_owned()),
            Just("99999999999999999999999".to_owned()),
            text(),
        ]
        .prop_map(Some),
    )
}

fn pick<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> BoxedStrategy<T> {
    proptest::sample::select(all).boxed()
}

/// A parsed command or the parser's refusal.
type Parsed = Result<Command, DomainError>;

fn command(scene: &Scene) -> BoxedStrategy<Parsed> {
    let id = || unit_id(scene);
    let list = (
        (
            words(),
            mostly(Just(UnitKind::Enterprise), pick(UnitKind::ALL)),
            city(),
        ),
        (
            mostly(Just(None), text().prop_map(Some)),
            credit_code(),
            mostly(Just(false), Just(true)),
        ),
        (
            mostly(Just(None), text().prop_map(Some)),
            proptest::collection::vec(words(), 0..3),
            mostly(1i64..5, any_int()),
            decision(),
        ),
    )
        .prop_map(
            |(
                (name, kind, city_code),
                (division_code, credit_code, accept),
                (zone, industries, batch, decision),
            )| {
                Command::try_from(ListPilotInput {
                    name,
                    kind: kind.into(),
                    city_code,
                    division_code,
                    credit_code,
                    accept_invalid_credit_code: accept,
                    zone_code: zone,
                    industries,
                    batch,
                    decided_on: Date(decision.decided_on),
                    document_ref: decision.document_ref,
                    note: decision.note,
                    command_id: None,
                    expected_version: decision.expected_version,
                })
            },
        );
    let recommend = (
        id(),
        year(),
        yuan(),
        yuan(),
        mostly(Just(None), any_int().prop_map(Some)),
        mostly(Just(None), any_int().prop_map(Some)),
        decision(),
    )
        .prop_map(
            |(designation_id, year, revenue_yuan, gdp_yuan, share, rank, decision)| {
                Command::try_from(RecommendInput {
                    designation_id,
                    year,
                    revenue_yuan: revenue_yuan.map(YuanScalar),
                    gdp_yuan: gdp_yuan.map(YuanScalar),
                    manufacturing_share_bp: share,
                    market_share_rank: rank,
                    decided_on: Date(decision.decided_on),
                    document_ref: decision.document_ref,
                    note: decision.note,
                    command_id: None,
                    expected_version: decision.expected_version,
                })
            },
        );
    let review = (
        (id(), year(), pick(ReviewStage::ALL), pick(ReviewOutcome::ALL)),
        (
            score(),
            mostly(Just(None), date().prop_map(Some)),
            mostly(Just(None), date().prop_map(Some)),
            opt_words(),
            decision(),
        ),
    )
        .prop_map(
            |(
                (designation_id, year, stage, outcome),
                (score, notice_start, notice_end, objections, decision),
            )| {
                Command::try_from(RecordReviewInput {
                    designation_id,
                    year,
                    stage: stage.into(),
                    outcome: outcome.into(),
                    score,
                    notice_start: notice_start.map(Date),
                    notice_end: notice_end.map(Date),
                    objections,
                    decided_on: Date(decision.decided_on),
                    document_ref: decision.document_ref,
                    note: decision.note,
                    command_id: None,
                    expected_version: decision.expected_version,
                })
            },
        );
    let award = (id(), year(), decision()).prop_map(|(designation_id, year, decision)| {
        Command::try_from(AwardInput {
            designation_id,
            year,
            decided_on: Date(decision.decided_on),
            document_ref: decision.document_ref,
            note: decision.note,
            command_id: None,
            expected_version: decision.expected_version,
        })
    });
    let quota = (year(), mostly(0i64..60, any_int()), decision()).prop_map(|(year, total, decision)| {
        Command::try_from(SetAnnualQuotaInput {
            year,
            total,
            decided_on: Date(decision.decided_on),
            document_ref: decision.document_ref,
            note: decision.note,
            command_id: None,
            expected_version: decision.expected_version,
        })
    });
    let evaluation = (id(), year(), pick(Grade::ALL), score(), decision()).prop_map(
        |(designation_id, year, grade, score, decision)| {
            Command::try_from(RecordEvaluationInput {
                designation_id,
                year,
                grade: grade.into(),
                score,
                decided_on: Date(decision.decided_on),
                document_ref: decision.document_ref,
                note: decision.note,
                command_id: None,
                expected_version: decision.expected_version,
            })
        },
    );
    let commend =
        (id(), year(), words(), decision()).prop_map(|(designation_id, year, citation, decision)| {
            Command::try_from(CommendInput {
                designation_id,
                year,
                citation,
                decided_on: Date(decision.decided_on),
                document_ref: decision.document_ref,
                note: decision.note,
                command_id: None,
                expected_version: decision.expected_version,
            })
        });
    let delist = (
        id(),
        words(),
        mostly(Just(Some(YEAR)), year().prop_map(Some)),
        decision(),
    )
        .prop_map(|(designation_id, reason, evaluation_year, decision)| {
            Command::try_from(DelistInput {
                designation_id,
                reason,
                evaluation_year,
                decided_on: Date(decision.decided_on),
                document_ref: decision.document_ref,
                note: decision.note,
                command_id: None,
                expected_version: decision.expected_version,
            })
        });
    let revoke = (id(), decision()).prop_map(|(designation_id, decision)| {
        Command::try_from(RevokePilotInput {
            designation_id,
            decided_on: Date(decision.decided_on),
            document_ref: decision.document_ref,
            note: decision.note,
            command_id: None,
            expected_version: decision.expected_version,
        })
    });
    prop_oneof![
        3 => list,
        2 => recommend,
        3 => review,
        2 => award,
        1 => quota,
        1 => evaluation,
        1 => commend,
        1 => delist,
        1 => revoke,
    ]
    .boxed()
}

fn principal() -> BoxedStrategy<Principal> {
    prop_oneof![
        16 => Just(operator()),
        // A token the registry never issued.
        1 => any::<u128>().prop_map(|t| Principal {
            token_id: Some(Uuid::from_u128(t)),
            name: "未知令牌".into(),
            role: Role::Provincial,
            city: None,
        }),
        1 => (0usize..13).prop_map(|c| Principal {
            token_id: None,
            name: "设区市".into(),
            role: Role::City,
            city: CityCode::all().nth(c),
        }),
        1 => Just(Principal { token_id: None, name: "读者".into(), role: Role::Reader, city: None }),
        1 => Just(Principal { token_id: None, name: "审计".into(), role: Role::Auditor, city: None }),
    ]
    .boxed()
}

/// `None`, or one of a few ids, so that some commands repeat another's id.
fn command_id() -> BoxedStrategy<Option<Uuid>> {
    prop_oneof![3 => Just(None), 1 => (0u128..6).prop_map(|n| Some(Uuid::from_u128(0x00C0_FFEE_0000 + n)))]
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Engine: the property

fn random_and_mutated_commands_store_nothing_when_refused(rt: &Runtime, db: &TestDb) {
    let (store, engine, scene) = rt.block_on(async {
        let store = EventStore::connect(&db.url).await.expect("connect");
        let (engine, _) = Engine::start(store.clone());
        let scene = build_scene(&engine).await;
        (store, engine, scene)
    });
    let expected = Arc::new(AtomicI64::new(rt.block_on(store.head()).expect("head").position));
    let tally = Arc::new(std::sync::Mutex::new((0usize, 0usize, 0usize)));
    let strategy = proptest::collection::vec((command(&scene), principal(), command_id()), 1..8);

    runner(ENGINE_CASES)
        .run(&strategy, |commands| {
            rt.block_on(async {
                for (parsed, principal, command_id) in commands {
                    let command = match parsed {
                        Ok(c) => c,
                        Err(refusal) => {
                            prop_assert_eq!(refusal.code(), ErrorCode::ValidationFailed, "{}", refusal);
                            prop_assert!(!refusal.to_string().trim().is_empty());
                            tally.lock().unwrap().0 += 1;
                            continue;
                        }
                    };
                    let before = store.head().await.expect("head").position;
                    prop_assert_eq!(before, expected.load(Ordering::SeqCst), "the log grew by itself");
                    let mut submission = Submission::new(command.clone(), principal);
                    submission.command_id = command_id;
                    let result = engine.submit(submission).await;
                    let after = store.head().await.expect("head").position;
                    match result {
                        Ok(decided) => {
                            let added = if decided.duplicate {
                                0
                            } else {
                                decided.events.len() as i64
                            };
                            prop_assert!(decided.duplicate || !decided.events.is_empty());
                            prop_assert_eq!(after, before + added, "accepted {:?}", command);
                            expected.fetch_add(added, Ordering::SeqCst);
                            tally.lock().unwrap().2 += 1;
                        }
                        Err(e) => {
                            prop_assert_ne!(e.code(), ErrorCode::Internal, "{:?}: {}", command, e);
                            prop_assert!(!e.to_string().trim().is_empty());
                            prop_assert_eq!(after, before, "refused {:?} ({}) stored events", command, e);
                            tally.lock().unwrap().1 += 1;
                        }
                    }
                }
                Ok::<(), TestCaseError>(())
            })
        })
        .unwrap_or_else(|e| panic!("{e}"));

    rt.block_on(async {
        let events = store.read_from(0, i64::MAX / 2).await.expect("read the log");
        assert_eq!(events.len() as i64, expected.load(Ordering::SeqCst));
        let mut state = DecisionState::new();
        for (i, stored) in events.iter().enumerate() {
            assert_eq!(stored.position, i as i64 + 1, "the log has a gap");
            let recorded = RecordedEvent::from_stored(stored)
                .unwrap_or_else(|e| panic!("stored event {} does not decode: {e}", stored.position));
            state.apply(&recorded);
        }
        assert_eq!(state.position(), events.len() as i64);
    });
    let (parse_refused, engine_refused, accepted) = *tally.lock().unwrap();
    eprintln!(
        "engine: {parse_refused} refused by the parsers, {engine_refused} by the engine, {accepted} accepted"
    );
    assert!(
        parse_refused > 0 && engine_refused > 0 && accepted > 0,
        "the mix was not mixed"
    );
}

// ---------------------------------------------------------------------------------------
// HTTP: strategies

const PAYLOAD: &str = "position duplicate designation { id status } events { position eventId }";

fn mutation_body(name: &str, input: Value) -> Value {
    let type_name = format!("{}{}Input", name[..1].to_uppercase(), &name[1..]);
    json!({
        "query": format!("mutation($input: {type_name}!) {{ {name}(input: $input) {{ {PAYLOAD} }} }}"),
        "variables": { "input": input },
    })
}

/// Valid requests: every mutation (some accepted once, then refused) and some queries.
fn templates(ids: &[Uuid]) -> Vec<Value> {
    let (pilot, recommended, ready, awarded) = (ids[0], ids[1], ids[3], ids[4]);
    vec![
        mutation_body(
            "listPilot",
            json!({
                "name": "畸形测试企业", "kind": "ENTERPRISE", "cityCode": "320100",
                "creditCode": scenario::credit_code(CityCode::Nanjing, 987_654).to_string(),
                "industries": ["软件"], "batch": 3, "decidedOn": "2024-05-06",
                "commandId": Uuid::now_v7(),
            }),
        ),
        mutation_body(
            "recommend",
            json!({ "designationId": pilot, "year": YEAR, "revenueYuan": "1500000000", "decidedOn": "2025-03-15" }),
        ),
        mutation_body(
            "recordReview",
            json!({ "designationId": recommended, "year": YEAR, "stage": "MATERIAL", "outcome": "PASSED", "decidedOn": "2025-04-10" }),
        ),
        mutation_body(
            "award",
            json!({ "designationId": ready, "year": YEAR, "decidedOn": "2025-07-20", "documentRef": "苏发改服务发〔2025〕9号" }),
        ),
        mutation_body(
            "setAnnualQuota",
            json!({ "year": 2026, "total": 12, "decidedOn": "2026-01-10" }),
        ),
        mutation_body(
            "recordEvaluation",
            json!({ "designationId": awarded, "year": YEAR, "grade": "GOOD", "score": 82, "decidedOn": "2025-12-01" }),
        ),
        mutation_body(
            "commend",
            json!({ "designationId": awarded, "year": YEAR, "citation": "示范", "decidedOn": "2025-12-20" }),
        ),
        mutation_body(
            "delist",
            json!({ "designationId": awarded, "reason": "评价不合格", "decidedOn": "2026-02-01", "expectedVersion": 7 }),
        ),
        mutation_body(
            "revokePilot",
            json!({ "designationId": pilot, "decidedOn": "2025-01-05", "note": "主动退出" }),
        ),
        json!({
            "query": "query($f: DesignationFilter) { designations(first: 5, filter: $f) { totalCount nodes { id name status } } }",
            "variables": { "f": { "status": "AWARDED", "cityCode": "320100" } },
        }),
        json!({ "query": "{ statistics { total quotas { year used } } logHead { position rootHash } }" }),
        json!({ "query": "query($n: Int) { events(first: $n) { nodes { position type } } }", "variables": { "n": 5 } }),
        json!({
            "query": "query($code: String!) { designationByCode(code: $code) { id } }",
            "variables": { "code": scenario::credit_code(CityCode::Nanjing, 50).to_string() },
        }),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text().prop_map(Value::from),
        Just(json!("2025-13-45")),
        Just(json!("00000000-0000-0000-0000-000000000000")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One change to a valid body.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value of a random key (the query, the variables, an input field…).
    Replace(u64, Value),
    /// Remove a random key.
    Remove(u64),
    /// Add a key.
    Add(u64, String, Value),
    /// Flip, insert or delete one byte of the serialized body.
    Flip(u64, u8),
    Insert(u64, u8),
    Delete(u64),
    /// Cut the serialized body short.
    Truncate(u64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => (any::<u64>(), json_value()).prop_map(|(at, v)| Mutation::Replace(at, v)),
        2 => any::<u64>().prop_map(Mutation::Remove),
        2 => (any::<u64>(), "[a-zA-Z]{1,12}", json_value()).prop_map(|(at, k, v)| Mutation::Add(at, k, v)),
        1 => (any::<u64>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        1 => (any::<u64>(), any::<u8>()).prop_map(|(at, b)| Mutation::Insert(at, b)),
        1 => any::<u64>().prop_map(Mutation::Delete),
        1 => any::<u64>().prop_map(Mutation::Truncate),
    ]
}

/// How many objects `value` holds (itself included).
fn count_objects(value: &Value) -> usize {
    match value {
        Value::Object(map) => 1 + map.values().map(count_objects).sum::<usize>(),
        Value::Array(items) => items.iter().map(count_objects).sum(),
        _ => 0,
    }
}

/// The `n`-th object of `value`, depth first.
fn nth_object<'a>(value: &'a mut Value, n: &mut usize) -> Option<&'a mut serde_json::Map<String, Value>> {
    match value {
        Value::Object(map) => {
            if *n == 0 {
                return Some(map);
            }
            *n -= 1;
            map.values_mut().find_map(|v| nth_object(v, n))
        }
        Value::Array(items) => items.iter_mut().find_map(|v| nth_object(v, n)),
        _ => None,
    }
}

/// Apply `mutations` to `body`: JSON-level ones first, then byte-level ones.
fn mutate(body: &Value, mutations: &[Mutation]) -> Vec<u8> {
    let mut value = body.clone();
    for m in mutations {
        let at = match m {
            Mutation::Replace(at, _) | Mutation::Remove(at) | Mutation::Add(at, _, _) => *at,
            _ => continue,
        };
        let mut n = (at % count_objects(&value).max(1) as u64) as usize;
        let Some(map) = nth_object(&mut value, &mut n) else {
            continue;
        };
        let key = map.keys().nth((at as usize / 7) % map.len().max(1)).cloned();
        match (m, key) {
            (Mutation::Replace(_, v), Some(key)) => {
                map.insert(key, v.clone());
            }
            (Mutation::Remove(_), Some(key)) => {
                map.remove(&key);
            }
            (Mutation::Add(_, k, v), _) => {
                map.insert(k.clone(), v.clone());
            }
            _ => {}
        }
    }
    let mut bytes = serde_json::to_vec(&value).expect("serialize");
    for m in mutations {
        let len = bytes.len() as u64;
        match m {
            Mutation::Flip(at, b) if len > 0 => bytes[(at % len) as usize] ^= b | 1,
            Mutation::Insert(at, b) => bytes.insert((at % (len + 1)) as usize, *b),
            Mutation::Delete(at) if len > 0 => {
                bytes.remove((at % len) as usize);
            }
            Mutation::Truncate(at) => bytes.truncate((at % (len + 1)) as usize),
            _ => {}
        }
    }
    bytes
}

/// One request body: which template (or none) and how it is broken.
#[derive(Debug, Clone)]
enum Body {
    Bytes(Vec<u8>),
    Text(String),
    Mutated(usize, Vec<Mutation>),
    Batch(Vec<(usize, Vec<Mutation>)>),
}

fn body() -> impl Strategy<Value = Body> {
    let mutated = (any::<usize>(), proptest::collection::vec(mutation(), 0..4));
    prop_oneof![
        1 => proptest::collection::vec(any::<u8>(), 0..400).prop_map(Body::Bytes),
        1 => "[{}\\[\\]\":,a-z0-9 \\\\]{0,200}".prop_map(Body::Text),
        5 => mutated.prop_map(|(t, m)| Body::Mutated(t, m)),
        1 => proptest::collection::vec(
            (any::<usize>(), proptest::collection::vec(mutation(), 0..3)),
            0..20,
        )
        .prop_map(Body::Batch),
    ]
}

/// Headers: 0 token and JSON, 1 no token, 2 an unknown token, 3 another scheme, 4 token
/// without content type, 5 token with text/plain.
fn headers() -> impl Strategy<Value = u8> {
    prop_oneof![5 => Just(0u8), 1 => 1u8..6]
}

// ---------------------------------------------------------------------------------------
// HTTP: the property

/// How many root fields of the response(s) answered non-null data: an upper bound on the
/// events a request may have appended (each accepted mutation appends at most one today).
fn answered_fields(body: &Value) -> usize {
    match body {
        Value::Array(items) => items.iter().map(answered_fields).sum(),
        Value::Object(map) => match map.get("data") {
            Some(Value::Object(data)) => data.values().filter(|v| !v.is_null()).count(),
            _ => 0,
        },
        _ => 0,
    }
}

/// Every error in the response(s) carries a message and a known code.
fn check_errors(body: &Value) -> Result<(), String> {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let check_one = |response: &Value| -> Result<(), String> {
        let Some(errors) = response.get("errors") else {
            return Ok(());
        };
        for error in errors.as_array().ok_or("errors is not a list")? {
            let message = error["message"].as_str().unwrap_or("");
            let code = error["extensions"]["code"].as_str().unwrap_or("");
            if message.trim().is_empty() || !codes.contains(&code) {
                return Err(format!("an error without a clear code or message: {error}"));
            }
        }
        Ok(())
    };
    match body {
        Value::Array(items) => items.iter().try_for_each(check_one),
        other => check_one(other),
    }
}

fn random_and_mutated_http_bodies_get_clear_errors_and_store_nothing(rt: &Runtime, db: &TestDb) {
    let (app, scene) = rt.block_on(async {
        let app = TestApp::spawn(db).await;
        let scene = build_scene(app.engine()).await;
        app.settle().await;
        (app, scene)
    });
    let templates = templates(&scene.ids);
    let token = app.tokens.provincial.secret.clone();
    let tally = std::sync::Mutex::new([0usize; 4]);

    runner(HTTP_CASES)
        .run(&(body(), headers()), |(body, headers)| {
            let bytes = match &body {
                Body::Bytes(b) => b.clone(),
                Body::Text(t) => t.clone().into_bytes(),
                Body::Mutated(t, m) => mutate(&templates[t % templates.len()], m),
                Body::Batch(items) => {
                    let mut out = b"[".to_vec();
                    for (i, (t, m)) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        out.extend(mutate(&templates[t % templates.len()], m));
                    }
                    out.push(b']');
                    out
                }
            };
            let bearer = format!("Bearer {token}");
            let list: Vec<(&str, &str)> = match headers {
                0 => vec![("content-type", "application/json"), ("authorization", &bearer)],
                1 => vec![("content-type", "application/json")],
                2 => vec![
                    ("content-type", "application/json"),
                    ("authorization", "Bearer 0000000000000000"),
                ],
                3 => vec![
                    ("content-type", "application/json"),
                    ("authorization", "Basic YTpi"),
                ],
                4 => vec![("authorization", &bearer)],
                _ => vec![("content-type", "text/plain"), ("authorization", &bearer)],
            };
            rt.block_on(async {
                let before = app.head().await;
                let (status, text) = app.raw_post(bytes.clone(), &list).await;
                let after = app.head().await;
                let shown = String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(300)
                    .collect::<String>();
                let timed_out = status == 503 && text.contains("QUERY_TOO_COMPLEX");
                prop_assert!(
                    matches!(status, 200 | 400 | 413) || timed_out,
                    "HTTP {} for {}: {}",
                    status,
                    shown,
                    text
                );
                let answer: Value = match serde_json::from_str(&text) {
                    Ok(v) => v,
                    Err(_) => {
                        prop_assert_eq!(status, 413, "a non-JSON answer to {}: {}", shown, text);
                        Value::Null
                    }
                };
                if let Err(problem) = check_errors(&answer) {
                    return Err(TestCaseError::fail(format!("{problem}\nfor {shown}")));
                }
                let answered = answered_fields(&answer);
                prop_assert!(
                    after - before <= answered as i64,
                    "{} events stored for a request with {} answered fields: {} -> {}",
                    after - before,
                    answered,
                    shown,
                    text
                );
                let mut t = tally.lock().unwrap();
                t[match (status, answered, after > before) {
                    (200, 0, _) => 0,
                    (200, _, false) => 1,
                    (200, _, true) => 2,
                    _ => 3,
                }] += 1;
                Ok(())
            })
        })
        .unwrap_or_else(|e| panic!("{e}"));

    rt.block_on(async {
        // Still answering, still deciding.
        let (status, _) = app.get("/healthz").await;
        assert_eq!(status, 200);
        let head = app.head().await;
        let quota = mutation_body(
            "setAnnualQuota",
            json!({ "year": 2030, "total": 5, "decidedOn": "2030-01-10" }),
        );
        let query = quota["query"].as_str().expect("query");
        let data = app
            .gql_data(Some(&token), query, quota["variables"].clone())
            .await;
        assert_eq!(data["setAnnualQuota"]["duplicate"], false);
        assert_eq!(app.head().await, head + 1);
        let events = app
            .store()
            .read_from(0, i64::MAX / 2)
            .await
            .expect("read the log");
        for (i, stored) in events.iter().enumerate() {
            assert_eq!(stored.position, i as i64 + 1, "the log has a gap");
            RecordedEvent::from_stored(stored)
                .unwrap_or_else(|e| panic!("stored event {} does not decode: {e}", stored.position));
        }
    });
    let t = *tally.lock().unwrap();
    eprintln!(
        "http: {} refused with 200, {} answered without storing, {} stored, {} refused with 4xx/503",
        t[0], t[1], t[2], t[3]
    );
    assert!(t[0] > 0 && t[3] > 0, "the mix was not mixed: {t:?}");
    rt.block_on(app.shutdown());
}
