//! Excel in and out (issue 15) against the real server on SQLite and (when
//! `TEST_DATABASE_URL` is set) PostgreSQL, filled with the `serve --demo` sample:
//!
//! - every export (registry xlsx and CSV, a year's applications, the statistics workbook)
//!   is read back with calamine and compared cell by cell with the same query over GraphQL,
//!   now, as of a position and as of a time;
//! - exports refuse a missing token, a bad `asOf` or `year`, and accept the console session;
//! - the template has its header, example row, drop-down lists and text-formatted codes;
//! - imports: a good file is listed in one transaction at consecutive positions; each kind
//!   of bad row is named (row, column, code, Chinese reason) — with the same code the
//!   `listPilot` mutation gives the same data — and nothing is appended; duplicates within
//!   the file and against the registry; a wrong header, a file that is no workbook, an
//!   oversized and an empty one are refused whole; a dry run records nothing;
//! - the command line (`template pilots`, `import-pilots`, `report`) through the real binary.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use liangye_events::catalogue::CityCode;
use liangye_services::scenario;
use liangye_tests::excel::{PILOT_HEADERS, multipart, pilot_list, pilot_workbook};
use liangye_tests::process::liangye;
use liangye_tests::{TestApp, TestDb, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(
    registry_exports_match_graphql,
    applications_export_matches_graphql,
    statistics_export_matches_graphql,
    exports_refuse_what_they_must_and_accept_the_console_session,
    the_template_has_lists_an_example_and_text_codes,
    a_good_file_is_listed_in_one_transaction,
    every_kind_of_bad_row_is_named_and_nothing_is_recorded,
    duplicates_within_the_file_and_against_the_registry,
    unreadable_files_are_refused_whole,
    a_dry_run_checks_and_records_nothing,
    the_largest_file_is_listed_whole,
    the_command_line_templates_imports_and_reports,
);

// ---------------------------------------------------------------------------------------
// Reading workbooks back

/// A cell as expected: empty, text, a number, a date.
#[derive(Debug, Clone, PartialEq)]
enum X {
    E,
    T(String),
    N(f64),
    D(NaiveDate),
}

fn excel_date(serial: f64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap() + chrono::Duration::days(serial as i64)
}

fn actual(cell: &Data) -> X {
    match cell {
        Data::Empty => X::E,
        Data::String(s) => X::T(s.clone()),
        Data::Float(f) => X::N(*f),
        Data::Int(i) => X::N(*i as f64),
        Data::DateTime(d) => X::D(excel_date(d.as_f64())),
        other => panic!("unexpected cell {other:?}"),
    }
}

/// Every sheet of a workbook: its name and its rows of cells (from A1).
fn workbook(bytes: &[u8]) -> Vec<(String, Vec<Vec<X>>)> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("an xlsx workbook");
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("a sheet");
            if !range.is_empty() {
                assert_eq!(range.start(), Some((0, 0)), "sheet {name} starts at A1");
            }
            let rows = range.rows().map(|r| r.iter().map(actual).collect()).collect();
            (name, rows)
        })
        .collect()
}

fn sheet<'a>(book: &'a [(String, Vec<Vec<X>>)], name: &str) -> &'a Vec<Vec<X>> {
    &book
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
        .1
}

/// The header row as text.
fn header(rows: &[Vec<X>]) -> Vec<String> {
    rows[0]
        .iter()
        .map(|c| match c {
            X::T(t) => t.clone(),
            other => panic!("header cell {other:?}"),
        })
        .collect()
}

