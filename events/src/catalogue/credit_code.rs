//! Unified social credit codes (统一社会信用代码, GB 32100-2015).

use std::fmt;

use super::string_form::string_form;

/// The 31 characters a credit code may use, in check-digit order (no I, O, Z, S, V).
pub const CREDIT_CODE_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17 in the check computation.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A credit code that is malformed or fails its check character.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error(
        "a unified social credit code (统一社会信用代码) has exactly 18 characters; {code:?} \
         has {length}"
    )]
    WrongLength { code: String, length: usize },
    #[error(
        "character {character:?} at position {position} of {code:?} is not allowed: credit \
         codes use only the digits 0-9 and the capital letters A-Y except I, O, S, V, Z"
    )]
    InvalidCharacter {
        code: String,
        position: usize,
        character: char,
    },
    #[error(
        "{code} fails the GB 32100-2015 check: its last character is {found} but the first \
         17 characters give {expected}; re-check the code on the business licence, or, if the \
         registered code really fails the check, set acceptInvalidCreditCode and explain in \
         the note"
    )]
    CheckMismatch {
        code: String,
        expected: char,
        found: char,
    },
}

/// An 18-character unified social credit code made of [`CREDIT_CODE_ALPHABET`].
///
/// The type holds every code of the right shape, including the few registered codes that
/// fail the check character: [`CreditCode::parse`] refuses those, and
/// [`CreditCode::parse_unchecked_checksum`] admits them for the explicit
/// `acceptInvalidCreditCode` override. Deserialization checks the shape only, because a
/// stored event may record an overridden code (see `PilotListed::credit_code_check_overridden`).
/// Serializes as the 18-character string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode([u8; 18]);

fn alphabet_index(byte: u8) -> Option<u32> {
    CREDIT_CODE_ALPHABET
        .bytes()
        .position(|c| c == byte)
        .and_then(|i| u32::try_from(i).ok())
}

fn alphabet_char(index: u32) -> char {
    CREDIT_CODE_ALPHABET.chars().nth(index as usize).unwrap_or('0')
}

impl CreditCode {
    /// Parses a credit code and verifies its check character. Surrounding whitespace is
    /// ignored and lower-case letters are taken as capitals.
    pub fn parse(text: &str) -> Result<Self, CreditCodeError> {
        let code = Self::parse_unchecked_checksum(text)?;
        code.verify_check()?;
        Ok(code)
    }

    /// Parses a credit code of the right shape (18 characters from the alphabet) without
    /// verifying the check character: for the explicit `acceptInvalidCreditCode` override.
    pub fn parse_unchecked_checksum(text: &str) -> Result<Self, CreditCodeError> {
        let normalized = text.trim().to_ascii_uppercase();
        let length = normalized.chars().count();
        if length != 18 {
            return Err(CreditCodeError::WrongLength {
                code: text.trim().to_owned(),
                length,
            });
        }
        let mut bytes = [0u8; 18];
        for (position, character) in normalized.chars().enumerate() {
            let byte = u8::try_from(character)
                .ok()
                .filter(|b| alphabet_index(*b).is_some());
            match (byte, bytes.get_mut(position)) {
                (Some(b), Some(slot)) => *slot = b,
                _ => {
                    return Err(CreditCodeError::InvalidCharacter {
                        code: normalized,
                        position: position + 1,
                        character,
                    });
                }
            }
        }
        Ok(Self(bytes))
    }

    /// The check character the first 17 characters call for.
    pub fn expected_check(&self) -> char {
        let sum: u32 = self.0[..17]
            .iter()
            .zip(WEIGHTS)
            .map(|(b, w)| alphabet_index(*b).unwrap_or(0) * w)
            .sum();
        let check = (31 - sum % 31) % 31;
        alphabet_char(check)
    }

    /// The check character the code carries (its 18th).
    pub fn check_char(&self) -> char {
        char::from(self.0[17])
    }

