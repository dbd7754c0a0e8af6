use std::collections::HashMap;

use async_trait::async_trait;

use crate::WorkspaceId;
use crate::rollup::{CellKey, Cells, CommitPlan, Direction, EntityKey, EntityRecord, IndexEntry, SortRange};
use crate::time::Bucket;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backing service failed or timed out; the operation may be retried.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Concurrent writers kept invalidating the plan.
    #[error("storage contention persisted after {0} attempts")]
    Contention(usize),
    /// Stored data could not be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A write would take a value outside what the store holds (a sum beyond 128 bits, or beyond
    /// DynamoDB's 38 digits). The catalog's bounds make this unreachable; a store refuses such a
    /// write rather than change the value's type.
    #[error("value out of range: {0}")]
    OutOfRange(String),
}

impl StoreError {
    /// Whether trying again later may succeed (the service was down, slow, throttling, or busy
    /// with concurrent writers), as opposed to a fault in the data.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::Contention(_))
    }
}

/// Why a commit applied nothing.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// These event ids are already stored.
    #[error("events already stored: {0:?}")]
    Duplicates(Vec<String>),
    /// These entities no longer have the version the plan expected.
    #[error("entities changed since they were read: {0:?}")]
    StaleEntities(Vec<EntityKey>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A month whose days changed since it was last folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueFold {
    pub workspace: WorkspaceId,
    pub series: String,
    /// A [`Bucket::Month`].
    pub month: Bucket,
    /// Opaque; changes whenever a day of the month is written.
    pub token: String,
}

/// Stored events, rollup cells and entities of every workspace.
///
/// Contract (the suite in `tests/src/contracts/store.rs` checks each point):
/// - Workspaces are disjoint: nothing written for one is ever returned for another.
/// - `commit` is atomic for the event markers, the additive cell fields and the entity writes of
///   a plan: either all apply or none do. It applies nothing and returns
///   [`CommitError::Duplicates`] naming *every* event id of the plan already stored, or
///   [`CommitError::StaleEntities`] naming every entity whose stored version is not the write's
///   `expected` version. Additive fields add to stored values (absent = 0); a sum the store
///   cannot hold fails the whole commit with [`StoreError::OutOfRange`], never changing the
///   stored value's type or precision.
/// - Min/max fields (see [`crate::rollup::Op`]) merge with stored values. They are idempotent, so
///   a store may apply them after the atomic part, but must apply them before `commit` returns
///   `Ok`. A plan with no events and no entities applies only its cells and cannot conflict.
/// - A commit that writes a day bucket makes that day's month due for folding ([`Self::due_folds`]),
///   and the mark is set after every part of the commit (min/max included) is applied, so a fold
///   that clears it has seen the whole commit.
/// - Index changes commit atomically with the rest: `Set` writes the entry whole (its count 0),
///   `Remove` deletes it (absent: nothing to do), `Count` adds its delta to the entry's count
///   (absent: 0) and sets its data.
/// - A plan holds at most [`Self::max_items_per_commit`] items ([`CommitPlan::item_count`]).
/// - Reads see every commit that returned `Ok` before they started.
#[async_trait]
pub trait RollupStore: Send + Sync {
    /// Largest plan [`Self::commit`] accepts (DynamoDB transactions take 100 items).
    fn max_items_per_commit(&self) -> usize;

    /// Which of `ids` are stored, with each one's content hash.
    async fn find_events(&self, ws: &WorkspaceId, ids: &[String]) -> Result<HashMap<String, String>, StoreError>;

    /// The stored records of `keys`; absent keys are left out.
    async fn load_entities(
        &self,
        ws: &WorkspaceId,
        keys: &[EntityKey],
    ) -> Result<HashMap<EntityKey, EntityRecord>, StoreError>;

    async fn commit(&self, ws: &WorkspaceId, plan: &CommitPlan) -> Result<(), CommitError>;

    /// The cells of `keys`; keys never written are left out.
    async fn read_cells(&self, ws: &WorkspaceId, keys: &[CellKey]) -> Result<HashMap<CellKey, Cells>, StoreError>;

    /// Every written bucket of `series` from `from` to `to` inclusive (same grain), in order.
    async fn read_range(
        &self,
        ws: &WorkspaceId,
        series: &str,
        from: Bucket,
        to: Bucket,
    ) -> Result<Vec<(Bucket, Cells)>, StoreError>;

    /// Up to `limit` entries of `index` whose sort key is within `range`, ordered by sort key and
    /// then id in `direction`.
    async fn read_index(
        &self,
        ws: &WorkspaceId,
        index: &str,
        range: &SortRange,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<IndexEntry>, StoreError>;

    /// How many entries of `index` have a sort key within `range`.
    async fn count_index(&self, ws: &WorkspaceId, index: &str, range: &SortRange) -> Result<u64, StoreError>;

    /// Every index entry of a workspace, with its index. For verification; never on a request
    /// path.
    async fn scan_index(&self, ws: &WorkspaceId) -> Result<Vec<(String, IndexEntry)>, StoreError>;

    /// Up to `limit` months due for folding, across workspaces.
    async fn due_folds(&self, limit: usize) -> Result<Vec<DueFold>, StoreError>;

    /// Stores `cells` as the month's folded value and clears the due mark, only if the mark
    /// still carries `fold.token`; returns whether it did. A false return leaves the month due.
    async fn complete_fold(&self, fold: &DueFold, cells: &Cells) -> Result<bool, StoreError>;

    /// Clears the month's due mark without storing a fold, only if the mark still carries
    /// `fold.token`; returns whether it did. The month keeps whatever was stored before. For a
    /// month whose data cannot be folded: a later write to one of its days makes it due again.
    async fn abandon_fold(&self, fold: &DueFold) -> Result<bool, StoreError>;

    /// Every cell of a workspace. For verification and backfills; never on a request path.
    async fn scan_cells(&self, ws: &WorkspaceId) -> Result<Vec<(CellKey, Cells)>, StoreError>;
}
