//! File names that say what an export holds and as of when, and the `Content-Disposition`
//! that carries them: an ASCII `filename` for old clients and the Chinese one as
//! `filename*` (RFC 5987/6266, UTF-8, percent-encoded).

use chrono::{DateTime, FixedOffset};

use super::ExportMoment;

/// An export's file name, in Chinese and in ASCII.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    pub zh: String,
    pub ascii: String,
}

/// Beijing time, as the province reads dates.
fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// `recordedAt` (RFC 3339, UTC) in Beijing time, or `None` when it cannot be read.
pub fn beijing_time(recorded_at: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(recorded_at)
        .ok()
        .map(|t| t.with_timezone(&beijing()))
}

/// The name of an export of `what` (`两业融合标杆名录` / `registry`) as of `moment`, e.g.
/// `两业融合标杆名录_截至2025-06-30_1530_位置1234.xlsx` and
/// `liangye-registry_2025-06-30_1530_p1234.xlsx`.
pub fn file_name(what_zh: &str, what_en: &str, moment: &ExportMoment, extension: &str) -> FileName {
    let when = moment
        .recorded_at
        .as_deref()
        .and_then(beijing_time)
        .map(|t| t.format("%Y-%m-%d_%H%M").to_string());
    match when {
        Some(when) => FileName {
            zh: format!("{what_zh}_截至{when}_位置{}.{extension}", moment.position),
            ascii: format!("liangye-{what_en}_{when}_p{}.{extension}", moment.position),
        },
        None => FileName {
            zh: format!("{what_zh}_空.{extension}"),
            ascii: format!("liangye-{what_en}_empty.{extension}"),
        },
    }
}

/// `attachment; filename="…"; filename*=UTF-8''…`.
pub fn content_disposition(name: &FileName) -> String {
    let ascii: String = name
        .ascii
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        rfc5987(&name.zh)
    )
}

/// Percent-encodes everything but RFC 5987's `attr-char`.
fn rfc5987(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_what_and_when_in_beijing_time() {
        let moment = ExportMoment {
            position: 1234,
            recorded_at: Some("2025-06-30T07:30:00.123456Z".into()),
            asked: true,
        };
        let name = file_name("两业融合标杆名录", "registry", &moment, "xlsx");
        assert_eq!(name.zh, "两业融合标杆名录_截至2025-06-30_1530_位置1234.xlsx");
        assert_eq!(name.ascii, "liangye-registry_2025-06-30_1530_p1234.xlsx");
        assert_eq!(
            content_disposition(&name),
            "attachment; filename=\"liangye-registry_2025-06-30_1530_p1234.xlsx\"; \
             filename*=UTF-8''%E4%B8%A4%E4%B8%9A%E8%9E%8D%E5%90%88%E6%A0%87%E6%9D%86%E5%90%8D%E5%BD%95_%E6%88%AA%E8%87%B32025-06-30_1530_%E4%BD%8D%E7%BD%AE1234.xlsx"
        );
        let empty = ExportMoment {
            position: 0,
            recorded_at: None,
            asked: false,
        };
        assert_eq!(
            file_name("名录", "registry", &empty, "csv").ascii,
            "liangye-registry_empty.csv"
        );
    }
}
