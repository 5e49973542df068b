//! Queries (DESIGN.md §4).

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use liangye_events::catalogue::{Batch, CityCode, DivisionCode, Year};
use liangye_events::hash::Hash;
use liangye_projections::applications::ApplicationFilter;
use liangye_projections::registry::{Designation as Unit, DesignationFilter, PageRequest, encode_cursor};
use liangye_projections::statistics::Statistics as DomainStatistics;
use liangye_services::live::DesignationsPage;
use liangye_services::log_search::{self, EventFilter, EventSearch};
use uuid::Uuid;

use liangye_projections::policy::Action;

use super::auth::require;
use super::enums::{Role, Sector, Status, UnitKind};
use super::error::{ApiError, ApiResult};
use super::read::{AsOfInput, live_error, moment};
use super::reads::{
    Application, ApplicationConnection, ApplicationFilterInput, CityYearCount, CountyCount, EvaluationCount,
    MonitoringCount, SectorCount, SubsidyTotal, application_cursor,
};
use super::scalars::{Date, YuanScalar};
use super::state::AppState;
use super::types::{Designation, Event, parse_time};

/// Which designations to list; every given criterion must hold.
#[derive(async_graphql::InputObject, Default)]
#[graphql(name = "DesignationFilter")]
pub struct DesignationFilterInput {
    pub city_code: Option<String>,
    pub kind: Option<UnitKind>,
    pub status: Option<Status>,
    pub award_year: Option<i64>,
    pub name_contains: Option<String>,
    /// Units with this sector among theirs.
    pub sector: Option<Sector>,
    /// Units in this county-level division (6 digits).
    pub county_code: Option<String>,
    pub pilot_batch: Option<i64>,
    /// Units whose attempt in progress is of this year (see `recommendedYear`; every
    /// recommendation of a year, whatever became of it, is in `applications`).
    pub recommended_year: Option<i64>,
    /// Units with an event after this log position: remember the `position` of an answer
    /// and ask for what changed after it to sync incrementally.
    pub changed_after: Option<i64>,
}

#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

#[derive(SimpleObject)]
pub struct DesignationEdge {
    pub cursor: String,
    pub node: Designation,
}

/// A page of designations. Edges and nodes are built only when the query selects them; when
/// they select `history`, the page's histories are read from the log in one query.
pub struct DesignationConnection {
    pub items: Vec<Unit>,
    /// The moment the page is as of (`None`: the live head), carried by every node.
    pub as_of: Option<i64>,
    pub page_info: PageInfo,
    pub total_count: i64,
    pub position: i64,
}

impl DesignationConnection {
    /// The page's units, each with its history when `with_history` (one read for all).
    async fn designations(&self, ctx: &Context<'_>, with_history: bool) -> ApiResult<Vec<Designation>> {
        let mut histories = if with_history {
            let ids: Vec<Uuid> = self.items.iter().map(|u| u.id).collect();
            let state = ctx.data::<AppState>()?;
            Some(state.live.histories(&ids, self.as_of).await.map_err(live_error)?)
        } else {
            None
        };
        Ok(self
            .items
            .iter()
            .map(|unit| Designation {
                unit: unit.clone(),
                as_of: self.as_of,
                history: histories.as_mut().map(|h| h.remove(&unit.id)),
            })
            .collect())
    }
}

/// A connection's GraphQL object: its own `edges` and `nodes` (given), then the fields every
/// page answers with, `pageInfo`, `totalCount` (described by `$total`) and `position`.
macro_rules! connection {
    ($connection:ty, $total:literal, { $($own:tt)* }) => {
        #[async_graphql::Object]
        impl $connection {
            $($own)*

            async fn page_info(&self) -> &PageInfo {
                &self.page_info
            }

            #[doc = $total]
            async fn total_count(&self) -> i64 {
                self.total_count
            }

            /// The log position the answer is as of.
            async fn position(&self) -> i64 {
                self.position
            }
        }
    };
}
pub(super) use connection;

