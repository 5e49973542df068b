//! The one way a value type written as a single string (a code, a number, a digest) is read
//! and written: `FromStr` through its `parse`, and serde as its `Display` text, read back
//! through a checking parser, so a stored payload can never hold an invalid value.

/// Implements, for a value type `$name` with a `Display` form:
///
/// - `Serialize` as the `Display` text;
/// - `Deserialize` from a string through `$deserialize` (`fn(&str) -> Result<$name, E>`
///   with `E: Display`, whose message becomes the serde error);
/// - with `from_str = $err`, `FromStr` through `$name::parse` (returning `$err`).
macro_rules! string_form {
    ($name:ident, deserialize = $deserialize:path $(, from_str = $err:ty)?) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                $deserialize(&text).map_err(serde::de::Error::custom)
            }
        }

        $(
            impl std::str::FromStr for $name {
                type Err = $err;
                fn from_str(text: &str) -> Result<Self, Self::Err> {
                    Self::parse(text)
                }
            }
        )?
    };
}

pub(crate) use string_form;

/// The number a code of exactly `len` ASCII digits stands for (surrounding whitespace is
/// ignored), or `None` for any other text.
pub(super) fn fixed_digits(text: &str, len: usize) -> Option<u32> {
    let code = text.trim();
    if code.len() != len || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    code.parse().ok()
}
