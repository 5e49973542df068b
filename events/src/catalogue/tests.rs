//! Tests of payload shapes, decoding, upcasting and `RecordedEvent`.

use chrono::NaiveDate;
use serde_json::{Value, json};
use uuid::Uuid;

use super::decode::with_payload_type;
use super::*;
use crate::envelope::{Metadata, StoredEvent};

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn unit() -> Uuid {
    Uuid::parse_str("0192f0c1-7a3b-7cde-8f00-123456789abc").unwrap()
}

fn year(y: i64) -> Year {
    Year::new(y).unwrap()
}

fn decision() -> Decision {
    Decision {
        decided_on: date("2024-05-06"),
        document_ref: Some("苏发改服务发〔2024〕123号".into()),
        note: None,
    }
}

fn pilot_listed() -> PilotListed {
    PilotListed {
        unit_id: unit(),
        name: "南京市江宁区".into(),
        kind: UnitKind::County,
        city_code: CityCode::Nanjing,
        division_code: Some(DivisionCode::parse("320115").unwrap()),
        credit_code: None,
        credit_code_check_overridden: false,
        zone_code: None,
        industries: vec!["智能制造".into(), "工业互联网".into()],
        sectors: vec![Sector::HighEndEquipment, Sector::NewGenerationIt],
        county_code: Some(DivisionCode::parse("320115").unwrap()),
        batch: Batch::new(2).unwrap(),
        decision: decision(),
    }
}

/// `pilot_listed()` as a version-1 (or older) event reads: sectors `[OTHER]`, the county
/// from its own division code.
fn pilot_listed_upcast() -> PilotListed {
    PilotListed {
        sectors: vec![Sector::Other],
        ..pilot_listed()
    }
}

/// One event of every type.
fn one_of_each() -> Vec<DomainEvent> {
    let secret = SecretSha256::parse(&"ab".repeat(32)).unwrap();
    vec![
        pilot_listed().into(),
        PilotRevoked {
            unit_id: unit(),
            decision: decision(),
        }
        .into(),
        Recommended {
            unit_id: unit(),
            year: year(2024),
            city_code: CityCode::Nanjing,
            figures: Figures {
                revenue_yuan: Some(Yuan::new(12_000_000_000).unwrap()),
                gdp_yuan: None,
                manufacturing_share_bp: Some(BasisPoints::new(3500).unwrap()),
                market_share_rank: None,
            },
            decision: decision(),
        }
        .into(),
        ReviewRecorded {
            unit_id: unit(),
            year: year(2024),
            stage: ReviewStage::PublicNotice,
            outcome: ReviewOutcome::Passed,
            score: None,
            notice_start: Some(date("2024-06-01")),
            notice_end: Some(date("2024-06-07")),
            objections: Some("无异议".into()),
            reason: None,
            decision: decision(),
        }
        .into(),
        Awarded {
            unit_id: unit(),
            year: year(2024),
            certificate_no: CertificateNo::new(year(2024), 1).unwrap(),
            decision: decision(),
        }
        .into(),
        AnnualQuotaSet {
            year: year(2024),
            total: 20,
            guideline_ref: Some("苏发改服务发〔2024〕5号".into()),
            decision: decision(),
        }
        .into(),
        EvaluationRecorded {
            unit_id: unit(),
            year: year(2025),
            grade: Grade::Good,
            score: Some(Score::new(86).unwrap()),
            decision: decision(),
        }
        .into(),
        Commended {
            unit_id: unit(),
            year: year(2025),
            citation: "成效显著".into(),
            decision: decision(),
        }
        .into(),
        Delisted {
            unit_id: unit(),
            reason: "绩效评价不合格".into(),
            ground: DelistGround::FailedEvaluation,
            evaluation_year: Some(year(2025)),
            decision: decision(),
        }
        .into(),
        AccessGranted {
            token_id: unit(),
            name: "南京市发展改革委".into(),
            role: Role::City,
            city: Some(CityCode::Nanjing),
            secret_sha256: secret,
        }
        .into(),
        AccessRevoked { token_id: unit() }.into(),
        DecisionRetracted {
            unit_id: unit(),
            position: 17,
            retracted_type: EventType::Awarded,
            reason: "授牌年度录入错误".into(),
            decision: decision(),
        }
        .into(),
        UnitAmended {
            name: Some("南京市江宁区（更正）".into()),
            sectors: Some(vec![Sector::Logistics]),
            ..UnitAmended::new(unit(), "企业更名", decision())
        }
        .into(),
        RecommendationWithdrawn {
            unit_id: unit(),
            year: year(2024),
            reason: "申报材料需补充".into(),
            decision: decision(),
        }
        .into(),
        NotSelected {
            unit_id: unit(),
            year: year(2024),
            reason: "择优遴选未入选".into(),
            decision: decision(),
        }
        .into(),
        IndicatorsReported {
            unit_id: unit(),
            year: year(2025),
            figures: IndicatorFigures {
                figures: Figures {
                    revenue_yuan: Some(Yuan::new(13_000_000_000).unwrap()),
                    ..Figures::default()
                },
                service_revenue_yuan: Some(Yuan::new(2_000_000_000).unwrap()),
                rd_expense_yuan: None,
            },
            below_standard: false,
            decision: decision(),
        }
        .into(),
        SubsidyGranted {
            unit_id: unit(),
            year: year(2025),
            amount_yuan: Yuan::new(2_000_000).unwrap(),
            fund: "省级服务业发展专项资金".into(),
            decision: decision(),
        }
        .into(),
    ]
}

