//! Seed 002's leaderboards: users, agents, workspaces or features ranked by a score over a range
//! of local days, each with its change of rank against the previous equal-length range, and the
//! caller's own rank.
//!
//! Definitions (the route's documentation states them too):
//! - Scores: `users`, `agents` and `workspaces` by their successful executions in the range;
//!   `features` by the executions tagged with the feature.
//! - Ranked: the entities with at least one execution in the range (so a score of 0, every
//!   execution failed, still ranks, last). Order: score descending, then entity id ascending;
//!   equal scores still get distinct ranks (1, 2, 3, ...).
//! - `change`: the entity's rank in the previous range minus its rank now (positive: it moved
//!   up); `null` when it was not ranked then.
//! - `user_rank`: `users`, the caller's own row; `agents`, the best-ranked of the caller's agents
//!   (owned by the caller, or the agent whose id is the caller for the `agent` role);
//!   `workspaces`, the caller's workspace; `features`, none. `percentile` is the share of ranked
//!   entries strictly below the caller, in percent. `null` when the caller has no ranked entry.
//! - Entities: the users listed by `user.upserted` (`users_by_join`), the agents by
//!   `agent.upserted` (`agents`), the feature tags executions carried (`features`), at most
//!   [`MAX_ENTITIES`] of each; the workspaces are the caller's own and those of the token's
//!   `workspaces` claim, each read in its own zone, and no other.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::agents::{
    Executions, agent_id, agent_name, agent_owner, bounded, listed_agents, previous_range, stored_days, within,
};
use crate::WorkspaceId;
use crate::ports::{RollupStore, StoreError};
use crate::rollup::activity as active;
use crate::rollup::entities::workspace_time_zone;
use crate::rollup::indexes::call_centre::USERS_BY_JOIN;
use crate::rollup::indexes::workspace_analytics::FEATURES;
use crate::rollup::series::{activity, executions, series_key, sessions};
use crate::rollup::{CellKey, Cells, Direction, EntityKey, IndexEntry, SortRange};
use crate::time::{Bucket, DateRange, RangeError, RequestedRange};
use crate::views::read::{self, Reading};
use crate::views::{ViewError, ViewMeta, Viewed, count, load_with_workspace, round_to};

/// The most users, agents or features one leaderboard weighs (in list order).
pub const MAX_ENTITIES: usize = 1_000;
/// Entries shown by default, and at most.
pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 100;

/// What is ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum LeaderboardType {
    Users,
    Agents,
    Workspaces,
    Features,
}

impl LeaderboardType {
    pub fn as_str(self) -> &'static str {
        match self {
            LeaderboardType::Users => "users",
            LeaderboardType::Agents => "agents",
            LeaderboardType::Workspaces => "workspaces",
            LeaderboardType::Features => "features",
        }
    }
}

/// Who asks: their own entry is `user_rank`.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub user_id: &'a str,
    /// The `agent` role: the agent whose id is the caller is theirs.
    pub is_agent: bool,
    /// The token's `workspaces` claim: the other workspaces a `workspaces` board ranks.
    pub workspaces: &'a [WorkspaceId],
}

/// `data` of `leaderboards`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Leaderboard {
    pub leaderboard_type: LeaderboardType,
    /// The best `limit` entries, by rank.
    pub leaderboard: Vec<LeaderboardEntry>,
    /// The caller's own entry; `null` when they have none.
    pub user_rank: Option<LeaderboardUserRank>,
    /// Entities ranked (with at least one execution in the range).
    pub ranked_entries: i64,
    /// The range's first and last local day (the caller's workspace's zone).
    pub start: Date,
    pub end: Date,
    /// The previous range, of equal length, that `change` compares with.
    pub previous_start: Date,
    pub previous_end: Date,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeaderboardEntry {
    /// 1 for the best; equal scores get distinct ranks, by entity id.
    pub rank: i64,
    pub entity_id: String,
    /// The user's full name (else user name), the agent's or workspace's name, the feature tag;
    /// `null` when the entity has none.
    pub entity_name: Option<String>,
    pub score: i64,
    /// Previous rank − this rank (positive: moved up); `null` when unranked before.
    pub change: Option<i64>,
    pub details: LeaderboardDetails,
}

