//! Normalizing and bounding free text: trimmed, non-empty where required, within the
//! [`super::limits`], single-line fields free of control characters, multi-line fields
//! free of control characters other than line breaks and tabs.

use chrono::NaiveDate;
use liangye_events::catalogue::{Decision, Sector};

use super::error::DomainError;
use super::limits::{DOCUMENT_REF_MAX, INDUSTRIES_MAX, INDUSTRY_MAX, NOTE_MAX, PARAGRAPH_MAX};

#[derive(Clone, Copy)]
enum Lines {
    One,
    Many,
}

fn bounded(
    field: &'static str,
    value: &str,
    max: usize,
    lines: Lines,
) -> Result<Option<String>, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let length = trimmed.chars().count();
    if length > max {
        return Err(DomainError::validation(
            field,
            format!("is {length} characters long; at most {max} are allowed"),
        ));
    }
    let allowed = |c: char| match lines {
        Lines::One => !c.is_control(),
        Lines::Many => !c.is_control() || matches!(c, '\n' | '\r' | '\t'),
    };
    if let Some(bad) = trimmed.chars().find(|c| is_format_char(*c)) {
        return Err(DomainError::validation(
            field,
            format!(
                "contains the invisible formatting character U+{:04X} (a bidirectional control, \
                 zero-width or other Unicode format character, category Cf); remove it",
                bad as u32
            ),
        ));
    }
    if let Some(bad) = trimmed.chars().find(|c| !allowed(*c)) {
        let what = match lines {
            Lines::One => "must be a single line of text",
            Lines::Many => "must be plain text",
        };
        return Err(DomainError::validation(
            field,
            format!("{what}; it contains the control character {bad:?}"),
        ));
    }
    Ok(Some(trimmed.to_owned()))
}

/// Unicode general category Cf (format characters, Unicode 16): bidirectional overrides
/// and isolates, zero-width spaces and joiners, the byte-order mark, soft hyphen, tags.
/// They are invisible, so a name holding one looks like another name (or reorders what is
/// shown around it); no registry text needs them.
pub fn is_format_char(c: char) -> bool {
    matches!(
        c as u32,
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

fn required(field: &'static str, value: &str, max: usize, lines: Lines) -> Result<String, DomainError> {
    bounded(field, value, max, lines)?
        .ok_or_else(|| DomainError::validation(field, "is required and must not be blank"))
}

/// A required single-line text (a name).
pub(super) fn line(field: &'static str, value: &str, max: usize) -> Result<String, DomainError> {
    required(field, value, max, Lines::One)
}

/// A required multi-line text (a citation, a reason).
pub(super) fn paragraph(field: &'static str, value: &str, max: usize) -> Result<String, DomainError> {
    required(field, value, max, Lines::Many)
}

/// An optional single-line text; blank is absent.
pub(super) fn optional_line(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<Option<String>, DomainError> {
    bounded(field, value, max, Lines::One)
}

/// An optional multi-line text; blank is absent.
pub(super) fn optional_paragraph(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    value.map_or(Ok(None), |v| bounded(field, v, max, Lines::Many))
}

/// The earliest and latest date a decision document may bear: catches mistyped years.
const DECIDED_ON_RANGE: (NaiveDate, NaiveDate) = match (
    NaiveDate::from_ymd_opt(2000, 1, 1),
    NaiveDate::from_ymd_opt(2100, 12, 31),
) {
    (Some(first), Some(last)) => (first, last),
    _ => (NaiveDate::MIN, NaiveDate::MAX),
};

/// `date` (a notice's first or last day) within 2000–2100, as every date is.
pub(super) fn date(field: &'static str, date: NaiveDate) -> Result<NaiveDate, DomainError> {
    let (first, last) = DECIDED_ON_RANGE;
    if date < first || date > last {
        return Err(DomainError::validation(
            field,
            format!("{date} is not a plausible date; give a date from {first} to {last}"),
        ));
    }
    Ok(date)
}

/// A unit's sectors: one or more, repeats dropped (first kept).
pub(super) fn sectors(values: &[Sector]) -> Result<Vec<Sector>, DomainError> {
    if values.is_empty() {
        let choices: Vec<String> = Sector::ALL
            .iter()
            .map(|s| format!("{s} {}", s.label_zh()))
            .collect();
        return Err(DomainError::validation(
            "sectors",
            format!(
                "must name one or more sectors (主要行业领域); choose from {}",
                choices.join(", ")
            ),
        ));
    }
    let mut sectors: Vec<Sector> = Vec::with_capacity(values.len());
    for sector in values {
        if !sectors.contains(sector) {
            sectors.push(*sector);
        }
    }
    Ok(sectors)
}

/// The decision part, normalized: document reference and note trimmed (blank is absent)
/// and bounded, the date within 2000–2100.
pub(super) fn decision(decision: &Decision) -> Result<Decision, DomainError> {
    let (first, last) = DECIDED_ON_RANGE;
    if decision.decided_on < first || decision.decided_on > last {
        return Err(DomainError::validation(
            "decidedOn",
            format!(
                "{} is not a plausible date for a decision document; give a date from {first} \
                 to {last}",
                decision.decided_on
            ),
        ));
    }
    Ok(Decision {
        decided_on: decision.decided_on,
        document_ref: decision.document_ref.as_deref().map_or(Ok(None), |v| {
            bounded("documentRef", v, DOCUMENT_REF_MAX, Lines::One)
        })?,
        note: optional_paragraph("note", decision.note.as_deref(), NOTE_MAX)?,
    })
}

/// The stated reason of a decision (a paragraph), then the decision itself.
pub(super) fn reasoned(reason: &str, decision: &Decision) -> Result<(String, Decision), DomainError> {
    Ok((
        paragraph("reason", reason, PARAGRAPH_MAX)?,
        self::decision(decision)?,
    ))
}

/// A pilot's industries: each trimmed, non-blank and bounded; repeats dropped (first kept).
pub(super) fn industries(values: &[String]) -> Result<Vec<String>, DomainError> {
    if values.len() > INDUSTRIES_MAX {
        return Err(DomainError::validation(
            "industries",
            format!(
                "lists {} industries; at most {INDUSTRIES_MAX} are allowed",
                values.len()
            ),
        ));
    }
    let mut industries: Vec<String> = Vec::with_capacity(values.len());
    for (index, value) in values.iter().enumerate() {
        let Some(industry) = bounded("industries", value, INDUSTRY_MAX, Lines::One)? else {
            return Err(DomainError::validation(
                "industries",
                format!("entry {} is blank; remove it or name the industry", index + 1),
            ));
        };
        if !industries.contains(&industry) {
            industries.push(industry);
        }
    }
    Ok(industries)
}

#[cfg(test)]
mod format_tests {
    use super::{is_format_char, line};

    #[test]
    fn refuses_format_characters_naming_the_field() {
        for bad in [
            "苏州\u{202E}公司",
            "苏州\u{200B}公司",
            "\u{FEFF}苏州公司",
            "a\u{2066}b",
            "a\u{E0041}b",
        ] {
            let e = line("name", bad, 200).unwrap_err().to_string();
            assert!(e.contains("name") && e.contains("U+"), "{e}");
        }
        assert_eq!(
            line("name", "苏州·工业园区（一期）", 200).unwrap(),
            "苏州·工业园区（一期）"
        );
        assert!(!is_format_char('中') && !is_format_char(' ') && !is_format_char('\u{3000}'));
    }
}
