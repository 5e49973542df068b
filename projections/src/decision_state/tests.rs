//! Given these events, the decision state holds this.

use liangye_events::catalogue::{
    AccessGranted, AccessRevoked, CityCode, CreditCode, DelistGround, Delisted, DivisionCode, DomainEvent,
    Grade, PilotListed, PilotRevoked, RecordedEvent, ReviewOutcome, ReviewStage, Role, Score, SecretSha256,
    Sector, Status, UnitKind, Year, ZoneCode,
};
use liangye_events::envelope::Metadata;
use uuid::Uuid;

use super::fixtures::{self, *};
use super::*;

/// Folds domain events as the log would hold them.
fn fold(events: impl IntoIterator<Item = DomainEvent>) -> DecisionState {
    let mut state = DecisionState::new();
    for event in RecordedEvent::sequence(events, &Metadata::default()) {
        state.apply(&event);
    }
    state
}

/// The access token of 苏州's city office.
fn suzhou_token(token: Uuid, secret: SecretSha256) -> DomainEvent {
    AccessGranted {
        token_id: token,
        name: "苏州市发展改革委".into(),
        role: Role::City,
        city: Some(CityCode::Suzhou),
        secret_sha256: secret,
    }
    .into()
}

/// A county of 苏州 named 昆山市.
fn county(unit: Uuid, code: &str) -> DomainEvent {
    fixtures::county(unit, code, "昆山市")
}

fn enterprise(unit: Uuid, code: &str) -> DomainEvent {
    PilotListed {
        credit_code: Some(CreditCode::parse(code).unwrap()),
        ..listed(unit, UnitKind::Enterprise, CityCode::Suzhou, "某某股份有限公司")
    }
    .into()
}

fn awarded_unit(unit: Uuid, y: i64, serial: u32) -> Vec<DomainEvent> {
    [
        vec![county(unit, &format!("3205{:02}", 80 + serial))],
        to_award(unit, y, serial),
    ]
    .concat()
}

const CREDIT: &str = "91350100M000100Y43";

#[test]
fn a_listed_unit_is_a_pilot_at_version_1() {
    let state = fold([county(id(1), "320583")]);
    let unit = state.unit(id(1)).unwrap();
    assert_eq!(unit.status, Status::Pilot);
    assert_eq!(unit.version, 1);
    assert_eq!(unit.kind, UnitKind::County);
    assert_eq!(unit.city, CityCode::Suzhou);
    assert_eq!(unit.pilot_batch.get(), 1);
    assert_eq!(unit.industries, ["智能制造"]);
    assert_eq!(state.position(), 1);
    assert_eq!(state.unit_count(), 1);
}

#[test]
fn identifiers_index_counties_enterprises_and_zones() {
    let industrial = PilotListed {
        division_code: Some(DivisionCode::parse("320583").unwrap()),
        ..listed(
            id(3),
            UnitKind::IndustrialZone,
            CityCode::Suzhou,
            "昆山 高新技术产业集中区（北区）",
        )
    };
    let development = PilotListed {
        zone_code: Some(ZoneCode::parse("32051100").unwrap()),
        ..listed(id(4), UnitKind::DevelopmentZone, CityCode::Suzhou, "苏州工业园区")
    };
    let state = fold([
        county(id(1), "320583"),
        enterprise(id(2), CREDIT),
        industrial.into(),
        development.into(),
    ]);
    let division = DivisionCode::parse("320583").unwrap();
    // The county holds its code; the industrial zone in it does not.
    assert_eq!(state.unit_by_division_code(&division).map(|u| u.id), Some(id(1)));
    let credit = CreditCode::parse(CREDIT).unwrap();
    assert_eq!(state.unit_by_credit_code(&credit).map(|u| u.id), Some(id(2)));
    assert_eq!(
        state
            .zone_by_name(CityCode::Suzhou, "昆山高新技术产业集中区(北区)")
            .map(|u| u.id),
        Some(id(3))
    );
    assert_eq!(state.zone_by_name(CityCode::Wuxi, "苏州工业园区"), None);
    assert_eq!(
        state
            .unit_by_zone_code(&ZoneCode::parse("32051100").unwrap())
            .map(|u| u.id),
        Some(id(4))
    );
    // Counties and enterprises are not zones.
    assert_eq!(state.zone_by_name(CityCode::Suzhou, "昆山市"), None);
}