/// What a score is made of, by leaderboard type. In the OpenAPI document each type's fields are
/// all required (nullable where they may be `null`) and no other is allowed, so that exactly one
/// of the `oneOf` matches an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum LeaderboardDetails {
    Users(UserLeaderboardDetails),
    Agents(AgentLeaderboardDetails),
    Workspaces(WorkspaceLeaderboardDetails),
    Features(FeatureLeaderboardDetails),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserLeaderboardDetails {
    /// The user's executions in the range.
    pub executions: i64,
    /// Successful / executions, in percent.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub success_rate: Option<f64>,
    /// In credits.
    pub credits_consumed: f64,
    /// The user's `user.session` events in the range.
    pub sessions: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgentLeaderboardDetails {
    pub executions: i64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub success_rate: Option<f64>,
    /// Mean execution time in seconds.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub avg_execution_time: Option<f64>,
    /// Mean rating of the rated executions; `null` without ratings.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub user_satisfaction: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WorkspaceLeaderboardDetails {
    pub executions: i64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub success_rate: Option<f64>,
    /// Distinct active users in the calendar month of the range's end (MAU), exact.
    pub active_users: i64,
    /// In credits.
    pub credits_consumed: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeatureLeaderboardDetails {
    pub executions: i64,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub success_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeaderboardUserRank {
    pub rank: i64,
    pub score: i64,
    /// Ranked entries strictly below the caller / ranked entries, in percent.
    pub percentile: f64,
}

/// One entity weighed: its score now (`None`: not ranked) and in the previous range.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub name: Option<String>,
    pub now: Option<(i64, LeaderboardDetails)>,
    pub before: Option<i64>,
    /// Whether the entity is the caller's.
    pub mine: bool,
}

/// Higher scores first, then by id.
fn best_first(a: (&str, i64), b: (&str, i64)) -> std::cmp::Ordering {
    b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0))
}

/// The ranked entries (at most `limit` of them), the caller's best one, and how many ranked.
pub fn rank(candidates: Vec<Candidate>, limit: usize) -> (Vec<LeaderboardEntry>, Option<LeaderboardUserRank>, i64) {
    let mut before: Vec<(&str, i64)> =
        candidates.iter().filter_map(|c| c.before.map(|score| (c.id.as_str(), score))).collect();
    before.sort_by(|a, b| best_first(*a, *b));
    let previous_ranks: HashMap<String, i64> =
        before.iter().zip(1..).map(|((id, _), at)| ((*id).to_owned(), at)).collect();
    let mut ranked: Vec<(Candidate, i64, LeaderboardDetails)> = candidates
        .into_iter()
        .filter_map(|mut candidate| {
            let (score, details) = candidate.now.take()?;
            Some((candidate, score, details))
        })
        .collect();
    ranked.sort_by(|(a, x, _), (b, y, _)| best_first((&a.id, *x), (&b.id, *y)));
    let total = ranked.len() as i64;
    let user_rank = ranked.iter().zip(1..).find(|((candidate, ..), _)| candidate.mine).map(|((_, score, _), at)| {
        LeaderboardUserRank {
            rank: at,
            score: *score,
            percentile: round_to(100.0 * (total - at) as f64 / total as f64, 2),
        }
    });
    let entries = ranked
        .into_iter()
        .zip(1..)
        .take(limit)
        .map(|((candidate, score, details), at)| LeaderboardEntry {
            rank: at,
            change: previous_ranks.get(&candidate.id).map(|before| before - at),
            entity_id: candidate.id,
            entity_name: candidate.name,
            score,
            details,
        })
        .collect();
    (entries, user_rank, total)
}

/// The range asked for in `tz`, and the one before it.
fn ranges(requested: RequestedRange, tz: &TimeZone, now: Timestamp) -> Result<(DateRange, DateRange), RangeError> {
    let current = requested.resolve(tz, now, super::agents::DEFAULT_DAYS)?.days;
    Ok((current, previous_range(current)))
}

