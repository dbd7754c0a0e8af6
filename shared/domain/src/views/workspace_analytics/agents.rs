//! Seed 002: see the module's parent.
