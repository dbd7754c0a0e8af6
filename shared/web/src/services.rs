//! The ports a function needs, as `Arc<dyn Port>`: the state every router is built with.
//! `wiring` builds it from the environment (SQLite or AWS); tests build it by hand.

use std::sync::Arc;

use axum::extract::FromRef;
use domain::ports::{Blobs, Cache, Clock, Connections, Push, Queue, RollupStore};

use crate::Authenticator;

#[derive(Clone)]
pub struct Services {
    pub auth: Arc<Authenticator>,
    pub store: Arc<dyn RollupStore>,
    pub cache: Arc<dyn Cache>,
    pub clock: Arc<dyn Clock>,
    pub blobs: Arc<dyn Blobs>,
    /// The export jobs' queue.
    pub queue: Arc<dyn Queue>,
    pub connections: Arc<dyn Connections>,
    pub push: Arc<dyn Push>,
}

impl FromRef<Services> for Arc<Authenticator> {
    fn from_ref(services: &Services) -> Self {
        Arc::clone(&services.auth)
    }
}
