//! A fast, allocation-free recogniser of RFC 8785 (JCS) text: [`surely_canonical`] answers
//! `true` only for texts that JCS itself would write unchanged, in one pass over the bytes,
//! without building a JSON value or serializing anything.
//!
//! It is deliberately narrow: it accepts objects whose members are in strictly increasing
//! UTF-16 order, arrays, `true`/`false`/`null`, strings escaped exactly as RFC 8785 §3.2.2.2
//! escapes them, and integers of at most 15 digits (exact in an IEEE 754 double, so JCS writes
//! them digit for digit), with no whitespace anywhere. Anything else — a fraction, an
//! exponent, a long integer, a needless escape, whitespace, a key out of order, a duplicate
//! key — makes it answer `false`, and the caller falls back to the exact check (parse the
//! text, serialize it with JCS, compare), which gives the verdict and the message. So `true`
//! is a proof; `false` only says "look closer". A property test checks both directions
//! against the exact check.

/// Deepest nesting the recogniser follows (deeper texts go to the exact check).
const MAX_DEPTH: usize = 64;

/// True when `text` is certainly in RFC 8785 form (see the module docs); false when it is
/// not or when this recogniser cannot tell.
pub fn surely_canonical(text: &str) -> bool {
    let mut p = Parser {
        b: text.as_bytes(),
        i: 0,
    };
    p.value(0) && p.i == p.b.len()
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

/// The index of the first byte at or after `from` that does not stand for itself inside a
/// JSON string (`"`, `\\` or a control character), or `b.len()` when there is none; looks at
/// eight bytes at a time.
pub(crate) fn plain_run_end(b: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte that is zero; a false one can only follow (in memory
    // order) a true one, so the lowest set bit is exact.
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut i = from;
    while i < b.len() {
        let rest = &b[i..];
        let mut bytes = [0u8; 8];
        match rest.first_chunk::<8>() {
            Some(chunk) => bytes = *chunk,
            // Past the end, zero bytes: they count as control characters, so the scan
            // stops at the end of the text at the latest.
            None => bytes[..rest.len()].copy_from_slice(rest),
        }
        let x = u64::from_le_bytes(bytes);
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
        let special = below_space
            | zero_bytes(x ^ (ONES * u64::from(b'"')))
            | zero_bytes(x ^ (ONES * u64::from(b'\\')));
        if special != 0 {
            return (i + (special.trailing_zeros() / 8) as usize).min(b.len());
        }
        i += 8;
    }
    i.min(b.len())
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().is_some(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.integer(),
            _ => false,
        }
    }

    fn object(&mut self, depth: usize) -> bool {
        self.i += 1;
        if self.eat(b'}') {
            return true;
        }
        let mut previous: Option<&'a [u8]> = None;
        loop {
            // A key with an escape is compared by the exact check.
            let Some((key, false)) = self.string() else {
                return false;
            };
            if let Some(prev) = previous
                && !utf16_less(prev, key)
            {
                return false;
            }
            previous = Some(key);
            if !self.eat(b':') || !self.value(depth + 1) {
                return false;
            }
            if self.eat(b'}') {
                return true;
            }
            if !self.eat(b',') {
                return false;
            }
        }
    }

    fn array(&mut self, depth: usize) -> bool {
        self.i += 1;
        if self.eat(b']') {
            return true;
        }
        loop {
            if !self.value(depth + 1) {
                return false;
            }
            if self.eat(b']') {
                return true;
            }
            if !self.eat(b',') {
                return false;
            }
        }
    }

    /// A string as JCS writes it: its raw contents (between the quotes), and whether they
    /// hold an escape.
    fn string(&mut self) -> Option<(&'a [u8], bool)> {
        if !self.eat(b'"') {
            return None;
        }
        let start = self.i;
        let mut escaped = false;
        loop {
            self.skip_plain();
            let c = *self.b.get(self.i)?;
            match c {
                b'"' => {
                    let raw = &self.b[start..self.i];
                    self.i += 1;
                    return Some((raw, escaped));
                }
                b'\\' => {
                    escaped = true;
                    let e = *self.b.get(self.i + 1)?;
                    match e {
                        b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 2,
                        b'u' => {
                            // Only the controls without a short form, as \u00xx in lowercase.
                            let hex = self.b.get(self.i + 2..self.i + 6)?;
                            let code = match hex {
                                [b'0', b'0', h, l] => lower_hex(*h)? << 4 | lower_hex(*l)?,
                                _ => return None,
                            };
                            if code >= 0x20 || matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                                return None;
                            }
                            self.i += 6;
                        }
                        _ => return None,
                    }
                }
                // Control characters are always escaped.
                _ => return None,
            }
        }
    }

    /// Moves to the next byte that does not stand for itself in a string (see
    /// [`plain_run_end`]).
    fn skip_plain(&mut self) {
        self.i = plain_run_end(self.b, self.i);
    }

    /// An integer of at most 15 digits, without a leading zero, and not `-0`.
    fn integer(&mut self) -> bool {
        let negative = self.eat(b'-');
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        let digits = &self.b[start..self.i];
        let well_formed = match digits {
            [] => false,
            [b'0'] => !negative,
            [b'0', ..] => false,
            _ => digits.len() <= 15,
        };
        // A fraction or exponent goes to the exact check.
        well_formed && !matches!(self.peek(), Some(b'.' | b'e' | b'E'))
    }
}

