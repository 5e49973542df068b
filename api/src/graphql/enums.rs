//! The domain's enumerations as GraphQL enums (names as DESIGN.md §1 gives them); each
//! object that carries one also carries its Chinese label.

use async_graphql::Enum;
use liangye_events::catalogue as c;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "c::UnitKind")]
pub enum UnitKind {
    County,
    DevelopmentZone,
    IndustrialZone,
    Enterprise,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "c::Status")]
pub enum Status {
    Pilot,
    Recommended,
    Awarded,
    Delisted,
    PilotRevoked,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "c::ReviewStage")]
pub enum ReviewStage {
    Material,
    Expert,
    SiteInspection,
    PublicNotice,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "c::ReviewOutcome")]
pub enum ReviewOutcome {
    Passed,
    Failed,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "c::Grade")]
pub enum Grade {
    Excellent,
    Good,
    Pass,
    Fail,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "c::Role")]
pub enum Role {
    Provincial,
    City,
    Auditor,
    Reader,
}

/// 主要行业领域 (policy §三(三)); each object carrying sectors also carries their labels.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "c::Sector")]
pub enum Sector {
    /// 新型电力(新能源)装备
    NewEnergyEquipment,
    /// 前沿新材料
    AdvancedMaterials,
    /// 海工装备和高技术船舶
    MarineEquipment,
    /// 高端装备
    HighEndEquipment,
    /// 生物医药和新型医疗器械
    Biomedicine,
    /// 集成电路
    IntegratedCircuits,
    /// 汽车及零部件(含新能源汽车)
    Automotive,
    /// 互联网
    InternetServices,
    /// 金融
    FinancialServices,
    /// 物流
    Logistics,
    /// 新一代信息技术(5G、大数据、工业互联网、人工智能)
    #[graphql(name = "NEW_GENERATION_IT")]
    NewGenerationIt,
    /// 绿色低碳(新能源、节能环保)
    GreenLowCarbon,
    /// 其他
    Other,
}

/// What a delisting (摘牌) rests on.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "c::DelistGround")]
pub enum DelistGround {
    /// 经评价不符合标准: the named year's evaluation was graded FAIL (不合格).
    FailedEvaluation,
    /// 其他: the reason says why (e.g. 重大违法违规, the unit no longer exists).
    Other,
}
