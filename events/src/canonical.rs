//! The canonical form of DESIGN.md §3: RFC 8785 (JCS) text of the envelope, integers only.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

/// The largest magnitude a payload integer may have (exclusive): 2^53.
pub const MAX_SAFE_INTEGER: u64 = 1 << 53;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CanonicalError {
    #[error("numbers must be integers with |n| < 2^53 (no floats); found {value} at {path}")]
    NotAnInteger { path: String, value: String },
    #[error("canonical form could not be produced: {0}")]
    Serialize(String),
    #[error("canonical text is malformed: {0}")]
    Malformed(String),
    #[error("timestamp {0:?} is not RFC 3339")]
    Timestamp(String),
}

/// Refuse any number that is not an integer within ±(2^53 − 1), naming where it is.
pub fn check_integers(value: &Value) -> Result<(), CanonicalError> {
    fn walk(value: &Value, path: &mut String) -> Result<(), CanonicalError> {
        match value {
            Value::Number(n) => {
                let ok = n.as_i64().is_some_and(|i| i.unsigned_abs() < MAX_SAFE_INTEGER)
                    || n.as_u64().is_some_and(|u| u < MAX_SAFE_INTEGER);
                if ok {
                    Ok(())
                } else {
                    Err(CanonicalError::NotAnInteger {
                        path: if path.is_empty() { "$".into() } else { path.clone() },
                        value: n.to_string(),
                    })
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let len = path.len();
                    if path.is_empty() {
                        path.push('$');
                    }
                    path.push('.');
                    path.push_str(k);
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(value, &mut String::new())
}

/// RFC 8785 serialization of any serializable value.
pub fn to_jcs<T: Serialize>(value: &T) -> Result<String, CanonicalError> {
    serde_json_canonicalizer::to_string(value).map_err(|e| CanonicalError::Serialize(e.to_string()))
}

/// RFC 8785 of a JSON value, written directly when its numbers are all integers with
/// |n| < 2^53 (what payloads and metadata hold): members sorted by UTF-16 code units,
/// strings escaped as RFC 8785 §3.2.2.2 escapes them, integers in decimal. A value holding
/// any other number goes through [`to_jcs`]. The output equals [`to_jcs`]'s byte for byte
/// (a property test checks it); it is only faster (no per-member buffers and sort keys).
pub fn value_to_jcs(value: &Value) -> Result<String, CanonicalError> {
    let mut out = String::with_capacity(256);
    if write_jcs_value(value, &mut out) {
        Ok(out)
    } else {
        to_jcs(value)
    }
}

/// Writes `value` as RFC 8785; false (with `out` partly written) at a number that is not a
/// safe integer.
fn write_jcs_value(value: &Value, out: &mut String) -> bool {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            let safe = n.as_i64().filter(|i| i.unsigned_abs() < MAX_SAFE_INTEGER);
            match safe {
                Some(i) => out.push_str(&i.to_string()),
                None => return false,
            }
        }
        Value::String(s) => push_jcs_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !write_jcs_value(item, out) {
                    return false;
                }
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|(a, _), (b, _)| {
                if a.is_ascii() && b.is_ascii() {
                    a.as_bytes().cmp(b.as_bytes())
                } else {
                    a.encode_utf16().cmp(b.encode_utf16())
                }
            });
            out.push('{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_jcs_string(out, key);
                out.push(':');
                if !write_jcs_value(item, out) {
                    return false;
                }
            }
            out.push('}');
        }
    }
    true
}

/// A JSON string as RFC 8785 writes it: `"` and `\` escaped, control characters as `\b`
/// `\t` `\n` `\f` `\r` or `\u00xx` (lowercase), everything else as itself.
pub fn push_jcs_string(out: &mut String, s: &str) {
    out.push('"');
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(s);
    } else {
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c < ' ' => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    let b = c as u8;
                    out.push_str("\\u00");
                    out.push(HEX[usize::from(b >> 4)] as char);
                    out.push(HEX[usize::from(b & 0xf)] as char);
                }
                c => out.push(c),
            }
        }
    }
    out.push('"');
}

/// Format an instant the way `recordedAt` is written: UTC, microseconds, `Z`.
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parse an RFC 3339 instant into UTC.
pub fn parse_timestamp(s: &str) -> Result<DateTime<Utc>, CanonicalError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| CanonicalError::Timestamp(s.to_owned()))
}

/// The current instant truncated to microseconds (the precision that is stored).
pub fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_json::arb_json;
    use proptest::prelude::*;
    use serde_json::json;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// The direct writer is RFC 8785 byte for byte, whatever the value.
        #[test]
        fn value_to_jcs_equals_to_jcs(value in arb_json()) {
            prop_assert_eq!(value_to_jcs(&value).unwrap(), to_jcs(&value).unwrap());
        }
    }

    /// RFC 8785 §3.2.2 / Appendix: the sample from the RFC's "Sorting of Object Properties"
    /// and its number and string serialization examples.
    #[test]
    fn rfc8785_sample_object() {
        let input: Value = serde_json::from_str(
            r#"{
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }"#,
        )
        .unwrap();
        let expected = r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#;
        assert_eq!(to_jcs(&input).unwrap(), expected);
    }

    #[test]
    fn rfc8785_property_sorting_by_utf16_code_units() {
        let input: Value = serde_json::from_str(
            r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#,
        )
        .unwrap();
        let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",\"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
        assert_eq!(to_jcs(&input).unwrap(), expected);
    }

    #[test]
    fn rfc8785_number_samples() {
        // Appendix B of RFC 8785 (IEEE 754 → ES6 string); a few representative rows.
        for (bits, want) in [
            (0x0000000000000000u64, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
        ] {
            let v = serde_json::Number::from_f64(f64::from_bits(bits))
                .map(Value::Number)
                .unwrap();
            assert_eq!(to_jcs(&v).unwrap(), want, "bits {bits:#x}");
        }
    }

    #[test]
    fn floats_are_refused_with_their_path() {
        let err = check_integers(&json!({"a": {"b": [1, 2.5]}})).unwrap_err();
        assert_eq!(
            err,
            CanonicalError::NotAnInteger {
                path: "$.a.b[1]".into(),
                value: "2.5".into()
            }
        );
        assert!(check_integers(&json!({"a": 9007199254740991i64, "b": -9007199254740991i64})).is_ok());
        assert!(check_integers(&json!({"a": 9007199254740992i64})).is_err());
        assert!(check_integers(&json!(1.0)).is_err());
    }

    #[test]
    fn timestamps_have_microseconds_and_z() {
        let t = parse_timestamp("2024-05-06T07:08:09.123456789+08:00").unwrap();
        assert_eq!(format_timestamp(t), "2024-05-05T23:08:09.123456Z");
        let t = parse_timestamp("2024-05-06T07:08:09Z").unwrap();
        assert_eq!(format_timestamp(t), "2024-05-06T07:08:09.000000Z");
    }
}
