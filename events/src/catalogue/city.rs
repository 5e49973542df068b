//! Jiangsu's 13 cities (设区市), by their GB/T 2260 code.

use std::fmt;

use super::string_form::string_form;

/// A code that is not one of Jiangsu's 13 city codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a Jiangsu city code; use one of 320100 南京, 320200 无锡, 320300 徐州, \
     320400 常州, 320500 苏州, 320600 南通, 320700 连云港, 320800 淮安, 320900 盐城, \
     321000 扬州, 321100 镇江, 321200 泰州, 321300 宿迁"
)]
pub struct CityCodeError(pub String);

/// One of Jiangsu's 13 cities (设区市). Serializes as its 6-digit code, e.g. `"320100"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CityCode {
    Nanjing,
    Wuxi,
    Xuzhou,
    Changzhou,
    Suzhou,
    Nantong,
    Lianyungang,
    Huaian,
    Yancheng,
    Yangzhou,
    Zhenjiang,
    Taizhou,
    Suqian,
}

/// (city, code, Chinese name), in code order.
const CITIES: [(CityCode, &str, &str); 13] = [
    (CityCode::Nanjing, "320100", "南京"),
    (CityCode::Wuxi, "320200", "无锡"),
    (CityCode::Xuzhou, "320300", "徐州"),
    (CityCode::Changzhou, "320400", "常州"),
    (CityCode::Suzhou, "320500", "苏州"),
    (CityCode::Nantong, "320600", "南通"),
    (CityCode::Lianyungang, "320700", "连云港"),
    (CityCode::Huaian, "320800", "淮安"),
    (CityCode::Yancheng, "320900", "盐城"),
    (CityCode::Yangzhou, "321000", "扬州"),
    (CityCode::Zhenjiang, "321100", "镇江"),
    (CityCode::Taizhou, "321200", "泰州"),
    (CityCode::Suqian, "321300", "宿迁"),
];

impl CityCode {
    /// All 13 cities, in code order.
    pub fn all() -> impl ExactSizeIterator<Item = CityCode> {
        CITIES.iter().map(|(city, _, _)| *city)
    }

    /// Parses a 6-digit city code; surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<Self, CityCodeError> {
        let code = text.trim();
        CITIES
            .iter()
            .find(|(_, c, _)| *c == code)
            .map(|(city, _, _)| *city)
            .ok_or_else(|| CityCodeError(text.to_owned()))
    }

    /// The city whose code is `number` (e.g. `320100`).
    pub fn from_number(number: u32) -> Option<Self> {
        let index = number.checked_sub(320_100)?;
        if index % 100 != 0 {
            return None;
        }
        CITIES
            .get(usize::try_from(index / 100).ok()?)
            .map(|(city, _, _)| *city)
    }

    /// The 6-digit code, e.g. `"320100"`.
    pub const fn code(self) -> &'static str {
        CITIES[self as usize].1
    }

    /// The code as a number, e.g. `320100`.
    pub const fn number(self) -> u32 {
        320_100 + 100 * self as u32
    }

    /// The Chinese name, e.g. `南京`.
    pub const fn name(self) -> &'static str {
        CITIES[self as usize].2
    }
}

impl fmt::Display for CityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

string_form!(CityCode, deserialize = CityCode::parse, from_str = CityCodeError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirteen_cities_with_codes_and_names() {
        assert_eq!(CityCode::all().len(), 13);
        let listed: Vec<String> = CityCode::all()
            .map(|c| format!("{} {}", c.code(), c.name()))
            .collect();
        assert_eq!(listed.first().map(String::as_str), Some("320100 南京"));
        assert_eq!(listed.last().map(String::as_str), Some("321300 宿迁"));
        for city in CityCode::all() {
            assert_eq!(city.code(), city.number().to_string());
            assert_eq!(CityCode::parse(city.code()), Ok(city));
            assert_eq!(CityCode::from_number(city.number()), Some(city));
        }
        assert_eq!(CityCode::parse("320700").map(CityCode::name), Ok("连云港"));
    }

    #[test]
    fn other_codes_are_refused() {
        for bad in ["320000", "321400", "310100", "32010", "3201000", "", "南京"] {
            assert!(CityCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(CityCode::from_number(320_150), None);
        assert_eq!(CityCode::from_number(321_400), None);
        assert_eq!(CityCode::from_number(320_000), None);
        let message = CityCode::parse("310100").unwrap_err().to_string();
        assert!(message.contains("\"310100\" is not a Jiangsu city code"));
        assert!(message.contains("321300 宿迁"));
    }

    #[test]
    fn serde_is_the_code_string() {
        assert_eq!(serde_json::to_string(&CityCode::Suzhou).unwrap(), "\"320500\"");
        assert_eq!(
            serde_json::from_str::<CityCode>("\"321200\"").unwrap(),
            CityCode::Taizhou
        );
        assert!(serde_json::from_str::<CityCode>("320100").is_err());
        assert!(serde_json::from_str::<CityCode>("\"320000\"").is_err());
    }
}
