//! The AWS adapters against emulators (DynamoDB Local, moto, s3s-fs, a fake management API).
//! Needs `--features emulators` and the variables `tests/emulators/start.sh` writes; `./tests/run.sh`
//! does both.

mod ads;
mod agents;
mod api;
mod comprehensive;
mod contracts;
mod exactly_once;
mod executive;
mod support;
mod users;
