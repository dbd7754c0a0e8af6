//! Who is calling: a [`Caller`] from a bearer JWT, and the roles of spec/API.md.
//!
//! Tokens are checked with an explicit algorithm list: HS256 with a shared secret (local use,
//! service producers) and RS256 with keys looked up by `kid` in a JWKS (a production issuer).
//! `exp`, `iss`, `aud` and `sub` are required; `iss` and `aud` must match; 30 s of leeway.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use domain::WorkspaceId;
use domain::events::is_valid_id;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::{Map, Value};

use crate::ApiError;

/// Roles of spec/API.md. Seed 003's `campaign_manager` is [`Role::Manager`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Manager,
    Viewer,
    Agent,
    User,
    Service,
}

impl Role {
    pub const ALL: [Role; 6] = [Role::Admin, Role::Manager, Role::Viewer, Role::Agent, Role::User, Role::Service];

    pub fn parse(text: &str) -> Option<Role> {
        Some(match text {
            "admin" => Role::Admin,
            "manager" | "campaign_manager" => Role::Manager,
            "viewer" => Role::Viewer,
            "agent" => Role::Agent,
            "user" => Role::User,
            "service" => Role::Service,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Viewer => "viewer",
            Role::Agent => "agent",
            Role::User => "user",
            Role::Service => "service",
        }
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: String,
    pub workspace: WorkspaceId,
    pub role: Role,
    /// Further workspaces the caller may compare (seed 002 comparison).
    pub workspaces: Vec<WorkspaceId>,
}

/// Token settings, typically from the environment (see `wiring`).
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {
    /// Enables HS256 with this shared secret.
    pub hs256_secret: Option<Vec<u8>>,
    /// Enables RS256 with the keys of this JWKS document, found by `kid`.
    pub jwks: Option<JwkSet>,
    pub issuer: String,
    pub audience: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthConfigError {
    #[error("no token verification configured: set a HS256 secret or a JWKS")]
    NoKeys,
    #[error("the HS256 secret must be at least 32 bytes")]
    WeakSecret,
    #[error("JWKS key {kid:?} cannot be used: {reason}")]
    BadJwk { kid: String, reason: String },
    #[error("issuer and audience must be set")]
    MissingIssuerOrAudience,
}

/// Verifies bearer tokens. Build once at start-up; share as `Arc<Authenticator>`.
pub struct Authenticator {
    hs256: Option<DecodingKey>,
    rs256: HashMap<String, DecodingKey>,
    issuer: String,
    audience: String,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("hs256", &self.hs256.is_some())
            .field("rs256_kids", &self.rs256.keys().collect::<Vec<_>>())
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish()
    }
}

impl Authenticator {
    pub fn new(config: AuthConfig) -> Result<Authenticator, AuthConfigError> {
        if config.issuer.is_empty() || config.audience.is_empty() {
            return Err(AuthConfigError::MissingIssuerOrAudience);
        }
        let hs256 = match config.hs256_secret {
            Some(secret) if secret.len() < 32 => return Err(AuthConfigError::WeakSecret),
            Some(secret) => Some(DecodingKey::from_secret(&secret)),
            None => None,
        };
        let mut rs256 = HashMap::new();
        for jwk in config.jwks.iter().flat_map(|set| set.keys.iter()) {
            let kid = jwk.common.key_id.clone().unwrap_or_default();
            let bad = |reason: String| AuthConfigError::BadJwk { kid: kid.clone(), reason };
            if kid.is_empty() {
                return Err(bad("a kid is required".into()));
            }
            let key = DecodingKey::from_jwk(jwk).map_err(|error| bad(error.to_string()))?;
            rs256.insert(kid.clone(), key);
        }
        if hs256.is_none() && rs256.is_empty() {
            return Err(AuthConfigError::NoKeys);
        }
        Ok(Authenticator { hs256, rs256, issuer: config.issuer, audience: config.audience })
    }

    /// The caller of a request, from its `Authorization: Bearer <token>` header, or 401 saying
    /// why not.
    pub fn caller(&self, headers: &HeaderMap) -> Result<Caller, ApiError> {
        let header = headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("missing Authorization header"))?
            .to_str()
            .map_err(|_| ApiError::unauthorized("malformed Authorization header"))?;
        // The scheme is case-insensitive (RFC 7235).
        let token = header
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token)
            .ok_or_else(|| ApiError::unauthorized("Authorization must be a Bearer token"))?;
        self.authenticate(token.trim())
    }