#[test]
fn every_event_type_has_its_name_version_and_label() {
    let names: Vec<(&str, i32, &str)> = one_of_each()
        .iter()
        .map(|e| (e.event_type(), e.schema_version(), e.label_zh()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("PilotListed", 2, "列入试点"),
            ("PilotRevoked", 1, "撤销试点"),
            ("Recommended", 1, "推荐"),
            ("ReviewRecorded", 2, "评审"),
            ("Awarded", 1, "授牌"),
            ("AnnualQuotaSet", 2, "设定年度指标"),
            ("EvaluationRecorded", 1, "绩效评价"),
            ("Commended", 1, "表彰"),
            ("Delisted", 2, "摘牌"),
            ("AccessGranted", 1, "授予访问权限"),
            ("AccessRevoked", 1, "撤销访问权限"),
            ("DecisionRetracted", 1, "撤销错误决定"),
            ("UnitAmended", 1, "信息变更"),
            ("RecommendationWithdrawn", 1, "撤回推荐"),
            ("NotSelected", 1, "未入选"),
            ("IndicatorsReported", 1, "统计监测"),
            ("SubsidyGranted", 1, "奖励补助"),
        ]
    );
    assert_eq!(EventType::ALL.len(), 17);
}

#[test]
fn every_event_round_trips_through_its_payload() {
    for event in one_of_each() {
        let payload = event.to_payload();
        let decoded = DomainEvent::decode(event.event_type(), event.schema_version(), &payload).unwrap();
        assert_eq!(decoded, event);
    }
}

#[test]
fn payloads_are_camel_case_with_the_decision_flattened() {
    // Today's payload is the pre-release one with the fields added since and the industries
    // as a list.
    let mut expected = pilot_listed_v0(json!(["智能制造", "工业互联网"]));
    expected["creditCodeCheckOverridden"] = json!(false);
    expected["sectors"] = json!(["HIGH_END_EQUIPMENT", "NEW_GENERATION_IT"]);
    expected["countyCode"] = json!("320115");
    assert_eq!(DomainEvent::from(pilot_listed()).to_payload(), expected);
}

