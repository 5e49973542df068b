//! The live registry end to end, on SQLite and (when `TEST_DATABASE_URL` is set)
//! PostgreSQL: following the log (also another process's writes), answering a command's
//! own writes, as-of by position and by time, snapshots, upcasting, and every bad as-of.

use liangye_tests::on_both_backends;
use std::time::Duration;

use chrono::Utc;
use liangye_events::NewEvent;
use liangye_events::catalogue::{CityCode, Grade, Role, SecretSha256, Status, unit_stream};
use liangye_projections::Registry;
use liangye_projections::registry::{DesignationFilter, PageRequest, SNAPSHOT_FORMAT};
use liangye_services::EventStore;
use liangye_services::decide::{Coded, Command, ErrorCode, IssueAccess, Principal, RevokeAccess};
use liangye_services::engine::Engine;
use liangye_services::live::{
    AsOf, AsOfError, Live, LiveConfig, LiveError, Moment, rebuild, registry_at, registry_json, replay_range,
    replay_registry_json, save_snapshot,
};
use liangye_services::scenario;
use liangye_tests::TestDb;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

on_both_backends!(
    a_commands_answer_reflects_its_own_decision,
    another_process_writing_is_followed,
    start_up_and_as_of_replay_use_snapshots,
    snapshots_are_saved_and_loaded_by_position,
    as_of_by_position_and_by_time,
    every_bad_as_of_is_a_validation_error,
    histories_are_folded_from_the_stream,
    tokens_authenticate_now_and_as_of,
    an_old_schema_version_is_read_in_todays_shape,
    replay_json_equals_the_live_registry_of_that_moment,
    an_engine_started_from_the_live_state_decides_as_one_that_folded_the_log,
);

fn operator() -> Principal {
    Principal::operator("省发展改革委服务业处")
}

fn quick() -> LiveConfig {
    LiveConfig {
        snapshot_every: None,
        poll_every: Duration::from_millis(50),
        ..LiveConfig::default()
    }
}

async fn run(engine: &Engine, commands: Vec<Command>) -> i64 {
    let mut position = 0;
    for command in commands {
        position = engine
            .execute(command.clone(), &operator())
            .await
            .unwrap_or_else(|e| panic!("{command:?}: {e}"))
            .position;
    }
    position
}

/// `n` enterprises through to the award in 2024, one per city in turn; their ids.
async fn awarded_units(engine: &Engine, n: u64, offset: u64) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for i in 0..n {
        let id = Uuid::now_v7();
        let city = CityCode::all().nth((i % 13) as usize).unwrap();
        let name = format!("江苏标杆企业{}", offset + i);
        run(
            engine,
            scenario::enterprise_to_award(id, &name, city, offset + i, 2024),
        )
        .await;
        ids.push(id);
    }
    ids
}

/// The positions of the complete snapshots of this build's format.
async fn snapshot_positions(store: &EventStore) -> Vec<i64> {
    let snapshots = store.snapshots(SNAPSHOT_FORMAT).await.unwrap();
    snapshots.iter().map(|s| s.position).collect()
}

/// The registry replayed from the log alone, without snapshots, up to `position`.
async fn replayed(store: &EventStore, position: i64) -> Registry {
    let mut registry = Registry::new();
    replay_range(store, 0, Some(position), |page| registry.apply_all(page))
        .await
        .unwrap();
    registry
}

