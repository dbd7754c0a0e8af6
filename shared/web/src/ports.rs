//! Every port a process may hold, for hosts that run several functions at once (the local
//! runtime, tests): each function's state takes from it what that function uses. A Lambda
//! builds its function's state directly, with only its own ports.

use std::sync::Arc;

use domain::ports::{Blobs, Cache, Clock, Connections, Push, Queue, RollupStore};

use crate::Authenticator;

#[derive(Clone)]
pub struct Ports {
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
