//! The Merkle tree over HTTP, checked the way an auditor would: the log head's root is the
//! tree head of its size; every leaf hash is SHA-256(0x00 ‖ canonical); inclusion and
//! consistency proofs verify with nothing but the answers.

use liangye_events::catalogue::CityCode;
use liangye_events::checkpoint::{generate_key, open_note, parse_signer, parse_verifier};
use liangye_events::hash::{Hash, leaf_hash, parse_hex};
use liangye_events::merkle::{verify_consistency, verify_inclusion};
use liangye_services::checkpoints::sign_head;
use liangye_tests::{TestApp, TestDb};
use serde_json::{Value, json};

use crate::support::{head, list_enterprise, query_error};

on_both_backends!(
    tree_heads_and_proofs_verify,
    proofs_beyond_the_head_are_refused,
    the_signed_checkpoint_is_the_head_it_signed,
);

fn hash(value: &Value) -> Hash {
    let text = value.as_str().unwrap_or_else(|| panic!("not a hash: {value}"));
    assert_eq!(text.len(), 64);
    assert_eq!(text, text.to_lowercase(), "hashes are lowercase hex");
    parse_hex(text).unwrap_or_else(|| panic!("not hex: {text}"))
}

/// The root hash of the tree head of `size`, read as the auditor.
async fn tree_root(app: &TestApp, size: i64) -> Value {
    let data = app
        .gql_data(
            app.tokens.auditor.secret(),
            "query($n: Int!) { treeHead(size: $n) { rootHash } }",
            json!({ "n": size }),
        )
        .await;
    data["treeHead"]["rootHash"].clone()
}

fn hashes(value: &Value) -> Vec<Hash> {
    value.as_array().expect("hashes").iter().map(hash).collect()
}

/// A log of some dozens of events (not a power of two), spread over a few streams.
async fn grow(app: &TestApp) -> i64 {
    for n in 0..20 {
        let city = CityCode::all().nth(n % 13).unwrap();
        list_enterprise(app, &format!("默克尔树测试企业{n}"), city, 100 + n as u64).await;
    }
    head(app).await
}

async fn tree_heads_and_proofs_verify(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let auditor = app.tokens.auditor.secret();
    let size = grow(&app).await;
    assert!(size >= 25);

    let data = app
        .gql_data(
            auditor,
            "query($size: Int!) { logHead { position rootHash recordedAt } treeHead(size: $size) { size rootHash } }",
            json!({ "size": size }),
        )
        .await;
    assert_eq!(data["logHead"]["position"], size);
    assert_eq!(data["treeHead"]["size"], size);
    assert_eq!(data["logHead"]["rootHash"], data["treeHead"]["rootHash"]);
    let root = hash(&data["logHead"]["rootHash"]);

    // Every leaf: its hash is SHA-256(0x00 ‖ canonical), and its inclusion proof leads to the
    // head's root.
    let events = app
        .gql_data(
            auditor,
            "{ events(first: 100) { nodes { position canonical leafHash } } }",
            json!({}),
        )
        .await;
    let events = events["events"]["nodes"].as_array().unwrap().clone();
    assert_eq!(events.len() as i64, size);
    let proof_query = "query($p: Int!, $n: Int) { inclusionProof(position: $p, treeSize: $n) {
        position treeSize leafHash rootHash hashes } }";
    for event in &events {
        let position = event["position"].as_i64().unwrap();
        let leaf = hash(&event["leafHash"]);
        assert_eq!(leaf, leaf_hash(event["canonical"].as_str().unwrap().as_bytes()));
        let proof =
            app.gql_data(auditor, proof_query, json!({ "p": position })).await["inclusionProof"].clone();
        assert_eq!(proof["position"], position);
        assert_eq!(proof["treeSize"], size, "treeSize defaults to the head");
        assert_eq!(hash(&proof["leafHash"]), leaf);
        assert_eq!(hash(&proof["rootHash"]), root);
        verify_inclusion(
            position as u64 - 1,
            size as u64,
            &leaf,
            &hashes(&proof["hashes"]),
            &root,
        )
        .unwrap_or_else(|e| panic!("inclusion of {position} in {size}: {e}"));
    }
    // … and into smaller trees, against their tree heads.
    for (position, tree_size) in [(1, 1), (1, 2), (3, 7), (8, 8), (5, 13)] {
        let proof = app
            .gql_data(auditor, proof_query, json!({ "p": position, "n": tree_size }))
            .await["inclusionProof"]
            .clone();
        let smaller_root = tree_root(&app, tree_size as i64).await;
        assert_eq!(proof["rootHash"], smaller_root);
        verify_inclusion(
            position - 1,
            tree_size,
            &hash(&proof["leafHash"]),
            &hashes(&proof["hashes"]),
            &hash(&smaller_root),
        )
        .unwrap_or_else(|e| panic!("inclusion of {position} in {tree_size}: {e}"));
    }

    // Consistency from every earlier size to the head, and between two earlier sizes.
    let consistency = "query($m: Int!, $n: Int) { consistencyProof(fromSize: $m, toSize: $n) {
        fromSize toSize fromRoot toRoot hashes } }";
    for from in 1..=size {
        let proof =
            app.gql_data(auditor, consistency, json!({ "m": from })).await["consistencyProof"].clone();
        assert_eq!(proof["toSize"], size, "toSize defaults to the head");
        assert_eq!(hash(&proof["toRoot"]), root);
        let from_root = tree_root(&app, from).await;
        assert_eq!(proof["fromRoot"], from_root);
        verify_consistency(
            from as u64,
            size as u64,
            &hash(&proof["fromRoot"]),
            &root,
            &hashes(&proof["hashes"]),
        )
        .unwrap_or_else(|e| panic!("consistency {from} → {size}: {e}"));
    }
    let proof = app
        .gql_data(auditor, consistency, json!({ "m": 6, "n": 11 }))
        .await["consistencyProof"]
        .clone();
    assert_eq!(
        (proof["fromSize"].as_i64(), proof["toSize"].as_i64()),
        (Some(6), Some(11))
    );
    verify_consistency(
        6,
        11,
        &hash(&proof["fromRoot"]),
        &hash(&proof["toRoot"]),
        &hashes(&proof["hashes"]),
    )
    .expect("consistency 6 → 11");

    // After another decision the old head is a prefix of the new one.
    list_enterprise(&app, "默克尔树后来企业", CityCode::Suzhou, 999).await;
    let proof = app.gql_data(auditor, consistency, json!({ "m": size })).await["consistencyProof"].clone();
    assert_eq!(proof["toSize"], size + 1);
    assert_eq!(hash(&proof["fromRoot"]), root);
    verify_consistency(
        size as u64,
        size as u64 + 1,
        &root,
        &hash(&proof["toRoot"]),
        &hashes(&proof["hashes"]),
    )
    .expect("the old head is a prefix of the new");
}

