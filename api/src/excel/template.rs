//! The pilot-list template (`GET /templates/pilots.xlsx`, `liangye template pilots`): the
//! header row the import expects, one example row (ignored by the import when left as it
//! is), drop-down lists for 类型, 设区市 and 行业领域, code columns formatted as text (so
//! that an all-digit code keeps its digits), and a sheet saying how to fill it in.

use liangye_events::catalogue::{CityCode, CreditCode};
use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Formula, Workbook, XlsxError};

use super::labels;
use super::sheet::{Cell, Formats, write_row};

/// The data sheet's name.
pub const SHEET: &str = "试点名单";

/// The headers, in order: the import requires exactly these.
pub const HEADERS: [&str; 9] = [
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

/// The columns' widths.
const WIDTHS: [f64; 9] = [36.0, 14.0, 10.0, 15.0, 22.0, 14.0, 13.0, 40.0, 28.0];

/// Rows the drop-down lists and text formats cover below the header.
const ROWS: u32 = 2000;

/// The example row, as written in row 2.
pub fn example() -> [String; 9] {
    [
        "苏州示例智能装备有限公司".to_owned(),
        "企业".to_owned(),
        "苏州".to_owned(),
        "320505".to_owned(),
        example_credit_code(),
        String::new(),
        String::new(),
        "高端装备、新一代信息技术(5G、大数据、工业互联网、人工智能)".to_owned(),
        "智能制造、工业互联网".to_owned(),
    ]
}

/// A credit code of 苏州 that passes its check.
fn example_credit_code() -> String {
    let body = format!("91{}MA1XK3P72", CityCode::Suzhou.code());
    match CreditCode::parse_unchecked_checksum(&format!("{body}0")) {
        Ok(draft) => format!("{body}{}", draft.expected_check()),
        Err(_) => String::new(),
    }
}

/// What each column takes, for the 填写说明 sheet.
const GUIDE: [(&str, &str); 9] = [
    (
        "名称",
        "必填。单位全称；开发园区填写《中国开发区审核公告目录》中的名称。",
    ),
    (
        "类型",
        "必填。从下拉列表选择：县(市、区)、开发园区、工业集中区、企业（也可填代码 COUNTY 等）。",
    ),
    (
        "设区市",
        "必填。从下拉列表选择（如 苏州），或填写 6 位代码（如 320500）。",
    ),
    (
        "县(市、区)代码",
        "选填。单位所在县(市、区)的 6 位行政区划代码，须在所选设区市内；县(市、区)填本级代码。不填时按标识代码推定。",
    ),
    (
        "统一社会信用代码",
        "企业必填，18 位，须通过校验位检查；其他类型不填。",
    ),
    (
        "行政区划代码",
        "县(市、区)必填本级 6 位代码；工业集中区必填所在县(市、区)的代码；企业可填注册地所在县(市、区)代码；开发园区不填。",
    ),
    ("开发区代码", "开发园区选填，8 位（GB/T 37028）；其他类型不填。"),
    (
        "行业领域",
        "从下拉列表选择；属于多个领域时直接填写，以“、”分隔（如 集成电路、高端装备）。不填时记为“其他”。",
    ),
    ("行业描述", "选填。主要行业的文字描述，多个以“、”分隔。"),
];

/// The template workbook's bytes.
pub fn workbook() -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    workbook.set_properties(&super::registry::properties("两业融合试点名单导入模板"));

    // The lists the drop-downs offer, on a hidden sheet (a list of more than 255
    // characters cannot be given inline).
    let kinds = labels::kind_labels();
    let cities = labels::city_labels();
    let sectors = labels::sector_labels();

    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET)?;
    for (i, (header, width)) in HEADERS.iter().zip(WIDTHS).enumerate() {
        let col = i as u16;
        sheet.set_column_width(col, width)?;
        sheet.write_string_with_format(0, col, *header, &formats.header)?;
    }
    for col in [3u16, 4, 5, 6] {
        sheet.set_column_format(col, &formats.text)?;
    }
    sheet.set_row_height(0, 30)?;
    sheet.set_freeze_panes(1, 0)?;
    let example: Vec<Cell> = example().into_iter().map(Cell::Text).collect();
    write_row(sheet, &formats, 1, &example)?;

    // The drop-down lists: the 选项 sheet's column holding the choices, how many there are,
    // the data column they serve, its title, the hint, the refusal and how firm it is.
    let lists = [
        (
            "A",
            kinds.len(),
            1,
            "类型",
            "从列表选择单位类型",
            "请从列表选择：县(市、区)、开发园区、工业集中区、企业",
            DataValidationErrorStyle::Stop,
        ),
        (
            "B",
            cities.len(),
            2,
            "设区市",
            "从列表选择设区市",
            "请从列表选择江苏省的设区市",
            DataValidationErrorStyle::Stop,
        ),
        (
            "C",
            sectors.len(),
            7,
            "行业领域",
            "从列表选择；多个领域以“、”分隔直接填写",
            "不在列表中：多个领域请以“、”分隔，每个须是列表中的领域。是否保留？",
            DataValidationErrorStyle::Information,
        ),
    ];
    for (source, n, col, title, hint, refusal, style) in lists {
        let list = DataValidation::new()
            .allow_list_formula(Formula::new(format!("=选项!${source}$1:${source}${n}")))
            .set_input_title(title)?
            .set_input_message(hint)?
            .set_error_title(title)?
            .set_error_message(refusal)?
            .set_error_style(style);
        sheet.add_data_validation(1, col, ROWS, col, &list)?;
    }

    let guide = workbook.add_worksheet();
    guide.set_name("填写说明")?;
    guide.set_column_width(0, 18)?;
    guide.set_column_width(1, 100)?;
    guide.write_string_with_format(0, 0, "列", &formats.header)?;
    guide.write_string_with_format(0, 1, "填写要求", &formats.header)?;
    for (i, (column, text)) in GUIDE.iter().enumerate() {
        let row = i as u32 + 1;
        guide.write_string_with_format(row, 0, *column, &formats.title)?;
        guide.write_string(row, 1, *text)?;
    }
    let notes = [
        "每行一个单位；表头（第 1 行）请勿修改。第 2 行是示例，原样保留时导入会忽略它，也可删除。",
        "批次、决定日期和文号在导入时统一填写，适用于名单中的每个单位。",
        "导入先逐行检查：任何一行有误时不会记录任何内容，并列出每个错误的行号、列名和原因；全部无误时整份名单在一次写入中列入试点。",
    ];
    for (i, note) in notes.iter().enumerate() {
        guide.write_string(GUIDE.len() as u32 + 2 + i as u32, 1, *note)?;
    }

    let options = workbook.add_worksheet();
    options.set_name("选项")?;
    for (col, values) in [(0u16, &kinds), (1, &cities), (2, &sectors)] {
        options.set_column_width(col, 30)?;
        for (row, value) in values.iter().enumerate() {
            options.write_string(row as u32, col, *value)?;
        }
    }
    options.set_hidden(true);

    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_credit_code_passes_its_check() {
        let code = example_credit_code();
        assert_eq!(code.len(), 18);
        assert!(CreditCode::parse(&code).is_ok(), "{code}");
    }
}