/// Compares the data rows of a sheet with the expected rows, cell by cell (rows padded
/// with empty cells to the sheet's width).
fn assert_rows(what: &str, rows: &[Vec<X>], expected: &[Vec<X>]) {
    let data = &rows[1..];
    assert_eq!(data.len(), expected.len(), "{what}: number of rows");
    for (i, (got, want)) in data.iter().zip(expected).enumerate() {
        let mut want = want.clone();
        want.resize(got.len().max(want.len()), X::E);
        let mut got = got.clone();
        got.resize(want.len(), X::E);
        for (j, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(
                g,
                w,
                "{what}: row {} column {} ({})",
                i + 2,
                j + 1,
                header(rows)[j]
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// GraphQL values as expected cells

fn t(v: &Value) -> X {
    match v {
        Value::Null => X::E,
        Value::String(s) if s.is_empty() => X::E,
        Value::String(s) => X::T(s.clone()),
        other => panic!("not text: {other}"),
    }
}

fn n(v: &Value) -> X {
    match v {
        Value::Null => X::E,
        Value::Number(n) => X::N(n.as_f64().unwrap()),
        // Yuan is a decimal string.
        Value::String(s) => X::N(s.parse().unwrap()),
        other => panic!("not a number: {other}"),
    }
}

fn d(v: &Value) -> X {
    match v {
        Value::Null => X::E,
        Value::String(s) => X::D(s.parse().unwrap()),
        other => panic!("not a date: {other}"),
    }
}

fn joined(v: &Value) -> X {
    let items: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    if items.is_empty() {
        X::E
    } else {
        X::T(items.join("、"))
    }
}

/// The same cell as a CSV field.
/// A field of a GraphQL row, and how its cell reads it: as [`t`]ext, [`n`]umber, [`d`]ate or
/// [`joined`] list.
type Column<'a> = (&'a str, fn(&Value) -> X);

/// The expected cells of `columns` of `row`.
fn cells(row: &Value, columns: &[Column]) -> Vec<X> {
    columns.iter().map(|(key, read)| read(&row[*key])).collect()
}

fn csv_field(x: &X) -> String {
    match x {
        X::E => String::new(),
        X::T(t) => t.clone(),
        X::N(n) => format!("{n}"),
        X::D(d) => d.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// HTTP

struct Download {
    status: u16,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl Download {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| {
            panic!(
                "{} is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.bytes)
            )
        })
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no header {name}"))
    }

    fn error(&self) -> (String, String) {
        let body = self.json();
        (
            body["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    }
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> Download {
    let mut request = app.client().get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    Download {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        bytes: response.bytes().await.expect("body").to_vec(),
    }
}

/// `GET path` that must answer 200: the body.
async fn export(app: &TestApp, path: &str, token: &str) -> Download {
    let download = get(app, path, Some(token)).await;
    assert_eq!(
        download.status,
        200,
        "GET {path}: {}",
        String::from_utf8_lossy(&download.bytes)
    );
    download
}

/// `POST /imports/pilots` with `file`, batch 7, decided 2025-03-01, and `dry_run`.
async fn upload(app: &TestApp, token: Option<&str>, file: &[u8], dry_run: bool) -> Download {
    let dry = if dry_run { "true" } else { "false" };
    let fields = [
        ("batch", "7"),
        ("decidedOn", "2025-03-01"),
        ("documentRef", "苏发改服务发〔2025〕30号"),
        ("dryRun", dry),
    ];
    upload_form(app, token, &fields, Some(("名单.xlsx", file))).await
}

/// `POST /imports/pilots` of the form `fields` and the `file` field (name and bytes) if any.
async fn upload_form(
    app: &TestApp,
    token: Option<&str>,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Download {
    let (content_type, body) = multipart(fields, file);
    post_import(app, token, &content_type, body).await
}

/// `POST /imports/pilots` with exactly this body.
async fn post_import(app: &TestApp, token: Option<&str>, content_type: &str, body: Vec<u8>) -> Download {
    let mut request = app
        .client()
        .post(app.url("/imports/pilots"))
        .header("content-type", content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("POST /imports/pilots");
    Download {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        bytes: response.bytes().await.expect("body").to_vec(),
    }
}

// ---------------------------------------------------------------------------------------
// Pilot lists

fn row(cells: [&str; 9]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

/// A row with only a name, a type, a city and a credit code.
fn with_code(name: &str, kind: &str, city: &str, code: &str) -> Vec<String> {
    row([name, kind, city, "", code, "", "", "", ""])
}

/// A credit code of `city` that passes its check, numbered far from the demo's.
fn credit(city: CityCode, n: u64) -> String {
    scenario::credit_code(city, 7_000_000 + n).to_string()
}

/// A good enterprise row.
fn enterprise(name: &str, n: u64) -> Vec<String> {
    row([
        name,
        "企业",
        "苏州",
        "320505",
        &credit(CityCode::Suzhou, n),
        "",
        "",
        "集成电路、新一代信息技术(5G、大数据、工业互联网、人工智能)",
        "芯片设计、工业软件",
    ])
}

async fn head(app: &TestApp) -> i64 {
    app.settle().await;
    app.head().await
}

fn errors(report: &Value) -> Vec<(Option<i64>, String, String)> {
    report["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {report}"))
        .iter()
        .map(|e| {
            (
                e["row"].as_i64(),
                e["column"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn reason(report: &Value, row: i64) -> String {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["row"].as_i64() == Some(row))
        .and_then(|e| e["reason"].as_str())
        .unwrap_or_else(|| panic!("no error for row {row} in {report}"))
        .to_owned()
}

// ---------------------------------------------------------------------------------------
// Moments

/// The moments every export is compared at: now, a position in the middle of the log, and
/// the time of an event a third of the way in.
async fn moments(app: &TestApp) -> Vec<(String, Value)> {
    let head = head(app).await;
    let third = head / 3;
    let at = app.recorded_at(third).await;
    vec![
        (String::new(), Value::Null),
        (format!("asOf={}", head / 2), json!({ "position": head / 2 })),
        (
            format!("asOf={}", at.replace(':', "%3A").replace('+', "%2B")),
            json!({ "recordedAt": at }),
        ),
    ]
}

fn with_query(path: &str, query: &str) -> String {
    match (query.is_empty(), path.contains('?')) {
        (true, _) => path.to_owned(),
        (false, true) => format!("{path}&{query}"),
        (false, false) => format!("{path}?{query}"),
    }
}

// ---------------------------------------------------------------------------------------
// Exports

const REGISTRY_QUERY: &str = r#"
query($after: String, $asOf: AsOf) {
  designations(first: 50, after: $after, asOf: $asOf) {
    position
    pageInfo { hasNextPage endCursor }
    nodes {
      id name kindLabel cityName countyCode creditCode divisionCode zoneCode sectorLabels industries
      pilotBatch statusLabel recommendedYear awardYear certificateNo delistingReason
      evaluations { year gradeLabel }
      subsidies { amountYuan }
      history { type decidedOn retractedBy }
    }
  }
}"#;

/// Every node of connection `field` that `query` answers as READER, page by page (with
/// `variables` and `after`), and the position of the last page.
async fn all_nodes(app: &TestApp, query: &str, field: &str, mut variables: Value) -> (Vec<Value>, Value) {
    let mut nodes = Vec::new();
    loop {
        let data = app
            .gql_data(app.tokens.reader.secret(), query, variables.clone())
            .await;
        let page = &data[field];
        nodes.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return (nodes, page["position"].clone());
        }
        variables["after"] = page["pageInfo"]["endCursor"].clone();
    }
}

/// The registry over GraphQL as expected rows, and the position it is as of.
async fn registry_rows(app: &TestApp, as_of: &Value) -> (Vec<Vec<X>>, i64) {
    let variables = json!({ "after": null, "asOf": as_of });
    let (units, position) = all_nodes(app, REGISTRY_QUERY, "designations", variables).await;
    let rows = units.iter().map(|u| {
        let standing = |kind: &str| {
            u["history"]
                .as_array()
                .unwrap()
                .iter()
                .rev()
                .find(|h| h["type"] == kind && h["retractedBy"].is_null())
                .map_or(X::E, |h| d(&h["decidedOn"]))
        };
        let latest = u["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .max_by_key(|e| e["year"].as_i64());
        let subsidies = u["subsidies"].as_array().unwrap();
        let total: f64 = subsidies
            .iter()
            .map(|s| s["amountYuan"].as_str().unwrap().parse::<f64>().unwrap())
            .sum();
        let award_date = if u["awardYear"].is_null() {
            X::E
        } else {
            standing("Awarded")
        };
        let delisted_on = if u["delistingReason"].is_null() {
            X::E
        } else {
            standing("Delisted")
        };
        let mut row = cells(
            u,
            &[
                ("name", t),
                ("kindLabel", t),
                ("cityName", t),
                ("countyCode", t),
                ("creditCode", t),
                ("divisionCode", t),
                ("zoneCode", t),
                ("sectorLabels", joined),
                ("industries", joined),
                ("pilotBatch", n),
                ("statusLabel", t),
                ("recommendedYear", n),
                ("awardYear", n),
                ("certificateNo", t),
            ],
        );
        row.extend([
            award_date,
            latest.map_or(X::E, |e| n(&e["year"])),
            latest.map_or(X::E, |e| t(&e["gradeLabel"])),
            if subsidies.is_empty() { X::E } else { X::N(total) },
            delisted_on,
            t(&u["delistingReason"]),
            t(&u["id"]),
        ]);
        row
    });
    (rows.collect(), position.as_i64().unwrap())
}

/// The registry export's columns: the pilot list's, then what the programme recorded.
fn registry_header() -> Vec<&'static str> {
    let programme = [
        "试点批次",
        "状态",
        "参评年度",
        "授牌年度",
        "证书编号",
        "授牌日期",
        "最近评价年度",
        "最近评价等级",
        "奖励补助合计（元）",
        "摘牌日期",
        "摘牌原因",
        "单位编号",
    ];
    [&PILOT_HEADERS[..], &programme].concat()
}

async fn registry_exports_match_graphql(db: &TestDb) {
    let app = TestApp::spawn_with_demo(db).await;
    let token = app.tokens.reader.secret.clone();
    for (query, as_of) in moments(&app).await {
        let (expected, position) = registry_rows(&app, &as_of).await;
        assert!(expected.len() > 10, "the demo has units at {query:?}");
        if query.is_empty() {
            // The sample exercises every kind of cell: award and delisting dates, money.
            let any = |col: usize, f: fn(&X) -> bool| expected.iter().any(|r| f(&r[col]));
            assert!(any(14, |x| matches!(x, X::D(_))), "an award date");
            assert!(any(17, |x| matches!(x, X::N(_))), "a subsidy total");
            assert!(any(18, |x| matches!(x, X::D(_))), "a delisting date");
            assert!(any(16, |x| matches!(x, X::T(_))), "an evaluation grade");
        }

        let xlsx = export(&app, &with_query("/exports/registry.xlsx", &query), &token).await;
        assert_eq!(
            xlsx.header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(xlsx.header("x-liangye-position"), position.to_string());
        let disposition = xlsx.header("content-disposition");
        assert!(
            disposition.starts_with("attachment; filename=\"liangye-registry_")
                && disposition.contains(&format!("_p{position}.xlsx\""))
                && disposition.contains("filename*=UTF-8''%E4%B8%A4%E4%B8%9A"),
            "{disposition}"
        );
        let book = workbook(&xlsx.bytes);
        assert_eq!(
            book.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["名录", "说明"]
        );
        let rows = sheet(&book, "名录");
        assert_eq!(header(rows), registry_header());
        assert_rows(&format!("registry.xlsx {query}"), rows, &expected);
        let about = sheet(&book, "说明");
        assert!(
            about.iter().any(
                |r| matches!(r.get(1), Some(X::T(t)) if t.starts_with(&format!("日志位置 {position}（")))
            ),
            "说明 names the position: {about:?}"
        );

        let csv = export(&app, &with_query("/exports/registry.csv", &query), &token).await;
        assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
        assert_eq!(csv.header("x-liangye-position"), position.to_string());
        assert!(
            csv.bytes.starts_with("\u{feff}".as_bytes()),
            "CSV starts with a BOM"
        );
        let text = String::from_utf8(csv.bytes[3..].to_vec()).expect("UTF-8");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let records: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(records[0], registry_header());
        assert_eq!(records.len() - 1, expected.len(), "CSV rows at {query:?}");
        for (i, (got, want)) in records[1..].iter().zip(&expected).enumerate() {
            let want: Vec<String> = want.iter().map(csv_field).collect();
            assert_eq!(got, &want, "CSV row {} at {query:?}", i + 2);
        }
    }
    // Money and dates carry their number formats.
    let xlsx = export(&app, "/exports/registry.xlsx", &token).await;
    let styles = zip_part(&xlsx.bytes, "xl/styles.xml");
    assert!(styles.contains("formatCode=\"#,##0\"") && styles.contains("formatCode=\"yyyy-mm-dd\""));
    let sheet_xml = zip_part(&xlsx.bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet_xml.contains("state=\"frozen\""), "the header row is frozen");
    assert!(sheet_xml.contains("<cols>"), "column widths are set");
    app.shutdown().await;
}

/// A part of an xlsx (zip) file, as text.
fn zip_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip container");
    let mut part = archive.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut text = String::new();
    part.read_to_string(&mut text).unwrap();
    text
}

const APPLICATIONS_QUERY: &str = r#"
query($year: Int!, $after: String, $asOf: AsOf) {
  applications(filter: { year: $year }, first: 50, after: $after, asOf: $asOf) {
    pageInfo { hasNextPage endCursor }
    nodes {
      designation { id name kindLabel cityName creditCode divisionCode zoneCode }
      recommendedByRole recommendedOn documentRef
      figures { revenueYuan gdpYuan manufacturingShareBp marketShareRank }
      reviews { stage outcomeLabel score noticeStart noticeEnd objections decidedOn }
      resultLabel resultOn resultReason certificateNo
    }
  }
}"#;

async fn application_rows(app: &TestApp, year: i64, as_of: &Value) -> Vec<Vec<X>> {
    let variables = json!({ "year": year, "after": null, "asOf": as_of });
    let (applications, _) = all_nodes(app, APPLICATIONS_QUERY, "applications", variables).await;
    let rows = applications.iter().map(|a| {
        let u = &a["designation"];
        let stage = |s: &str| {
            a["reviews"]
                .as_array()
                .unwrap()
                .iter()
                .rev()
                .find(|r| r["stage"] == s)
                .cloned()
                .unwrap_or(Value::Null)
        };
        let (material, expert, site, notice) = (
            stage("MATERIAL"),
            stage("EXPERT"),
            stage("SITE_INSPECTION"),
            stage("PUBLIC_NOTICE"),
        );
        let by = match a["recommendedByRole"].as_str() {
            Some("CITY") => X::T(format!("{}市发展改革委", u["cityName"].as_str().unwrap())),
            Some("PROVINCIAL") => X::T("省发展改革委".into()),
            other => panic!("recommendedByRole {other:?}"),
        };
        let share = match &a["figures"]["manufacturingShareBp"] {
            Value::Null => X::E,
            v => X::N(v.as_f64().unwrap() / 10_000.0),
        };
        let mut row = cells(
            u,
            &[
                ("name", t),
                ("kindLabel", t),
                ("cityName", t),
                ("creditCode", t),
                ("divisionCode", t),
                ("zoneCode", t),
            ],
        );
        row.extend([
            by,
            d(&a["recommendedOn"]),
            t(&a["documentRef"]),
            n(&a["figures"]["revenueYuan"]),
            n(&a["figures"]["gdpYuan"]),
            share,
            n(&a["figures"]["marketShareRank"]),
            t(&material["outcomeLabel"]),
            d(&material["decidedOn"]),
            t(&expert["outcomeLabel"]),
            n(&expert["score"]),
            d(&expert["decidedOn"]),
            t(&site["outcomeLabel"]),
            d(&site["decidedOn"]),
            t(&notice["outcomeLabel"]),
            d(&notice["noticeStart"]),
            d(&notice["noticeEnd"]),
            t(&notice["objections"]),
            d(&notice["decidedOn"]),
            t(&a["resultLabel"]),
            d(&a["resultOn"]),
            t(&a["resultReason"]),
            t(&a["certificateNo"]),
            t(&u["id"]),
        ]);
        row
    });
    rows.collect()
}

async fn applications_export_matches_graphql(db: &TestDb) {
    let app = TestApp::spawn_with_demo(db).await;
    let token = app.tokens.auditor.secret.clone();
    let mut seen_results = std::collections::BTreeSet::new();
    for (query, as_of) in moments(&app).await {
        for year in [2022, 2024, 2025] {
            let expected = application_rows(&app, year, &as_of).await;
            let path = with_query(&format!("/exports/applications.xlsx?year={year}"), &query);
            let xlsx = export(&app, &path, &token).await;
            assert!(
                xlsx.header("content-disposition")
                    .starts_with(&format!("attachment; filename=\"liangye-applications-{year}_")),
                "{}",
                xlsx.header("content-disposition")
            );
            let book = workbook(&xlsx.bytes);
            let rows = sheet(&book, "申报");
            assert_eq!(header(rows)[0], "名称");
            assert_eq!(header(rows).len(), 30);
            assert_rows(&format!("applications {year} {query}"), rows, &expected);
            for r in &expected {
                seen_results.insert(format!("{:?}", r[25]));
            }
        }
    }
    // The demo's years hold every way an application ends.
    assert!(seen_results.len() >= 4, "results seen: {seen_results:?}");
    app.shutdown().await;
}

const STATISTICS_QUERY: &str = r#"
query($asOf: AsOf) {
  statistics(asOf: $asOf) {
    position total
    byStatus { statusLabel count }
    byKind { kindLabel total awarded }
    byCity { cityName cityCode total byStatus { count } }
    byCityYear { cityCode year awarded }
    bySector { sectorLabel total awarded }
    byAwardYear { year awarded stillAwarded delisted }
    quotas { year quota used remaining }
    evaluations { year gradeLabel count }
    subsidies { year cityName totalYuan count }
    byCounty { countyCode cityName total awarded }
    monitoring { year reported belowStandard }
    target { target targetYear awarded awardedInPeriod awardedAfterPeriod awardsMade awardsMadeInPeriod remaining reached }
  }
}"#;

/// The years of the rows of `lists`, sorted, each once.
fn years_in(lists: &[&Value]) -> Vec<i64> {
    let mut years: Vec<i64> = lists
        .iter()
        .flat_map(|list| list.as_array().unwrap())
        .map(|row| row["year"].as_i64().unwrap())
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// One expected sheet row for each row of `list`: its `columns`.
fn rows_of(list: &Value, columns: &[Column]) -> Vec<Vec<X>> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|row| cells(row, columns))
        .collect()
}

async fn statistics_export_matches_graphql(db: &TestDb) {
    let app = TestApp::spawn_with_demo(db).await;
    let token = app.tokens.suzhou.secret.clone();
    for (query, as_of) in moments(&app).await {
        let s = app
            .gql_data(
                app.tokens.reader.secret(),
                STATISTICS_QUERY,
                json!({ "asOf": as_of }),
            )
            .await["statistics"]
            .clone();
        let xlsx = export(&app, &with_query("/exports/statistics.xlsx", &query), &token).await;
        assert_eq!(xlsx.header("x-liangye-position"), s["position"].to_string());
        let book = workbook(&xlsx.bytes);
        let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            &names[..6],
            ["总表", "分市", "分行业", "分年度", "绩效评价", "奖励补助"],
            "the sheets DESIGN.md names, in order"
        );
        let arr = |v: &Value| v.as_array().unwrap().clone();

        // 总表
        let mut summary = vec![vec![X::T("单位总数".into()), n(&s["total"])]];
        for c in arr(&s["byStatus"]) {
            summary.push(vec![
                X::T(format!("状态：{}", c["statusLabel"].as_str().unwrap())),
                n(&c["count"]),
            ]);
        }
        for k in arr(&s["byKind"]) {
            let label = k["kindLabel"].as_str().unwrap();
            summary.push(vec![X::T(format!("类型：{label}")), n(&k["total"])]);
            summary.push(vec![X::T(format!("类型：{label}（已授牌）")), n(&k["awarded"])]);
        }
        let target = &s["target"];
        for (label, field) in [
            ("目标（家）", "target"),
            ("目标年份", "targetYear"),
            ("现有标杆（已授牌）", "awarded"),
            ("其中期内授牌", "awardedInPeriod"),
            ("其中期后授牌", "awardedAfterPeriod"),
            ("累计授牌（含已摘牌）", "awardsMade"),
            ("期内累计授牌", "awardsMadeInPeriod"),
            ("距目标尚差", "remaining"),
        ] {
            summary.push(vec![X::T(label.into()), n(&target[field])]);
        }
        let reached = if target["reached"].as_bool().unwrap() {
            "是"
        } else {
            "否"
        };
        summary.push(vec![X::T("是否达到目标".into()), X::T(reached.into())]);
        assert_rows("总表", sheet(&book, "总表"), &summary);

        // 分市, with awards per year
        let years = years_in(&[&s["byCityYear"]]);
        let city_sheet = sheet(&book, "分市");
        let mut expected_header = vec![
            "设区市",
            "设区市代码",
            "单位总数",
            "试点",
            "已推荐",
            "已授牌",
            "已摘牌",
            "试点已撤销",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        expected_header.extend(years.iter().map(|y| format!("{y}年授牌")));
        assert_eq!(header(city_sheet), expected_header);
        let cities: Vec<Vec<X>> = arr(&s["byCity"])
            .iter()
            .map(|c| {
                let mut r = vec![t(&c["cityName"]), t(&c["cityCode"]), n(&c["total"])];
                r.extend(arr(&c["byStatus"]).iter().map(|b| n(&b["count"])));
                r.extend(years.iter().map(|y| {
                    arr(&s["byCityYear"])
                        .iter()
                        .find(|cy| cy["cityCode"] == c["cityCode"] && cy["year"].as_i64() == Some(*y))
                        .map_or(X::N(0.0), |cy| n(&cy["awarded"]))
                }));
                r
            })
            .collect();
        assert_rows("分市", city_sheet, &cities);

        // 分行业: the total and awarded columns
        let sector_sheet = sheet(&book, "分行业");
        assert_eq!(header(sector_sheet)[..2], ["行业领域", "单位数"]);
        assert_eq!(header(sector_sheet)[4], "已授牌");
        let sectors = arr(&s["bySector"]);
        assert_eq!(sector_sheet.len() - 1, sectors.len());
        for (got, want) in sector_sheet[1..].iter().zip(&sectors) {
            assert_eq!(got[0], t(&want["sectorLabel"]));
            assert_eq!(got[1], n(&want["total"]));
            assert_eq!(got[4], n(&want["awarded"]));
        }

        // 分年度: awards and quotas by year
        let years = years_in(&[&s["byAwardYear"], &s["quotas"]]);
        let by_year: Vec<Vec<X>> = years
            .iter()
            .map(|y| {
                let awards = arr(&s["byAwardYear"])
                    .into_iter()
                    .find(|a| a["year"].as_i64() == Some(*y));
                let quota = arr(&s["quotas"])
                    .into_iter()
                    .find(|q| q["year"].as_i64() == Some(*y));
                let of = |v: &Option<Value>, f: &str| v.as_ref().map_or(X::N(0.0), |v| n(&v[f]));
                vec![
                    X::N(*y as f64),
                    of(&awards, "awarded"),
                    of(&awards, "stillAwarded"),
                    of(&awards, "delisted"),
                    quota.as_ref().map_or(X::E, |q| n(&q["quota"])),
                    of(&quota, "used"),
                    quota.as_ref().map_or(X::E, |q| n(&q["remaining"])),
                ]
            })
            .collect();
        assert_rows("分年度", sheet(&book, "分年度"), &by_year);

        // 绩效评价: grades across
        let grades = ["优秀", "良好", "合格", "不合格"];
        let evaluation_sheet = sheet(&book, "绩效评价");
        assert_eq!(
            header(evaluation_sheet),
            ["年度", "优秀", "良好", "合格", "不合格", "合计"]
        );
        let years = years_in(&[&s["evaluations"]]);
        let evaluations: Vec<Vec<X>> = years
            .iter()
            .map(|y| {
                let of = |g: &str| {
                    arr(&s["evaluations"])
                        .iter()
                        .find(|e| e["year"].as_i64() == Some(*y) && e["gradeLabel"] == g)
                        .map_or(0.0, |e| e["count"].as_f64().unwrap())
                };
                let mut r = vec![X::N(*y as f64)];
                r.extend(grades.iter().map(|g| X::N(of(g))));
                r.push(X::N(grades.iter().map(|g| of(g)).sum()));
                r
            })
            .collect();
        assert_rows("绩效评价", evaluation_sheet, &evaluations);

        // 奖励补助
        let subsidies = rows_of(
            &s["subsidies"],
            &[("year", n), ("cityName", t), ("totalYuan", n), ("count", n)],
        );
        assert_rows("奖励补助", sheet(&book, "奖励补助"), &subsidies);

        // 分县(市、区) and 统计监测
        let counties = rows_of(
            &s["byCounty"],
            &[("countyCode", t), ("cityName", t), ("total", n), ("awarded", n)],
        );
        assert_rows("分县", sheet(&book, "分县(市、区)"), &counties);
        let monitoring = rows_of(
            &s["monitoring"],
            &[("year", n), ("reported", n), ("belowStandard", n)],
        );
        assert_rows("统计监测", sheet(&book, "统计监测"), &monitoring);
        if query.is_empty() {
            assert!(
                !subsidies.is_empty() && !evaluations.is_empty(),
                "the demo has subsidies and evaluations"
            );
        }
    }
    app.shutdown().await;
}

/// Logs in to the console with `token`: the session cookie (`name=value`).
async fn console_session(app: &TestApp, token: &str) -> String {
    let client = liangye_tests::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client");
    let login = client.get(app.url("/console/login")).send().await.unwrap();
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|c| c.split(';').next().unwrap().to_owned())
        .next()
        .expect("the login page's CSRF cookie");
    let body = login.text().await.unwrap();
    let marker = "name=\"csrf_token\" value=\"";
    let start = body.find(marker).expect("a csrf_token field") + marker.len();
    let csrf = body[start..].split('"').next().unwrap();
    let response = client
        .post(app.url("/console/login"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf_token={csrf}&token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "logged in");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|c| c.split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("liangye_session="))
        .expect("a session cookie")
}

async fn exports_refuse_what_they_must_and_accept_the_console_session(db: &TestDb) {
    let app = TestApp::spawn_with_demo(db).await;
    let reader = app.tokens.reader.secret.clone();
    for path in [
        "/exports/registry.xlsx",
        "/exports/registry.csv",
        "/exports/applications.xlsx?year=2024",
        "/exports/statistics.xlsx",
        "/templates/pilots.xlsx",
    ] {
        let anonymous = get(&app, path, None).await;
        assert_eq!(anonymous.status, 401, "{path} without a token");
        assert_eq!(anonymous.error().0, "UNAUTHENTICATED");
        let forged = get(&app, path, Some("lyt_0000")).await;
        assert_eq!(forged.status, 401, "{path} with an unknown token");
        // Every role may export.
        for token in [&app.tokens.reader, &app.tokens.nanjing, &app.tokens.auditor] {
            assert_eq!(
                get(&app, path, Some(&token.secret)).await.status,
                200,
                "{path} as {}",
                token.name
            );
        }
    }
    let head = head(&app).await;
    for (path, needle) in [
        ("/exports/registry.xlsx?asOf=yesterday", "asOf 参数无效"),
        ("/exports/registry.csv?asOf=0", "日志位置从 1 开始"),
        (
            &*format!("/exports/statistics.xlsx?asOf={}", head + 1),
            "日志中还没有这个位置",
        ),
        (
            "/exports/registry.xlsx?asOf=2000-01-01T00:00:00Z",
            "早于日志中的第一条记录",
        ),
        ("/exports/registry.xlsx?asOf=2999-01-01T00:00:00Z", "该时间在未来"),
        ("/exports/applications.xlsx", "缺少 year 参数"),
        ("/exports/applications.xlsx?year=2019", "year 参数无效"),
        ("/exports/applications.xlsx?year=next", "year 参数无效"),
    ] {
        let refused = get(&app, path, Some(&reader)).await;
        assert_eq!(refused.status, 400, "{path}");
        let (code, message) = refused.error();
        assert_eq!(code, "VALIDATION_FAILED", "{path}");
        assert!(message.contains(needle), "{path}: {message}");
        assert!(
            !message.is_ascii() && message.contains(" ("),
            "Chinese and English: {message}"
        );
    }
    // The console's session is enough, and a revoked token's session is not.
    let session = console_session(&app, &reader).await;
    let with_session = async || {
        app.client()
            .get(app.url("/exports/registry.csv"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
    };
    let with_cookie = with_session().await;
    assert_eq!(with_cookie.status().as_u16(), 200);
    let body = with_cookie.bytes().await.unwrap();
    assert!(body.starts_with("\u{feff}名称,".as_bytes()));
    app.revoke(&app.tokens.reader).await;
    assert_eq!(with_session().await.status().as_u16(), 401);
    app.shutdown().await;
}

async fn the_template_has_lists_an_example_and_text_codes(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let template = export(
        &app,
        "/templates/pilots.xlsx",
        app.tokens.reader.secret().unwrap(),
    )
    .await;
    assert!(
        template
            .header("content-disposition")
            .contains("filename*=UTF-8''")
    );
    let book = workbook(&template.bytes);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["试点名单", "填写说明", "选项"]);
    let rows = sheet(&book, "试点名单");
    assert_eq!(header(rows), PILOT_HEADERS);
    assert_eq!(rows.len(), 2, "the header and one example row");
    assert_eq!(rows[1][1], X::T("企业".into()));
    assert_eq!(rows[1][2], X::T("苏州".into()));
    // The drop-down lists: 类型 (B), 设区市 (C), 行业领域 (H), from the hidden 选项 sheet.
    let xml = zip_part(&template.bytes, "xl/worksheets/sheet1.xml");
    for (range, list) in [
        ("B2:B2001", "选项!$A$1:$A$4"),
        ("C2:C2001", "选项!$B$1:$B$13"),
        ("H2:H2001", "选项!$C$1:$C$13"),
    ] {
        assert!(
            xml.contains(&format!("sqref=\"{range}\"")) && xml.contains(list),
            "a drop-down list over {range} from {list}"
        );
    }
    let options = sheet(&book, "选项");
    assert_eq!(options[4][1], X::T("苏州".into()));
    assert_eq!(options[5][2], X::T("集成电路".into()));
    let workbook_xml = zip_part(&template.bytes, "xl/workbook.xml");
    assert!(workbook_xml.contains("state=\"hidden\""), "选项 is hidden");
    // The untouched template imports as empty: its example is not a unit.
    let refused = upload(&app, app.tokens.provincial.secret(), &template.bytes, true).await;
    assert_eq!(refused.status, 400);
    assert!(refused.error().1.contains("没有数据行"), "{:?}", refused.error());
    // With the example row and one real row, the example is ignored and the row checked.
    let mut with_row = vec![
        book[0].1[1]
            .iter()
            .map(|x| match x {
                X::T(t) => t.clone(),
                _ => String::new(),
            })
            .collect::<Vec<_>>(),
    ];
    with_row.push(enterprise("模板后的企业", 1));
    let checked = upload(&app, app.tokens.provincial.secret(), &pilot_list(&with_row), true).await;
    assert_eq!(checked.status, 200, "{}", checked.json());
    assert_eq!(checked.json()["rows"], 1);
    assert_eq!(checked.json()["exampleIgnored"], true);
    app.shutdown().await;
}

async fn a_good_file_is_listed_in_one_transaction(db: &TestDb) {
    let app = TestApp::spawn_with_demo(db).await;
    let before = head(&app).await;
    let rows = vec![
        enterprise("苏州导入芯片有限公司", 1),
        // Codes instead of labels, the city with 市, several sectors with commas.
        row([
            "无锡导入装备有限公司",
            "ENTERPRISE",
            "320200",
            "",
            &credit(CityCode::Wuxi, 2),
            "",
            "",
            "高端装备，绿色低碳",
            "",
        ]),
        row([
            "睢宁县",
            "县(市、区)",
            "徐州市",
            "",
            "",
            "320324",
            "",
            "物流",
            "现代物流",
        ]),
        row([
            "导入示范开发区",
            "开发园区",
            "常州",
            "",
            "",
            "",
            "32049901",
            "",
            "",
        ]),
        row([
            "导入工业集中区",
            "工业集中区",
            "南通",
            "",
            "",
            "320682",
            "",
            "海工装备和高技术船舶",
            "",
        ]),
    ];
    let response = upload(&app, app.tokens.provincial.secret(), &pilot_list(&rows), false).await;
    let report = response.json();
    assert_eq!(response.status, 200, "{report}");
    assert_eq!(report["recorded"], true);
    assert_eq!(report["errors"], json!([]));
    assert_eq!(
        report["positions"],
        json!({ "first": before + 1, "last": before + 5 })
    );
    let listed = report["listed"].as_array().unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|u| u["row"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [2, 3, 4, 5, 6]
    );
    assert_eq!(head(&app).await, before + 5, "one event per row");
    // One PilotListed per row, at consecutive positions, decided as the form said.
    let events = app
        .gql_data(
            app.tokens.auditor.secret(),
            "query($after: Int!) { events(after: $after, first: 10) { nodes { position type canonical } } }",
            json!({ "after": before }),
        )
        .await["events"]["nodes"]
        .clone();
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 5);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["position"], before + 1 + i as i64);
        assert_eq!(e["type"], "PilotListed");
        let canonical: Value = serde_json::from_str(e["canonical"].as_str().unwrap()).unwrap();
        let payload = &canonical["payload"];
        assert_eq!(payload["batch"], 7);
        assert_eq!(payload["decidedOn"], "2025-03-01");
        assert_eq!(payload["documentRef"], "苏发改服务发〔2025〕30号");
    }
    // The units read back as the rows said, labels turned into codes.
    let unit = |code: String| {
        let app = &app;
        async move {
            app.gql_data(
                app.tokens.reader.secret(),
                "query($code: String!) { designationByCode(code: $code) { name kind cityCode countyCode sectors industries pilotBatch status } }",
                json!({ "code": code }),
            )
            .await["designationByCode"]
                .clone()
        }
    };
    let chip = unit(credit(CityCode::Suzhou, 1)).await;
    assert_eq!(chip["kind"], "ENTERPRISE");
    assert_eq!(chip["cityCode"], "320500");
    assert_eq!(chip["countyCode"], "320505");
    assert_eq!(
        chip["sectors"],
        json!(["INTEGRATED_CIRCUITS", "NEW_GENERATION_IT"])
    );
    assert_eq!(chip["industries"], json!(["芯片设计", "工业软件"]));
    assert_eq!(chip["status"], "PILOT");
    let wuxi = unit(credit(CityCode::Wuxi, 2)).await;
    assert_eq!(wuxi["sectors"], json!(["HIGH_END_EQUIPMENT", "GREEN_LOW_CARBON"]));
    let county = unit("320324".into()).await;
    assert_eq!(
        (county["kind"].as_str(), county["countyCode"].as_str()),
        (Some("COUNTY"), Some("320324"))
    );
    let zone = unit("32049901".into()).await;
    assert_eq!(
        zone["sectors"],
        json!(["OTHER"]),
        "no sector given: 其他, as listPilot does"
    );
    app.shutdown().await;
}

/// The `listPilot` mutation's own answer for the same data as a row: its error code.
async fn mutation_code(app: &TestApp, input: Value) -> String {
    let mut input = input;
    input["batch"] = json!(7);
    input["decidedOn"] = json!("2025-03-01");
    app.gql_error(
        app.tokens.provincial.secret(),
        "mutation($input: ListPilotInput!) { listPilot(input: $input) { position } }",
        json!({ "input": input }),
    )
    .await
    .0
}

async fn every_kind_of_bad_row_is_named_and_nothing_is_recorded(db: &TestDb) {
    let app = TestApp::spawn_with_demo(db).await;
    let bad_check = {
        let good = credit(CityCode::Suzhou, 20);
        let last = good.chars().last().unwrap();
        let wrong = if last == '0' { '1' } else { '0' };
        format!("{}{wrong}", &good[..17])
    };
    let rows = vec![
        enterprise("正常企业甲", 10),                                       // 2
        with_code("某公司", "公司", "苏州", &credit(CityCode::Suzhou, 11)), // 3
        with_code("某企业", "企业", "上海", &credit(CityCode::Suzhou, 12)), // 4
        row([
            "某企业乙",
            "企业",
            "苏州",
            "",
            &credit(CityCode::Suzhou, 13),
            "",
            "",
            "芯片设计",
            "",
        ]), // 5
        with_code("校验位错的企业", "企业", "苏州", &bad_check),            // 6
        row(["没有代码的企业", "企业", "苏州", "", "", "", "", "", ""]),    // 7
        row(["错市的县", "县(市、区)", "苏州", "", "", "320102", "", "", ""]), // 8
        with_code(
            "带信用代码的园区",
            "开发园区",
            "苏州",
            &credit(CityCode::Suzhou, 14),
        ), // 9
        with_code("", "企业", "苏州", &credit(CityCode::Suzhou, 15)),       // 10
        with_code("短代码企业", "企业", "苏州", "91320500MA1XK3P7"),        // 11
        row([
            "错县的企业",
            "企业",
            "苏州",
            "320102",
            &credit(CityCode::Suzhou, 16),
            "",
            "",
            "",
            "",
        ]), // 12
        row(["", "", "", "", "", "", "", "", ""]),                          // 13 blank
        row(["正常的县", "县(市、区)", "苏州", "", "", "320585", "", "", ""]), // 14
    ];
    let before = head(&app).await;
    let response = upload(&app, app.tokens.provincial.secret(), &pilot_list(&rows), false).await;
    let report = response.json();
    assert_eq!(response.status, 422, "{report}");
    assert_eq!(report["recorded"], false);
    let v = "VALIDATION_FAILED".to_owned();
    let at = |row: i64, column: &str| (Some(row), column.to_owned(), v.clone());
    assert_eq!(
        errors(&report),
        [
            at(3, "类型"),
            at(4, "设区市"),
            at(5, "行业领域"),
            at(6, "统一社会信用代码"),
            at(7, "统一社会信用代码"),
            at(8, "行政区划代码"),
            at(9, "统一社会信用代码"),
            at(10, "名称"),
            at(11, "统一社会信用代码"),
            at(12, "县(市、区)代码"),
        ]
    );
    assert!(reason(&report, 3).contains("“公司”不是单位类型"));
    assert!(reason(&report, 4).contains("“上海”不是江苏省的设区市"));
    assert!(reason(&report, 5).contains("“芯片设计”不是行业领域"));
    let expected_check = scenario::credit_code(CityCode::Suzhou, 7_000_020).to_string();
    assert!(
        reason(&report, 6).contains(&format!("末位应为 {}", expected_check.chars().last().unwrap())),
        "{}",
        reason(&report, 6)
    );
    assert!(reason(&report, 7).contains("企业须填写"));
    assert!(reason(&report, 9).contains("开发园区不填统一社会信用代码"));
    assert!(reason(&report, 11).contains("统一社会信用代码有误"));
    assert_eq!(head(&app).await, before, "a refused file appends nothing");
    // Nothing of the good rows was recorded either.
    let absent = app
        .gql_data(
            app.tokens.reader.secret(),
            "query($code: String!) { designationByCode(code: $code) { id } }",
            json!({ "code": credit(CityCode::Suzhou, 10) }),
        )
        .await;
    assert_eq!(absent["designationByCode"], Value::Null);

    // The same rules as listPilot: the mutation refuses the same data with the same code.
    let enterprise_input = |code: &str| json!({ "name": "对照企业", "kind": "ENTERPRISE", "cityCode": "320500", "creditCode": code });
    assert_eq!(mutation_code(&app, enterprise_input(&bad_check)).await, v);
    assert_eq!(mutation_code(&app, enterprise_input("91320500MA1XK3P7")).await, v);
    assert_eq!(
        mutation_code(
            &app,
            json!({ "name": "错市的县", "kind": "COUNTY", "cityCode": "320500", "divisionCode": "320102" })
        )
        .await,
        v
    );
    assert_eq!(
        mutation_code(&app, json!({ "name": "x", "kind": "ENTERPRISE", "cityCode": "320500", "countyCode": "320102", "creditCode": credit(CityCode::Suzhou, 16) })).await,
        v
    );
    assert_eq!(head(&app).await, before);

    // A bad batch or date is said once, for the whole file.
    let provincial = app.tokens.provincial.secret();
    let refused = upload_form(
        &app,
        provincial,
        &[("batch", "1000"), ("decidedOn", "2025-03-01")],
        Some(("x.xlsx", &pilot_list(&[enterprise("批次错", 30)]))),
    )
    .await;
    assert_eq!(refused.status, 400);
    let text = refused.text();
    assert!(text.contains("批次 1000 超出范围"), "{text}");
    let early = pilot_list(&[enterprise("太早的企业", 31), enterprise("太早的企业二", 32)]);
    let fields = [("batch", "3"), ("decidedOn", "1999-12-31")];
    let refused = upload_form(&app, provincial, &fields, Some(("x.xlsx", &early))).await;
    assert_eq!(refused.status, 422);
    let report = refused.json();
    assert_eq!(
        errors(&report),
        [(None, "决定日期".to_owned(), v.clone())],
        "{report}"
    );
    assert_eq!(head(&app).await, before);
    app.shutdown().await;
}

async fn duplicates_within_the_file_and_against_the_registry(db: &TestDb) {
    let app = TestApp::spawn_with_demo(db).await;
    let listed = app
        .gql_data(
            app.tokens.reader.secret(),
            "{ enterprises: designations(first: 1, filter: { kind: ENTERPRISE }) { nodes { creditCode cityName } }
               counties: designations(first: 1, filter: { kind: COUNTY }) { nodes { divisionCode cityName name } } }",
            json!({}),
        )
        .await;
    let taken_credit = listed["enterprises"]["nodes"][0]["creditCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let taken_city = listed["enterprises"]["nodes"][0]["cityName"]
        .as_str()
        .unwrap()
        .to_owned();
    let county = &listed["counties"]["nodes"][0];
    let rows = vec![
        enterprise("文件内第一次", 40),                                    // 2
        enterprise("文件内第二次", 40),                                    // 3: same code as row 2
        with_code("名录中已有的企业", "企业", &taken_city, &taken_credit), // 4
        row([
            "名录中已有的县",
            "县(市、区)",
            county["cityName"].as_str().unwrap(),
            "",
            "",
            county["divisionCode"].as_str().unwrap(),
            "",
            "",
            "",
        ]), // 5
        row(["同名园区", "开发园区", "苏州", "", "", "", "", "", ""]),     // 6
        row(["同名 园区", "开发园区", "苏州", "", "", "", "", "", ""]),    // 7: the same zone name
    ];
    let before = head(&app).await;
    let response = upload(&app, app.tokens.provincial.secret(), &pilot_list(&rows), true).await;
    let report = response.json();
    assert_eq!(response.status, 422, "{report}");
    let dup = "DUPLICATE".to_owned();
    assert_eq!(
        errors(&report),
        [
            (Some(3), "统一社会信用代码".to_owned(), dup.clone()),
            (Some(4), "统一社会信用代码".to_owned(), dup.clone()),
            (Some(5), "行政区划代码".to_owned(), dup.clone()),
            (Some(7), "名称".to_owned(), dup.clone()),
        ]
    );
    assert!(
        reason(&report, 3).starts_with("与第 2 行重复"),
        "{}",
        reason(&report, 3)
    );
    assert!(
        reason(&report, 4).contains("已在名录中"),
        "{}",
        reason(&report, 4)
    );
    assert!(
        reason(&report, 5).contains(county["name"].as_str().unwrap()),
        "names the holder"
    );
    assert!(reason(&report, 7).starts_with("与第 6 行重复"));
    assert_eq!(head(&app).await, before);
    app.shutdown().await;
}

async fn unreadable_files_are_refused_whole(db: &TestDb) {
    let app = TestApp::spawn_with_demo(db).await;
    let provincial = app.tokens.provincial.secret.clone();
    let before = head(&app).await;
    let good = pilot_list(&[enterprise("好企业", 50)]);

    // Who may import: PROVINCIAL only; a token is required.
    let anonymous = upload(&app, None, &good, false).await;
    assert_eq!(anonymous.status, 401);
    let city = upload(&app, app.tokens.suzhou.secret(), &good, false).await;
    assert_eq!((city.status, city.error().0.as_str()), (403, "FORBIDDEN"));
    let reader = upload(&app, app.tokens.reader.secret(), &good, true).await;
    assert_eq!(reader.status, 403);

    let mut wrong_header = PILOT_HEADERS;
    wrong_header[2] = "城市";
    let mut extra_header = PILOT_HEADERS.to_vec();
    extra_header.push("备注");
    let mut big = vec![0u8; 2 * 1024 * 1024 + 10];
    big[..4].copy_from_slice(b"PK\x03\x04");
    let cases: Vec<(&str, Vec<u8>, u16, &str, &str)> = vec![
        (
            "other headers",
            pilot_workbook(&wrong_header, &[enterprise("表头错", 51)]),
            400,
            "VALIDATION_FAILED",
            "第 3 列（C1 单元格）应为“设区市”，实为“城市”",
        ),
        (
            "a column more",
            pilot_workbook(&extra_header, &[enterprise("多一列", 52)]),
            400,
            "VALIDATION_FAILED",
            "“备注”不是模板的列",
        ),
        (
            "CSV, not a workbook",
            "名称,类型\n某企业,企业\n".as_bytes().to_vec(),
            400,
            "VALIDATION_FAILED",
            "文件不是有效的 Excel 工作簿",
        ),
        (
            "a zip that is no workbook",
            {
                let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
                zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
                    .unwrap();
                std::io::Write::write_all(&mut zip, b"hello").unwrap();
                zip.finish().unwrap().into_inner()
            },
            400,
            "VALIDATION_FAILED",
            "文件不是有效的 Excel 工作簿",
        ),
        (
            "an empty file",
            Vec::new(),
            400,
            "VALIDATION_FAILED",
            "没有数据行",
        ),
        (
            "only the header",
            pilot_list::<Vec<String>, String>(&[]),
            400,
            "VALIDATION_FAILED",
            "没有数据行",
        ),
        ("larger than the limit", big, 413, "QUERY_TOO_COMPLEX", "文件过大"),
    ];
    for (what, file, status, code, needle) in cases {
        let refused = upload(&app, Some(&provincial), &file, false).await;
        assert_eq!(
            refused.status,
            status,
            "{what}: {}",
            String::from_utf8_lossy(&refused.bytes)
        );
        let (got_code, message) = refused.error();
        assert_eq!(got_code, code, "{what}");
        assert!(message.contains(needle), "{what}: {message}");
        assert_eq!(head(&app).await, before, "{what}: nothing appended");
    }
    // No file field, and a request that is no multipart upload.
    let fields = [("batch", "7"), ("decidedOn", "2025-03-01")];
    let response = upload_form(&app, Some(&provincial), &fields, None).await;
    assert_eq!(response.status, 400);
    assert!(response.text().contains("请选择要上传的名单文件"));
    let response = post_import(&app, Some(&provincial), "application/json", b"{}".to_vec()).await;
    assert_eq!(response.status, 400);
    // Too many rows.
    let many: Vec<Vec<String>> = (0..2001)
        .map(|i| enterprise(&format!("批量{i}"), 1000 + i))
        .collect();
    let refused = upload(&app, Some(&provincial), &pilot_list(&many), true).await;
    assert_eq!(refused.status, 413);
    assert!(refused.error().1.contains("行数过多"), "{:?}", refused.error());
    assert_eq!(head(&app).await, before);
    app.shutdown().await;
}

async fn a_dry_run_checks_and_records_nothing(db: &TestDb) {
    let app = TestApp::spawn_with_demo(db).await;
    let file = pilot_list(&[enterprise("试运行企业一", 60), enterprise("试运行企业二", 61)]);
    let before = head(&app).await;
    let checked = upload(&app, app.tokens.provincial.secret(), &file, true).await;
    let report = checked.json();
    assert_eq!(checked.status, 200, "{report}");
    assert_eq!(report["dryRun"], true);
    assert_eq!(report["recorded"], false);
    assert_eq!(report["rows"], 2);
    assert_eq!(report["listed"], json!([]));
    assert_eq!(head(&app).await, before, "a dry run appends nothing");
    // Checked twice, the same; then recorded for real.
    assert_eq!(
        upload(&app, app.tokens.provincial.secret(), &file, true)
            .await
            .status,
        200
    );
    let recorded = upload(&app, app.tokens.provincial.secret(), &file, false).await;
    assert_eq!(recorded.status, 200);
    assert_eq!(
        recorded.json()["positions"],
        json!({ "first": before + 1, "last": before + 2 })
    );
    // Once listed, a dry run of the same file finds both rows in the registry.
    let again = upload(&app, app.tokens.provincial.secret(), &file, true).await;
    assert_eq!(again.status, 422);
    assert_eq!(
        errors(&again.json())
            .iter()
            .map(|e| e.2.as_str())
            .collect::<Vec<_>>(),
        ["DUPLICATE", "DUPLICATE"]
    );
    assert_eq!(head(&app).await, before + 2);
    app.shutdown().await;
}

async fn the_largest_file_is_listed_whole(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    // 2,000 rows, the limit: every city, enterprises and counties' neighbours alike.
    let rows: Vec<Vec<String>> = (0..2000u64)
        .map(|i| {
            let city = CityCode::all().nth((i % 13) as usize).unwrap();
            row([
                &format!("批量导入企业{i}"),
                "企业",
                city.name(),
                "",
                &credit(city, 10_000 + i),
                "",
                "",
                "高端装备",
                "",
            ])
        })
        .collect();
    let file = pilot_list(&rows);
    let before = head(&app).await;
    let checked = upload(&app, app.tokens.provincial.secret(), &file, true).await;
    assert_eq!(checked.status, 200, "{}", checked.json());
    assert_eq!(checked.json()["rows"], 2000);
    assert_eq!(head(&app).await, before);
    let recorded = upload(&app, app.tokens.provincial.secret(), &file, false).await;
    assert_eq!(recorded.status, 200, "{}", recorded.json());
    assert_eq!(
        recorded.json()["positions"],
        json!({ "first": before + 1, "last": before + 2000 })
    );
    let total = app
        .gql_data(
            app.tokens.reader.secret(),
            "{ designations(first: 1) { totalCount } }",
            json!({}),
        )
        .await["designations"]["totalCount"]
        .clone();
    assert_eq!(total, 2000);
    app.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// The command line

async fn the_command_line_templates_imports_and_reports(db: &TestDb) {
    let template = db.path("模板.xlsx");
    let (ok, out, err) = liangye(
        &db.url,
        &["template", "pilots", "--out", template.to_str().unwrap()],
    )
    .await;
    assert!(ok, "{out}{err}");
    let book = workbook(&std::fs::read(&template).unwrap());
    assert_eq!(header(sheet(&book, "试点名单")), PILOT_HEADERS);

    let good = db.path("good.xlsx");
    std::fs::write(
        &good,
        pilot_list(&[enterprise("命令行企业一", 70), enterprise("命令行企业二", 71)]),
    )
    .unwrap();
    let bad = db.path("bad.xlsx");
    std::fs::write(
        &bad,
        pilot_list(&[
            enterprise("命令行企业三", 72),
            row(["坏行", "公司", "苏州", "", "", "", "", "", ""]),
        ]),
    )
    .unwrap();
    let args = |file: &std::path::Path, dry: bool| {
        let mut a = vec![
            "import-pilots".to_owned(),
            file.to_str().unwrap().to_owned(),
            "--batch".into(),
            "5".into(),
            "--decided-on".into(),
            "2025-04-01".into(),
            "--document-ref".into(),
            "苏发改服务发〔2025〕40号".into(),
        ];
        if dry {
            a.push("--dry-run".into());
        }
        a
    };
    let run = |a: Vec<String>| {
        let db = db.url.clone();
        async move {
            let refs: Vec<&str> = a.iter().map(String::as_str).collect();
            liangye(&db, &refs).await
        }
    };
    // A bad row: exit non-zero, the row named on stderr, nothing recorded.
    let (ok, out, err) = run(args(&bad, false)).await;
    assert!(!ok, "{out}");
    assert!(err.contains("第3行 类型：“公司”不是单位类型"), "{err}");
    let (ok, _, err) = run(args(&good, true)).await;
    assert!(ok, "{err}");
    let exported = liangye_tests::process::export(&db.url).await;
    assert!(exported.is_empty(), "a dry run and a refused file record nothing");
    let (ok, out, err) = run(args(&good, false)).await;
    assert!(ok, "{err}");
    assert!(out.contains("2 units listed at positions 1–2"), "{out}");
    // The reports, read back and compared with GraphQL over the same database.
    let registry = db.path("名录.xlsx");
    let csv = db.path("名录.csv");
    let statistics = db.path("统计.xlsx");
    for (what, extra, out) in [
        ("registry", vec![], &registry),
        ("registry", vec!["--format", "csv"], &csv),
        ("statistics", vec![], &statistics),
    ] {
        let mut a = vec!["report", what, "--out", out.to_str().unwrap()];
        a.extend(extra);
        let (ok, stdout, err) = liangye(&db.url, &a).await;
        assert!(ok, "report {what}: {err}");
        assert!(stdout.contains("as of position 2"), "{stdout}");
    }
    let (ok, _, err) = liangye(&db.url, &["report", "applications", "--out", "x.xlsx"]).await;
    assert!(!ok && err.contains("year"), "{err}");
    let (ok, _, err) = liangye(
        &db.url,
        &["report", "registry", "--as-of", "9", "--out", "x.xlsx"],
    )
    .await;
    assert!(!ok && err.contains("日志中还没有这个位置"), "{err}");
    let app = TestApp::spawn_on(&db.url, false).await;
    let (expected, _) = registry_rows(&app, &json!({ "position": 2 })).await;
    assert_eq!(expected.len(), 2);
    assert_rows(
        "report registry",
        sheet(&workbook(&std::fs::read(&registry).unwrap()), "名录"),
        &expected,
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert_eq!(text.lines().count(), 3);
    let s = workbook(&std::fs::read(&statistics).unwrap());
    assert_eq!(sheet(&s, "总表")[1], [X::T("单位总数".into()), X::N(2.0)]);
    app.shutdown().await;
}
