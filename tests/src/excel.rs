//! Files as staff upload them: a pilot list as an `.xlsx` workbook laid out like the template,
//! and the `multipart/form-data` body a browser sends it in.

use rust_xlsxwriter::Workbook;

/// The pilot list's headers, in order, spelt out here (not taken from the template) so that
/// the tests check the template and the import against them.
pub const PILOT_HEADERS: [&str; 9] = [
    "名称",
    "类型",
    "设区市",
    "县(市、区)代码",
    "统一社会信用代码",
    "行政区划代码",
    "开发区代码",
    "行业领域",
    "行业描述",
];

/// A workbook with `header` and `rows` (blank cells left out), on a sheet named 试点名单.
pub fn pilot_workbook<R: AsRef<[S]>, S: AsRef<str>>(header: &[&str], rows: &[R]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("试点名单").expect("sheet name");
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header cell");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.as_ref().iter().enumerate() {
            let value = value.as_ref();
            if !value.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, value).expect("cell");
            }
        }
    }
    book.save_to_buffer().expect("workbook")
}

/// A pilot list with [`PILOT_HEADERS`] and `rows`.
pub fn pilot_list<R: AsRef<[S]>, S: AsRef<str>>(rows: &[R]) -> Vec<u8> {
    pilot_workbook(&PILOT_HEADERS, rows)
}

/// A `multipart/form-data` body, built as a browser builds it: its `content-type` and bytes.
/// `file` is the `file` field's name and contents.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----liangye-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some((filename, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
                 Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
