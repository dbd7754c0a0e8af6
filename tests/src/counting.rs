//! A [`RollupStore`] decorator that counts calls: how tests pin the store calls per route.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use domain::WorkspaceId;
use domain::ports::{CommitError, DueFold, RollupStore, StoreError};
use domain::rollup::{CellKey, Cells, CommitPlan, Direction, EntityKey, EntityRecord, IndexEntry, SortRange};
use domain::time::Bucket;

pub struct CountingStore {
    inner: Arc<dyn RollupStore>,
    calls: AtomicUsize,
}

impl CountingStore {
    pub fn new(inner: Arc<dyn RollupStore>) -> CountingStore {
        CountingStore { inner, calls: AtomicUsize::new(0) }
    }

    /// Calls since the last call to `take`.
    pub fn take(&self) -> usize {
        self.calls.swap(0, Ordering::SeqCst)
    }

    fn count(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl RollupStore for CountingStore {
    fn max_items_per_commit(&self) -> usize {
        self.inner.max_items_per_commit()
    }
    async fn find_events(&self, ws: &WorkspaceId, ids: &[String]) -> Result<HashMap<String, String>, StoreError> {
        self.count();
        self.inner.find_events(ws, ids).await
    }
    async fn load_entities(
        &self,
        ws: &WorkspaceId,
        keys: &[EntityKey],
    ) -> Result<HashMap<EntityKey, EntityRecord>, StoreError> {
        self.count();
        self.inner.load_entities(ws, keys).await
    }
    async fn commit(&self, ws: &WorkspaceId, plan: &CommitPlan) -> Result<(), CommitError> {
        self.count();
        self.inner.commit(ws, plan).await
    }
    async fn read_cells(&self, ws: &WorkspaceId, keys: &[CellKey]) -> Result<HashMap<CellKey, Cells>, StoreError> {
        self.count();
        self.inner.read_cells(ws, keys).await
    }
    async fn read_range(
        &self,
        ws: &WorkspaceId,
        series: &str,
        from: Bucket,
        to: Bucket,
    ) -> Result<Vec<(Bucket, Cells)>, StoreError> {
        self.count();
        self.inner.read_range(ws, series, from, to).await
    }
    async fn read_index(
        &self,
        ws: &WorkspaceId,
        index: &str,
        range: &SortRange,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        self.count();
        self.inner.read_index(ws, index, range, direction, limit).await
    }
    async fn count_index(&self, ws: &WorkspaceId, index: &str, range: &SortRange) -> Result<u64, StoreError> {
        self.count();
        self.inner.count_index(ws, index, range).await
    }
    async fn scan_index(&self, ws: &WorkspaceId) -> Result<Vec<(String, IndexEntry)>, StoreError> {
        self.count();
        self.inner.scan_index(ws).await
    }
    async fn due_folds(&self, limit: usize) -> Result<Vec<DueFold>, StoreError> {
        self.count();
        self.inner.due_folds(limit).await
    }
    async fn complete_fold(&self, fold: &DueFold, cells: &Cells) -> Result<bool, StoreError> {
        self.count();
        self.inner.complete_fold(fold, cells).await
    }
    async fn abandon_fold(&self, fold: &DueFold) -> Result<bool, StoreError> {
        self.count();
        self.inner.abandon_fold(fold).await
    }
    async fn scan_cells(&self, ws: &WorkspaceId) -> Result<Vec<(CellKey, Cells)>, StoreError> {
        self.count();
        self.inner.scan_cells(ws).await
    }
}
