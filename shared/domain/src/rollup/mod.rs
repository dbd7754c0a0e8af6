//! The rollup engine: declarative series, entities with their gauges, indexes, distinct counts
//! by first sighting and users' activity records; cells and the planner.

pub mod activity;
pub mod cells;
pub mod entities;
pub mod gauges;
pub mod indexes;
pub mod plan;
pub mod series;
pub mod sightings;

pub use cells::{CellKey, CellUpdates, Cells, Op, merge_cells};
pub use entities::{EntityKey, EntityRecord, Version};
pub use indexes::{Direction, EntryKey, IndexChange, IndexEntry, IndexUpdates, SortRange};
pub use plan::{CommitPlan, EntitySnapshot, EntityWrite, EventRecord, Rules};
pub use series::{Measure, SeriesDef, field, series_key};
