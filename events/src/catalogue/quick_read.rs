//! A quick serde reader of the plain part of canonical JSON, for the one-pass decoding of
//! [`super::recorded::CanonicalEnvelope::parse`] (replay) and
//! [`super::recorded::CanonicalEnvelope::parse_proving_form`] (`verify`, where the reading
//! also proves the text's RFC 8785 form when it can: [`from_str_checking_form`]).
//!
//! It reads a narrow subset of JSON: no whitespace anywhere; strings without escapes
//! (borrowed from the text); integers without a fraction or an exponent that fit a `u64`
//! (or, negative, an `i64`); `true`, `false`, `null`; objects and arrays nested at most
//! [`MAX_DEPTH`] deep. It hands every value to the visitor exactly as `serde_json` reading
//! from a `&str` does (a string through `visit_borrowed_str`, a non-negative integer through
//! `visit_u64`, a negative one through `visit_i64`, an enum through a unit variant), so a
//! value it reads is the value `serde_json::from_str` gives. Anything else — an escape, a
//! fraction, `-0`, whitespace, text after the value, any error a visitor raises — makes it
//! give up without a message ([`from_str`] answers `None`), and the caller reads the text with
//! `serde_json`, whose result and error messages stand. A property test checks that whatever
//! it reads, `serde_json` reads the same.
//!
//! It exists for speed: on canonical texts it does less per token than `serde_json` (one
//! eight-byte scan per string, no whitespace skipping, no error messages built and thrown
//! away), and replay and `verify` decode every event of the log.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Visitor};

use crate::jcs_check::{plain_run_end, utf16_less};

/// Deepest nesting read (`serde_json` itself refuses beyond 128).
const MAX_DEPTH: u32 = 64;

/// `text` read as a `T`, or `None` when this reader gives up (see the module docs).
pub(super) fn from_str<'de, T: Deserialize<'de>>(text: &'de str) -> Option<T> {
    read(text, &mut false)
}

/// [`from_str`], and whether the text is then surely in RFC 8785 form: every object's keys
/// in strictly increasing UTF-16 order and every integer of at most 15 digits. With what
/// the reader accepts at all (no whitespace, strings without escapes — which JCS writes as
/// they are —, integers without a leading zero, a fraction, an exponent or `-0`), that is
/// the text JCS writes for the value, as [`crate::jcs_check`] recognises it. `false` only
/// says "not proven".
pub(super) fn from_str_checking_form<'de, T: Deserialize<'de>>(
    text: &'de str,
    canonical: &mut bool,
) -> Option<T> {
    *canonical = true;
    read(text, canonical)
}

/// `text` read as a `T`. When `canonical` is true on the way in, it says on the way out
/// whether the reading proved the text's RFC 8785 form (see [`from_str_checking_form`]).
/// (The value is returned alone, not beside the flag: a decoded envelope is hundreds of
/// bytes, and each move of it is a copy.)
fn read<'de, T: Deserialize<'de>>(text: &'de str, canonical: &mut bool) -> Option<T> {
    let mut reader = Reader {
        text,
        b: text.as_bytes(),
        i: 0,
        depth: 0,
        canonical: *canonical,
    };
    let value = T::deserialize(&mut reader).ok()?;
    *canonical = reader.canonical;
    (reader.i == reader.b.len()).then_some(value)
}

/// Why the reader gave up: never shown, so it carries nothing.
#[derive(Debug)]
struct GaveUp;

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not read by the quick reader")
    }
}

impl std::error::Error for GaveUp {}

impl de::Error for GaveUp {
    fn custom<T: fmt::Display>(_: T) -> Self {
        GaveUp
    }
}

type Result<T> = std::result::Result<T, GaveUp>;

struct Reader<'de> {
    text: &'de str,
    b: &'de [u8],
    i: usize,
    depth: u32,
    /// Still surely RFC 8785 (see [`from_str_checking_form`]); false from the start when
    /// not asked, so that no keys are compared.
    canonical: bool,
}

