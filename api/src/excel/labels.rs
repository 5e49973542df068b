//! The cells of a pilot list name kinds, cities and sectors by their Chinese labels (the
//! template's drop-down lists: 企业, 苏州, 集成电路) or by their codes (`ENTERPRISE`,
//! `320500`, `INTEGRATED_CIRCUITS`). These readers turn a cell into the code the
//! `listPilot` mutation takes; whether the code is acceptable is the mutation's own parsers'
//! and `decide`'s business.

use liangye_events::catalogue::{CityCode, Sector, UnitKind};
use liangye_projections::decision_state::zone_name_key;

/// The separators between several sectors or industries in one cell: 、 as the template
/// says, and the commas and semicolons people type anyway.
const SEPARATORS: &[char] = &['、', ',', '，', ';', '；', '\n'];

/// A label as it is compared: without whitespace, full-width parentheses as ASCII ones (the
/// form a zone name's identity is judged on).
fn key(text: &str) -> String {
    zone_name_key(text)
}

/// The kinds' labels, in the template's order.
pub fn kind_labels() -> Vec<&'static str> {
    UnitKind::ALL.iter().map(|k| k.label_zh()).collect()
}

/// The cities' names, in code order.
pub fn city_labels() -> Vec<&'static str> {
    CityCode::all().map(CityCode::name).collect()
}

/// The sectors' labels, in the catalogue's order.
pub fn sector_labels() -> Vec<&'static str> {
    Sector::ALL.iter().map(|s| s.label_zh()).collect()
}

/// A kind from its label (县(市、区), 开发园区, 工业集中区, 企业; also 县, 县级市, 区) or its
/// code (`COUNTY` …). The reason is Chinese.
pub fn kind(text: &str) -> Result<UnitKind, String> {
    let wanted = key(text);
    let found = UnitKind::ALL.iter().copied().find(|k| {
        key(k.label_zh()) == wanted
            || k.as_str().eq_ignore_ascii_case(&wanted)
            || (*k == UnitKind::County
                && ["县", "县级市", "区", "县(市、区)", "县市区"].contains(&wanted.as_str()))
            || (*k == UnitKind::DevelopmentZone && ["开发区", "开发园区"].contains(&wanted.as_str()))
    });
    found.ok_or_else(|| {
        format!(
            "“{}”不是单位类型：应为 {} 之一（或代码 COUNTY、DEVELOPMENT_ZONE、INDUSTRIAL_ZONE、ENTERPRISE）",
            text.trim(),
            kind_labels().join("、")
        )
    })
}

/// A city from its name (苏州, 苏州市) or its 6-digit code (320500). The reason is Chinese.
pub fn city(text: &str) -> Result<CityCode, String> {
    let wanted = key(text);
    let name = wanted.strip_suffix('市').unwrap_or(&wanted);
    CityCode::all()
        .find(|c| c.name() == name || c.code() == wanted)
        .ok_or_else(|| {
            format!(
                "“{}”不是江苏省的设区市：应为 {} 之一，或其 6 位代码（如 320500）",
                text.trim(),
                city_labels().join("、")
            )
        })
}

/// The names a sector goes by: its label, the label without its parenthetical (新一代信息技术,
/// 绿色低碳), and its code.
fn sector_names(sector: Sector) -> Vec<String> {
    let label = key(sector.label_zh());
    let mut names = vec![label.clone(), sector.as_str().to_owned()];
    if let Some((short, _)) = label.split_once('(') {
        names.push(short.to_owned());
    }
    names
}

/// One or more sectors, separated by 、 (labels may themselves hold 、, as
/// 新一代信息技术(5G、大数据、工业互联网、人工智能) does: the longest name that matches is taken
/// first). Blank is none. The reason is Chinese.
pub fn sectors(text: &str) -> Result<Vec<Sector>, String> {
    let cell = key(text);
    let mut names: Vec<(String, Sector)> = Sector::ALL
        .iter()
        .flat_map(|s| sector_names(*s).into_iter().map(move |n| (n, *s)))
        .collect();
    names.sort_by_key(|(name, _)| std::cmp::Reverse(name.chars().count()));
    let mut found = Vec::new();
    let mut rest = cell.as_str();
    loop {
        rest = rest.trim_start_matches(SEPARATORS);
        if rest.is_empty() {
            return Ok(found);
        }
        let matched = names.iter().find(|(name, _)| {
            starts_with_name(rest, name)
                && rest[name.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| SEPARATORS.contains(&c))
        });
        match matched {
            Some((name, sector)) => {
                if !found.contains(sector) {
                    found.push(*sector);
                }
                rest = &rest[name.len()..];
            }
            None => {
                let unknown = rest.split(SEPARATORS).next().unwrap_or(rest);
                return Err(format!(
                    "“{unknown}”不是行业领域：应为 {} 中的一个或多个（多个以、分隔），或其代码",
                    sector_labels().join("；")
                ));
            }
        }
    }
}

/// `text` begins with `name`, ASCII letters compared without case (codes may be typed in
/// lower case).
fn starts_with_name(text: &str, name: &str) -> bool {
    text.len() >= name.len()
        && text.is_char_boundary(name.len())
        && text[..name.len()].eq_ignore_ascii_case(name)
}

/// Free-text items separated by 、 (行业描述), blanks dropped.
pub fn items(text: &str) -> Vec<String> {
    text.split(SEPARATORS)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_label_or_code() {
        assert_eq!(kind("企业"), Ok(UnitKind::Enterprise));
        assert_eq!(kind(" 县（市、区） "), Ok(UnitKind::County));
        assert_eq!(kind("development_zone"), Ok(UnitKind::DevelopmentZone));
        assert!(kind("公司").unwrap_err().contains("“公司”不是单位类型"));
    }

    #[test]
    fn cities_by_name_or_code() {
        assert_eq!(city("苏州"), Ok(CityCode::Suzhou));
        assert_eq!(city("苏州市"), Ok(CityCode::Suzhou));
        assert_eq!(city("320500"), Ok(CityCode::Suzhou));
        assert_eq!(city("连云港市"), Ok(CityCode::Lianyungang));
        assert!(city("上海").unwrap_err().contains("不是江苏省的设区市"));
    }

    #[test]
    fn sectors_with_enumeration_commas_inside_labels() {
        assert_eq!(
            sectors("新一代信息技术(5G、大数据、工业互联网、人工智能)、集成电路"),
            Ok(vec![Sector::NewGenerationIt, Sector::IntegratedCircuits])
        );
        assert_eq!(
            sectors("集成电路，绿色低碳; integrated_circuits"),
            Ok(vec![Sector::IntegratedCircuits, Sector::GreenLowCarbon])
        );
        assert_eq!(
            sectors("汽车及零部件（含新能源汽车）"),
            Ok(vec![Sector::Automotive])
        );
        assert_eq!(sectors("  "), Ok(vec![]));
        let error = sectors("集成电路、芯片设计").unwrap_err();
        assert!(error.starts_with("“芯片设计”不是行业领域"), "{error}");
        // A label's prefix is not the label.
        assert!(sectors("金融科技").is_err());
    }

    #[test]
    fn items_split_on_enumeration_commas() {
        assert_eq!(items("智能制造、 工业互联网、"), ["智能制造", "工业互联网"]);
    }
}
