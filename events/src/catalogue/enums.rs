//! The domain's closed enumerations: unit kinds, statuses, review stages and outcomes,
//! evaluation grades and roles.

use super::labelled::labelled_enum;

labelled_enum! {
    /// What kind of unit a designation is about (DESIGN.md §1, Units).
    UnitKind, what = "unit kind" {
        /// A county-level division, identified by its GB/T 2260 code.
        County = "COUNTY", "县(市、区)";
        /// A development zone listed in 中国开发区审核公告目录, identified by its catalogue name.
        DevelopmentZone = "DEVELOPMENT_ZONE", "开发园区";
        /// An industrial concentration zone, identified by name and county code.
        IndustrialZone = "INDUSTRIAL_ZONE", "工业集中区";
        /// An enterprise, identified by its unified social credit code.
        Enterprise = "ENTERPRISE", "企业";
    }
}

impl UnitKind {
    /// Region kinds are judged on manufacturing share and GDP/revenue; enterprises on
    /// revenue or market-share rank.
    pub const fn is_region(self) -> bool {
        !matches!(self, UnitKind::Enterprise)
    }

    /// Zones are identified by their name within their city.
    pub const fn is_zone(self) -> bool {
        matches!(self, UnitKind::DevelopmentZone | UnitKind::IndustrialZone)
    }
}

labelled_enum! {
    /// Where a designation stands in its lifecycle.
    Status, what = "status" {
        Pilot = "PILOT", "试点";
        Recommended = "RECOMMENDED", "已推荐";
        Awarded = "AWARDED", "已授牌";
        Delisted = "DELISTED", "已摘牌";
        PilotRevoked = "PILOT_REVOKED", "试点已撤销";
    }
}

labelled_enum! {
    /// The review stages, in the order they must be passed (declaration order, also `Ord`).
    ReviewStage, what = "review stage" {
        Material = "MATERIAL", "材料审查";
        Expert = "EXPERT", "专家评审";
        SiteInspection = "SITE_INSPECTION", "现场察看";
        PublicNotice = "PUBLIC_NOTICE", "社会公示";
    }
}

impl ReviewStage {
    /// The first stage of every attempt.
    pub const FIRST: Self = ReviewStage::Material;

    /// 0 for the first stage, 3 for the last.
    pub const fn ordinal(self) -> usize {
        self as usize
    }

    /// The stage after this one, `None` after the public notice.
    pub fn next(self) -> Option<Self> {
        Self::ALL.get(self.ordinal() + 1).copied()
    }
}

labelled_enum! {
    /// The outcome of one review stage.
    ReviewOutcome, what = "review outcome" {
        Passed = "PASSED", "通过";
        Failed = "FAILED", "未通过";
    }
}

labelled_enum! {
    /// The grade of an annual performance evaluation (绩效评价).
    Grade, what = "grade" {
        Excellent = "EXCELLENT", "优秀";
        Good = "GOOD", "良好";
        Pass = "PASS", "合格";
        Fail = "FAIL", "不合格";
    }
}

labelled_enum! {
    /// What an access token may do (DESIGN.md §1, Who may do what).
    Role, what = "role" {
        Provincial = "PROVINCIAL", "省发展改革委";
        City = "CITY", "设区市发展改革委";
        Auditor = "AUDITOR", "审计";
        Reader = "READER", "其他政府系统";
    }
}

labelled_enum! {
    /// The sector of a unit (policy §三(三), §四(四) 主要行业领域): one or more per unit, beside
    /// its free-text industries.
    Sector, what = "sector" {
        NewEnergyEquipment = "NEW_ENERGY_EQUIPMENT", "新型电力(新能源)装备";
        AdvancedMaterials = "ADVANCED_MATERIALS", "前沿新材料";
        MarineEquipment = "MARINE_EQUIPMENT", "海工装备和高技术船舶";
        HighEndEquipment = "HIGH_END_EQUIPMENT", "高端装备";
        Biomedicine = "BIOMEDICINE", "生物医药和新型医疗器械";
        IntegratedCircuits = "INTEGRATED_CIRCUITS", "集成电路";
        Automotive = "AUTOMOTIVE", "汽车及零部件(含新能源汽车)";
        InternetServices = "INTERNET_SERVICES", "互联网";
        FinancialServices = "FINANCIAL_SERVICES", "金融";
        Logistics = "LOGISTICS", "物流";
        NewGenerationIt = "NEW_GENERATION_IT", "新一代信息技术(5G、大数据、工业互联网、人工智能)";
        GreenLowCarbon = "GREEN_LOW_CARBON", "绿色低碳(新能源、节能环保)";
        Other = "OTHER", "其他";
    }
}

labelled_enum! {
    /// What a delisting (摘牌) rests on.
    DelistGround, what = "delisting ground" {
        /// 经评价不符合标准: the named year's evaluation was graded FAIL (不合格).
        FailedEvaluation = "FAILED_EVALUATION", "经评价不符合标准";
        /// Any other ground, stated in the reason (e.g. 重大违法违规, the unit no longer exists).
        Other = "OTHER", "其他";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_and_labels() {
        assert_eq!(UnitKind::IndustrialZone.as_str(), "INDUSTRIAL_ZONE");
        assert_eq!(UnitKind::IndustrialZone.label_zh(), "工业集中区");
        assert_eq!(Status::PilotRevoked.as_str(), "PILOT_REVOKED");
        assert_eq!(Status::PilotRevoked.label_zh(), "试点已撤销");
        assert_eq!(Grade::Fail.label_zh(), "不合格");
        assert_eq!(Role::City.label_zh(), "设区市发展改革委");
        assert_eq!(
            serde_json::to_string(&ReviewStage::SiteInspection).unwrap(),
            "\"SITE_INSPECTION\""
        );
        assert_eq!(
            serde_json::from_str::<Role>("\"AUDITOR\"").unwrap(),
            Role::Auditor
        );
        assert!(serde_json::from_str::<Role>("\"auditor\"").is_err());
    }

    #[test]
    fn parse_names_the_choices() {
        assert_eq!("EXPERT".parse::<ReviewStage>(), Ok(ReviewStage::Expert));
        let err = Grade::parse("OK").unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"OK\" is not a valid grade; use one of EXCELLENT, GOOD, PASS, FAIL"
        );
    }

    #[test]
    fn review_stages_are_ordered() {
        assert_eq!(ReviewStage::FIRST, ReviewStage::Material);
        assert_eq!(ReviewStage::Material.next(), Some(ReviewStage::Expert));
        assert_eq!(ReviewStage::Expert.next(), Some(ReviewStage::SiteInspection));
        assert_eq!(
            ReviewStage::SiteInspection.next(),
            Some(ReviewStage::PublicNotice)
        );
        assert_eq!(ReviewStage::PublicNotice.next(), None);
        assert!(ReviewStage::Material < ReviewStage::PublicNotice);
    }

    #[test]
    fn region_and_zone_kinds() {
        assert!(UnitKind::County.is_region());
        assert!(!UnitKind::Enterprise.is_region());
        assert!(UnitKind::DevelopmentZone.is_zone());
        assert!(!UnitKind::County.is_zone());
    }
}