impl<'de> Reader<'de> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(GaveUp)
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<()> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(GaveUp)
        }
    }

    /// A string without escapes, borrowed from the text.
    fn string(&mut self) -> Result<&'de str> {
        self.expect(b'"')?;
        let start = self.i;
        let end = plain_run_end(self.b, start);
        if self.b.get(end) != Some(&b'"') {
            return Err(GaveUp);
        }
        self.i = end + 1;
        // Both ends are next to an ASCII quote, so they lie on character boundaries.
        self.text.get(start..end).ok_or(GaveUp)
    }

    /// A run of digits without a leading zero (a lone `0` aside), not followed by a fraction
    /// or an exponent, that fits a `u64`.
    fn digits(&mut self) -> Result<u64> {
        let start = self.i;
        let mut value: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(d - b'0')))
                .ok_or(GaveUp)?;
            self.i += 1;
        }
        let run = &self.b[start..self.i];
        let well_formed = match run {
            [] => false,
            [b'0'] => true,
            [b'0', ..] => false,
            _ => true,
        };
        if !well_formed || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return Err(GaveUp);
        }
        // Beyond 15 digits JCS may write an integer another way (it writes doubles).
        self.canonical &= run.len() <= 15;
        Ok(value)
    }

    fn nested<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.depth >= MAX_DEPTH {
            return Err(GaveUp);
        }
        self.depth += 1;
        let out = read(self);
        self.depth -= 1;
        out
    }
}

impl<'de> Reader<'de> {
    /// The object here, to `visitor.visit_map`.
    fn object<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.nested(|r| {
            r.expect(b'{')?;
            let value = visitor.visit_map(Members {
                r: &mut *r,
                previous: None,
            })?;
            r.expect(b'}')?;
            Ok(value)
        })
    }

    /// The array here, to `visitor.visit_seq`.
    fn array<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.nested(|r| {
            r.expect(b'[')?;
            let value = visitor.visit_seq(Elements {
                r: &mut *r,
                first: true,
            })?;
            r.expect(b']')?;
            Ok(value)
        })
    }

    /// The integer here: `visit_u64` when not negative, else `visit_i64`.
    fn integer<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        if self.peek() == Some(b'-') {
            self.i += 1;
            // `-0` is a float to serde_json, and so is anything below `i64::MIN`.
            return match self.digits()? {
                0 => Err(GaveUp),
                magnitude => visitor.visit_i64(0i64.checked_sub_unsigned(magnitude).ok_or(GaveUp)?),
            };
        }
        visitor.visit_u64(self.digits()?)
    }

    /// `true` or `false` here.
    fn boolean<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b't') => self.literal(b"true").and_then(|()| visitor.visit_bool(true)),
            Some(b'f') => self.literal(b"false").and_then(|()| visitor.visit_bool(false)),
            _ => Err(GaveUp),
        }
    }
}

/// `deserialize_…` methods that each answer the same way: `integer` reads an integer for the
/// visitor, `give_up` leaves the text to serde_json.
macro_rules! answer {
    (integer: $($method:ident)+) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.integer(visitor)
        })+
    };
    (give_up: $($method:ident)+) => {
        $(fn $method<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
            Err(GaveUp)
        })+
    };
}