#[test]
fn zone_names_ignore_spaces_and_parenthesis_width() {
    assert_eq!(zone_name_key(" 苏州 工业园区（北区） "), "苏州工业园区(北区)");
}

#[test]
fn the_lifecycle_to_award() {
    let mut events = vec![county(id(1), "320583"), recommended(id(1), 2024)];
    let state = fold(events.clone());
    let unit = state.unit(id(1)).unwrap();
    assert_eq!(unit.status, Status::Recommended);
    assert_eq!(unit.current_attempt, Some(year(2024)));
    assert_eq!(unit.version, 2);
    assert_eq!(
        unit.reviews_of(year(2024)).unwrap().next_stage(),
        Some(ReviewStage::Material)
    );

    events.extend(all_passed(id(1), 2024));
    let state = fold(events.clone());
    let progress = state.unit(id(1)).unwrap().reviews_of(year(2024)).unwrap();
    assert!(progress.is_complete());
    assert_eq!(progress.next_stage(), None);
    assert_eq!(progress.expert_score, Some(Score::new(90).unwrap()));

    events.push(awarded(id(1), 2024, 1));
    let state = fold(events);
    let unit = state.unit(id(1)).unwrap();
    assert_eq!(unit.status, Status::Awarded);
    assert_eq!(unit.current_attempt, None);
    assert_eq!(unit.version, 7);
    assert_eq!(
        unit.award.map(|a| a.certificate_no.to_string()),
        Some("JSLY-2024-001".into())
    );
    let record = state.year(year(2024));
    assert_eq!(record.awards_made, 1);
    assert_eq!(record.last_serial, 1);
    assert_eq!(
        record.next_certificate(year(2024)).map(|c| c.to_string()),
        Some("JSLY-2024-002".into())
    );
    assert!(record.has_room());
}

#[test]
fn a_failed_stage_ends_the_attempt_and_the_unit_is_a_pilot_again() {
    let state = fold([
        county(id(1), "320583"),
        recommended(id(1), 2024),
        review(id(1), 2024, ReviewStage::Material, ReviewOutcome::Passed),
        review(id(1), 2024, ReviewStage::Expert, ReviewOutcome::Failed),
    ]);
    let unit = state.unit(id(1)).unwrap();
    assert_eq!(unit.status, Status::Pilot);
    assert_eq!(unit.current_attempt, None);
    let progress = unit.reviews_of(year(2024)).unwrap();
    assert_eq!(progress.passed(), [ReviewStage::Material]);
    assert_eq!(progress.failed, Some(ReviewStage::Expert));
    assert_eq!(progress.next_stage(), None);
    assert!(!progress.is_complete());
    // The recommendation stays on record.
    assert!(unit.recommendation(year(2024)).is_some());

    let state = fold([
        county(id(1), "320583"),
        recommended(id(1), 2024),
        review(id(1), 2024, ReviewStage::Material, ReviewOutcome::Failed),
        recommended(id(1), 2025),
    ]);
    let unit = state.unit(id(1)).unwrap();
    assert_eq!(unit.status, Status::Recommended);
    assert_eq!(unit.current_attempt, Some(year(2025)));
    assert_eq!(unit.recommendations.len(), 2);
}

#[test]
fn quotas_and_certificate_serials_per_year() {
    let mut events = vec![quota_set(2024, 2)];
    events.extend(awarded_unit(id(1), 2024, 1));
    events.extend(awarded_unit(id(2), 2024, 2));
    events.push(quota_set(2024, 3));
    let state = fold(events);
    let record = state.year(year(2024));
    assert_eq!(record.quota, Some(3));
    assert_eq!(record.quota_version, 2);
    assert_eq!(record.awards_made, 2);
    assert_eq!(record.last_serial, 2);
    assert!(record.has_room());
    assert_eq!(state.year(year(2025)), YearRecord::default());
    let years: Vec<Year> = state.years().map(|(y, _)| y).collect();
    assert_eq!(years, [year(2024)]);
}