    /// Whether the check character is the one the first 17 characters call for.
    pub fn has_valid_check(&self) -> bool {
        self.check_char() == self.expected_check()
    }

    /// `Ok` if the check character is right, else the error naming the expected one.
    pub fn verify_check(&self) -> Result<(), CreditCodeError> {
        if self.has_valid_check() {
            Ok(())
        } else {
            Err(CreditCodeError::CheckMismatch {
                code: self.as_str().to_owned(),
                expected: self.expected_check(),
                found: self.check_char(),
            })
        }
    }

    /// The 18 characters.
    pub fn as_str(&self) -> &str {
        // Every byte is an ASCII character of the alphabet (checked by the parser).
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CreditCode({})", self.as_str())
    }
}

// A stored event may record a code whose check character was overridden: read the shape only.
string_form!(
    CreditCode,
    deserialize = CreditCode::parse_unchecked_checksum,
    from_str = CreditCodeError
);

#[cfg(test)]
mod tests {
    use super::*;

    /// A real, valid code (published as a GB 32100-2015 example).
    const VALID: &str = "91350100M000100Y43";

    #[test]
    fn a_real_valid_code_parses() {
        let code = CreditCode::parse(VALID).unwrap();
        assert_eq!(code.as_str(), VALID);
        assert!(code.has_valid_check());
        assert_eq!(code.expected_check(), '3');
    }

    #[test]
    fn lower_case_and_spaces_are_normalized() {
        let code = CreditCode::parse(" 91350100m000100y43 ").unwrap();
        assert_eq!(code.as_str(), VALID);
    }

    #[test]
    fn a_wrong_check_character_names_the_expected_one() {
        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::CheckMismatch {
                code: "91350100M000100Y44".into(),
                expected: '3',
                found: '4',
            }
        );
        let message = err.to_string();
        assert!(message.contains("give 3"), "{message}");
        assert!(message.contains("acceptInvalidCreditCode"), "{message}");
    }

    #[test]
    fn the_override_still_requires_the_shape() {
        let code = CreditCode::parse_unchecked_checksum("91350100M000100Y44").unwrap();
        assert!(!code.has_valid_check());
        assert!(matches!(
            CreditCode::parse_unchecked_checksum("91350100M000100Y4"),
            Err(CreditCodeError::WrongLength { length: 17, .. })
        ));
        assert!(matches!(
            CreditCode::parse_unchecked_checksum("91350100M000100I43"),
            Err(CreditCodeError::InvalidCharacter {
                position: 16,
                character: 'I',
                ..
            })
        ));
    }

    #[test]
    fn every_excluded_letter_is_refused() {
        for letter in ['I', 'O', 'S', 'V', 'Z', '-', '码'] {
            let text = format!("91350100M000100Y4{letter}");
            assert!(
                matches!(
                    CreditCode::parse_unchecked_checksum(&text),
                    Err(CreditCodeError::InvalidCharacter { position: 18, .. })
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn check_of_31_maps_to_zero() {
        // Search for a 17-character body whose weighted sum is 0 mod 31: check is '0'.
        let code = CreditCode::parse_unchecked_checksum("000000000000000000").unwrap();
        assert_eq!(code.expected_check(), '0');
        assert!(code.has_valid_check());
    }

    #[test]
    fn computed_check_characters_round_trip() {
        // Every body with its computed check character parses strictly.
        for body in ["91320000134776283", "91320100MA1MDNYU0", "11100000000013127"] {
            let probe = CreditCode::parse_unchecked_checksum(&format!("{body}0")).unwrap();
            let full = format!("{body}{}", probe.expected_check());
            assert!(CreditCode::parse(&full).is_ok(), "{full}");
        }
    }

    #[test]
    fn serde_admits_overridden_codes_but_not_bad_shapes() {
        let code: CreditCode = serde_json::from_str("\"91350100M000100Y44\"").unwrap();
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"91350100M000100Y44\"");
        assert!(serde_json::from_str::<CreditCode>("\"91350100M00010\"").is_err());
    }
}
