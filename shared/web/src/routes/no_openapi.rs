//! The OpenAPI parts of a route when the document is not built: they record nothing.

use crate::view::Envelope;

#[derive(Clone, Default)]
pub struct OperationDoc(());

impl OperationDoc {
    pub fn query<Q: ?Sized>(&mut self) {}
    pub fn body<B: ?Sized>(&mut self) {}
    pub fn response<R: ?Sized>(&mut self, _status: u16, _description: &'static str) {}
    pub fn view<T: ?Sized>(&mut self, _envelope: Envelope, _description: &'static str) {}
    pub fn tag(&mut self, _tag: &'static str) {}
}
