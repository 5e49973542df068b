//! `api/schema.graphql` is the contract other systems build against: it must equal what
//! `liangye schema` prints. Regenerate with `cargo run -p liangye-api -- schema > api/schema.graphql`.

use std::process::Command;

#[test]
fn committed_schema_equals_liangye_schema() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("api/schema.graphql is committed");
    let output = Command::new(env!("CARGO_BIN_EXE_liangye"))
        .arg("schema")
        .output()
        .expect("run liangye schema");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout).expect("UTF-8 SDL");
    assert_eq!(printed, liangye_api::graphql::sdl());
    assert!(
        committed == printed,
        "api/schema.graphql is stale: run `cargo run -p liangye-api -- schema > api/schema.graphql`"
    );
}

#[test]
fn schema_keeps_the_contract_names() {
    let sdl = liangye_api::graphql::sdl();
    for name in [
        "designations(",
        "designation(",
        "designationByCode(",
        "events(",
        "statistics(",
        "logHead:",
        "listPilot(input: ListPilotInput!)",
        "revokePilot(input: RevokePilotInput!)",
        "recommend(input: RecommendInput!)",
        "recordReview(input: RecordReviewInput!)",
        "award(input: AwardInput!)",
        "setAnnualQuota(input: SetAnnualQuotaInput!)",
        "recordEvaluation(input: RecordEvaluationInput!)",
        "commend(input: CommendInput!)",
        "delist(input: DelistInput!)",
        "scalar Date",
        "scalar DateTime",
        "scalar UUID",
        "scalar Yuan",
        "input AsOf",
    ] {
        assert!(sdl.contains(name), "the schema lacks {name}");
    }
}