#[test]
fn money_and_shares_are_json_integers() {
    let events = one_of_each();
    let recommended = events[2].to_payload();
    assert_eq!(recommended["revenueYuan"], json!(12_000_000_000_i64));
    assert_eq!(recommended["manufacturingShareBp"], json!(3500));
    assert!(recommended.get("gdpYuan").is_none());
    assert_eq!(events[4].to_payload()["certificateNo"], json!("JSLY-2024-001"));
    assert_eq!(events[9].to_payload()["secretSha256"], json!("ab".repeat(32)));
}

/// Walks every number of a JSON value.
fn assert_no_floats(value: &Value) {
    match value {
        Value::Number(n) => assert!(n.is_i64() || n.is_u64(), "float {n}"),
        Value::Array(items) => items.iter().for_each(assert_no_floats),
        Value::Object(map) => map.values().for_each(assert_no_floats),
        _ => {}
    }
}

#[test]
fn no_payload_holds_a_float() {
    for event in one_of_each() {
        assert_no_floats(&event.to_payload());
    }
}

#[test]
fn streams_follow_the_event() {
    let streams: Vec<String> = one_of_each().iter().map(DomainEvent::stream_id).collect();
    let unit_stream = "unit-0192f0c1-7a3b-7cde-8f00-123456789abc";
    assert_eq!(streams[0], unit_stream);
    assert_eq!(streams[5], "quota-2024");
    assert_eq!(streams[9], "access");
    assert_eq!(streams[10], "access");
    assert_eq!(streams[8], unit_stream);
}

#[test]
fn decode_validates_through_the_value_types() {
    let mut payload = DomainEvent::from(pilot_listed()).to_payload();
    payload["cityCode"] = json!("310100");
    let err = DomainEvent::decode("PilotListed", 2, &payload).unwrap_err();
    assert!(
        matches!(&err, DecodeError::Payload { event_type: "PilotListed", schema_version: 2, message } if message.contains("not a Jiangsu city code")),
        "{err}"
    );
    let mut payload = one_of_each()[2].to_payload();
    payload["revenueYuan"] = json!(1.5e10);
    assert!(DomainEvent::decode("Recommended", 1, &payload).is_err());
}

#[test]
fn null_optionals_read_as_absent() {
    let mut payload = DomainEvent::from(pilot_listed()).to_payload();
    payload["creditCode"] = Value::Null;
    payload["note"] = Value::Null;
    assert_eq!(
        DomainEvent::decode("PilotListed", 2, &payload).unwrap(),
        pilot_listed().into()
    );
}

#[test]
fn unknown_types_and_future_versions_are_refused() {
    let payload = json!({});
    assert_eq!(
        DomainEvent::decode("UnitRenamed", 1, &payload),
        Err(DecodeError::UnknownType("UnitRenamed".into()))
    );
    let err = DomainEvent::decode("Awarded", 2, &payload).unwrap_err();
    assert_eq!(
        err,
        DecodeError::UnsupportedSchemaVersion {
            event_type: "Awarded",
            schema_version: 2,
            oldest: 1,
            current: 1
        }
    );
    assert!(matches!(
        DomainEvent::decode("Awarded", 0, &payload),
        Err(DecodeError::UnsupportedSchemaVersion { oldest: 1, .. })
    ));
}

/// The pre-release shape of `PilotListed` (schema version 0).
fn pilot_listed_v0(industries: Value) -> Value {
    json!({
        "unitId": "0192f0c1-7a3b-7cde-8f00-123456789abc",
        "name": "南京市江宁区",
        "kind": "COUNTY",
        "cityCode": "320100",
        "divisionCode": "320115",
        "industries": industries,
        "batch": 2,
        "decidedOn": "2024-05-06",
        "documentRef": "苏发改服务发〔2024〕123号",
    })
}

