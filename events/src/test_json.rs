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

/// One small change to a text: a character inserted, removed or put in place of another.
#[derive(Debug, Clone)]
pub(crate) struct SmallChange {
    at: usize,
    op: u8,
    with: char,
}

/// Any small change, with the characters that matter to JSON (and to RFC 8785) likeliest.
pub(crate) fn arb_small_change() -> impl Strategy<Value = SmallChange> {
    let with = prop_oneof![
        Just(' '),
        Just('"'),
        Just('\\'),
        Just(','),
        Just(':'),
        Just('0'),
        Just('1'),
        Just('9'),
        Just('-'),
        Just('u'),
        Just('n'),
        Just('a'),
        Just('z'),
        Just('{'),
        Just('}'),
        Just('['),
        Just(']'),
        Just('e'),
        Just('.'),
        Just('\n'),
        Just('\u{10000}'),
        Just('\u{e000}'),
        any::<char>(),
    ];
    (0usize..2000, 0u8..3, with).prop_map(|(at, op, with)| SmallChange { at, op, with })
}

impl SmallChange {
    /// `text` with the change made at `at`, counted in characters modulo its length.
    pub(crate) fn apply(&self, text: &str) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        let at = self.at % (chars.len() + 1);
        match self.op % 3 {
            0 => chars.insert(at, self.with),
            1 if at < chars.len() => {
                chars.remove(at);
            }
            _ if at < chars.len() => chars[at] = self.with,
            _ => chars.push(self.with),
        }
        chars.into_iter().collect()
    }
}

/// The exact check of RFC 8785 form: the text parses, and JCS writes it back unchanged.
pub(crate) fn exactly_canonical(text: &str) -> bool {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| crate::canonical::to_jcs(&v).ok())
        .is_some_and(|jcs| jcs == text)
}
