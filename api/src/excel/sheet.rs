//! Writing rows of typed cells to a worksheet (row by row, in constant memory) or to CSV:
//! text as text, counts as numbers, money in 元 as numbers with a thousands format, shares
//! as percentages, dates as real Excel dates; a bold header row that stays in view, and
//! column widths fit for Chinese text.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

/// One cell's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A count, a year, a batch, a rank, a score.
    Int(i64),
    /// Whole yuan.
    Yuan(i64),
    /// Basis points (3500 = 35.00%).
    Percent(i64),
    Date(NaiveDate),
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Self {
        Cell::Text(value.into())
    }

    /// Text, or an empty cell for `None`.
    pub fn opt_text(value: Option<impl ToString>) -> Self {
        value.map_or(Cell::Empty, |v| Cell::Text(v.to_string()))
    }

    pub fn opt_int(value: Option<impl Into<i64>>) -> Self {
        value.map_or(Cell::Empty, |v| Cell::Int(v.into()))
    }

    pub fn opt_yuan(value: Option<i64>) -> Self {
        value.map_or(Cell::Empty, Cell::Yuan)
    }

    pub fn opt_date(value: Option<NaiveDate>) -> Self {
        value.map_or(Cell::Empty, Cell::Date)
    }

    /// The value as a CSV field: numbers as digits, dates as `YYYY-MM-DD`, shares as
    /// `35.00%`; text that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`
    /// first) gets a leading `'`.
    pub fn csv_field(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => {
                if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    format!("'{text}")
                } else {
                    text.clone()
                }
            }
            Cell::Int(n) | Cell::Yuan(n) => n.to_string(),
            Cell::Percent(bp) => format!("{}.{:02}%", bp / 100, bp % 100),
            Cell::Date(d) => d.to_string(),
        }
    }
}

/// A column: its Chinese header and width (in Excel's character units).
#[derive(Debug, Clone)]
pub struct Column {
    pub header: Cow<'static, str>,
    pub width: f64,
}

pub const fn column(header: &'static str, width: f64) -> Column {
    Column {
        header: Cow::Borrowed(header),
        width,
    }
}

/// A column whose header is made at run time (e.g. one per year).
pub fn column_owned(header: String, width: f64) -> Column {
    Column {
        header: Cow::Owned(header),
        width,
    }
}

/// The formats every workbook uses.
pub struct Formats {
    pub header: Format,
    pub yuan: Format,
    pub percent: Format,
    pub date: Format,
    pub text: Format,
    pub title: Format,
}

impl Default for Formats {
    fn default() -> Self {
        Self::new()
    }
}

impl Formats {
    pub fn new() -> Self {
        Self {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0x00DD_EBF7))
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            yuan: Format::new().set_num_format("#,##0"),
            percent: Format::new().set_num_format("0.00%"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            text: Format::new().set_num_format("@"),
            title: Format::new().set_bold(),
        }
    }
}

/// A new worksheet written in constant memory (its rows go to a temporary file as they
/// are written, strings inline): add it with `Workbook::push_worksheet` once written.
pub fn streamed_sheet(workbook: &mut Workbook, name: &str) -> Result<Worksheet, XlsxError> {
    let mut sheet = workbook.new_worksheet_with_constant_memory()?;
    sheet.set_name(name)?;
    Ok(sheet)
}

/// Writes a table to a worksheet: the header row (bold, frozen, filterable) and then rows,
/// in order.
pub struct TableWriter<'a> {
    sheet: &'a mut Worksheet,
    formats: &'a Formats,
    columns: &'a [Column],
    next_row: u32,
}

impl<'a> TableWriter<'a> {
    /// Starts the table at the top of `sheet` with its header row.
    pub fn new(
        sheet: &'a mut Worksheet,
        formats: &'a Formats,
        columns: &'a [Column],
    ) -> Result<Self, XlsxError> {
        for (i, column) in columns.iter().enumerate() {
            let col = col_num(i);
            sheet.set_column_width(col, column.width)?;
            sheet.write_string_with_format(0, col, column.header.as_ref(), &formats.header)?;
        }
        sheet.set_row_height(0, 30)?;
        sheet.set_freeze_panes(1, 0)?;
        Ok(Self {
            sheet,
            formats,
            columns,
            next_row: 1,
        })
    }

