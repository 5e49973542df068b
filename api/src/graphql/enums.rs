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
