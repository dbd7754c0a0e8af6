//! Every key the adapters write. Ids cannot contain `#` or `|` (see `domain::events::is_valid_id`),
//! so these concatenations are unambiguous.

use domain::WorkspaceId;
use domain::time::Bucket;
use sha2::{Digest, Sha256};

use super::{Item, key};

/// Live rollup items are split over this many shards per (series, bucket); a commit writes one
/// shard, chosen at random, so concurrent ingest transactions rarely collide on an item, and a
/// read merges the shards (one BatchGetItem or one Query).
pub const CELL_SHARDS: u8 = 4;
/// Due marks are spread over this many partitions to stay far from one partition's write limit.
pub const DUE_PARTITIONS: u64 = 16;

/// Stored event and exactly-once marker: one item per event, so markers spread over partitions.
pub fn event(ws: &WorkspaceId, id: &str) -> Item {
    key(format!("W#{ws}#EVT#{id}"), "EVT")
}

pub fn entity(ws: &WorkspaceId, entity_key: &str) -> Item {
    key(format!("W#{ws}#ENT#{entity_key}"), "ENT")
}

/// The partition of one series: all its buckets, ordered by sort key.
pub fn series_pk(ws: &WorkspaceId, series: &str) -> String {
    format!("W#{ws}#S#{series}")
}

/// A live bucket's shard: `h2025-01-15T10#2`, `d2025-01-15#0`, `t#3`, `g#1`.
pub fn cell_sk(bucket: &Bucket, shard: u8) -> String {
    format!("{}#{shard}", bucket.key())
}

/// Folded months are written whole by one fold at a time: no shards.
pub fn month_sk(bucket: &Bucket) -> String {
    bucket.key()
}

pub fn is_sharded(bucket: &Bucket) -> bool {
    !matches!(bucket, Bucket::Month { .. })
}

/// The bucket a cell item's sort key belongs to.
pub fn bucket_of_sk(sk: &str) -> Option<Bucket> {
    Bucket::parse_key(sk.split_once('#').map_or(sk, |(bucket, _)| bucket))
}

/// The partition of one index (a list or a tally, with its group): its entries in sort order.
pub fn index_pk(ws: &WorkspaceId, index: &str) -> String {
    format!("W#{ws}#I#{index}")
}

/// An entry's sort key: `2025-01-15T10:00:00.000000Z#call-7`. Neither part holds `#`, and `#`
/// sorts before every character they use, so `sk` order is (sort, id) order and a range of sort
/// keys `[from, to)` is `sk BETWEEN from AND to`.
pub fn index_sk(sort: &str, id: &str) -> String {
    format!("{sort}#{id}")
}

pub fn index_entry(ws: &WorkspaceId, entry: &domain::rollup::EntryKey) -> Item {
    key(index_pk(ws, &entry.index), index_sk(&entry.sort, &entry.id))
}

pub fn due(ws: &WorkspaceId, series: &str, month: &Bucket) -> Item {
    let partition = stable_hash(&format!("{ws}|{series}")) % DUE_PARTITIONS;
    key(format!("DUE#{partition}"), format!("{ws}#{series}#{}", month.key()))
}

pub fn due_partitions() -> impl Iterator<Item = String> {
    (0..DUE_PARTITIONS).map(|partition| format!("DUE#{partition}"))
}

/// The partition of a cache group: every variant of one view of one thing.
pub fn cache_pk(group: &str) -> String {
    format!("C#{group}")
}

pub fn cache(cache_key: &domain::ports::CacheKey) -> Item {
    key(cache_pk(&cache_key.group), format!("V#{}", cache_key.variant))
}

pub fn connections_pk(ws: &WorkspaceId) -> String {
    format!("W#{ws}#CONN")
}

/// Stable across processes and releases, unlike std's randomly seeded hasher.
fn stable_hash(text: &str) -> u64 {
    let digest = Sha256::digest(text.as_bytes());
    let mut first = [0; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// Cell fields are stored as top-level attributes with this prefix, apart from pk, sk and TTL.
pub const FIELD_PREFIX: &str = "f.";
