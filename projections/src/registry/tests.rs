//! Given these events, the registry shows this — now and as of earlier positions.

use liangye_events::catalogue::{
    AccessGranted, AccessRevoked, CityCode, CreditCode, DelistGround, Delisted, DomainEvent, Grade,
    PilotListed, RecordedEvent, Role, SecretSha256, Status, UnitKind,
};
use liangye_events::envelope::Metadata;
use uuid::Uuid;

use super::*;
use crate::decision_state::fixtures::*;
use crate::history::History;

fn recorded(events: impl IntoIterator<Item = DomainEvent>) -> Vec<RecordedEvent> {
    let metadata = Metadata {
        actor: "服务业处".into(),
        role: "PROVINCIAL".into(),
        ..Metadata::default()
    };
    RecordedEvent::sequence(events, &metadata)
}

fn fold(events: &[RecordedEvent]) -> Registry {
    let mut registry = Registry::new();
    registry.apply_all(events);
    registry
}

const CREDIT: &str = "91350100M000100Y43";

fn enterprise(unit: Uuid, city: CityCode, name: &str) -> DomainEvent {
    PilotListed {
        credit_code: Some(CreditCode::parse(CREDIT).unwrap()),
        ..listed(unit, UnitKind::Enterprise, city, name)
    }
    .into()
}

/// Unit 1: a county in Suzhou, awarded (positions 1, 3–8), evaluated, commended, delisted.
/// Unit 2: an enterprise in Wuxi, listed at 2. A quota for 2024 at 9, raised at 10.
fn history() -> Vec<RecordedEvent> {
    let mut events = vec![
        county(id(1), "320583", "昆山市"),
        enterprise(id(2), CityCode::Wuxi, "无锡ABC科技有限公司"),
    ];
    events.extend(to_award(id(1), 2024, 1));
    events.extend([
        quota_set(2024, 1),
        quota_set(2024, 5),
        evaluated(id(1), 2025, Grade::Fail, None),
        commended(id(1), 2024, "示范带动作用明显"),
        delisted(id(1), "绩效评价不合格", Some(2025)),
    ]);
    recorded(events)
}

#[test]
fn a_designation_now_and_as_of_earlier_positions() {
    let registry = fold(&history());
    assert_eq!(registry.position(), 13);
    let now = registry.designation(id(1), None).unwrap();
    assert_eq!(now.status, Status::Delisted);
    assert_eq!(now.version, 10);
    assert_eq!(now.listed_at, 1);
    assert_eq!(now.certificate_no().unwrap().to_string(), "JSLY-2024-001");
    assert_eq!(now.evaluations.len(), 1);
    assert_eq!(now.commendations.len(), 1);
    assert!(now.delisting.is_some());

    let at = |p| registry.designation(id(1), Some(p)).unwrap();
    assert_eq!((at(1).status, at(1).version), (Status::Pilot, 1));
    assert_eq!(at(2).version, 1, "another unit's event does not move this one");
    assert_eq!(at(3).status, Status::Recommended);
    assert_eq!(at(3).recommended_year, Some(year(2024)));
    assert_eq!(at(7).award, None);
    assert_eq!(at(8).status, Status::Awarded);
    assert_eq!(at(8).award_year(), Some(year(2024)));
    assert!(at(10).evaluations.is_empty());
    assert_eq!(at(11).evaluations.len(), 1);
    assert!(at(11).commendations.is_empty());
    assert_eq!(at(12).commendations.len(), 1);
    assert_eq!(at(12).delisting, None);
    assert_eq!(at(13), now);
    assert_eq!(registry.designation(id(2), Some(1)), None, "not listed yet");
    assert_eq!(registry.unit_count(Some(1)), 1);
    assert_eq!(registry.unit_count(None), 2);
}

#[test]
fn lookups_by_code() {
    let registry = fold(&history());
    let county = UnitCode::parse("320583").unwrap();
    assert_eq!(
        registry.designation_by_code(&county, None).map(|d| d.id),
        Some(id(1))
    );
    let credit = UnitCode::parse(CREDIT).unwrap();
    assert_eq!(
        registry.designation_by_code(&credit, None).map(|d| d.id),
        Some(id(2))
    );
    assert_eq!(registry.designation_by_code(&credit, Some(1)), None);
    let unknown = UnitCode::parse("320582").unwrap();
    assert_eq!(registry.designation_by_code(&unknown, None), None);
}