async fn a_commands_answer_reflects_its_own_decision(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    let live = Live::start(store.clone(), quick()).await.unwrap();
    let id = Uuid::now_v7();
    for (i, command) in
        scenario::enterprise_to_award(id, "常州智造股份有限公司", CityCode::Changzhou, 7, 2024)
            .into_iter()
            .enumerate()
    {
        let decided = engine.execute(command, &operator()).await.unwrap();
        live.wait_for(decided.position).await.unwrap();
        let designation = live.designation(id, None).expect("listed");
        assert_eq!(
            designation.version,
            i as i64 + 1,
            "the answer shows its own event"
        );
        assert!(live.position() >= decided.position);
    }
    let designation = live.designation(id, None).unwrap();
    assert_eq!(designation.status, Status::Awarded);
    assert_eq!(designation.certificate_no().unwrap().to_string(), "JSLY-2024-001");
    assert_eq!(designation.city_name(), "常州");
    assert_eq!(designation.status_label(), "已授牌");
    let by_code = live
        .designation_by_code(designation.credit_code.unwrap().as_str(), None)
        .unwrap();
    assert_eq!(by_code.map(|d| d.id), Some(id));
    let stats = live.statistics(None);
    assert_eq!(stats.target.awarded, 1);
    assert_eq!(stats.by_status.awarded, 1);
    // The live registry equals a full replay of the log.
    let rebuilt = rebuild(&store).await.unwrap();
    assert_eq!(live.registry(), rebuilt);
}