fn lower_hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// `a < b` in UTF-16 code unit order (RFC 8785 §3.2.3), for unescaped UTF-8 key texts.
///
/// Up to their first differing byte both keys hold the same characters; when that byte is
/// ASCII in both, it starts a character in both and the byte order is the UTF-16 order.
/// Otherwise (a difference inside non-ASCII characters) the keys are compared as UTF-16.
pub(crate) fn utf16_less(a: &[u8], b: &[u8]) -> bool {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        None => a.len() < b.len(),
        Some(i) if a[i].is_ascii() && b[i].is_ascii() => a[i] < b[i],
        Some(_) => match (std::str::from_utf8(a), std::str::from_utf8(b)) {
            (Ok(a), Ok(b)) => a.encode_utf16().lt(b.encode_utf16()),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::to_jcs;
    use crate::test_json::{arb_small_change, exactly_canonical};
    use proptest::prelude::*;
    use serde_json::Value;

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-999_999_999_999_999i64..=999_999_999_999_999).prop_map(Value::from),
            (-1000i64..1000).prop_map(Value::from),
            any::<String>().prop_map(Value::from),
            "[a-c\\x00-\\x1f\"\\\\/\u{7f}\u{2028}\u{e000}\u{10000}é]{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(
                    "[a-c\u{e000}\u{10000}é]{0,3}|[^\"\\\\[:cntrl:]]{0,4}",
                    inner,
                    0..5
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Whether some key needs an escape (such keys are left to the exact check).
    fn escaped_key(value: &Value) -> bool {
        match value {
            Value::Object(m) => m
                .iter()
                .any(|(k, v)| k.chars().any(|c| c < ' ' || c == '"' || c == '\\') || escaped_key(v)),
            Value::Array(a) => a.iter().any(escaped_key),
            _ => false,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Every text JCS writes (integers within 15 digits) is recognised.
        #[test]
        fn jcs_output_is_recognised(value in arb_json()) {
            let text = to_jcs(&value).unwrap();
            let long_integer = text.split(|c: char| !c.is_ascii_digit()).any(|d| d.len() > 15);
            prop_assume!(!long_integer && !escaped_key(&value));
            prop_assert!(surely_canonical(&text), "{}", text);
        }

        /// What is recognised is exactly canonical, also after a small change.
        #[test]
        fn recognised_means_canonical(value in arb_json(), change in arb_small_change()) {
            let text = change.apply(&to_jcs(&value).unwrap());
            if surely_canonical(&text) {
                prop_assert!(exactly_canonical(&text), "{}", text);
            }
        }
    }

    #[test]
    fn samples() {
        for (text, want) in [
            (r#"{"a":1,"b":[true,false,null],"c":"x"}"#, true),
            (r#"{"b":1,"a":2}"#, false),
            (r#"{"a":1,"a":2}"#, false),
            (r#"{"a": 1}"#, false),
            (r#"{"a":1} "#, false),
            (r#"{"a":-0}"#, false),
            (r#"{"a":01}"#, false),
            (r#"{"a":1.5}"#, false),
            (r#"{"a":1e3}"#, false),
            (r#"{"a":"\u0041"}"#, false),
            (r#"{"a":"\u000a"}"#, false),
            (r#"{"a":"\n\u001f\""}"#, true),
            (r#"{"a":"\u001F"}"#, false),
            (r#"{"a":"\/"}"#, false),
            ("{\"a\":\"\n\"}", false),
            (r#"{"\u20ac":1,"\r":2}"#, false),
            ("{\"\u{10000}\":1,\"\u{e000}\":2}", true),
            ("{\"\u{e000}\":1,\"\u{10000}\":2}", false),
            ("", false),
            ("{", false),
            // Keys that first differ in a non-ASCII character, or an ASCII one after it.
            ("{\"z\":1,\"é\":2}", true),
            ("{\"é\":1,\"z\":2}", false),
            ("{\"ab\u{10000}\":1,\"ab\u{e000}\":2}", true),
            ("{\"ab\u{e000}\":1,\"ab\u{10000}\":2}", false),
            ("{\"éa\":1,\"éb\":2}", true),
            ("{\"éb\":1,\"éa\":2}", false),
            ("{\"é\":1,\"é\":2}", false),
            // A string ending, an escape or a control character past an eight-byte
            // boundary; a string left open at the end of the text.
            ("\"abcdefghijklmnop\"", true),
            ("\"abcdefghijklmnopq\"", true),
            ("\"abcdefghi\\u0001jk\"", true),
            ("\"abcdefghi\u{1}jk\"", false),
            ("\"abcdefghijklmnopq", false),
            ("\"abcdefgh", false),
            ("\"abcdefg", false),
            ("[\"abc\\\"\"]", true),
        ] {
            assert_eq!(surely_canonical(text), want, "{text}");
            if want {
                assert!(exactly_canonical(text), "{text}");
            }
        }
    }
}