/// Each `deserialize_…` accepts what serde_json's does for that request and hands the same
/// visit to the visitor: a string where a string is asked for, a number where a number is,
/// and so on. Only `deserialize_any` (and what serde_json answers like it) follows the text.
impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = GaveUp;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek().ok_or(GaveUp)? {
            b'"' => visitor.visit_borrowed_str(self.string()?),
            b'{' => self.object(visitor),
            b'[' => self.array(visitor),
            b't' | b'f' => self.boolean(visitor),
            b'n' => self.literal(b"null").and_then(|()| visitor.visit_unit()),
            b'-' | b'0'..=b'9' => self.integer(visitor),
            _ => Err(GaveUp),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.boolean(visitor)
    }

    answer! {
        integer: deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_u8
            deserialize_u16 deserialize_u32 deserialize_u64
    }

    // Left to serde_json: it reads these its own way (floats with their own rounding,
    // 128-bit integers straight from the digits, bytes from strings or arrays).
    answer! {
        give_up: deserialize_f32 deserialize_f64 deserialize_i128 deserialize_u128
            deserialize_bytes deserialize_byte_buf
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.string()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.b[self.i..].starts_with(b"null") {
            self.i += 4;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.literal(b"null")?;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value> {
        // serde_json reads its `RawValue` through a private newtype name; not here.
        if name.starts_with("$serde_json") {
            return Err(GaveUp);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.array(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.array(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.array(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.object(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        // serde_json also reads a struct from an array of its fields.
        match self.peek() {
            Some(b'[') => self.array(visitor),
            _ => self.object(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        // A unit variant by its name, as serde_json reads one; a variant with content (an
        // object of one member) is left to serde_json.
        let name = self.string()?;
        visitor.visit_enum(de::value::BorrowedStrDeserializer::<GaveUp>::new(name))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_any(visitor)
    }
}

/// The members of an object, after its `{`.
struct Members<'a, 'de> {
    r: &'a mut Reader<'de>,
    /// The key before, once there is one.
    previous: Option<&'de str>,
}

impl<'de> de::MapAccess<'de> for Members<'_, 'de> {
    type Error = GaveUp;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.r.peek() == Some(b'}') {
            return Ok(None);
        }
        if self.previous.is_some() {
            self.r.expect(b',')?;
        }
        let key = self.r.string()?;
        if let Some(previous) = self.previous
            && self.r.canonical
        {
            self.r.canonical = utf16_less(previous.as_bytes(), key.as_bytes());
        }
        self.previous = Some(key);
        seed.deserialize(de::value::BorrowedStrDeserializer::<GaveUp>::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        self.r.expect(b':')?;
        seed.deserialize(&mut *self.r)
    }
}

/// The elements of an array, after its `[`.
struct Elements<'a, 'de> {
    r: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> de::SeqAccess<'de> for Elements<'_, 'de> {
    type Error = GaveUp;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.r.peek() == Some(b']') {
            return Ok(None);
        }
        if !std::mem::take(&mut self.first) {
            self.r.expect(b',')?;
        }
        seed.deserialize(&mut *self.r).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::from_str;
    use crate::test_json::{arb_json, arb_small_change, exactly_canonical};
    use proptest::prelude::*;
    use serde_json::Value;
    use uuid::Uuid;

    /// What serde_json reads of `text` as a `Value`, if anything.
    fn serde_json_value(text: &str) -> Option<Value> {
        serde_json::from_str(text).ok()
    }

    #[test]
    fn samples() {
        for (text, read) in [
            (r#"{"a":1,"b":[true,false,null],"c":"x","d":{}}"#, true),
            (r#"[]"#, true),
            (r#""江苏两业融合""#, true),
            ("18446744073709551615", true),
            ("-9223372036854775808", true),
            ("0", true),
            // Left to serde_json: it reads these (as floats, or with escapes or whitespace)…
            ("18446744073709551616", false),
            ("-9223372036854775809", false),
            ("-0", false),
            ("1.5", false),
            ("1e3", false),
            (r#""\u0041""#, false),
            (r#""a\nb""#, false),
            (r#"{"a": 1}"#, false),
            ("[1] ", false),
            // …and refuses these.
            ("01", false),
            ("-", false),
            ("[1,]", false),
            (r#"{"a":1,}"#, false),
            (r#"{"a":1"#, false),
            (r#"{"a"1}"#, false),
            ("{}x", false),
            ("\"a\u{1}b\"", false),
            ("\"abcdefgh", false),
            ("tru", false),
            ("nul", false),
            ("", false),
        ] {
            let quick = from_str::<Value>(text);
            assert_eq!(quick.is_some(), read, "{text}");
            if let Some(value) = quick {
                assert_eq!(Some(value), serde_json_value(text), "{text}");
            }
        }
    }

    #[test]
    fn nesting_too_deep_is_left_to_serde_json() {
        let deep = "[".repeat(100_000);
        assert_eq!(from_str::<Value>(&deep), None);
        let fine = format!("{}{}", "[".repeat(60), "]".repeat(60));
        assert_eq!(from_str::<Value>(&fine), serde_json_value(&fine));
    }

    #[test]
    fn a_request_is_answered_only_by_its_own_kind_of_value() {
        // A UUID's visitor also takes sixteen numbers; serde_json, asked for a string, does
        // not hand it an array, and neither does this reader.
        let array = format!("[{}]", ["1"; 16].join(","));
        assert!(serde_json::from_str::<Uuid>(&array).is_err());
        assert_eq!(from_str::<Uuid>(&array), None);
        assert_eq!(
            from_str::<Uuid>(r#""0192f0c1-7a3b-7cde-8f00-123456789abc""#),
            Some(Uuid::from_u128(0x0192f0c1_7a3b_7cde_8f00_123456789abc))
        );
        assert_eq!(from_str::<String>("1"), None);
        assert_eq!(from_str::<i64>(r#""1""#), None);
        assert_eq!(from_str::<bool>("null"), None);
        assert_eq!(from_str::<Vec<u8>>(r#"{"a":1}"#), None);
        assert_eq!(from_str::<Option<i64>>("null"), Some(None));
        assert_eq!(from_str::<Option<i64>>("7"), Some(Some(7)));
        assert_eq!(from_str::<u8>("256"), None);
        assert_eq!(from_str::<i32>("-5"), Some(-5));
    }

    #[test]
    fn what_a_reading_proves_of_the_form() {
        // (text, proven by the reading, canonical by the exact check)
        for (text, proven, canonical) in [
            (r#"{"a":1,"b":[true,false,null],"c":"x","d":{}}"#, true, true),
            ("999999999999999", true, true),
            ("-999999999999999", true, true),
            // Read, but not proven canonical: keys out of order or repeated (also nested),
            // keys that differ in UTF-16 order otherwise than in bytes, a long integer
            // (which JCS may write the same way: the exact check tells).
            (r#"{"b":1,"a":2}"#, false, false),
            (r#"{"a":1,"a":2}"#, false, false),
            (r#"{"a":{"d":1,"c":2},"b":1}"#, false, false),
            ("{\"\u{e000}\":1,\"\u{10000}\":2}", false, false),
            ("1000000000000000", false, true),
            ("12345678901234567890", false, false),
        ] {
            let (value, read_proves) = {
                let mut proves = false;
                let value = super::from_str_checking_form::<Value>(text, &mut proves).unwrap();
                (value, proves)
            };
            assert_eq!(read_proves, proven, "{text}");
            assert_eq!(exactly_canonical(text), canonical, "{text}");
            assert_eq!(Some(value), serde_json_value(text), "{text}");
        }
        let ordered = "{\"\u{10000}\":1,\"\u{e000}\":2}";
        let mut proves = false;
        assert!(super::from_str_checking_form::<Value>(ordered, &mut proves).is_some() && proves);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// A reading proves only canonical texts canonical; and it proves every text JCS
        /// writes without escapes or long numbers.
        #[test]
        fn a_proven_form_is_canonical(value in arb_json(), change in arb_small_change()) {
            let text = crate::canonical::to_jcs(&value).unwrap();
            let long_integer = text.split(|c: char| !c.is_ascii_digit()).any(|d| d.len() > 15);
            if !text.contains(['\\', '.', 'e', 'E']) && !long_integer {
                let mut proves = false;
                let read = super::from_str_checking_form::<Value>(&text, &mut proves);
                prop_assert!(read.is_some() && proves, "{}", text);
            }
            let changed = change.apply(&text);
            let mut proves = false;
            if super::from_str_checking_form::<Value>(&changed, &mut proves).is_some() && proves {
                prop_assert!(exactly_canonical(&changed), "{}", changed);
            }
        }

        /// Whatever the reader reads, serde_json reads the same; and it reads every text
        /// serde_json writes without escapes or floats.
        #[test]
        fn reads_what_serde_json_reads(value in arb_json(), change in arb_small_change()) {
            let text = serde_json::to_string(&value).unwrap();
            if !text.contains(['\\', '.', 'e', 'E']) {
                prop_assert_eq!(from_str::<Value>(&text), Some(value), "{}", text);
            }
            let changed = change.apply(&text);
            if let Some(read) = from_str::<Value>(&changed) {
                prop_assert_eq!(Some(read), serde_json_value(&changed), "{}", changed);
            }
        }
    }
}