async fn another_process_writing_is_followed(db: &TestDb) {
    let store_a = EventStore::connect(&db.url).await.unwrap();
    let live = Live::start(store_a.clone(), quick()).await.unwrap();
    // A second store with its own pools (and its own head watch), as another server
    // process would have: its commits do not wake the first store's watch directly.
    let store_b = EventStore::connect(&db.url).await.unwrap();
    let (engine_b, _) = Engine::start(store_b.clone());
    let ids = awarded_units(&engine_b, 3, 10).await;
    let head = store_b.head().await.unwrap().position;
    live.wait_for(head).await.unwrap();
    for id in &ids {
        assert_eq!(live.designation(*id, None).unwrap().status, Status::Awarded);
    }
    // And without anyone waiting: the follower's own wake-ups (NOTIFY or the poll).
    let more = awarded_units(&engine_b, 1, 20).await;
    let head = store_b.head().await.unwrap().position;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while live.position() < head {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the follower never caught up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(live.designation(more[0], None).unwrap().status, Status::Awarded);
    let rebuilt = rebuild(&store_a).await.unwrap();
    assert_eq!(live.registry(), rebuilt);
}

async fn start_up_and_as_of_replay_use_snapshots(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    let config = LiveConfig {
        snapshot_every: Some(10),
        ..quick()
    };
    let live = Live::start(store.clone(), config.clone()).await.unwrap();
    awarded_units(&engine, 5, 30).await; // 35 events
    let head = store.head().await.unwrap().position;
    live.wait_for(head).await.unwrap();
    // The follower saved snapshots at the multiples of 10 (it may still be writing the last).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while snapshot_positions(&store).await != [10, 20, 30] {
        assert!(tokio::time::Instant::now() < deadline, "snapshots were not saved");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A node starting now loads the snapshot at 30 and replays 5 events.
    let second = Live::start(store.clone(), config).await.unwrap();
    let full = rebuild(&store).await.unwrap();
    assert_eq!(second.registry(), full);
    assert_eq!(live.registry(), full);
    // Standalone as-of: nearest snapshot, then the tail, equals a replay from the start.
    for position in [1, 9, 10, 11, 25, 30, head] {
        let from_snapshot = registry_at(&store, position).await.unwrap();
        assert_eq!(from_snapshot, replayed(&store, position).await, "at {position}");
        assert_eq!(from_snapshot.position(), position);
    }
    // A node starting on a log whose snapshots are all past its multiples saves nothing new.
    assert_eq!(snapshot_positions(&store).await, [10, 20, 30]);
    // One with another interval saves only the last one due before the head (35 of 7s).
    let third = Live::start(
        store.clone(),
        LiveConfig {
            snapshot_every: Some(7),
            ..quick()
        },
    )
    .await
    .unwrap();
    assert_eq!(snapshot_positions(&store).await, [10, 20, 30, 35]);
    assert_eq!(third.registry(), full);
}

async fn snapshots_are_saved_and_loaded_by_position(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    awarded_units(&engine, 1, 40).await; // 7 events
    // A snapshot of two chunks at 3, one at 6, one of another format at 5.
    assert!(store.save_snapshot_chunk(1, 3, 0, 2, "{\"at\":3}").await.unwrap());
    assert_eq!(store.latest_snapshot(1, 100).await.unwrap(), None, "incomplete");
    assert!(!store.has_snapshot(1, 3).await.unwrap());
    assert!(
        store
            .save_snapshot_chunk(1, 3, 1, 2, "{\"more\":3}")
            .await
            .unwrap()
    );
    assert!(
        !store
            .save_snapshot_chunk(1, 3, 1, 2, "{\"other\":true}")
            .await
            .unwrap(),
        "saved once"
    );
    assert!(store.save_snapshot_chunk(1, 6, 0, 1, "{\"at\":6}").await.unwrap());
    assert!(store.save_snapshot_chunk(2, 5, 0, 1, "{\"v2\":5}").await.unwrap());
    assert_eq!(store.latest_snapshot(1, 2).await.unwrap(), None);
    let at3 = store.latest_snapshot(1, 5).await.unwrap().unwrap();
    assert_eq!((at3.position, at3.format_version, at3.chunks), (3, 1, 2));
    assert_eq!(
        store.load_snapshot_chunk(1, 3, 1).await.unwrap().as_deref(),
        Some("{\"more\":3}")
    );
    assert_eq!(store.load_snapshot_chunk(1, 3, 2).await.unwrap(), None);
    assert_eq!(store.latest_snapshot(1, 100).await.unwrap().unwrap().position, 6);
    assert_eq!(store.latest_snapshot(2, 100).await.unwrap().unwrap().position, 5);
    assert_eq!(store.latest_snapshot(3, 100).await.unwrap(), None);
    let positions: Vec<i64> = store
        .snapshots(1)
        .await
        .unwrap()
        .iter()
        .map(|s| s.position)
        .collect();
    assert_eq!(positions, [3, 6]);
    assert!(store.has_snapshot(1, 6).await.unwrap());
    assert!(!store.has_snapshot(1, 7).await.unwrap());
    // No event, no snapshot; chunk numbers must fit.
    assert!(store.save_snapshot_chunk(1, 8, 0, 1, "{}").await.is_err());
    assert!(store.save_snapshot_chunk(0, 3, 0, 1, "{}").await.is_err());
    assert!(store.save_snapshot_chunk(1, 3, 2, 2, "{}").await.is_err());
    // Bodies that are not a registry are skipped by readers (they replay instead).
    let registry = registry_at(&store, 7).await.unwrap();
    assert_eq!(registry, replayed(&store, 7).await);
    // A real one is used, and saving it again writes nothing.
    let registry = rebuild(&store).await.unwrap();
    assert!(save_snapshot(&store, &registry).await.unwrap());
    assert!(!save_snapshot(&store, &registry).await.unwrap());
    assert_eq!(
        store
            .latest_snapshot(SNAPSHOT_FORMAT, 100)
            .await
            .unwrap()
            .unwrap()
            .position,
        7
    );
    assert_eq!(registry_at(&store, 7).await.unwrap(), registry);
    // The events table is untouched by all this.
    assert_eq!(store.head().await.unwrap().position, 7);
}

async fn as_of_by_position_and_by_time(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    let live = Live::start(store.clone(), quick()).await.unwrap();
    let id = Uuid::now_v7();
    let commands = scenario::enterprise_to_award(id, "南通海工装备有限公司", CityCode::Nantong, 50, 2024);
    let listed = run(&engine, commands[..1].to_vec()).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let between = Utc::now();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let awarded = run(&engine, commands[1..].to_vec()).await;
    let head = awarded;
    live.wait_for(head).await.unwrap();

    // By position.
    let moment = live.resolve(AsOf::Position(listed)).await.unwrap();
    assert_eq!(moment.position, listed);
    let then = live.designation(id, Some(listed)).unwrap();
    assert_eq!((then.status, then.version, then.award), (Status::Pilot, 1, None));
    let now = live.designation(id, Some(head)).unwrap();
    assert_eq!(now.status, Status::Awarded);
    assert_eq!(live.designation(id, None), Some(now));
    let recommended = live.designation(id, Some(listed + 1)).unwrap();
    assert_eq!(recommended.status, Status::Recommended);
    assert_eq!(recommended.recommended_year.map(|y| y.get()), Some(2024));
    assert_eq!(live.statistics(Some(listed)).by_status.pilot, 1);
    assert_eq!(live.statistics(Some(listed)).target.awarded, 0);
    assert_eq!(live.statistics(None).target.awarded, 1);
    let awarded_filter = DesignationFilter {
        status: Some(Status::Awarded),
        ..DesignationFilter::default()
    };
    assert!(
        live.designations(&awarded_filter, PageRequest::default(), Some(listed))
            .page
            .items
            .is_empty()
    );
    assert_eq!(
        live.designations(&awarded_filter, PageRequest::default(), None)
            .page
            .items
            .len(),
        1
    );

    // By time: the last event recorded at or before it.
    let moment = live.resolve(AsOf::RecordedAt(between)).await.unwrap();
    assert_eq!(moment.position, listed);
    let recorded = store.recorded_at_of(listed).await.unwrap().unwrap();
    assert_eq!(moment.recorded_at, recorded);
    // Exactly an event's recordedAt includes that event.
    let exact = chrono::DateTime::parse_from_rfc3339(&recorded).unwrap().to_utc();
    assert_eq!(
        live.resolve(AsOf::RecordedAt(exact)).await.unwrap().position,
        listed
    );
    // Now is the head.
    assert_eq!(
        live.resolve(AsOf::RecordedAt(Utc::now())).await.unwrap().position,
        head
    );

    // A unit's history as of a moment.
    let history = live.history(id, Some(listed + 2)).await.unwrap().unwrap();
    assert_eq!(history.entries().len(), 3);
    assert!(live.history(id, Some(listed - 1)).await.unwrap().is_none() || listed == 1);
}

async fn every_bad_as_of_is_a_validation_error(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let live = Live::start(store.clone(), quick()).await.unwrap();
    let bad = |e: LiveError| {
        assert_eq!(e.code(), ErrorCode::ValidationFailed, "{e}");
        match e {
            LiveError::AsOf(e) => e,
            other => panic!("{other}"),
        }
    };
    assert_eq!(
        bad(live.resolve(AsOf::Position(1)).await.unwrap_err()),
        AsOfError::EmptyLog
    );
    assert_eq!(
        bad(live.resolve(AsOf::RecordedAt(Utc::now())).await.unwrap_err()),
        AsOfError::EmptyLog
    );
    let (engine, _) = Engine::start(store.clone());
    let before_first = Utc::now() - chrono::Duration::seconds(1);
    let head = run(
        &engine,
        vec![scenario::set_quota(2025, 10), scenario::set_quota(2024, 3)],
    )
    .await;
    assert_eq!(head, 2);
    assert_eq!(
        bad(live.resolve(AsOf::Position(0)).await.unwrap_err()),
        AsOfError::BelowOne(0)
    );
    assert_eq!(
        bad(live.resolve(AsOf::Position(-5)).await.unwrap_err()),
        AsOfError::BelowOne(-5)
    );
    assert_eq!(
        bad(live.resolve(AsOf::Position(3)).await.unwrap_err()),
        AsOfError::BeyondHead { position: 3, head: 2 }
    );
    let err = bad(live.resolve(AsOf::RecordedAt(before_first)).await.unwrap_err());
    assert!(matches!(err, AsOfError::BeforeFirstEvent { .. }), "{err}");
    assert!(err.to_string().contains("before the first event"), "{err}");
    let future = Utc::now() + chrono::Duration::hours(1);
    let err = bad(live.resolve(AsOf::RecordedAt(future)).await.unwrap_err());
    assert!(matches!(err, AsOfError::InTheFuture { .. }), "{err}");
    assert_eq!(AsOf::from_parts(Some(1), Some(Utc::now())), Err(AsOfError::Both));
    assert_eq!(AsOf::from_parts(None, None), Err(AsOfError::Neither));
    assert!(matches!(AsOf::parse("soon"), Err(AsOfError::Unreadable(_))));
    // The standalone replay refuses the same way.
    let err = replay_registry_json(&store, AsOf::Position(9)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::ValidationFailed, "{err}");
    // A code of no known shape.
    let err = live.designation_by_code("not-a-code", None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ValidationFailed);
    // Nothing was stored by any of it.
    assert_eq!(store.head().await.unwrap().position, 2);
}

async fn histories_are_folded_from_the_stream(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    let live = Live::start(store.clone(), quick()).await.unwrap();
    let ids = awarded_units(&engine, 2, 60).await;
    let head = run(
        &engine,
        vec![
            scenario::evaluate(ids[0], 2024, liangye_events::catalogue::Grade::Good, None),
            scenario::commend(ids[0], 2024, "示范带动作用明显"),
        ],
    )
    .await;
    live.wait_for(head).await.unwrap();
    let history = live.history(ids[0], None).await.unwrap().unwrap();
    let types: Vec<&str> = history.entries().iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            &liangye_tests::LISTED_TO_AWARDED[..],
            &["EvaluationRecorded", "Commended"]
        ]
        .concat()
    );
    let award = &history.entries()[6];
    assert_eq!(award.label_zh(), "授牌");
    assert_eq!(award.stream_version, 7);
    let designation = live.designation(ids[0], None).unwrap();
    assert_eq!(award.decided_on, designation.award.map(|a| a.decided_on));
    assert_eq!(award.document_ref.as_deref(), Some("苏发改服务发〔2024〕500号"));
    assert_eq!(award.actor, "省发展改革委服务业处");
    assert!(
        award.summary_zh().contains("JSLY-2024-001"),
        "{}",
        award.summary_zh()
    );
    let json = award.to_json(false);
    assert!(json.get("actor").is_none());
    assert_eq!(award.to_json(true)["actor"], json!("省发展改革委服务业处"));
    // Positions are the log's, and only this unit's events are there.
    let stored = store.read_stream(&unit_stream(ids[0]), 0).await.unwrap();
    let positions: Vec<i64> = stored.iter().map(|e| e.position).collect();
    let entries: Vec<i64> = history.entries().iter().map(|e| e.position).collect();
    assert_eq!(entries, positions);
    assert!(live.history(Uuid::now_v7(), None).await.unwrap().is_none());
}

