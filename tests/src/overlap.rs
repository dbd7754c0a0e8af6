//! A [`RollupStore`] decorator that shows which reads a view issues together: while holding, it
//! keeps every read waiting a while before it runs, so that reads issued at once are all in flight
//! together whatever the store's speed, and records each wave of reads (from the first in flight
//! to none) with the most that were in flight in it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use domain::WorkspaceId;
use domain::ports::{CommitError, DueFold, RollupStore, StoreError};
use domain::rollup::{CellKey, Cells, CommitPlan, Direction, EntityKey, EntityRecord, IndexEntry, SortRange};
use domain::time::Bucket;

pub struct Overlap {
    inner: Arc<dyn RollupStore>,
    hold: Duration,
    holding: AtomicBool,
    in_flight: AtomicUsize,
    /// The most in flight in the current wave, and the waves ended since the last `take_waves`.
    waves: Mutex<(usize, Vec<usize>)>,
}

impl Overlap {
    /// Over `inner`, holding each read for `hold` once [`Self::hold`] turns it on.
    pub fn new(inner: Arc<dyn RollupStore>, hold: Duration) -> Overlap {
        Overlap {
            inner,
            hold,
            holding: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            waves: Mutex::new((0, Vec::new())),
        }
    }

    pub fn hold(&self, on: bool) {
        self.holding.store(on, Ordering::SeqCst);
    }

    /// The waves of reads since the last call: how many were in flight together in each.
    pub fn take_waves(&self) -> Vec<usize> {
        std::mem::take(&mut self.waves.lock().expect("lock").1)
    }

    async fn read<T>(&self, call: impl Future<Output = T>) -> T {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        {
            let mut waves = self.waves.lock().expect("lock");
            waves.0 = waves.0.max(now);
        }
        if self.holding.load(Ordering::SeqCst) {
            tokio::time::sleep(self.hold).await;
        }
        let result = call.await;
        if self.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            let mut waves = self.waves.lock().expect("lock");
            let peak = std::mem::take(&mut waves.0);
            waves.1.push(peak);
        }
        result
    }
}

#[async_trait]
impl RollupStore for Overlap {
    fn max_items_per_commit(&self) -> usize {
        self.inner.max_items_per_commit()
    }
    async fn find_events(&self, ws: &WorkspaceId, ids: &[String]) -> Result<HashMap<String, String>, StoreError> {
        self.read(self.inner.find_events(ws, ids)).await
    }
    async fn load_entities(
        &self,
        ws: &WorkspaceId,
        keys: &[EntityKey],
    ) -> Result<HashMap<EntityKey, EntityRecord>, StoreError> {
        self.read(self.inner.load_entities(ws, keys)).await
    }
    async fn commit(&self, ws: &WorkspaceId, plan: &CommitPlan) -> Result<(), CommitError> {
        self.inner.commit(ws, plan).await
    }
    async fn read_cells(&self, ws: &WorkspaceId, keys: &[CellKey]) -> Result<HashMap<CellKey, Cells>, StoreError> {
        self.read(self.inner.read_cells(ws, keys)).await
    }
    async fn read_range(
        &self,
        ws: &WorkspaceId,
        series: &str,
        from: Bucket,
        to: Bucket,
    ) -> Result<Vec<(Bucket, Cells)>, StoreError> {
        self.read(self.inner.read_range(ws, series, from, to)).await
    }
    async fn read_index(
        &self,
        ws: &WorkspaceId,
        index: &str,
        range: &SortRange,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<IndexEntry>, StoreError> {
        self.read(self.inner.read_index(ws, index, range, direction, limit)).await
    }
    async fn count_index(&self, ws: &WorkspaceId, index: &str, range: &SortRange) -> Result<u64, StoreError> {
        self.read(self.inner.count_index(ws, index, range)).await
    }
    async fn scan_index(&self, ws: &WorkspaceId) -> Result<Vec<(String, IndexEntry)>, StoreError> {
        self.inner.scan_index(ws).await
    }
    async fn due_folds(&self, limit: usize) -> Result<Vec<DueFold>, StoreError> {
        self.inner.due_folds(limit).await
    }
    async fn complete_fold(&self, fold: &DueFold, cells: &Cells) -> Result<bool, StoreError> {
        self.inner.complete_fold(fold, cells).await
    }
    async fn abandon_fold(&self, fold: &DueFold) -> Result<bool, StoreError> {
        self.inner.abandon_fold(fold).await
    }
    async fn scan_cells(&self, ws: &WorkspaceId) -> Result<Vec<(CellKey, Cells)>, StoreError> {
        self.inner.scan_cells(ws).await
    }
}