#[test]
fn pilot_listed_schema_0_is_upcast_to_today() {
    let decoded = DomainEvent::decode(
        "PilotListed",
        0,
        &pilot_listed_v0(json!(" 智能制造，工业互联网 ")),
    )
    .unwrap();
    assert_eq!(decoded, pilot_listed_upcast().into());
    assert_eq!(decoded.schema_version(), 2);

    let mixed = DomainEvent::decode(
        "PilotListed",
        0,
        &pilot_listed_v0(json!("智能制造、工业互联网,,现代物流")),
    )
    .unwrap();
    let DomainEvent::PilotListed(listed) = mixed else {
        panic!("not PilotListed")
    };
    assert_eq!(listed.industries, ["智能制造", "工业互联网", "现代物流"]);
    assert!(!listed.credit_code_check_overridden);

    let empty = DomainEvent::decode("PilotListed", 0, &pilot_listed_v0(json!(""))).unwrap();
    let DomainEvent::PilotListed(listed) = empty else {
        panic!("not PilotListed")
    };
    assert!(listed.industries.is_empty());
}

#[test]
fn schema_0_with_a_list_is_malformed_and_version_1_requires_the_new_fields() {
    let err = DomainEvent::decode("PilotListed", 0, &pilot_listed_v0(json!(["智能制造"]))).unwrap_err();
    assert!(
        matches!(
            err,
            DecodeError::Payload {
                schema_version: 0,
                ..
            }
        ),
        "{err}"
    );
    // A version-0 shape stored as version 1 is refused rather than guessed at.
    assert!(DomainEvent::decode("PilotListed", 1, &pilot_listed_v0(json!("智能制造"))).is_err());
    assert!(matches!(
        DomainEvent::decode("PilotListed", -1, &pilot_listed_v0(json!(""))),
        Err(DecodeError::UnsupportedSchemaVersion {
            oldest: 0,
            current: 2,
            ..
        })
    ));
}

/// The first release's shape of `PilotListed` (schema version 1) of each kind.
fn pilot_listed_v1(kind: &str, division: Option<&str>) -> Value {
    let mut payload = json!({
        "unitId": "0192f0c1-7a3b-7cde-8f00-123456789abc",
        "name": "苏州工业园区",
        "kind": kind,
        "cityCode": "320500",
        "creditCodeCheckOverridden": false,
        "industries": ["集成电路"],
        "batch": 1,
        "decidedOn": "2021-03-01",
    });
    if let Some(code) = division {
        payload["divisionCode"] = json!(code);
    }
    payload
}

#[test]
fn pilot_listed_schema_1_reads_as_sector_other_and_the_county_its_identifiers_name() {
    let read = |kind: &str, division: Option<&str>| {
        let DomainEvent::PilotListed(listed) =
            DomainEvent::decode("PilotListed", 1, &pilot_listed_v1(kind, division)).unwrap()
        else {
            panic!("not PilotListed")
        };
        listed
    };
    let county = read("COUNTY", Some("320506"));
    assert_eq!(county.sectors, [Sector::Other]);
    assert_eq!(county.county_code, Some(DivisionCode::parse("320506").unwrap()));
    let zone = read("INDUSTRIAL_ZONE", Some("320583"));
    assert_eq!(zone.county_code, Some(DivisionCode::parse("320583").unwrap()));
    let development = read("DEVELOPMENT_ZONE", None);
    assert_eq!(development.sectors, [Sector::Other]);
    assert_eq!(development.county_code, None);
    // The same payload text decodes the same way from text.
    let text = pilot_listed_v1("COUNTY", Some("320506")).to_string();
    assert_eq!(
        DomainEvent::decode_text("PilotListed", 1, &text).unwrap(),
        county.into()
    );
}