#[test]
fn a_full_quota_has_no_room() {
    let mut events = vec![quota_set(2024, 1)];
    events.extend(awarded_unit(id(1), 2024, 1));
    assert!(!fold(events).year(year(2024)).has_room());
}

#[test]
fn delisting_keeps_the_award_count_and_serial() {
    let mut events = awarded_unit(id(1), 2024, 1);
    events.extend([
        evaluated(id(1), 2025, Grade::Fail, Some(Score::new(40).unwrap())),
        commended(id(1), 2025, "示范带动作用明显"),
        delisted(id(1), "绩效评价不合格", Some(2025)),
    ]);
    let state = fold(events);
    let unit = state.unit(id(1)).unwrap();
    assert_eq!(unit.status, Status::Delisted);
    assert_eq!(unit.version, 10);
    assert_eq!(unit.evaluation(year(2025)).unwrap().grade, Grade::Fail);
    assert_eq!(unit.commendations.len(), 1);
    assert_eq!(
        unit.delisting.as_ref().and_then(|d| d.evaluation_year),
        Some(year(2025))
    );
    // The award stays on record, and so do the year's count and serial.
    assert!(unit.award.is_some());
    assert_eq!(state.year(year(2024)).awards_made, 1);
    assert_eq!(state.year(year(2024)).last_serial, 1);
}

#[test]
fn a_revoked_pilot() {
    let state = fold([
        county(id(1), "320583"),
        PilotRevoked {
            unit_id: id(1),
            decision: decided(),
        }
        .into(),
    ]);
    let unit = state.unit(id(1)).unwrap();
    assert_eq!(unit.status, Status::PilotRevoked);
    assert_eq!(unit.version, 2);
    // Its identifier stays taken.
    let code = DivisionCode::parse("320583").unwrap();
    assert_eq!(state.unit_by_division_code(&code).map(|u| u.id), Some(id(1)));
}

#[test]
fn access_tokens_are_granted_and_revoked() {
    let secret = SecretSha256::from_bytes([7; 32]);
    let state = fold([
        suzhou_token(id(9), secret),
        AccessGranted {
            token_id: id(8),
            name: "审计厅".into(),
            role: Role::Auditor,
            city: None,
            secret_sha256: SecretSha256::from_bytes([8; 32]),
        }
        .into(),
    ]);
    let token = state.token_by_secret(&secret).unwrap();
    assert_eq!(token.id, id(9));
    assert_eq!(token.role, Role::City);
    assert!(token.is_active());
    let ids: Vec<Uuid> = state.tokens().map(|t| t.id).collect();
    assert_eq!(ids, [id(8), id(9)]);

    let state = fold([
        suzhou_token(id(9), secret),
        AccessRevoked { token_id: id(9) }.into(),
    ]);
    assert!(!state.token(id(9)).unwrap().is_active());
    assert_eq!(state.position(), 2);
}

#[test]
fn an_event_about_an_unknown_unit_only_moves_the_position() {
    let state = fold([recommended(id(1), 2024)]);
    assert_eq!(state.position(), 1);
    assert_eq!(state.unit_count(), 0);
}

#[test]
fn folding_is_deterministic() {
    let mut events = awarded_unit(id(1), 2024, 1);
    events.extend(awarded_unit(id(2), 2024, 2));
    events.push(enterprise(id(3), CREDIT));
    let a = fold(events.clone());
    let b = fold(events);
    assert_eq!(a, b);
    let ids: Vec<Uuid> = a.units().iter().map(|u| u.id).collect();
    assert_eq!(ids, [id(1), id(2), id(3)]);
}

