//! Strategies and helpers the property tests of this crate share.

use proptest::prelude::*;
use serde_json::Value;

/// Any JSON value: every kind of number (floats, 64-bit integers beyond 2^53), strings with
/// characters that need escapes, keys out of UTF-16 order, nested a few levels.
pub(crate) fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-(1i64 << 53) + 1..(1i64 << 53)).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        "[a\\x00-\\x1f\"\\\\/\u{7f}\u{2028}\u{e000}\u{10000}é]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[ab\u{e000}\u{10000}é\\x01\"]{0,3}|\\PC{0,4}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One small change to a text: a byte inserted, removed or replaced.
pub(crate) fn mutate(text: &str, at: usize, op: u8, with: char) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = if chars.is_empty() {
        0
    } else {
        at % (chars.len() + 1)
    };
    match op % 3 {
        0 => chars.insert(at, with),
        1 if at < chars.len() => {
            chars.remove(at);
        }
        _ if at < chars.len() => chars[at] = with,
        _ => chars.push(with),
    }
    chars.into_iter().collect()
}