#[test]
fn delisted_and_reviews_of_schema_1_read_with_their_defaults() {
    let delisted = json!({
        "unitId": "0192f0c1-7a3b-7cde-8f00-123456789abc",
        "reason": "企业注销",
        "evaluationYear": 2024,
        "decidedOn": "2025-03-01",
    });
    let DomainEvent::Delisted(d) = DomainEvent::decode("Delisted", 1, &delisted).unwrap() else {
        panic!("not Delisted")
    };
    assert_eq!(d.ground, DelistGround::Other);
    assert_eq!(d.evaluation_year, Some(year(2024)));
    let quota = json!({"year": 2024, "total": 12, "decidedOn": "2024-01-10"});
    let DomainEvent::AnnualQuotaSet(q) = DomainEvent::decode("AnnualQuotaSet", 1, &quota).unwrap() else {
        panic!("not AnnualQuotaSet")
    };
    assert_eq!(q.guideline_ref, None);
    // Version 2 requires the ground.
    assert!(DomainEvent::decode("Delisted", 2, &delisted).is_err());
}

fn stored(event: &DomainEvent, position: i64, stream_id: &str) -> StoredEvent {
    let metadata = Metadata {
        actor: "clerk".into(),
        role: "PROVINCIAL".into(),
        ..Metadata::default()
    };
    let recorded_at = "2024-05-06T07:08:09.123456Z";
    let event_id = Uuid::now_v7();
    let canonical = json!({
        "position": position,
        "eventId": event_id,
        "streamId": stream_id,
        "streamVersion": 1,
        "type": event.event_type(),
        "schemaVersion": event.schema_version(),
        "recordedAt": recorded_at,
        "payload": event.to_payload(),
        "metadata": metadata,
    });
    StoredEvent {
        position,
        event_id,
        stream_id: stream_id.into(),
        stream_version: 1,
        event_type: event.event_type().into(),
        schema_version: event.schema_version(),
        recorded_at: recorded_at.into(),
        command_id: None,
        actor: "clerk".into(),
        role: "PROVINCIAL".into(),
        canonical: canonical.to_string(),
        leaf_hash: "00".repeat(32),
    }
}

#[test]
fn recorded_event_from_a_stored_row() {
    for (index, event) in one_of_each().into_iter().enumerate() {
        let position = i64::try_from(index).unwrap() + 1;
        let row = stored(&event, position, &event.stream_id());
        let recorded = RecordedEvent::from_stored(&row).unwrap();
        assert_eq!(recorded.position, position);
        assert_eq!(recorded.stream_id, event.stream_id());
        assert_eq!(recorded.stream_version, 1);
        assert_eq!(recorded.recorded_at, "2024-05-06T07:08:09.123456Z");
        assert_eq!(recorded.metadata.actor, "clerk");
        assert_eq!(recorded.event, event);
    }
}

#[test]
fn recorded_event_refuses_rows_that_disagree_with_their_canonical_form() {
    let event: DomainEvent = pilot_listed().into();
    let mut row = stored(&event, 7, &event.stream_id());
    row.position = 8;
    assert!(matches!(
        RecordedEvent::from_stored(&row),
        Err(DecodeError::Inconsistent { position: 8, .. })
    ));

    let row = stored(&event, 7, "unit-00000000-0000-0000-0000-000000000000");
    assert!(matches!(
        RecordedEvent::from_stored(&row),
        Err(DecodeError::Inconsistent {
            what: "the streamId",
            ..
        })
    ));

    let quota = one_of_each()[5].clone();
    assert!(RecordedEvent::from_stored(&stored(&quota, 1, "quota-2025")).is_err());
    assert!(RecordedEvent::from_stored(&stored(&quota, 1, "quota-2024")).is_ok());

    let mut row = stored(&event, 7, &event.stream_id());
    row.canonical.push('}');
    assert!(matches!(
        RecordedEvent::from_stored(&row),
        Err(DecodeError::Envelope(_))
    ));
}