    /// Writes the next row.
    pub fn row(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        write_row(self.sheet, self.formats, self.next_row, cells)?;
        self.next_row += 1;
        Ok(())
    }

    /// Data rows written so far.
    pub fn rows(&self) -> u32 {
        self.next_row - 1
    }

    /// Ends the table: a filter over the header row and every row written.
    pub fn finish(self) -> Result<(), XlsxError> {
        if !self.columns.is_empty() {
            self.sheet
                .autofilter(0, 0, self.next_row - 1, col_num(self.columns.len() - 1))?;
        }
        Ok(())
    }
}

/// Writes `cells` at `row`, from column A.
pub fn write_row(
    sheet: &mut Worksheet,
    formats: &Formats,
    row: u32,
    cells: &[Cell],
) -> Result<(), XlsxError> {
    for (i, cell) in cells.iter().enumerate() {
        let col = col_num(i);
        match cell {
            Cell::Empty => {}
            Cell::Text(text) if text.is_empty() => {}
            Cell::Text(text) => {
                sheet.write_string(row, col, text)?;
            }
            Cell::Int(n) => {
                sheet.write_number(row, col, *n as f64)?;
            }
            Cell::Yuan(n) => {
                sheet.write_number_with_format(row, col, *n as f64, &formats.yuan)?;
            }
            Cell::Percent(bp) => {
                sheet.write_number_with_format(row, col, *bp as f64 / 10_000.0, &formats.percent)?;
            }
            Cell::Date(date) => {
                sheet.write_date_with_format(row, col, excel_date(*date)?, &formats.date)?;
            }
        }
    }
    Ok(())
}

/// A date as Excel holds it.
pub fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(date.year()).unwrap_or(1900);
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8)
}

fn col_num(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// Writes a sheet of label–value pairs (an export's 说明 sheet, a summary).
pub fn write_pairs(
    sheet: &mut Worksheet,
    formats: &Formats,
    pairs: &[(&str, Cell)],
) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 22)?;
    sheet.set_column_width(1, 60)?;
    for (row, (label, value)) in pairs.iter().enumerate() {
        let row = u32::try_from(row).unwrap_or(u32::MAX);
        sheet.write_string_with_format(row, 0, *label, &formats.title)?;
        write_row_from(sheet, formats, row, 1, std::slice::from_ref(value))?;
    }
    Ok(())
}

fn write_row_from(
    sheet: &mut Worksheet,
    formats: &Formats,
    row: u32,
    first_col: u16,
    cells: &[Cell],
) -> Result<(), XlsxError> {
    if first_col == 0 {
        return write_row(sheet, formats, row, cells);
    }
    // Shift by writing into a scratch layout: columns before `first_col` stay empty.
    let mut shifted = vec![Cell::Empty; usize::from(first_col)];
    shifted.extend_from_slice(cells);
    write_row(sheet, formats, row, &shifted)
}

/// The CSV form of a table: a UTF-8 byte-order mark (what Excel in China needs to read
/// UTF-8), the header row, then rows.
pub struct CsvTable<W: std::io::Write> {
    writer: csv::Writer<W>,
}

impl<W: std::io::Write> CsvTable<W> {
    pub fn new(mut out: W, columns: &[Column]) -> Result<Self, csv::Error> {
        out.write_all("\u{feff}".as_bytes())?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        writer.write_record(columns.iter().map(|c| c.header.as_ref()))?;
        Ok(Self { writer })
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<(), csv::Error> {
        self.writer.write_record(cells.iter().map(Cell::csv_field))
    }

    /// Flushes what is buffered and hands the output back.
    pub fn into_inner(self) -> Result<W, csv::Error> {
        self.writer
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }

    /// Flushes what is buffered.
    pub fn flush(&mut self) -> Result<(), csv::Error> {
        self.writer.flush().map_err(csv::Error::from)
    }
}
