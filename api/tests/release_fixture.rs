//! A log written by the first release (before `PilotListed` schema version 2 gave every
//! unit its sectors and county), kept as `tests/fixtures/release-1.ndjson` — the demo sample
//! of that release, exported — is imported by today's build on SQLite and PostgreSQL:
//! every hash verifies, the stored bytes are exactly those exported, and the old listings
//! read as DESIGN.md says (sectors `[OTHER]`, the county known from the identifiers).

use std::collections::HashMap;

use liangye_tests::TestDb;
use liangye_tests::process::{assert_verifies, export, liangye};
use serde_json::Value;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/release-1.ndjson");

#[tokio::test]
async fn the_first_releases_log_imports_verifies_and_upcasts_on_sqlite() {
    imports_verifies_and_upcasts(TestDb::sqlite()).await;
}

#[tokio::test]
async fn the_first_releases_log_imports_verifies_and_upcasts_on_postgres() {
    let name = "release_fixture::the_first_releases_log_imports_verifies_and_upcasts_on_postgres";
    if let Some(db) = TestDb::postgres_or_skip(name).await {
        imports_verifies_and_upcasts(db).await;
    }
}

async fn imports_verifies_and_upcasts(db: TestDb) {
    let text = std::fs::read_to_string(FIXTURE).expect("the release-1 fixture");
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    // The fixture is of the first release: listings at schema version 1.
    let listings: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).expect("a canonical line"))
        .filter(|e| e["type"] == "PilotListed")
        .collect();
    assert!(listings.len() > 50);
    assert!(listings.iter().all(|e| e["schemaVersion"] == 1));

    let (ok, out, err) = liangye(&db.url, &["import", FIXTURE]).await;
    assert!(ok, "import failed:\n{out}\n{err}");
    assert_verifies(&db.url, "after importing the release-1 log").await;
    // Stored bytes never change: the export is the fixture, byte for byte.
    let exported = export(&db.url).await;
    assert_eq!(exported.len(), lines.len());
    for (row, line) in exported.iter().zip(&lines) {
        assert_eq!(row.canonical, *line, "position {}", row.position);
    }

    // Upcast on read: sectors [OTHER]; a county's county is its own code, an industrial
    // zone's the county it lies in; a development zone's is not known.
    let head = exported.len().to_string();
    let (ok, out, err) = liangye(&db.url, &["replay", "--as-of", &head]).await;
    assert!(ok, "replay failed:\n{err}");
    let registry: Value = serde_json::from_str(&out).expect("replay JSON");
    let designations = registry["designations"].as_array().expect("designations");
    assert_eq!(designations.len(), listings.len());
    let mut kinds: HashMap<String, usize> = HashMap::new();
    for d in designations {
        assert_eq!(d["sectors"], serde_json::json!(["OTHER"]), "{d}");
        assert_eq!(d["sectorLabels"], serde_json::json!(["其他"]), "{d}");
        let kind = d["kind"].as_str().unwrap_or_default().to_owned();
        match kind.as_str() {
            "COUNTY" | "INDUSTRIAL_ZONE" => {
                assert!(d["divisionCode"].is_string(), "{d}");
                assert_eq!(d["countyCode"], d["divisionCode"], "{d}");
            }
            "DEVELOPMENT_ZONE" => assert!(d["countyCode"].is_null(), "{d}"),
            _ => assert_eq!(d["countyCode"], d["divisionCode"], "{d}"),
        }
        *kinds.entry(kind).or_default() += 1;
    }
    assert_eq!(kinds.len(), 4, "every kind is in the fixture: {kinds:?}");
    // Delisted v1 had no ground: read as OTHER, its reason kept.
    let delisted: Vec<&Value> = designations
        .iter()
        .filter(|d| d["status"] == "DELISTED")
        .collect();
    assert!(!delisted.is_empty(), "the fixture holds delistings");
    for d in delisted {
        assert_eq!(d["delisting"]["ground"], "OTHER", "{d}");
        assert!(d["delisting"]["reason"].is_string(), "{d}");
    }
}
