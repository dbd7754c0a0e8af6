//! AWS adapters of the ports (being written).
