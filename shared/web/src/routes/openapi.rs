//! The OpenAPI 3.1 document, generated from the route tables: each route's operation (summary,
//! description, the roles that may call it, path and query parameters, request and response
//! schemas, the error answers in the envelope), the bearer scheme, and the schemas of every type
//! named.

use std::collections::BTreeMap;

use axum::http::Method;
use serde_json::{Value, json};
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref, RefOr, Required,
    ResponseBuilder, Schema,
};
use utoipa::{IntoParams, ToSchema};

use super::RouteSpec;
use crate::ErrorCode;
use crate::error::ErrorEnvelope;
use crate::extract::ID_PATTERN;
use crate::view::{Envelope, ResponseMeta};

/// Schemas named so far, to be put in the document's components.
pub type Schemas = Vec<(String, RefOr<Schema>)>;
type SchemaFn = fn(&mut Schemas) -> RefOr<Schema>;

/// What a route declares for its operation.
#[derive(Clone, Default)]
pub struct OperationDoc {
    tag: Option<&'static str>,
    query: Vec<fn() -> Vec<utoipa::openapi::path::Parameter>>,
    body: Option<SchemaFn>,
    responses: Vec<(u16, &'static str, SchemaFn)>,
}

impl OperationDoc {
    pub fn query<Q: IntoParams>(&mut self) {
        self.query.push(|| Q::into_params(|| Some(ParameterIn::Query)));
    }

    pub fn body<B: ToSchema + 'static>(&mut self) {
        self.body = Some(register::<B>);
    }

    pub fn response<R: ToSchema + 'static>(&mut self, status: u16, description: &'static str) {
        self.responses.push((status, description, register::<R>));
    }

    pub fn view<T: ToSchema + 'static>(&mut self, envelope: Envelope, description: &'static str) {
        let schema: SchemaFn = match envelope {
            Envelope::Bare => bare_view::<T>,
            Envelope::Success => success_view::<T>,
            Envelope::Data => data_view::<T>,
        };
        self.responses.push((200, description, schema));
    }

    pub fn tag(&mut self, tag: &'static str) {
        self.tag = Some(tag);
    }
}

/// Names `T` and every schema it refers to; a reference to `T`.
fn register<T: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    schemas.push((T::name().into_owned(), T::schema()));
    T::schemas(schemas);
    Ref::from_schema_name(T::name()).into()
}

fn success_flag() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Boolean).enum_values(Some([true]))
}

/// `T`'s fields with `meta` beside them.
fn bare_view<T: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    let body = register::<T>(schemas);
    let meta = register::<ResponseMeta>(schemas);
    AllOfBuilder::new().item(body).item(ObjectBuilder::new().property("meta", meta).required("meta")).into()
}

/// `{"success": true, ...T's fields, "meta"}`.
fn success_view<T: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    let body = register::<T>(schemas);
    let meta = register::<ResponseMeta>(schemas);
    let wrapper = ObjectBuilder::new()
        .property("success", success_flag())
        .required("success")
        .property("meta", meta)
        .required("meta");
    AllOfBuilder::new().item(body).item(wrapper).into()
}

/// `{"success": true, "data": T, "meta"}`.
fn data_view<T: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    let body = register::<T>(schemas);
    let meta = register::<ResponseMeta>(schemas);
    ObjectBuilder::new()
        .property("success", success_flag())
        .required("success")
        .property("data", body)
        .required("data")
        .property("meta", meta)
        .required("meta")
        .into()
}

fn http_method(method: &Method) -> HttpMethod {
    match *method {
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::PATCH => HttpMethod::Patch,
        Method::DELETE => HttpMethod::Delete,
        _ => HttpMethod::Get,
    }
}

/// `get_api_campaigns_campaign_id_stats`: unique per method and path.
fn operation_id(spec: &RouteSpec) -> String {
    let path: String =
        spec.path.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    let mut id = format!("{}_{}", spec.method.as_str().to_lowercase(), path.trim_matches('_'));
    while id.contains("__") {
        id = id.replace("__", "_");
    }
    id
}

fn error_response(code: ErrorCode) -> ResponseBuilder {
    let description = match code {
        ErrorCode::ValidationFailed => "A parameter or the body is invalid; `details.field` names it.",
        ErrorCode::Unauthorized => "No token, or one that is invalid or expired.",
        ErrorCode::Forbidden => "The caller's role may not use this route.",
        ErrorCode::NotFound => "No such resource in the caller's workspace.",
        ErrorCode::Conflict => "The resource changed since it was read.",
        ErrorCode::PayloadTooLarge => "The body is over the route's limit.",
        ErrorCode::UnsupportedMediaType => "The body is not JSON, or is encoded other than with gzip.",
        ErrorCode::RateLimited => "Too many requests; retry after `Retry-After` seconds.",
        ErrorCode::Internal => "A fault on the server; its cause is logged, not sent.",
        ErrorCode::ServiceUnavailable => "The store is unavailable or busy; retry after `Retry-After` seconds.",
        _ => "An error, in the envelope.",
    };
    ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new().schema(Some(Ref::from_schema_name(ErrorEnvelope::name()))).build(),
    )
}

