//! The rollups function, run by an EventBridge schedule (locally: on an interval). Each run folds
//! every month whose days were written since its last fold, late events included. A run is safe
//! to repeat and to overlap with ingest or another run (see [`domain::fold`]).

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use domain::fold::{FoldReport, fold_due_months};
use domain::ports::{RollupStore, StoreError};
use serde::Serialize;

/// Months folded per store round trip.
const BATCH: usize = 100;
/// A run stops after this many batches and leaves the rest to the next run, so one run stays
/// well inside a Lambda timeout however far behind it starts.
const MAX_BATCHES: usize = 50;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RunReport {
    pub folded: usize,
    pub deferred: usize,
    /// Months set aside because their data could not be folded (each logged as an error).
    pub failed: usize,
    /// True when due work remained at the batch cap.
    pub more_due: bool,
}

/// One scheduled run.
pub async fn run_once(store: &dyn RollupStore) -> Result<RunReport, StoreError> {
    let mut report = RunReport::default();
    for _ in 0..MAX_BATCHES {
        let FoldReport { folded, deferred, failed } = fold_due_months(store, BATCH).await?;
        report.folded += folded;
        report.deferred += deferred;
        report.failed += failed;
        // Deferred months changed under us: they stay due for the next run, not this one.
        if folded + deferred + failed < BATCH || folded + failed == 0 {
            return Ok(report);
        }
    }
    report.more_due = true;
    Ok(report)
}

/// The Lambda handler: one run per EventBridge schedule tick.
pub async fn handle_schedule(store: &dyn RollupStore, tick: EventBridgeEvent) -> Result<RunReport, StoreError> {
    let report = run_once(store).await?;
    tracing::info!(
        tick = tick.id.as_deref().unwrap_or("-"),
        scheduled_for = ?tick.time,
        folded = report.folded,
        deferred = report.deferred,
        failed = report.failed,
        more_due = report.more_due,
        "rollups run"
    );
    Ok(report)
}
