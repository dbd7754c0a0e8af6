//! Adapter tests against emulators (being written).
