//! The exactly-once property on DynamoDB: transactions of at most 100 items, real conditional
//! writes and cancellation reasons. Fewer and smaller cases than on SQLite: each one is a table.

use std::sync::Arc;

use aws_adapters::dynamo::DynamoStore;
use domain::ingest::Outcome;
use domain::ports::RollupStore;
use proptest::prelude::*;
use tests::exactly_once::{deliver, delivery};

use crate::support::dynamo;

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn any_delivery_of_a_stream_gives_the_rollups_of_its_distinct_events_on_dynamodb(plan in delivery(30)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let observed = runtime.block_on(async {
            let (client, table, _) = dynamo().await;
            let store: Arc<dyn RollupStore> = Arc::new(DynamoStore::new(client, table));
            deliver(store, plan).await
        });
        prop_assert_eq!(&observed.cells, &observed.expected_cells);
        prop_assert_eq!(&observed.index, &observed.expected_index);
        prop_assert_eq!(&observed.entities, &observed.expected_entities);
        prop_assert_eq!(&observed.stored_hashes, &observed.expected_hashes);
        prop_assert!(observed.conflict_outcomes.iter().all(|o| *o == Outcome::Conflict));
    }
}