fn sha256(secret: &str) -> SecretSha256 {
    SecretSha256::from_bytes(Sha256::digest(secret.as_bytes()).into())
}

async fn tokens_authenticate_now_and_as_of(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    let live = Live::start(store.clone(), quick()).await.unwrap();
    let token_id = Uuid::now_v7();
    let issued = run(
        &engine,
        vec![Command::IssueAccess(IssueAccess {
            token_id,
            name: "无锡市发展改革委".into(),
            role: Role::City,
            city: Some(CityCode::Wuxi),
            secret_sha256: sha256("lyt_wuxi"),
        })],
    )
    .await;
    live.wait_for(issued).await.unwrap();
    let principal = live.authenticate(&sha256("lyt_wuxi")).unwrap();
    assert_eq!(principal.token_id, Some(token_id));
    assert_eq!(
        (principal.role, principal.city),
        (Role::City, Some(CityCode::Wuxi))
    );
    let unknown = live.authenticate(&sha256("lyt_other")).unwrap_err();
    assert_eq!(unknown.code(), ErrorCode::Unauthenticated);
    let revoked = run(&engine, vec![Command::RevokeAccess(RevokeAccess { token_id })]).await;
    live.wait_for(revoked).await.unwrap();
    assert_eq!(
        live.authenticate(&sha256("lyt_wuxi")).unwrap_err().code(),
        ErrorCode::Unauthenticated
    );
    // Who could act, as of each moment.
    let then = live.authenticate_at(&sha256("lyt_wuxi"), Some(issued)).unwrap();
    assert!(then.active && then.capabilities.recommend && !then.capabilities.decide);
    let tokens = live.tokens(None);
    assert_eq!(tokens.len(), 1);
    assert!(!tokens[0].active);
    assert_eq!(tokens[0].revoked_at, Some(revoked));
    assert!(live.tokens(Some(issued))[0].active);
}