/// Ranked when it ran at all in the range.
fn ranked(runs: Executions, score: i64) -> Option<i64> {
    (runs.count > 0).then_some(score)
}

fn text(entry: &IndexEntry, field: &str) -> Option<String> {
    entry.data.get(field).and_then(|value| value.as_str()).map(str::to_owned)
}

/// The leaderboard of `kind` over `requested`. Store reads: `users`, `agents` and `features`
/// read the workspace and their list (or tally) at once, then one range read of days per entity
/// spanning both ranges, 16 at a time: 2 + entities. `workspaces` reads each workspace's entity
/// (its zone), then its days and its month's active users at once: 3 per workspace.
pub async fn leaderboard(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    kind: LeaderboardType,
    viewer: Viewer<'_>,
    limit: usize,
    requested: RequestedRange,
    now: Timestamp,
) -> Result<Viewed<Leaderboard>, ViewError> {
    let (tz, (current, previous), candidates) = match kind {
        LeaderboardType::Users => users(store, ws, viewer, requested, now).await?,
        LeaderboardType::Agents => agents(store, ws, viewer, requested, now).await?,
        LeaderboardType::Features => features(store, ws, requested, now).await?,
        LeaderboardType::Workspaces => workspaces(store, ws, viewer, requested, now).await?,
    };
    let (leaderboard, user_rank, ranked_entries) = rank(candidates, limit);
    let body = Leaderboard {
        leaderboard_type: kind,
        leaderboard,
        user_rank: if kind == LeaderboardType::Features { None } else { user_rank },
        ranked_entries,
        start: current.start,
        end: current.end,
        previous_start: previous.start,
        previous_end: previous.end,
    };
    Ok(Viewed { body, meta: ViewMeta::from_rollups(now, &tz, None) })
}

type Weighed = (TimeZone, (DateRange, DateRange), Vec<Candidate>);

/// The workspace's zone and `index`'s entries (at most [`MAX_ENTITIES`]), read at once, then
/// each entry's days of its series over both ranges.
async fn entities_with_days(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    index: &str,
    series_of: impl Fn(&IndexEntry) -> String,
    requested: RequestedRange,
    now: Timestamp,
) -> Result<(TimeZone, (DateRange, DateRange), Vec<(IndexEntry, Vec<(Date, Cells)>)>), ViewError> {
    let all = SortRange::all();
    let ((tz, _), entries) = tokio::try_join!(
        load_with_workspace(store, ws, &[]),
        store.read_index(ws, index, &all, Direction::Ascending, MAX_ENTITIES),
    )?;
    let (current, previous) = ranges(requested, &tz, now)?;
    let series: Vec<String> = entries.iter().map(series_of).collect();
    let reads: Vec<_> =
        series.iter().map(|series| stored_days(store, ws, series, previous.start, current.end)).collect();
    let days = bounded(reads).await?;
    Ok((tz, (current, previous), entries.into_iter().zip(days).collect()))
}

async fn users(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    viewer: Viewer<'_>,
    requested: RequestedRange,
    now: Timestamp,
) -> Result<Weighed, ViewError> {
    let user_of = |entry: &IndexEntry| text(entry, "user_id").unwrap_or_else(|| entry.id.clone());
    let series_of = |entry: &IndexEntry| series_key(activity::USER, &[&user_of(entry)]);
    let (tz, (current, previous), read) =
        entities_with_days(store, ws, &USERS_BY_JOIN.key(&[]), series_of, requested, now).await?;
    let series = &executions::BY_USER;
    let candidates = read
        .into_iter()
        .map(|(entry, days)| {
            let (runs, before) = (within(series, &days, current), within(series, &days, previous));
            let sessions = days
                .iter()
                .filter(|(day, _)| (current.start..=current.end).contains(day))
                .map(|(_, cells)| Reading::of_series(&sessions::BY_USER, Some(cells)).count())
                .sum();
            let details = LeaderboardDetails::Users(UserLeaderboardDetails {
                executions: runs.count,
                success_rate: runs.success_rate(),
                credits_consumed: runs.credits(),
                sessions,
            });
            let id = user_of(&entry);
            Candidate {
                mine: id == viewer.user_id,
                name: text(&entry, "full_name").or_else(|| text(&entry, "user_name")),
                now: ranked(runs, runs.succeeded).map(|score| (score, details)),
                before: ranked(before, before.succeeded),
                id,
            }
        })
        .collect();
    Ok((tz, (current, previous), candidates))
}