fn operation(function: &str, spec: &RouteSpec, schemas: &mut Schemas) -> utoipa::openapi::path::Operation {
    let roles: Vec<&str> = spec.roles.iter().map(|role| role.as_str()).collect();
    let description = format!("{}\n\nRoles: {}.", spec.description, roles.join(", "));
    let mut operation = OperationBuilder::new()
        .operation_id(Some(operation_id(spec)))
        .summary(Some(spec.summary))
        .description(Some(description))
        .tag(spec.doc.tag.unwrap_or(function))
        .extensions(Some(ExtensionsBuilder::new().add("x-roles", json!(roles)).build()));

    let mut parameters: Vec<_> = spec
        .path_params()
        .into_iter()
        .map(|name| {
            let example = spec.path_examples.iter().find(|(param, _)| *param == name).map(|(_, value)| json!(value));
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some("An id: 1 to 128 characters of letters, digits and . _ : @ -"))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String).pattern(Some(ID_PATTERN))))
                .example(example)
                .build()
        })
        .collect();
    parameters.extend(spec.doc.query.iter().flat_map(|params| params()));
    let has_input = !parameters.is_empty() || spec.doc.body.is_some();
    operation = operation.parameters(Some(parameters));

    if let Some(body) = spec.doc.body {
        let mut content = ContentBuilder::new().schema(Some(body(schemas)));
        if let Some(example) = spec.example {
            content = content.example(Some(example()));
        }
        let body =
            RequestBodyBuilder::new().required(Some(Required::True)).content("application/json", content.build());
        operation = operation.request_body(Some(body.build()));
    }
    for (status, description, schema) in &spec.doc.responses {
        let content = ContentBuilder::new().schema(Some(schema(schemas))).build();
        operation = operation.response(
            status.to_string(),
            ResponseBuilder::new().description(*description).content("application/json", content),
        );
    }
    let mut errors: BTreeMap<u16, ErrorCode> = BTreeMap::new();
    // What every route may answer, then what its inputs make possible, then what it declares.
    let always = [ErrorCode::Unauthorized, ErrorCode::Forbidden, ErrorCode::Internal, ErrorCode::ServiceUnavailable];
    let validation = has_input.then_some(ErrorCode::ValidationFailed);
    let not_found = (!spec.path_params().is_empty()).then_some(ErrorCode::NotFound);
    let body = [ErrorCode::PayloadTooLarge, ErrorCode::UnsupportedMediaType].into_iter().filter(|_| spec.takes_body);
    let inputs = validation.into_iter().chain(not_found).chain(body);
    for code in always.into_iter().chain(inputs).chain(spec.errors.iter().copied()) {
        errors.insert(code.status().as_u16(), code);
    }
    for (status, code) in errors {
        operation = operation.response(status.to_string(), error_response(code));
    }
    operation.build()
}

/// The document of every function's routes: `(function name, its route specs)`.
pub fn document(title: &str, version: &str, description: &str, functions: &[(&str, Vec<RouteSpec>)]) -> OpenApi {
    let mut schemas = Schemas::new();
    register::<ErrorEnvelope>(&mut schemas);
    let mut paths = PathsBuilder::new();
    let mut tags = Vec::new();
    for (function, specs) in functions {
        if specs.is_empty() {
            continue;
        }
        tags.push(
            TagBuilder::new()
                .name(*function)
                .description(Some(format!("Served by the `{function}` function.")))
                .build(),
        );
        for spec in specs {
            let operation = operation(function, spec, &mut schemas);
            paths = paths.path(spec.path, PathItem::new(http_method(&spec.method), operation));
        }
    }
    let bearer = HttpBuilder::new()
        .scheme(HttpAuthScheme::Bearer)
        .bearer_format("JWT")
        .description(Some("A JWT with claims sub, ws, role, exp, iss and aud (see the README)."))
        .build();
    let schemas = distinct(schemas);
    OpenApiBuilder::new()
        .info(InfoBuilder::new().title(title).version(version).description(Some(description)).build())
        .paths(paths.build())
        .tags(Some(tags))
        .components(Some(
            ComponentsBuilder::new()
                .schemas_from_iter(schemas)
                .security_scheme("bearerAuth", SecurityScheme::Http(bearer))
                .build(),
        ))
        .security(Some([SecurityRequirement::new("bearerAuth", Vec::<String>::new())]))
        .build()
}

/// One schema per name. A type registered again brings the same schema; two types of the same
/// name (the same word in two dashboard families) would make one of them describe the other's
/// answers, so that is refused: rename one of them (`#[schema(as = ...)]`).
fn distinct(schemas: Schemas) -> BTreeMap<String, RefOr<Schema>> {
    let mut distinct: BTreeMap<String, RefOr<Schema>> = BTreeMap::new();
    let mut clashes = std::collections::BTreeSet::new();
    for (name, schema) in schemas {
        match distinct.get(&name) {
            Some(known) if *known != schema => {
                clashes.insert(name);
            }
            Some(_) => {}
            None => {
                distinct.insert(name, schema);
            }
        }
    }
    assert!(clashes.is_empty(), "different schemas share the names {clashes:?}: rename one of each");
    distinct
}

/// The document as JSON.
pub fn to_json(document: &OpenApi) -> Value {
    serde_json::to_value(document).unwrap_or_else(|error| json!({"error": error.to_string()}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(property: &str) -> RefOr<Schema> {
        ObjectBuilder::new().property(property, ObjectBuilder::new().schema_type(Type::Integer)).build().into()
    }

    #[test]
    fn a_type_registered_twice_is_one_schema() {
        let schemas = distinct(vec![("Counts".into(), object("total")), ("Counts".into(), object("total"))]);
        assert_eq!(schemas.len(), 1);
    }

    #[test]
    #[should_panic(expected = "different schemas share the names {\"Counts\"}")]
    fn two_types_of_one_name_are_refused() {
        distinct(vec![("Counts".into(), object("total")), ("Counts".into(), object("calls_today"))]);
    }
}