async fn an_old_schema_version_is_read_in_todays_shape(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let live = Live::start(store.clone(), quick()).await.unwrap();
    let id = Uuid::now_v7();
    // PilotListed schema version 0: industries as one separated string, no
    // creditCodeCheckOverridden.
    let v0 = json!({
        "unitId": id,
        "name": "昆山市",
        "kind": "COUNTY",
        "cityCode": "320500",
        "divisionCode": "320583",
        "industries": "智能制造、工业互联网，现代物流",
        "batch": 1,
        "decidedOn": "2021-06-01",
        "documentRef": "苏发改服务发〔2021〕88号"
    });
    let outcome = liangye_tests::append(
        &store,
        vec![NewEvent {
            schema_version: 0,
            ..liangye_tests::raw_event(unit_stream(id), "PilotListed", v0, "原型系统导入")
        }],
    )
    .await
    .unwrap();
    let stored_before = outcome[0].clone();
    live.wait_for(stored_before.position).await.unwrap();
    let designation = live.designation(id, None).unwrap();
    assert_eq!(designation.industries, ["智能制造", "工业互联网", "现代物流"]);
    assert!(!designation.credit_code_check_overridden);
    assert_eq!(designation.status, Status::Pilot);
    let by_code = live.designation_by_code("320583", None).unwrap().unwrap();
    assert_eq!(by_code.id, id);
    let history = live.history(id, None).await.unwrap().unwrap();
    assert_eq!(
        history.entries()[0].event.to_payload()["industries"],
        json!(["智能制造", "工业互联网", "现代物流"])
    );
    // The stored bytes are exactly what was hashed: version 0, the old shape.
    let stored = store.read_from(0, 10).await.unwrap();
    assert_eq!(stored, vec![stored_before.clone()]);
    assert_eq!(stored[0].schema_version, 0);
    assert!(
        stored[0]
            .canonical
            .contains("\"industries\":\"智能制造、工业互联网，现代物流\"")
    );
    assert!(stored[0].canonical.contains("\"schemaVersion\":0"));
    assert!(!stored[0].canonical.contains("creditCodeCheckOverridden"));
    // Snapshots and replays read it the same way.
    assert!(
        liangye_services::live::save_snapshot(&store, &rebuild(&store).await.unwrap())
            .await
            .unwrap()
    );
    let restored = registry_at(&store, 1).await.unwrap();
    assert_eq!(restored.designation(id, None), live.designation(id, None));
}