#[test]
fn canonical_text_decodes_as_the_envelope_does() {
    let kinds: std::collections::HashSet<_> = one_of_each().iter().map(DomainEvent::kind).collect();
    assert_eq!(kinds.len(), EventType::ALL.len(), "one event of each type");
    for (index, event) in one_of_each().into_iter().enumerate() {
        let position = i64::try_from(index).unwrap() + 1;
        let row = stored(&event, position, &event.stream_id());
        let from_text = RecordedEvent::from_canonical(&row.canonical).unwrap();
        assert_eq!(from_text, RecordedEvent::from_stored(&row).unwrap());
        assert_eq!(from_text.event, event);
        // Today's payloads are read in the same pass as the envelope.
        let envelope = CanonicalEnvelope::parse(&row.canonical).unwrap();
        assert!(envelope.read_in_one_pass(), "{}", event.event_type());
    }
    // An older schema version goes through the upcasters from the text too.
    let mut v0: Value = serde_json::from_str(&stored(&pilot_listed().into(), 3, "x").canonical).unwrap();
    v0["schemaVersion"] = json!(0);
    v0["payload"] = pilot_listed_v0(json!(" 智能制造，工业互联网 "));
    v0["streamId"] = json!(DomainEvent::from(pilot_listed()).stream_id());
    let upcast = RecordedEvent::from_canonical(&v0.to_string()).unwrap();
    assert_eq!(upcast.event, pilot_listed_upcast().into());
    assert!(
        !CanonicalEnvelope::parse(&v0.to_string())
            .unwrap()
            .read_in_one_pass()
    );
}

#[test]
fn canonical_text_refuses_what_the_envelope_refuses() {
    let event: DomainEvent = pilot_listed().into();
    let good: Value = serde_json::from_str(&stored(&event, 7, &event.stream_id()).canonical).unwrap();
    let refused = |edit: &dyn Fn(&mut Value)| {
        let mut text = good.clone();
        edit(&mut text);
        let via_text = RecordedEvent::from_canonical(&text.to_string());
        let via_value = serde_json::from_value::<crate::Envelope>(text)
            .map_err(|e| DecodeError::Envelope(e.to_string()))
            .and_then(RecordedEvent::from_envelope);
        assert!(via_value.is_err(), "the Value path accepts it");
        via_text.unwrap_err()
    };
    assert!(matches!(
        refused(&|v| v["extra"] = json!(1)),
        DecodeError::Envelope(_)
    ));
    assert!(matches!(
        refused(&|v| v["eventId"] = json!("not-a-uuid")),
        DecodeError::Envelope(_)
    ));
    assert!(matches!(
        refused(&|v| v["type"] = json!("UnitRenamed")),
        DecodeError::UnknownType(_)
    ));
    assert!(matches!(
        refused(&|v| v["payload"]["cityCode"] = json!("310100")),
        DecodeError::Payload { .. }
    ));
    assert!(matches!(
        refused(&|v| v["schemaVersion"] = json!(9)),
        DecodeError::UnsupportedSchemaVersion { .. }
    ));
    assert!(matches!(
        refused(&|v| v["streamId"] = json!("unit-00000000-0000-0000-0000-000000000000")),
        DecodeError::Inconsistent {
            what: "the streamId",
            ..
        }
    ));
    let mut text = good.to_string();
    text.push('}');
    assert!(matches!(
        RecordedEvent::from_canonical(&text),
        Err(DecodeError::Envelope(_))
    ));
}

/// The decision date a pilot listing's payload holding `decided_on` gives, read every way a
/// payload is decoded: from its text, from a `Value` as the upcasters give it, and within a
/// whole canonical text (the quick reader's way).
fn decided_on_read(decided_on: Value) -> [Result<NaiveDate, DecodeError>; 3] {
    let event = DomainEvent::from(pilot_listed());
    let mut payload = event.to_payload();
    payload["decidedOn"] = decided_on;
    let mut canonical: Value =
        serde_json::from_str(&stored(&event, 1, &event.stream_id()).canonical).unwrap();
    canonical["payload"] = payload.clone();
    let on = |event: DomainEvent| match event {
        DomainEvent::PilotListed(listed) => listed.decision.decided_on,
        other => panic!("{other:?}"),
    };
    [
        DomainEvent::decode_text("PilotListed", 2, &payload.to_string()).map(on),
        DomainEvent::decode("PilotListed", 2, &payload).map(on),
        RecordedEvent::from_canonical(&canonical.to_string()).map(|recorded| on(recorded.event)),
    ]
}