#[test]
fn filtered_pages_in_id_order() {
    let mut events = vec![];
    for n in 1..=7u128 {
        let city = if n % 2 == 0 {
            CityCode::Wuxi
        } else {
            CityCode::Nanjing
        };
        events.push(enterprise(id(n), city, &format!("企业{n}")));
    }
    events.extend(to_award(id(3), 2024, 1));
    let registry = fold(&recorded(events));
    let all = DesignationFilter::default();
    let page = registry.designations(
        &all,
        PageRequest {
            first: 3,
            after: None,
        },
        None,
    );
    let ids: Vec<Uuid> = page.items.iter().map(|d| d.id).collect();
    assert_eq!(ids, [id(1), id(2), id(3)]);
    assert!(page.has_next_page && !page.has_previous_page);
    assert_eq!(page.end_cursor(), Some(encode_cursor(id(3))));
    let next = registry.designations(
        &all,
        PageRequest {
            first: 3,
            after: Some(id(6)),
        },
        None,
    );
    assert_eq!(next.items.iter().map(|d| d.id).collect::<Vec<_>>(), [id(7)]);
    assert!(!next.has_next_page && next.has_previous_page);

    let nanjing = DesignationFilter {
        city: Some(CityCode::Nanjing),
        ..DesignationFilter::default()
    };
    assert_eq!(registry.count(&nanjing, None), 4);
    let awarded = DesignationFilter {
        status: Some(Status::Awarded),
        ..nanjing.clone()
    };
    let page = registry.designations(&awarded, PageRequest::default(), None);
    assert_eq!(page.items.iter().map(|d| d.id).collect::<Vec<_>>(), [id(3)]);
    // Earlier, unit 3 was not awarded yet, and unit 7 not listed.
    assert_eq!(registry.count(&awarded, Some(12)), 0);
    assert_eq!(registry.count(&nanjing, Some(6)), 3);
    let by_year = DesignationFilter {
        award_year: Some(year(2024)),
        ..DesignationFilter::default()
    };
    assert_eq!(registry.count(&by_year, None), 1);
    let by_name = DesignationFilter {
        name_contains: Some("企业5".into()),
        ..DesignationFilter::default()
    };
    assert_eq!(registry.count(&by_name, None), 1);
    let zones = DesignationFilter {
        kind: Some(UnitKind::DevelopmentZone),
        ..DesignationFilter::default()
    };
    assert_eq!(registry.count(&zones, None), 0);
}

#[test]
fn statistics_now_and_as_of() {
    let registry = fold(&history());
    let now = registry.statistics(None);
    assert_eq!(now, registry.recount_statistics(None));
    assert_eq!(now.units, 2);
    assert_eq!((now.by_status.pilot, now.by_status.delisted), (1, 1));
    assert_eq!(now.target.awarded, 0);
    assert_eq!(now.target.awards_made, 1);
    assert_eq!(now.quotas.len(), 1);
    assert_eq!((now.quotas[0].quota, now.quotas[0].used), (Some(5), 1));
    let at9 = registry.statistics(Some(9));
    assert_eq!(at9.position, 9);
    assert_eq!(at9.target.awarded, 1);
    assert_eq!(at9.quotas[0].quota, Some(1));
    assert_eq!(at9.quotas[0].remaining, Some(0));
    assert_eq!(registry.statistics(Some(1)).units, 1);
    assert!(registry.statistics(Some(1)).quotas.is_empty());
}

#[test]
fn tokens_as_of_each_moment() {
    let secret = SecretSha256::from_bytes([7; 32]);
    let registry = fold(&recorded([
        enterprise(id(1), CityCode::Wuxi, "企业"),
        AccessGranted {
            token_id: id(9),
            name: "审计厅".into(),
            role: Role::Auditor,
            city: None,
            secret_sha256: secret,
        }
        .into(),
        AccessRevoked { token_id: id(9) }.into(),
    ]));
    assert!(registry.tokens(Some(1)).is_empty());
    let at2 = registry.authenticate(&secret, Some(2)).unwrap();
    assert!(at2.active && at2.capabilities.read_log && !at2.capabilities.decide);
    assert!(matches!(
        registry.authenticate(&secret, None),
        Err(crate::access::AccessDenied::Revoked { revoked_at: 3, .. })
    ));
    assert_eq!(
        registry.authenticate(&secret, Some(1)),
        Err(crate::access::AccessDenied::Unknown)
    );
    assert_eq!(registry.tokens(None)[0].revoked_at, Some(3));
}