    /// The caller a bearer token stands for, or 401 saying why not.
    pub fn authenticate(&self, token: &str) -> Result<Caller, ApiError> {
        let header = decode_header(token).map_err(|_| ApiError::unauthorized("malformed token"))?;
        let key = match header.alg {
            Algorithm::HS256 => self.hs256.as_ref(),
            Algorithm::RS256 => {
                let kid = header.kid.as_deref().ok_or_else(|| ApiError::unauthorized("RS256 token without a kid"))?;
                Some(self.rs256.get(kid).ok_or_else(|| ApiError::unauthorized("unknown signing key"))?)
            }
            _ => None,
        }
        .ok_or_else(|| ApiError::unauthorized("token algorithm not accepted"))?;

        let mut validation = Validation::new(header.alg);
        validation.algorithms = vec![header.alg];
        validation.leeway = 30;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);

        let claims = decode::<Map<String, Value>>(token, key, &validation).map_err(|error| {
            ApiError::unauthorized(match error.kind() {
                ErrorKind::ExpiredSignature => "token expired".to_owned(),
                ErrorKind::ImmatureSignature => "token not valid yet".to_owned(),
                ErrorKind::InvalidSignature => "invalid token signature".to_owned(),
                ErrorKind::InvalidIssuer => "token issuer not accepted".to_owned(),
                ErrorKind::InvalidAudience => "token audience not accepted".to_owned(),
                // jsonwebtoken also says "missing" for a claim it cannot read (a negative exp):
                // the signature is checked by then, so looking at the payload is safe.
                ErrorKind::MissingRequiredClaim(claim) if claim_present(token, claim) => {
                    format!("token {claim} claim is invalid")
                }
                ErrorKind::MissingRequiredClaim(claim) => format!("token lacks the {claim} claim"),
                ErrorKind::Json(_) => "token claims are not a JSON object".to_owned(),
                _ => "invalid token".to_owned(),
            })
        })?;
        caller_of(&claims.claims)
    }
}

/// Whether the token's payload names `claim` (read without verification: only to word an error).
fn claim_present(token: &str, claim: &str) -> bool {
    jsonwebtoken::dangerous::insecure_decode_claims::<Map<String, Value>>(token)
        .is_ok_and(|claims| claims.contains_key(claim))
}

/// The caller of verified claims, each of the product's claims checked for its exact shape.
fn caller_of(claims: &Map<String, Value>) -> Result<Caller, ApiError> {
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let invalid = |name: &str, rule: &str| ApiError::unauthorized(format!("token {name} claim {rule}"));
    // jsonwebtoken accepts a list of issuers too; a token names exactly one.
    text("iss").ok_or_else(|| invalid("iss", "must be a string"))?;
    let user_id = text("sub")
        .filter(|sub| is_valid_id(sub))
        .ok_or_else(|| invalid("sub", "must be 1 to 128 characters of letters, digits and . _ : @ -"))?;
    let workspace = text("ws").and_then(WorkspaceId::parse).ok_or_else(|| invalid("ws", "is not a valid id"))?;
    let role = match text("role") {
        Some(role) => Role::parse(role).ok_or_else(|| invalid("role", &format!("{role:?} is not a known role")))?,
        None => return Err(invalid("role", "is required")),
    };
    let workspaces = match claims.get("workspaces") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|id| {
                id.as_str().and_then(WorkspaceId::parse).ok_or_else(|| invalid("workspaces", "has an invalid id"))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid("workspaces", "must be a list of workspace ids")),
    };
    Ok(Caller { user_id: user_id.to_owned(), workspace, role, workspaces })
}

/// The caller of a route, authenticated and authorised before the route runs (see
/// [`crate::routes::router`]).
impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::internal("the caller was asked for on a route not built by web::router"))
    }
}

/// Claims of a token this product mints for itself (the local runtime's printed tokens, tests).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenClaims {
    pub sub: String,
    pub ws: String,
    pub role: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workspaces: Vec<String>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// Signs `claims` with HS256.
pub fn mint_hs256(secret: &[u8], claims: &TokenClaims) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
}
