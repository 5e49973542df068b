//! Closed enumerations with a wire name (`SCREAMING_SNAKE_CASE`, as DESIGN.md names them)
//! and a Chinese label.

/// A name that is not one of an enumeration's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {what}; use one of {expected}")]
pub struct UnknownVariant {
    pub what: &'static str,
    pub value: String,
    /// The accepted names, comma-separated.
    pub expected: String,
}

/// Declares an enumeration whose variants each have a wire name and a Chinese label, in
/// declaration order (which is also their `Ord`).
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        $name:ident, what = $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, $zh:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $wire)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name, e.g. as stored in payloads and used by GraphQL.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// The Chinese label shown to people.
            pub const fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// Parses a wire name (exact, case-sensitive).
            pub fn parse(text: &str) -> Result<Self, $crate::catalogue::UnknownVariant> {
                match text {
                    $($wire => Ok($name::$variant),)+
                    _ => Err($crate::catalogue::UnknownVariant {
                        what: $what,
                        value: text.to_owned(),
                        expected: [$($wire),+].join(", "),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::catalogue::UnknownVariant;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }
    };
}

pub(crate) use labelled_enum;