#[test]
fn decision_dates_read_as_chrono_reads_them() {
    let texts = [
        "2024-05-06",
        "2024-02-29",
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024-04-31",
        "0000-01-01",
        "9999-12-31",
        "2024-5-06",
        "2024-05-6",
        "20240506",
        "2024/05/06",
        " 2024-05-06",
        "2024-05-06 ",
        "+2024-05-06",
        "2024-05-06T00:00:00",
        "２０２４-05-06",
        "2024-0a-06",
        "",
        "-001-01-01",
    ];
    for text in texts {
        let chrono = text.parse::<NaiveDate>();
        for read in decided_on_read(json!(text)) {
            match (&chrono, read) {
                (Ok(expected), Ok(date)) => assert_eq!(date, *expected, "{text:?}"),
                (Err(expected), Err(DecodeError::Payload { message, .. })) => {
                    assert!(message.contains(&expected.to_string()), "{text:?}: {message}")
                }
                (expected, read) => panic!("{text:?}: chrono {expected:?}, read {read:?}"),
            }
        }
    }
    for read in decided_on_read(json!(20240506)) {
        let Err(DecodeError::Payload { message, .. }) = read else {
            panic!("{read:?}")
        };
        assert!(message.contains("expected a formatted date string"), "{message}");
    }
}

proptest::proptest! {
    #[test]
    fn any_date_text_reads_as_chrono_reads_it(text in "[0-9+ -]{0,4}-?[0-9]{0,3}-?[0-9 ]{0,3}") {
        let chrono = text.parse::<NaiveDate>().ok();
        for read in decided_on_read(json!(text)) {
            proptest::prop_assert_eq!(read.ok(), chrono);
        }
    }
}

#[test]
fn a_decision_payload_ignores_members_it_does_not_know_as_before() {
    // Payloads were never strict about extra members (serde's flatten could not be): the
    // decision's own reading keeps that.
    let mut payload = DomainEvent::from(pilot_listed()).to_payload();
    payload["reviewedBy"] = json!("someone");
    assert_eq!(
        DomainEvent::decode_text("PilotListed", 2, &payload.to_string()).unwrap(),
        pilot_listed().into()
    );
}

#[test]
fn the_quick_reader_reads_every_canonical_text_without_escapes() {
    for (index, event) in one_of_each().into_iter().enumerate() {
        let position = i64::try_from(index).unwrap() + 1;
        let text = stored(&event, position, &event.stream_id()).canonical;
        assert!(!text.contains('\\'), "{text}");
        with_payload_type!(event.kind(), P => {
            let quick = quick_read::from_str::<recorded::Members<'_, P>>(&text);
            let members: recorded::Members<'_, P> = serde_json::from_str(&text).unwrap();
            assert_eq!(quick, Some(members), "{text}");
        });
    }
    // A note with a line break is escaped: serde_json reads that text, with the same result.
    let mut noted = pilot_listed();
    noted.decision.note = Some("第一行\n第二行".into());
    let event = DomainEvent::from(noted);
    let text = stored(&event, 1, &event.stream_id()).canonical;
    assert!(quick_read::from_str::<recorded::Members<'_, PilotListed>>(&text).is_none());
    assert_eq!(RecordedEvent::from_canonical(&text).unwrap().event, event);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// Whatever the quick reader reads of an event's canonical text, changed a little, as
    /// the members of its envelope with today's payload, serde_json reads the same.
    #[test]
    fn the_quick_reader_reads_events_as_serde_json_does(
        which in 0usize..64,
        change in crate::test_json::arb_small_change(),
    ) {
        let events = one_of_each();
        let event = &events[which % events.len()];
        let text = stored(event, 3, &event.stream_id()).canonical;
        let changed = change.apply(&text);
        with_payload_type!(event.kind(), P => {
            if let Some(quick) = quick_read::from_str::<recorded::Members<'_, P>>(&changed) {
                let members = serde_json::from_str::<recorded::Members<'_, P>>(&changed);
                proptest::prop_assert_eq!(Some(quick), members.ok(), "{}", changed);
            }
        });
    }
}