async fn proofs_beyond_the_head_are_refused(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let auditor = app.tokens.auditor.secret();
    let head = head(&app).await;
    let beyond = head + 1;
    for query in [
        format!("{{ treeHead(size: {beyond}) {{ rootHash }} }}"),
        "{ treeHead(size: -1) { rootHash } }".to_owned(),
        format!("{{ inclusionProof(position: {beyond}) {{ rootHash }} }}"),
        "{ inclusionProof(position: 0) { rootHash } }".to_owned(),
        format!("{{ inclusionProof(position: 1, treeSize: {beyond}) {{ rootHash }} }}"),
        "{ inclusionProof(position: 3, treeSize: 2) { rootHash } }".to_owned(),
        "{ inclusionProof(position: 1, treeSize: 0) { rootHash } }".to_owned(),
        "{ consistencyProof(fromSize: 0) { toRoot } }".to_owned(),
        format!("{{ consistencyProof(fromSize: {beyond}) {{ toRoot }} }}"),
        format!("{{ consistencyProof(fromSize: 1, toSize: {beyond}) {{ toRoot }} }}"),
        "{ consistencyProof(fromSize: 3, toSize: 2) { toRoot } }".to_owned(),
    ] {
        let (code, message) = query_error(&app, auditor, &query, json!({})).await;
        assert_eq!(code, "VALIDATION_FAILED", "{query}: {message}");
    }
}

async fn the_signed_checkpoint_is_the_head_it_signed(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let auditor = app.tokens.auditor.secret();
    let query = "{ checkpoint { size rootHash note signedAt } logHead { position rootHash } }";
    let data = app.gql_data(auditor, query, json!({})).await;
    assert!(data["checkpoint"].is_null(), "no checkpoint before one is signed");

    let (signer, verifier) = generate_key("liangye.test/e2e").unwrap();
    let signer = parse_signer(&signer).unwrap();
    let verifier = parse_verifier(&verifier).unwrap();
    list_enterprise(&app, "检查点测试企业", CityCode::Suzhou, 300).await;
    sign_head(app.store(), &signer).await.expect("sign the head");
    // A decision after the signature: the checkpoint stays the one signed.
    list_enterprise(&app, "检查点之后企业", CityCode::Suzhou, 301).await;

    let data = app.gql_data(auditor, query, json!({})).await;
    let checkpoint = &data["checkpoint"];
    let size = checkpoint["size"].as_i64().unwrap();
    assert_eq!(size, data["logHead"]["position"].as_i64().unwrap() - 1);
    let opened = open_note(checkpoint["note"].as_str().unwrap(), &verifier).expect("the note verifies");
    assert_eq!(opened.size, size as u64);
    assert_eq!(opened.root, hash(&checkpoint["rootHash"]));
    assert_eq!(opened.origin, "liangye.test/e2e");
    assert_eq!(checkpoint["rootHash"], tree_root(&app, size).await);
    // The head extends it.
    let proof = app
        .gql_data(
            auditor,
            "query($m: Int!) { consistencyProof(fromSize: $m) { toSize fromRoot toRoot hashes } }",
            json!({ "m": size }),
        )
        .await["consistencyProof"]
        .clone();
    verify_consistency(
        size as u64,
        proof["toSize"].as_u64().unwrap(),
        &opened.root,
        &hash(&proof["toRoot"]),
        &hashes(&proof["hashes"]),
    )
    .expect("the head extends the signed checkpoint");
}
