//! Folding local days into months. Ingest writes hours, days and totals itself; months are
//! derived here so a hot day is not also a hot month. A late event that lands in an already
//! folded month makes that month due again, and the next run recomputes it from its days.

use crate::ports::{RollupStore, StoreError};
use crate::rollup::{Cells, merge_cells};
use crate::time::Bucket;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FoldReport {
    /// Months recomputed and stored.
    pub folded: usize,
    /// Months whose days changed while being read; still due, folded by a later run.
    pub deferred: usize,
}

/// Folds up to `limit` due months. Safe to run twice and alongside ingest: a month is stored
/// only if no day of it was written between reading its due mark and storing it.
pub async fn fold_due_months(store: &dyn RollupStore, limit: usize) -> Result<FoldReport, StoreError> {
    let mut report = FoldReport::default();
    for fold in store.due_folds(limit).await? {
        let Some((first, last)) = fold.month.month_days() else {
            return Err(StoreError::Corrupt(format!("due fold for a non-month bucket {}", fold.month)));
        };
        let days = store.read_range(&fold.workspace, &fold.series, Bucket::Day(first), Bucket::Day(last)).await?;
        let mut month = Cells::new();
        for (_, cells) in &days {
            merge_cells(&mut month, cells);
        }
        if store.complete_fold(&fold, &month).await? {
            report.folded += 1;
        } else {
            report.deferred += 1;
        }
    }
    Ok(report)
}