connection!(
    DesignationConnection,
    "How many designations match the filter (at the same moment).",
    {
        async fn edges(&self, ctx: &Context<'_>) -> ApiResult<Vec<DesignationEdge>> {
            let with_history = ctx.look_ahead().field("node").field("history").exists();
            Ok(self
                .designations(ctx, with_history)
                .await?
                .into_iter()
                .map(|node| DesignationEdge {
                    cursor: encode_cursor(node.unit.id),
                    node,
                })
                .collect())
        }

        async fn nodes(&self, ctx: &Context<'_>) -> ApiResult<Vec<Designation>> {
            let with_history = ctx.look_ahead().field("history").exists();
            self.designations(ctx, with_history).await
        }
    }
);

#[derive(SimpleObject)]
pub struct EventEdge {
    pub cursor: String,
    pub node: Event,
}

#[derive(SimpleObject)]
pub struct EventConnection {
    pub edges: Vec<EventEdge>,
    pub nodes: Vec<Event>,
    pub page_info: PageInfo,
}

#[derive(SimpleObject)]
pub struct StatusCount {
    pub status: Status,
    pub status_label: &'static str,
    pub count: i64,
}

#[derive(SimpleObject)]
pub struct CityCount {
    pub city_code: &'static str,
    pub city_name: &'static str,
    pub total: i64,
    pub awarded: i64,
    pub by_status: Vec<StatusCount>,
}

#[derive(SimpleObject)]
pub struct KindCount {
    pub kind: UnitKind,
    pub kind_label: &'static str,
    pub total: i64,
    pub awarded: i64,
}

#[derive(SimpleObject)]
pub struct AwardYearCount {
    pub year: i32,
    /// Awards made in the year.
    pub awarded: i64,
    /// Of those, still AWARDED.
    pub still_awarded: i64,
    /// Of those, delisted since.
    pub delisted: i64,
}

#[derive(SimpleObject)]
pub struct QuotaUse {
    pub year: i32,
    /// The year's quota; null when none was set.
    pub quota: Option<i64>,
    pub used: i64,
    pub remaining: Option<i64>,
}

/// Progress toward the programme's target of 100 benchmarks by 2025.
#[derive(SimpleObject)]
pub struct TargetProgress {
    pub target: i64,
    pub target_year: i64,
    /// Units AWARDED now, whatever their award year.
    pub awarded: i64,
    /// Units AWARDED now with an award year within the programme's period (through
    /// `targetYear`): what the target is judged on.
    pub awarded_in_period: i64,
    /// Units AWARDED now with an award year after the programme's period.
    pub awarded_after_period: i64,
    /// Awards ever made (delisted ones included).
    pub awards_made: i64,
    /// Awards made within the programme's period (delisted ones included).
    pub awards_made_in_period: i64,
    /// `target − awardedInPeriod`, at least 0.
    pub remaining: i64,
    /// Whether `awardedInPeriod` reached the target.
    pub reached: bool,
}

#[derive(SimpleObject)]
pub struct Statistics {
    /// The log position the figures are as of.
    pub position: i64,
    pub total: i64,
    pub by_status: Vec<StatusCount>,
    pub by_city: Vec<CityCount>,
    pub by_kind: Vec<KindCount>,
    pub by_award_year: Vec<AwardYearCount>,
    pub quotas: Vec<QuotaUse>,
    pub target: TargetProgress,
    /// 主要行业领域: all 13 sectors.
    pub by_sector: Vec<SectorCount>,
    /// 地域分布: every county with a unit.
    pub by_county: Vec<CountyCount>,
    /// Awards by city and year.
    pub by_city_year: Vec<CityYearCount>,
    /// 绩效评价 by year and grade.
    pub evaluations: Vec<EvaluationCount>,
    /// 奖励补助 by year and city.
    pub subsidies: Vec<SubsidyTotal>,
    /// 统计监测 by year.
    pub monitoring: Vec<MonitoringCount>,
}