/// Every kind of event a decision state folds, in an order a real log could hold them.
fn every_kind_of_event() -> Vec<DomainEvent> {
    let secret = SecretSha256::from_bytes([7; 32]);
    let mut events = vec![suzhou_token(id(9), secret), quota_set(2024, 2)];
    events.extend(awarded_unit(id(1), 2024, 1)); // positions 3..=9, award at 9
    events.extend([
        evaluated(id(1), 2024, Grade::Excellent, None),
        commended(id(1), 2024, "表现突出"),
        liangye_events::catalogue::IndicatorsReported {
            unit_id: id(1),
            year: year(2024),
            figures: liangye_events::catalogue::IndicatorFigures::default(),
            below_standard: true,
            decision: decided(),
        }
        .into(),
        liangye_events::catalogue::SubsidyGranted {
            unit_id: id(1),
            year: year(2024),
            amount_yuan: liangye_events::catalogue::Yuan::parse("1000000").unwrap(),
            fund: "省级服务业发展专项资金".into(),
            decision: decided(),
        }
        .into(),
    ]);
    events.push(
        liangye_events::catalogue::UnitAmended {
            name: Some("昆山市(新)".into()),
            sectors: Some(vec![Sector::IntegratedCircuits]),
            division_code: Some(DivisionCode::parse("320599").unwrap()),
            ..liangye_events::catalogue::UnitAmended::new(id(1), "更名", decided())
        }
        .into(),
    );
    let amended = i64::try_from(events.len()).unwrap();
    events.push(retracted(id(1), amended, EventType::UnitAmended));
    events.extend([
        Delisted {
            unit_id: id(1),
            reason: "其他".into(),
            ground: DelistGround::Other,
            evaluation_year: None,
            decision: decided(),
        }
        .into(),
        enterprise(id(2), CREDIT),
        recommended(id(2), 2024),
        liangye_events::catalogue::RecommendationWithdrawn {
            unit_id: id(2),
            year: year(2024),
            reason: "材料不全".into(),
            decision: decided(),
        }
        .into(),
        recommended(id(2), 2025),
    ]);
    events.extend(all_passed(id(2), 2025));
    events.extend([
        liangye_events::catalogue::NotSelected {
            unit_id: id(2),
            year: year(2025),
            reason: "择优遴选".into(),
            decision: decided(),
        }
        .into(),
        DomainEvent::from(PilotListed {
            zone_code: Some(ZoneCode::parse("32051234").unwrap()),
            ..listed(id(3), UnitKind::DevelopmentZone, CityCode::Suzhou, "苏州工业园区")
        }),
        PilotRevoked {
            unit_id: id(3),
            decision: decided(),
        }
        .into(),
        county(id(4), "320585"),
    ]);
    let listed = i64::try_from(events.len()).unwrap();
    events.push(retracted(id(4), listed, EventType::PilotListed));
    events.push(AccessRevoked { token_id: id(9) }.into());
    events.extend(awarded_unit(id(5), 2024, 2));
    let award = i64::try_from(events.len()).unwrap();
    events.push(retracted(id(5), award, EventType::Awarded));
    events
}

#[test]
fn undo_puts_every_kind_of_event_back() {
    let log = RecordedEvent::sequence(every_kind_of_event(), &Metadata::default());
    let mut state = DecisionState::new();
    for (i, event) in log.iter().enumerate() {
        let before = state.clone();
        let undo = state.apply_undoable(event);
        let mut undone = state.clone();
        undone.undo(undo);
        assert_eq!(undone, before, "undoing event {} ({})", i + 1, event.event.kind());
    }
    assert_eq!(state.unit(id(4)), None, "the retracted listing is gone");
    assert_eq!(
        state.year(year(2024)).awards_made,
        1,
        "the retracted award is given back"
    );
}

#[test]
fn a_batch_is_undone_latest_first() {
    let log = RecordedEvent::sequence(every_kind_of_event(), &Metadata::default());
    for split in [0, 5, 12, 20, 33] {
        let mut state = DecisionState::new();
        state.apply_all(&log[..split]);
        let before = state.clone();
        let undos: Vec<Undo> = log[split..].iter().map(|e| state.apply_undoable(e)).collect();
        let mut whole = DecisionState::new();
        whole.apply_all(&log);
        assert_eq!(state, whole, "applying undoably folds as apply does");
        for undo in undos.into_iter().rev() {
            state.undo(undo);
        }
        assert_eq!(state, before, "the batch after {split} undone");
    }
}