async fn agents(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    viewer: Viewer<'_>,
    requested: RequestedRange,
    now: Timestamp,
) -> Result<Weighed, ViewError> {
    let series = &executions::BY_AGENT;
    let ((tz, _), listed) = tokio::try_join!(load_with_workspace(store, ws, &[]), listed_agents(store, ws))?;
    let (current, previous) = ranges(requested, &tz, now)?;
    let keys: Vec<String> = listed.iter().map(|entry| series_key(series.name, &[agent_id(entry)])).collect();
    let reads: Vec<_> = keys.iter().map(|key| stored_days(store, ws, key, previous.start, current.end)).collect();
    let days = bounded(reads).await?;
    let candidates = listed
        .iter()
        .zip(days)
        .map(|(entry, days)| {
            let (runs, before) = (within(series, &days, current), within(series, &days, previous));
            let details = LeaderboardDetails::Agents(AgentLeaderboardDetails {
                executions: runs.count,
                success_rate: runs.success_rate(),
                avg_execution_time: runs.avg_seconds(),
                user_satisfaction: runs.satisfaction(),
            });
            let id = agent_id(entry).to_owned();
            let owned = agent_owner(entry).is_some_and(|owner| owner == viewer.user_id);
            Candidate {
                mine: owned || (viewer.is_agent && id == viewer.user_id),
                name: agent_name(entry),
                now: ranked(runs, runs.succeeded).map(|score| (score, details)),
                before: ranked(before, before.succeeded),
                id,
            }
        })
        .collect();
    Ok((tz, (current, previous), candidates))
}

async fn features(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    requested: RequestedRange,
    now: Timestamp,
) -> Result<Weighed, ViewError> {
    let series = &executions::BY_FEATURE;
    let tally = FEATURES.key(&[]);
    let ((tz, _), tags) =
        tokio::try_join!(load_with_workspace(store, ws, &[]), read::members(store, ws, &tally, MAX_ENTITIES),)?;
    let tags: Vec<String> = tags.iter().filter_map(|entry| text(entry, "feature")).collect();
    let (current, previous) = ranges(requested, &tz, now)?;
    let keys: Vec<String> = tags.iter().map(|tag| series_key(series.name, &[tag])).collect();
    let reads: Vec<_> = keys.iter().map(|key| stored_days(store, ws, key, previous.start, current.end)).collect();
    let days = bounded(reads).await?;
    let candidates = tags
        .into_iter()
        .zip(days)
        .map(|(tag, days)| {
            let (runs, before) = (within(series, &days, current), within(series, &days, previous));
            let details = LeaderboardDetails::Features(FeatureLeaderboardDetails {
                executions: runs.count,
                success_rate: runs.success_rate(),
            });
            Candidate {
                name: Some(tag.clone()),
                id: tag,
                now: ranked(runs, runs.count).map(|score| (score, details)),
                before: ranked(before, before.count),
                mine: false,
            }
        })
        .collect();
    Ok((tz, (current, previous), candidates))
}

