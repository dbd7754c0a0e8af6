//! A function's route table. Each route is declared once: method, path, the roles that may call
//! it, and its OpenAPI operation. The router is built from the table, with the roles checked
//! before the handler runs (401 without a valid token, 403 for another role); the infrastructure
//! template's routes, the OpenAPI document and the authorization matrix test all read the same
//! tables (through the local runtime's registry of functions).

#[cfg(feature = "openapi")]
pub mod openapi;
// Without the document, what routes declare for it is dropped, so Lambdas link none of it.
#[cfg(not(feature = "openapi"))]
#[path = "no_openapi.rs"]
mod openapi;

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use serde_json::Value;

use crate::{ApiError, Authenticator, CachedView, ErrorCode, Role};

/// What a type must be to be named in the OpenAPI document: a utoipa schema when the document is
/// built (feature `openapi`), anything otherwise.
#[cfg(feature = "openapi")]
pub trait Documented: utoipa::ToSchema + 'static {}
#[cfg(feature = "openapi")]
impl<T: utoipa::ToSchema + 'static> Documented for T {}
#[cfg(not(feature = "openapi"))]
pub trait Documented {}
#[cfg(not(feature = "openapi"))]
impl<T: ?Sized> Documented for T {}

/// [`Documented`] for a struct of query parameters.
#[cfg(feature = "openapi")]
pub trait DocumentedParams: utoipa::IntoParams {}
#[cfg(feature = "openapi")]
impl<T: utoipa::IntoParams> DocumentedParams for T {}
#[cfg(not(feature = "openapi"))]
pub trait DocumentedParams {}
#[cfg(not(feature = "openapi"))]
impl<T: ?Sized> DocumentedParams for T {}

/// What a route is, apart from its handler: all a reader, a test or a document needs.
#[derive(Clone)]
pub struct RouteSpec {
    pub method: Method,
    /// In axum's and API Gateway's common syntax: `/api/campaigns/{campaign_id}/stats`.
    pub path: &'static str,
    /// Who may call it; nobody until declared.
    pub roles: &'static [Role],
    pub summary: &'static str,
    pub description: &'static str,
    /// Whether it reads a JSON body ([`Route::body`]).
    pub takes_body: bool,
    /// A request body the route accepts, for its documentation and for tests that call every
    /// route.
    pub example: Option<fn() -> Value>,
    /// An example value of a path parameter, for its documentation (and for tools that call the
    /// documented routes): `("campaign_id", "cmp_csat_q4")`.
    pub path_examples: Vec<(&'static str, &'static str)>,
    /// Error statuses the route answers besides those every route may (401, 403, 500, 503) and
    /// those its inputs make possible (400; 404 for an id in the path; 413 and 415 for a body).
    pub errors: Vec<ErrorCode>,
    pub(crate) doc: openapi::OperationDoc,
}

impl RouteSpec {
    /// The names of the path's parameters, in order: `["campaign_id"]`.
    pub fn path_params(&self) -> Vec<&'static str> {
        self.path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|name| name.strip_suffix('}')))
            .collect()
    }
}

/// One row of a route table: its spec and its handler over the function's state `S`.
pub struct Route<S> {
    pub spec: RouteSpec,
    handler: MethodRouter<S>,
}

macro_rules! constructors {
    ($($name:ident => $method:ident),* $(,)?) => {$(
        pub fn $name<H: Handler<T, S>, T: 'static>(path: &'static str, handler: H) -> Route<S> {
            Route::new(Method::$method, path, axum::routing::$name(handler))
        }
    )*};
}

impl<S: Clone + Send + Sync + 'static> Route<S> {
    fn new(method: Method, path: &'static str, handler: MethodRouter<S>) -> Route<S> {
        let spec = RouteSpec {
            method,
            path,
            roles: &[],
            summary: "",
            description: "",
            takes_body: false,
            example: None,
            path_examples: Vec::new(),
            errors: Vec::new(),
            doc: openapi::OperationDoc::default(),
        };
        Route { spec, handler }
    }

    constructors!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE);

    pub fn roles(mut self, roles: &'static [Role]) -> Self {
        self.spec.roles = roles;
        self
    }

    /// A one-line summary and a longer description (definitions, caching, limits).
    pub fn doc(mut self, summary: &'static str, description: &'static str) -> Self {
        self.spec.summary = summary;
        self.spec.description = description;
        self
    }

    /// Error statuses this route answers besides those every route may and those its inputs
    /// make possible (see [`RouteSpec::errors`]): 409 or 429, say.
    pub fn errors(mut self, codes: &[ErrorCode]) -> Self {
        self.spec.errors.extend_from_slice(codes);
        self
    }

    pub fn example(mut self, example: fn() -> Value) -> Self {
        self.spec.example = Some(example);
        self
    }

    /// An example value of the path parameter `name`.
    pub fn path_example(mut self, name: &'static str, value: &'static str) -> Self {
        self.spec.path_examples.push((name, value));
        self
    }

    /// Query parameters, from a struct the handler deserialises them into.
    pub fn query<Q: DocumentedParams>(mut self) -> Self {
        self.spec.doc.query::<Q>();
        self
    }

    /// The JSON request body.
    pub fn body<B: Documented>(mut self) -> Self {
        self.spec.takes_body = true;
        self.spec.doc.body::<B>();
        self
    }

    /// A JSON answer with `status`.
    pub fn returns<R: Documented>(mut self, status: u16, description: &'static str) -> Self {
        self.spec.doc.response::<R>(status, description);
        self
    }

    /// The 200 answer of a view: `T` in the view's envelope, with `meta`.
    pub fn returns_view<T: Documented>(mut self, view: &CachedView, description: &'static str) -> Self {
        self.spec.doc.view::<T>(view.envelope, description);
        self
    }

    /// The group the route is listed under in the document (by default its function's name).
    pub fn tag(mut self, tag: &'static str) -> Self {
        self.spec.doc.tag(tag);
        self
    }

    pub fn into_spec(self) -> RouteSpec {
        self.spec
    }
}

/// The specs of a table, without its handlers.
pub fn specs<S>(table: Vec<Route<S>>) -> Vec<RouteSpec> {
    table.into_iter().map(|route| route.spec).collect()
}

/// The router of a route table over `state`: routes on one path merge their methods, and each
/// route answers only callers with a valid token and one of its roles.
pub fn router<S>(table: Vec<Route<S>>, state: S) -> Router
where
    S: Clone + Send + Sync + 'static,
    Arc<Authenticator>: FromRef<S>,
{
    let auth = Arc::<Authenticator>::from_ref(&state);
    table
        .into_iter()
        .fold(Router::new(), |router, Route { spec, handler }| {
            let guard = middleware::from_fn_with_state((auth.clone(), spec.roles), authorize);
            router.route(spec.path, handler.route_layer(guard))
        })
        .with_state(state)
}

/// Authenticates the caller and checks their role, before anything of the route runs; the
/// handler then takes the [`crate::Caller`] as an argument.
async fn authorize(
    State((auth, roles)): State<(Arc<Authenticator>, &'static [Role])>,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match auth.caller(request.headers()) {
        Ok(caller) => caller,
        Err(error) => return error.into_response(),
    };
    let span = tracing::Span::current();
    span.record("workspace", caller.workspace.as_str());
    span.record("role", caller.role.as_str());
    if !roles.contains(&caller.role) {
        return ApiError::forbidden(format!("the {} role may not use this route", caller.role.as_str()))
            .into_response();
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}