fn status_counts(c: &liangye_projections::statistics::StatusCounts) -> Vec<StatusCount> {
    liangye_events::catalogue::Status::ALL
        .iter()
        .map(|s| StatusCount {
            status: (*s).into(),
            status_label: s.label_zh(),
            count: c.get(*s) as i64,
        })
        .collect()
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl From<DomainStatistics> for Statistics {
    fn from(s: DomainStatistics) -> Self {
        Statistics {
            by_sector: s
                .by_sector
                .iter()
                .map(|c| SectorCount {
                    sector: c.sector.into(),
                    sector_label: c.sector.label_zh(),
                    total: count(c.total),
                    awarded: count(c.by_status.awarded),
                })
                .collect(),
            by_county: s
                .by_county
                .iter()
                .map(|c| CountyCount {
                    county_code: c.county.to_string(),
                    city_code: c.county.city().code(),
                    city_name: c.county.city().name(),
                    total: count(c.total),
                    awarded: count(c.by_status.awarded),
                })
                .collect(),
            by_city_year: s
                .by_city_year
                .iter()
                .map(|c| CityYearCount {
                    city_code: c.city.code(),
                    city_name: c.city.name(),
                    year: c.year.get(),
                    awarded: count(c.counts.awarded),
                    still_awarded: count(c.counts.still_awarded),
                })
                .collect(),
            evaluations: s
                .evaluations
                .iter()
                .map(|e| EvaluationCount {
                    year: e.year.get(),
                    grade: e.grade.into(),
                    grade_label: e.grade.label_zh(),
                    count: count(e.count),
                })
                .collect(),
            subsidies: s
                .subsidies
                .iter()
                .map(|t| SubsidyTotal {
                    year: t.year.get(),
                    city_code: t.city.code(),
                    city_name: t.city.name(),
                    total_yuan: YuanScalar(t.total_yuan.to_string()),
                    count: count(t.count),
                })
                .collect(),
            monitoring: s
                .monitoring
                .iter()
                .map(|m| MonitoringCount {
                    year: m.year.get(),
                    reported: count(m.reported),
                    below_standard: count(m.below_standard),
                })
                .collect(),
            position: s.position,
            total: s.units as i64,
            by_status: status_counts(&s.by_status),
            by_city: s
                .by_city
                .iter()
                .map(|c| CityCount {
                    city_code: c.city.code(),
                    city_name: c.city_name,
                    total: c.total as i64,
                    awarded: c.by_status.awarded as i64,
                    by_status: status_counts(&c.by_status),
                })
                .collect(),
            by_kind: s
                .by_kind
                .iter()
                .map(|k| KindCount {
                    kind: k.kind.into(),
                    kind_label: k.kind.label_zh(),
                    total: k.total as i64,
                    awarded: k.by_status.awarded as i64,
                })
                .collect(),
            by_award_year: s
                .by_award_year
                .iter()
                .map(|y| AwardYearCount {
                    year: y.year.get(),
                    awarded: y.counts.awarded as i64,
                    still_awarded: y.counts.still_awarded as i64,
                    delisted: y.counts.delisted as i64,
                })
                .collect(),
            quotas: s
                .quotas
                .iter()
                .map(|q| QuotaUse {
                    year: q.year.get(),
                    quota: q.quota.map(i64::from),
                    used: q.used as i64,
                    remaining: q.remaining.map(|r| r as i64),
                })
                .collect(),
            target: TargetProgress {
                target: s.target.target as i64,
                target_year: s.target.target_year,
                awarded: s.target.awarded as i64,
                awarded_in_period: s.target.awarded_in_period as i64,
                awarded_after_period: s.target.awarded_after_period as i64,
                awards_made: s.target.awards_made as i64,
                awards_made_in_period: s.target.awards_made_in_period as i64,
                remaining: s.target.remaining as i64,
                reached: s.target.reached,
            },
        }
    }
}

#[derive(SimpleObject)]
pub struct LogHead {
    /// The last position (0 for an empty log).
    pub position: i64,
    /// The RFC 6962 root over leaves 1…position, 64 lowercase hex (the empty-tree hash for 0).
    pub root_hash: String,
    pub recorded_at: Option<DateTime<Utc>>,
}

#[derive(SimpleObject)]
pub struct TreeHead {
    pub size: i64,
    pub root_hash: String,
}

#[derive(SimpleObject)]
pub struct InclusionProof {
    pub position: i64,
    pub tree_size: i64,
    pub leaf_hash: String,
    pub root_hash: String,
    /// RFC 9162 order, lowercase hex.
    pub hashes: Vec<String>,
}

#[derive(SimpleObject)]
pub struct ConsistencyProof {
    pub from_size: i64,
    pub to_size: i64,
    pub from_root: String,
    pub to_root: String,
    /// RFC 9162 order, lowercase hex.
    pub hashes: Vec<String>,
}

#[derive(SimpleObject)]
pub struct Checkpoint {
    pub size: i64,
    pub root_hash: String,
    /// The C2SP signed note (tlog-checkpoint body, Ed25519 signature).
    pub note: String,
    pub signed_at: DateTime<Utc>,
}

/// An access token as the log records it (never its secret).
#[derive(SimpleObject)]
pub struct AccessToken {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub role_label: &'static str,
    pub city_code: Option<&'static str>,
    pub granted_at: i64,
    pub revoked_at: Option<i64>,
    /// Whether it worked at the moment asked about.
    pub active: bool,
}

/// The most events one `events` request reads while looking for a `type`; beyond it the
/// page ends early with `hasNextPage` and an `endCursor` to continue from.
const MAX_EVENT_SCAN: i64 = 10_000;

fn hex(h: &Hash) -> String {
    ::hex::encode(h)
}

pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// The registry: a page of designations in listing order.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity + 1")]
    async fn designations(
        &self,
        ctx: &Context<'_>,
        filter: Option<DesignationFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        as_of: Option<AsOfInput>,
    ) -> ApiResult<DesignationConnection> {
        require(ctx, Action::ReadRegistry)?;
        let state = ctx.data::<AppState>()?;
        let filter = domain_filter(filter.unwrap_or_default())?;
        let page = PageRequest::new(first.map(i64::from), after.as_deref())
            .map_err(|e| ApiError::validation(e.to_string()))?;
        let at = moment(state, as_of).await?;
        let DesignationsPage {
            page,
            total,
            position,
        } = state.live.designations(&filter, page, at);
        let page_info = PageInfo {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.start_cursor(),
            end_cursor: page.end_cursor(),
        };
        Ok(DesignationConnection {
            items: page.items,
            as_of: at,
            page_info,
            total_count: total as i64,
            position,
        })
    }

    /// One designation by its id.
    async fn designation(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        as_of: Option<AsOfInput>,
    ) -> ApiResult<Option<Designation>> {
        require(ctx, Action::ReadRegistry)?;
        let state = ctx.data::<AppState>()?;
        let at = moment(state, as_of).await?;
        Ok(state
            .live
            .designation(id, at)
            .map(|unit| Designation::new(unit, at)))
    }

    /// One designation by a credit code, a county's division code or a zone code.
    async fn designation_by_code(
        &self,
        ctx: &Context<'_>,
        code: String,
        as_of: Option<AsOfInput>,
    ) -> ApiResult<Option<Designation>> {
        require(ctx, Action::ReadRegistry)?;
        let state = ctx.data::<AppState>()?;
        let at = moment(state, as_of).await?;
        let unit = state.live.designation_by_code(&code, at).map_err(live_error)?;
        Ok(unit.map(|unit| Designation::new(unit, at)))
    }

    /// The raw event log (PROVINCIAL and AUDITOR), by position, optionally only what a
    /// filter selects: a stream, a type, who recorded it (`actor`, the token's name), part
    /// of a 文号 (`documentRef`), the date on the decision (`decidedFrom`/`decidedTo`) or
    /// when it was recorded (`recordedFrom`/`recordedTo`), all inclusive. Looking across the
    /// log for anything but a stream reads up to 10,000 events per request, and costs so; a
    /// page that ends early has `hasNextPage` and an `endCursor` to continue from.
    #[graphql(
        complexity = "crate::limits::events_cost(first, stream_id.is_none() && (event_type.is_some() || actor.is_some() || document_ref.is_some() || decided_from.is_some() || decided_to.is_some() || recorded_from.is_some() || recorded_to.is_some()), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn events(
        &self,
        ctx: &Context<'_>,
        after: Option<i64>,
        first: Option<i32>,
        stream_id: Option<String>,
        #[graphql(name = "type")] event_type: Option<String>,
        actor: Option<String>,
        document_ref: Option<String>,
        decided_from: Option<Date>,
        decided_to: Option<Date>,
        recorded_from: Option<DateTime<Utc>>,
        recorded_to: Option<DateTime<Utc>>,
    ) -> ApiResult<EventConnection> {
        require(ctx, Action::ReadLog)?;
        let state = ctx.data::<AppState>()?;
        let first = i64::from(first.unwrap_or(20));
        if !(0..=100).contains(&first) {
            return Err(ApiError::validation(format!("first must be between 0 and 100; got {first}")).into());
        }
        let after = after.unwrap_or(0);
        if after < 0 {
            return Err(ApiError::validation("after must be 0 or more").into());
        }
        let filter = EventFilter {
            stream_id,
            event_type,
            actor,
            document_ref: document_ref.filter(|d| !d.trim().is_empty()),
            decided_from: decided_from.map(|d| d.0),
            decided_to: decided_to.map(|d| d.0),
            recorded_from,
            recorded_to,
        };
        let EventSearch {
            mut items,
            has_next_page,
            scanned_to,
        } = log_search::search(&state.store, &filter, after, first as usize, MAX_EVENT_SCAN)
            .await
            .map_err(ApiError::from)?;
        items.truncate(first as usize);
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: after > 0,
            start_cursor: items.first().map(|e| e.position.to_string()),
            // After a capped scan, continue from where it stopped, not from the last match.
            end_cursor: scanned_to
                .filter(|_| (items.len() as i64) < first)
                .or(items.last().map(|e| e.position))
                .map(|p| p.to_string()),
        };
        let edges = items
            .iter()
            .map(|e| EventEdge {
                cursor: e.position.to_string(),
                node: Event(e.clone()),
            })
            .collect();
        Ok(EventConnection {
            edges,
            nodes: items.into_iter().map(Event).collect(),
            page_info,
        })
    }

    /// The applications (申报): one per recommendation of a unit for a year, with its
    /// figures, every review stage and its result, in (year, unit) order.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity + 1")]
    async fn applications(
        &self,
        ctx: &Context<'_>,
        filter: Option<ApplicationFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        as_of: Option<AsOfInput>,
    ) -> ApiResult<ApplicationConnection> {
        require(ctx, Action::ReadRegistry)?;
        let state = ctx.data::<AppState>()?;
        let filter = ApplicationFilter::try_from(filter.unwrap_or_default())?;
        let first = match first {
            None => 20,
            Some(n) => usize::try_from(n)
                .ok()
                .filter(|n| *n <= 100)
                .ok_or_else(|| ApiError::validation(format!("first must be between 0 and 100; got {n}")))?,
        };
        let after = application_cursor(after.as_deref())?;
        let at = moment(state, as_of).await?;
        let page = state.live.applications(&filter, first, after, at);
        let items = page
            .items
            .into_iter()
            .map(|(application, unit)| Application {
                application,
                designation: Designation::new(unit, at),
            })
            .collect();
        Ok(ApplicationConnection::new(
            items,
            page.has_next_page,
            page.has_previous_page,
            page.total,
            page.position,
        ))
    }

    /// Counts by status, city, kind and award year; quota use; progress toward the target.
    async fn statistics(&self, ctx: &Context<'_>, as_of: Option<AsOfInput>) -> ApiResult<Statistics> {
        require(ctx, Action::ReadRegistry)?;
        let state = ctx.data::<AppState>()?;
        let at = moment(state, as_of).await?;
        Ok(state.live.statistics(at).into())
    }

    /// The head of the log and its Merkle root.
    async fn log_head(&self, ctx: &Context<'_>) -> ApiResult<LogHead> {
        require(ctx, Action::ReadRegistry)?;
        let state = ctx.data::<AppState>()?;
        let head = state.store.head().await.map_err(ApiError::from)?;
        let root = match head.position {
            0 => liangye_events::merkle::empty_tree_hash(),
            n => state.store.tree_root(n).await.map_err(ApiError::from)?,
        };
        Ok(LogHead {
            position: head.position,
            root_hash: hex(&root),
            recorded_at: head.recorded_at.as_deref().map(parse_time).transpose()?,
        })
    }

    /// The Merkle root of the first `size` events (AUDITOR, PROVINCIAL).
    async fn tree_head(&self, ctx: &Context<'_>, size: i64) -> ApiResult<TreeHead> {
        require(ctx, Action::ReadLog)?;
        let state = ctx.data::<AppState>()?;
        let root = state.store.tree_root(size).await.map_err(ApiError::from)?;
        Ok(TreeHead {
            size,
            root_hash: hex(&root),
        })
    }

    /// Proof that the event at `position` is in the tree of `treeSize` (default: the head).
    async fn inclusion_proof(
        &self,
        ctx: &Context<'_>,
        position: i64,
        tree_size: Option<i64>,
    ) -> ApiResult<InclusionProof> {
        require(ctx, Action::ReadLog)?;
        let state = ctx.data::<AppState>()?;
        let p = state
            .store
            .inclusion_proof(position, tree_size)
            .await
            .map_err(ApiError::from)?;
        Ok(InclusionProof {
            position: p.position,
            tree_size: p.tree_size,
            leaf_hash: hex(&p.leaf_hash),
            root_hash: hex(&p.root),
            hashes: p.hashes.iter().map(hex).collect(),
        })
    }

    /// Proof that the tree of `fromSize` is a prefix of the tree of `toSize` (default: head).
    async fn consistency_proof(
        &self,
        ctx: &Context<'_>,
        from_size: i64,
        to_size: Option<i64>,
    ) -> ApiResult<ConsistencyProof> {
        require(ctx, Action::ReadLog)?;
        let state = ctx.data::<AppState>()?;
        let p = state
            .store
            .consistency_proof(from_size, to_size)
            .await
            .map_err(ApiError::from)?;
        Ok(ConsistencyProof {
            from_size: p.from_size,
            to_size: p.to_size,
            from_root: hex(&p.from_root),
            to_root: hex(&p.to_root),
            hashes: p.hashes.iter().map(hex).collect(),
        })
    }

    /// The latest signed checkpoint; null until one is signed.
    async fn checkpoint(&self, ctx: &Context<'_>) -> ApiResult<Option<Checkpoint>> {
        require(ctx, Action::ReadLog)?;
        let state = ctx.data::<AppState>()?;
        let Some(c) = state.store.latest_checkpoint().await.map_err(ApiError::from)? else {
            return Ok(None);
        };
        Ok(Some(Checkpoint {
            size: c.size,
            root_hash: c.root_hash,
            note: c.note,
            signed_at: parse_time(&c.signed_at)?,
        }))
    }

    /// Every access token and what it could do at a moment (AUDITOR, PROVINCIAL).
    async fn access_tokens(
        &self,
        ctx: &Context<'_>,
        as_of: Option<AsOfInput>,
    ) -> ApiResult<Vec<AccessToken>> {
        require(ctx, Action::ReadLog)?;
        let state = ctx.data::<AppState>()?;
        let at = moment(state, as_of).await?;
        Ok(state
            .live
            .tokens(at)
            .into_iter()
            .map(|t| AccessToken {
                id: t.id,
                name: t.name,
                role: t.role.into(),
                role_label: t.role.label_zh(),
                city_code: t.city.map(|c| c.code()),
                granted_at: t.granted_at,
                revoked_at: t.revoked_at,
                active: t.active,
            })
            .collect())
    }
}