/// One workspace weighed in its own zone: its zone, ranges and candidate.
async fn workspace(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    mine: bool,
    requested: RequestedRange,
    now: Timestamp,
) -> Result<(TimeZone, (DateRange, DateRange), Candidate), ViewError> {
    let entities = store.load_entities(ws, &[EntityKey::workspace()]).await?;
    let record = entities.get(&EntityKey::workspace());
    let tz = workspace_time_zone(record);
    let (current, previous) = ranges(requested, &tz, now)?;
    let month = CellKey::new(active::SERIES, Bucket::month_of(current.end));
    let (days, monthly) = tokio::try_join!(
        stored_days(store, ws, activity::WORKSPACE, previous.start, current.end),
        store.read_cells(ws, std::slice::from_ref(&month)),
    )?;
    let series = &executions::WORKSPACE;
    let (runs, before) = (within(series, &days, current), within(series, &days, previous));
    let active_users =
        count(monthly.get(&month).and_then(|cells| cells.get(active::field::USERS)).copied().unwrap_or(0));
    let details = LeaderboardDetails::Workspaces(WorkspaceLeaderboardDetails {
        executions: runs.count,
        success_rate: runs.success_rate(),
        active_users,
        credits_consumed: runs.credits(),
    });
    let candidate = Candidate {
        id: ws.to_string(),
        name: record.and_then(|record| record.str("name")).map(str::to_owned),
        now: ranked(runs, runs.succeeded).map(|score| (score, details)),
        before: ranked(before, before.succeeded),
        mine,
    };
    Ok((tz, (current, previous), candidate))
}

async fn workspaces(
    store: &dyn RollupStore,
    ws: &WorkspaceId,
    viewer: Viewer<'_>,
    requested: RequestedRange,
    now: Timestamp,
) -> Result<Weighed, ViewError> {
    let mut ids: Vec<&WorkspaceId> = vec![ws];
    for other in viewer.workspaces {
        if !ids.contains(&other) {
            ids.push(other);
        }
    }
    let reads: Vec<_> = ids.iter().map(|id| workspace(store, id, *id == ws, requested, now)).collect();
    let weighed = bounded(reads).await?;
    let mut weighed = weighed.into_iter();
    let Some((tz, ranges, own)) = weighed.next() else {
        return Err(StoreError::Corrupt("no workspace weighed".to_owned()).into());
    };
    let candidates = std::iter::once(own).chain(weighed.map(|(_, _, candidate)| candidate)).collect();
    Ok((tz, ranges, candidates))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: &str, now: Option<i64>, before: Option<i64>, mine: bool) -> Candidate {
        let details = LeaderboardDetails::Features(FeatureLeaderboardDetails { executions: 0, success_rate: None });
        Candidate { id: id.into(), name: None, now: now.map(|score| (score, details)), before, mine }
    }

    #[test]
    fn equal_scores_get_distinct_ranks_by_id_and_change_is_the_rank_gained() {
        let (entries, me, total) = rank(
            vec![
                candidate("c", Some(5), Some(9), false),
                candidate("a", Some(5), None, true),
                candidate("b", Some(7), Some(1), false),
                candidate("d", None, Some(4), false),
            ],
            10,
        );
        let seen: Vec<(i64, &str, i64, Option<i64>)> =
            entries.iter().map(|e| (e.rank, e.entity_id.as_str(), e.score, e.change)).collect();
        // Before: c 1st (9), d 2nd (4), b 3rd (1). Now: b (7), then a and c (5) by id.
        assert_eq!(seen, vec![(1, "b", 7, Some(2)), (2, "a", 5, None), (3, "c", 5, Some(-2))]);
        assert_eq!(total, 3, "d did not run in the range: unranked");
        assert_eq!(me, Some(LeaderboardUserRank { rank: 2, score: 5, percentile: 33.33 }));
    }

    #[test]
    fn the_limit_cuts_the_list_but_not_the_callers_rank() {
        let (entries, me, total) =
            rank(vec![candidate("x", Some(3), None, false), candidate("y", Some(1), None, true)], 1);
        assert_eq!(entries.len(), 1);
        assert_eq!((me.map(|me| (me.rank, me.percentile)), total), (Some((2, 0.0)), 2));
        let (_, nobody, _) = rank(vec![candidate("x", Some(3), None, false), candidate("y", None, None, true)], 5);
        assert_eq!(nobody, None, "no ranked entry of the caller's");
    }
}