/// `check_row` of `row` as `verify` reads it, with the leaf hash of its canonical text: the
/// event it decodes.
fn check_stored(
    row: &StoredEvent,
) -> Result<Result<DomainEvent, crate::integrity::IntegrityError>, crate::integrity::IntegrityError> {
    let leaf = hex::encode(crate::hash::leaf_hash(row.canonical.as_bytes()));
    let [position, event_id, stream_version, schema_version] = [
        row.position.to_string(),
        row.event_id.to_string(),
        row.stream_version.to_string(),
        row.schema_version.to_string(),
    ];
    let text = crate::integrity::RowText {
        position: Some(&position),
        event_id: Some(&event_id),
        stream_id: Some(&row.stream_id),
        stream_version: Some(&stream_version),
        event_type: Some(&row.event_type),
        schema_version: Some(&schema_version),
        recorded_at: Some(&row.recorded_at),
        command_id: None,
        actor: Some(&row.actor),
        role: Some(&row.role),
        canonical: Some(&row.canonical),
        leaf_hash: Some(&leaf),
    };
    crate::integrity::check_row(&text, row.position).map(|checked| checked.event.map(|e| e.event))
}

#[test]
fn verify_takes_the_quick_readings_proof_of_the_form_and_checks_every_other_text() {
    // Proven by the reading.
    let event = DomainEvent::from(pilot_listed());
    let row = stored(&event, 1, &event.stream_id());
    assert!(
        CanonicalEnvelope::parse_proving_form(&row.canonical)
            .unwrap()
            .surely_canonical()
    );
    assert_eq!(check_stored(&row).unwrap().unwrap(), event);
    // A reading not asked to prove the form (replay's) proves nothing.
    assert!(
        !CanonicalEnvelope::parse(&row.canonical)
            .unwrap()
            .surely_canonical()
    );
    // A payload's members out of order, the same value: read, not proven, refused.
    let mut swapped = row.clone();
    swapped.canonical = row.canonical.replacen(
        "\"batch\":2,\"cityCode\":\"320100\"",
        "\"cityCode\":\"320100\",\"batch\":2",
        1,
    );
    assert_ne!(swapped.canonical, row.canonical);
    assert!(
        !CanonicalEnvelope::parse_proving_form(&swapped.canonical)
            .unwrap()
            .surely_canonical()
    );
    let refused = check_stored(&swapped).unwrap_err().to_string();
    assert!(refused.contains("RFC 8785"), "{refused}");
    // A 16-digit amount is canonical as JCS writes it, but not proven by the reading: the
    // exact check passes it.
    let mut large = match one_of_each().swap_remove(2) {
        DomainEvent::Recommended(r) => r,
        other => panic!("{other:?}"),
    };
    large.figures.revenue_yuan = Some(Yuan::new(1_234_567_890_123_456).unwrap());
    let event = DomainEvent::from(large);
    let row = stored(&event, 2, &event.stream_id());
    assert!(row.canonical.contains("1234567890123456"));
    assert!(
        !CanonicalEnvelope::parse_proving_form(&row.canonical)
            .unwrap()
            .surely_canonical()
    );
    assert_eq!(check_stored(&row).unwrap().unwrap(), event);
}