#[test]
fn snapshots_round_trip_and_refuse_what_does_not_fit() {
    let events = history();
    let registry = fold(&events);
    let body = registry.to_snapshot().unwrap();
    assert_eq!(Registry::from_snapshot(&body).unwrap(), registry);
    let early = fold(&events[..5]);
    let mut restored = Registry::from_snapshot(&early.to_snapshot().unwrap()).unwrap();
    restored.apply_all(&events[5..]);
    assert_eq!(restored, registry);
    assert!(matches!(
        Registry::from_snapshot(&["{}".to_owned()]),
        Err(SnapshotError::Read(_))
    ));
    assert!(matches!(
        Registry::from_snapshot(&[]),
        Err(SnapshotError::Inconsistent(_))
    ));
    let tampered: Vec<String> = body
        .iter()
        .map(|chunk| chunk.replace("\"version\":10", "\"version\":11"))
        .collect();
    assert!(matches!(
        Registry::from_snapshot(&tampered),
        Err(SnapshotError::Inconsistent(_))
    ));
}

#[test]
fn a_history_folds_one_units_stream() {
    let events = history();
    let history = History::fold(id(1), &events, None);
    assert_eq!(history.entries().len(), 10);
    assert!(history.entries().iter().all(|e| e.event.unit_id() == Some(id(1))));
    let award = &history.entries()[6];
    assert_eq!((award.position, award.label_zh()), (8, "授牌"));
    assert_eq!(award.summary_zh(), "授牌，证书编号 JSLY-2024-001");
    assert_eq!(History::fold(id(1), &events, Some(7)).entries().len(), 6);
    assert!(History::fold(id(2), &events, Some(1)).is_empty());
}

#[test]
fn statistics_and_counts_as_of_every_position_equal_a_recount() {
    let mut events = Vec::new();
    for n in 0..6u128 {
        let city = if n % 2 == 0 {
            CityCode::Wuxi
        } else {
            CityCode::Nanjing
        };
        events.push(enterprise(id(100 + n), city, &format!("企业{n}")));
        if n % 3 != 2 {
            events.extend(to_award(id(100 + n), 2024 + (n % 2) as i64, n as u32 + 1));
        }
    }
    events.push(
        Delisted {
            unit_id: id(100),
            reason: "绩效评价不合格".into(),
            evaluation_year: None,
            ground: DelistGround::Other,
            decision: decided(),
        }
        .into(),
    );
    let events = recorded(events);
    let registry = fold(&events);
    let restored = Registry::from_snapshot(&registry.to_snapshot().unwrap()).unwrap();
    assert_eq!(
        restored, registry,
        "the change log and its checkpoints are rebuilt exactly"
    );
    let filters = [
        DesignationFilter::default(),
        DesignationFilter {
            city: Some(CityCode::Wuxi),
            ..DesignationFilter::default()
        },
        DesignationFilter {
            status: Some(Status::Awarded),
            ..DesignationFilter::default()
        },
        DesignationFilter {
            award_year: Some(year(2024)),
            status: Some(Status::Delisted),
            ..DesignationFilter::default()
        },
        DesignationFilter {
            city: Some(CityCode::Nanjing),
            kind: Some(UnitKind::Enterprise),
            ..DesignationFilter::default()
        },
    ];
    for p in 1..=registry.position() {
        let then = fold(&events[..p as usize]);
        assert_eq!(
            registry.statistics(Some(p)),
            registry.recount_statistics(Some(p)),
            "at {p}"
        );
        assert_eq!(registry.statistics(Some(p)), then.statistics(None), "at {p}");
        for filter in &filters {
            let walked = registry
                .all_designations(Some(p))
                .iter()
                .filter(|d| filter.matches(d))
                .count();
            assert_eq!(registry.count(filter, Some(p)), walked, "{filter:?} at {p}");
            assert_eq!(then.count(filter, None), walked, "{filter:?} at {p}");
        }
    }
}