async fn replay_json_equals_the_live_registry_of_that_moment(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (engine, _) = Engine::start(store.clone());
    let live = Live::start(store.clone(), quick()).await.unwrap();
    run(&engine, vec![scenario::set_quota(2024, 2)]).await;
    let ids = awarded_units(&engine, 2, 70).await;
    let head = run(
        &engine,
        vec![
            scenario::evaluate(ids[0], 2025, liangye_events::catalogue::Grade::Fail, Some(40)),
            scenario::delist(ids[0], 2025, "绩效评价不合格"),
        ],
    )
    .await;
    live.wait_for(head).await.unwrap();
    for position in [1, 5, 9, head] {
        let json = replay_registry_json(&store, AsOf::Position(position))
            .await
            .unwrap();
        let moment: Moment = live.resolve(AsOf::Position(position)).await.unwrap();
        let expected = registry_json(&live.registry(), &moment);
        assert_eq!(json, expected, "at {position}");
        assert_eq!(json["asOf"]["position"], json!(position));
    }
    let json = replay_registry_json(&store, AsOf::Position(head)).await.unwrap();
    let designations = json["designations"].as_array().unwrap();
    assert_eq!(designations.len(), 2);
    let delisted = designations.iter().find(|d| d["id"] == json!(ids[0])).unwrap();
    assert_eq!(delisted["status"], json!("DELISTED"));
    assert_eq!(delisted["statusLabel"], json!("已摘牌"));
    assert_eq!(delisted["awardYear"], json!(2024));
    assert_eq!(delisted["certificateNo"], json!("JSLY-2024-001"));
    assert_eq!(delisted["evaluations"][0]["grade"], json!("FAIL"));
    assert_eq!(json["statistics"]["target"]["awarded"], json!(1));
    assert_eq!(json["statistics"]["target"]["awardsMade"], json!(2));
    assert_eq!(json["statistics"]["quotas"][0]["used"], json!(2));
}