fn domain_filter(f: DesignationFilterInput) -> Result<DesignationFilter, ApiError> {
    Ok(DesignationFilter {
        city: f
            .city_code
            .as_deref()
            .map(CityCode::parse)
            .transpose()
            .map_err(|e| ApiError::validation(format!("filter.cityCode: {e}")))?,
        kind: f.kind.map(Into::into),
        status: f.status.map(Into::into),
        award_year: f
            .award_year
            .map(Year::new)
            .transpose()
            .map_err(|e| ApiError::validation(format!("filter.awardYear: {e}")))?,
        name_contains: f.name_contains,
        sector: f.sector.map(Into::into),
        county: f
            .county_code
            .as_deref()
            .map(DivisionCode::parse)
            .transpose()
            .map_err(|e| ApiError::validation(format!("filter.countyCode: {e}")))?,
        pilot_batch: f
            .pilot_batch
            .map(Batch::new)
            .transpose()
            .map_err(|e| ApiError::validation(format!("filter.pilotBatch: {e}")))?,
        recommended_year: f
            .recommended_year
            .map(Year::new)
            .transpose()
            .map_err(|e| ApiError::validation(format!("filter.recommendedYear: {e}")))?,
        changed_after: match f.changed_after {
            Some(p) if p < 0 => return Err(ApiError::validation("filter.changedAfter must be 0 or more")),
            p => p,
        },
    })
}
