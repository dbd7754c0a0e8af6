//! Seed 003: voice survey campaigns.

pub mod campaign_stats;