/// `serve` starts the engine from the live registry's decision state (units shared, copied
/// on write) instead of folding the log a second time: it must decide exactly as an engine
/// that folded the log itself, and its writes must not show in the live registry's copy
/// before the registry folds them.
async fn an_engine_started_from_the_live_state_decides_as_one_that_folded_the_log(db: &TestDb) {
    let store = EventStore::connect(&db.url).await.unwrap();
    let (folding, _) = Engine::start(store.clone());
    let a = Uuid::now_v7();
    run(
        &folding,
        scenario::enterprise_to_award(a, "常州智造股份有限公司", CityCode::Changzhou, 7, 2024),
    )
    .await;
    let live = Live::start(store.clone(), quick()).await.unwrap();
    let (seeded, _) = Engine::start_from(store.clone(), live.decision_state());

    // A listing that repeats unit A's identifiers is refused alike by both engines.
    let again = scenario::enterprise_to_award(
        Uuid::now_v7(),
        "常州智造股份有限公司",
        CityCode::Changzhou,
        7,
        2025,
    )
    .remove(0);
    let refusal = |r: Result<_, liangye_services::engine::EngineError>| match r {
        Err(e) => e.to_string(),
        Ok(decided) => panic!("accepted: {decided:?}"),
    };
    let by_seeded = refusal(seeded.execute(again.clone(), &operator()).await);
    let by_folding = refusal(folding.execute(again, &operator()).await);
    assert_eq!(by_seeded, by_folding);

    // A decision about a unit the engine shares with the live registry: the engine copies
    // the unit before changing it, so another holder of the same units (here a third copy
    // of the state, taken before) still sees the unit as it was.
    let held = live.decision_state();
    let unit_before = held.unit(a).cloned().expect("listed");
    let head = run(
        &seeded,
        vec![scenario::evaluate(a, 2025, Grade::Excellent, Some(95))],
    )
    .await;
    assert_eq!(held.unit(a), Some(&unit_before));
    live.wait_for(head).await.unwrap();
    let evaluated = live.registry().decision_state().unit(a).cloned().unwrap();
    assert_eq!(evaluated.evaluations.len(), unit_before.evaluations.len() + 1);
    assert_eq!(live.registry(), rebuild(&store).await.unwrap());

    // Both engines go on from the same log alike: what one records the other refuses as a
    // repeat, having caught up.
    let b = Uuid::now_v7();
    let mut to_award = scenario::enterprise_to_award(b, "苏州协同服务有限公司", CityCode::Suzhou, 8, 2025);
    let listing = to_award.remove(0);
    let listed = folding.execute(listing.clone(), &operator()).await.unwrap();
    assert_eq!(listed.position, head + 1);
    let recommend = to_award.remove(0);
    let recommended = seeded.execute(recommend.clone(), &operator()).await.unwrap();
    assert_eq!(recommended.position, head + 2);
    assert!(folding.execute(recommend, &operator()).await.is_err());
}
