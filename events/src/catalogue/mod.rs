//! The event catalogue: the domain's value types, every event payload of DESIGN.md §3,
//! the [`DomainEvent`] sum over them with its one decoding (and upcasting) entry point, the
//! stream naming scheme, and [`RecordedEvent`], a decoded event as folds see it.
//!
//! Value types cannot hold invalid values: each is built through a `parse`/`new` that returns
//! a typed error whose message tells a clerk what to fix, and each deserializes through that
//! same validation. Enumerations serialize in `SCREAMING_SNAKE_CASE` as DESIGN.md names them
//! and carry their Chinese label as data (`label_zh`). No payload holds a float: money is
//! integer yuan ([`Yuan`]), shares are basis points ([`BasisPoints`]).

mod bounded;
mod labelled;

mod certificate;
mod city;
mod credit_code;
mod decode;
mod division;
mod domain_event;
mod enums;
mod payloads;
mod quick_read;
mod recorded;
mod secret;
mod streams;
mod string_form;
mod upcast;
mod zone_code;

pub use bounded::{BasisPoints, Batch, MarketShareRank, OutOfRange, Score, Year, Yuan, YuanError};
pub use certificate::{CertificateNo, CertificateNoError};
pub use city::{CityCode, CityCodeError};
pub use credit_code::{CREDIT_CODE_ALPHABET, CreditCode, CreditCodeError};
pub use decode::DecodeError;
pub use division::{DivisionCode, DivisionCodeError};
pub use domain_event::{DomainEvent, EventType};
pub use enums::{DelistGround, Grade, ReviewOutcome, ReviewStage, Role, Sector, Status, UnitKind};
pub use labelled::UnknownVariant;
pub use payloads::{
    AccessGranted, AccessRevoked, AnnualQuotaSet, Awarded, Commended, Decision, DecisionRetracted, Delisted,
    EvaluationRecorded, Figures, IndicatorFigures, IndicatorsReported, NotSelected, PilotListed,
    PilotRevoked, RecommendationWithdrawn, Recommended, ReviewRecorded, SubsidyGranted, UnitAmended,
};
pub use recorded::{CanonicalEnvelope, RecordedEvent};
pub use secret::{SecretSha256, SecretSha256Error};
pub use streams::{ACCESS_STREAM, StreamRef, quota_stream, unit_stream};
pub use upcast::county_from_identifiers;
pub use zone_code::{ZoneCode, ZoneCodeError};

#[cfg(test)]
mod tests;
