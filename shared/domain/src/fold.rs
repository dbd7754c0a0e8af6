//! Folding local days into months. Ingest writes hours, days and totals itself; months are
//! derived here so a hot day is not also a hot month. A late event that lands in an already
//! folded month makes that month due again, and the next run recomputes it from its days.

use crate::ports::{DueFold, RollupStore, StoreError};
use crate::rollup::{Cells, merge_cells};
use crate::time::Bucket;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FoldReport {
    /// Months recomputed and stored.
    pub folded: usize,
    /// Months whose days changed while being read; still due, folded by a later run.
    pub deferred: usize,
    /// Months whose data could not be folded (logged as errors), set aside so that they hold up
    /// no other month; a later write to one of their days makes them due again.
    pub failed: usize,
}

/// Folds up to `limit` due months. Safe to run twice and alongside ingest: a month is stored
/// only if no day of it was written between reading its due mark and storing it. A month whose
/// data is at fault is set aside and the rest go on; an error of the store itself (down,
/// throttling) ends the run, since the next one starts over anyway.
pub async fn fold_due_months(store: &dyn RollupStore, limit: usize) -> Result<FoldReport, StoreError> {
    let mut report = FoldReport::default();
    for fold in store.due_folds(limit).await? {
        match fold_month(store, &fold).await {
            Ok(true) => report.folded += 1,
            Ok(false) => report.deferred += 1,
            Err(error) if error.is_retryable() => return Err(error),
            Err(error) => {
                tracing::error!(
                    workspace = %fold.workspace, series = %fold.series, month = %fold.month, %error,
                    "month fold failed; set aside until one of its days is written again"
                );
                store.abandon_fold(&fold).await?;
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

/// Recomputes one month from its days; false when a day changed meanwhile (still due).
async fn fold_month(store: &dyn RollupStore, fold: &DueFold) -> Result<bool, StoreError> {
    let Some((first, last)) = fold.month.month_days() else {
        return Err(StoreError::Corrupt(format!("due fold for a non-month bucket {}", fold.month)));
    };
    let days = store.read_range(&fold.workspace, &fold.series, Bucket::Day(first), Bucket::Day(last)).await?;
    let mut month = Cells::new();
    for (_, cells) in &days {
        merge_cells(&mut month, cells);
    }
    store.complete_fold(fold, &month).await
}
