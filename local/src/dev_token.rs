//! `POST /dev/token` with `{"role": "viewer"}` (and optionally `"workspace"`, `ws_demo` by
//! default): a token for the dashboard page at `/`, so that a developer running the local runtime
//! pastes none. An admin's token of `ws_agents` or `ws_agents_labs` lists both (`workspaces`). The route exists only while the runtime verifies tokens with its built-in
//! development secret and listens on a loopback address; otherwise the path is a 404 like any
//! unknown one. It hands out nothing a caller could not sign itself: that secret is public (it is
//! right here). The Lambdas never have the route: it lives in this crate only.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use domain::WorkspaceId;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use web::auth::{TokenClaims, mint_hs256};
use web::extract::ApiJson;
use web::{ApiError, AuthConfig, Role};

use crate::demo::{DEMO_WORKSPACE, agents};

/// The HS256 secret the local runtime uses when `JWT_SECRET` is unset.
pub const DEVELOPMENT_SECRET: &str = "local-development-secret-do-not-use-in-production";

/// How long a development token (the banner's too) is valid.
pub const TOKEN_LIFETIME: SignedDuration = SignedDuration::from_hours(24 * 7);

/// The claims of a development token of `user` in `workspace`: what the start banner prints and
/// what the route mints. An admin's lists the demo workspaces administered with `workspace`
/// (`workspaces`), which it may compare.
pub fn claims(auth: &AuthConfig, workspace: &str, user: &str, role: Role, now: Timestamp) -> TokenClaims {
    TokenClaims {
        sub: user.to_owned(),
        ws: workspace.to_owned(),
        role: role.as_str().to_owned(),
        workspaces: if role == Role::Admin { agents::administered_with(workspace) } else { Vec::new() },
        iss: auth.issuer.clone(),
        aud: auth.audience.clone(),
        iat: now.as_second(),
        exp: (now + TOKEN_LIFETIME).as_second(),
    }
}

/// Whether the route exists: tokens verified with [`DEVELOPMENT_SECRET`], and a listener on a
/// loopback address (so not `0.0.0.0`, whose callers may be other machines).
pub fn available(auth: &AuthConfig, listening_on: IpAddr) -> bool {
    auth.hs256_secret.as_deref() == Some(DEVELOPMENT_SECRET.as_bytes()) && listening_on.to_canonical().is_loopback()
}

/// The route when it is [`available`], else no route at all.
pub fn routes(auth: &AuthConfig, listening_on: IpAddr) -> Router {
    if !available(auth, listening_on) {
        return Router::new();
    }
    Router::new().route("/dev/token", post(mint)).with_state(Arc::new(auth.clone()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    role: String,
    workspace: Option<String>,
}

#[derive(Debug, Serialize)]
struct DevToken {
    token: String,
    workspace: String,
    user: String,
    role: &'static str,
    expires_at: Timestamp,
}

async fn mint(
    State(auth): State<Arc<AuthConfig>>,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<Json<DevToken>, ApiError> {
    let role = Role::parse(&request.role).ok_or_else(|| {
        let roles: Vec<&str> = Role::ALL.iter().map(|role| role.as_str()).collect();
        ApiError::validation("role", format!("must be one of {}", roles.join(", ")))
    })?;
    let workspace = request.workspace.unwrap_or_else(|| DEMO_WORKSPACE.to_owned());
    if WorkspaceId::parse(&workspace).is_none() {
        return Err(ApiError::validation("workspace", "must be 1..128 characters of [A-Za-z0-9._:@-]"));
    }
    let user = format!("u_{}", role.as_str());
    let claims = claims(&auth, &workspace, &user, role, Timestamp::now());
    let token = mint_hs256(DEVELOPMENT_SECRET.as_bytes(), &claims).map_err(ApiError::internal)?;
    let expires_at = Timestamp::from_second(claims.exp).map_err(ApiError::internal)?;
    Ok(Json(DevToken { token, workspace, user, role: role.as_str(), expires_at }))
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use serde_json::{Value, json};
    use tower::ServiceExt;
    use web::Authenticator;

    use super::*;

    fn auth_with(secret: &str) -> AuthConfig {
        AuthConfig {
            hs256_secret: Some(secret.as_bytes().to_vec()),
            jwks: None,
            issuer: "analytics-local".to_owned(),
            audience: "analytics-api".to_owned(),
        }
    }

    const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    async fn post_token(auth: &AuthConfig, listening_on: IpAddr, body: Value) -> (StatusCode, Value) {
        let app = web::with_common_layers(routes(auth, listening_on));
        let request = Request::post("/dev/token")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        let response = app.oneshot(request).await.expect("response");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        (status, serde_json::from_slice(&bytes).expect("JSON body"))
    }

    #[test]
    fn the_route_exists_only_with_the_development_secret_on_a_loopback_address() {
        let development = auth_with(DEVELOPMENT_SECRET);
        let loopbacks = [LOOPBACK, IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), IpAddr::V6(Ipv6Addr::LOCALHOST)];
        for address in loopbacks {
            assert!(available(&development, address), "{address}");
        }
        let mapped_loopback: IpAddr = "::ffff:127.0.0.1".parse().expect("address");
        assert!(available(&development, mapped_loopback));
        for address in ["0.0.0.0", "::", "192.0.2.10", "10.1.2.3", "2001:db8::1", "::ffff:192.0.2.10"] {
            let address: IpAddr = address.parse().expect("address");
            assert!(!available(&development, address), "{address}");
        }
        assert!(!available(&auth_with("another-secret-of-at-least-32-bytes!!"), LOOPBACK));
        assert!(!available(&AuthConfig { hs256_secret: None, ..development }, LOOPBACK));
    }

    #[tokio::test]
    async fn a_minted_token_is_accepted_with_the_claims_of_the_banners_tokens() {
        let auth = auth_with(DEVELOPMENT_SECRET);
        let (status, body) = post_token(&auth, LOOPBACK, json!({"role": "viewer"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            (body["workspace"].as_str(), body["user"].as_str(), body["role"].as_str()),
            (Some("ws_demo"), Some("u_viewer"), Some("viewer"))
        );
        let token = body["token"].as_str().expect("token");
        let caller = Authenticator::new(auth.clone()).expect("authenticator").authenticate(token).expect("accepted");
        assert_eq!(
            (caller.workspace.as_str(), caller.user_id.as_str(), caller.role),
            ("ws_demo", "u_viewer", Role::Viewer)
        );
        let claims =
            &body["token"].as_str().and_then(|token| token.split('.').nth(1)).map(decode_claims).expect("claims");
        assert_eq!(
            claims["exp"].as_i64().zip(claims["iat"].as_i64()).map(|(exp, iat)| exp - iat),
            Some(TOKEN_LIFETIME.as_secs())
        );
        assert_eq!((claims["iss"].as_str(), claims["aud"].as_str()), (Some("analytics-local"), Some("analytics-api")));

        let (status, body) = post_token(&auth, LOOPBACK, json!({"role": "manager", "workspace": "ws_other"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let caller =
            Authenticator::new(auth).expect("authenticator").authenticate(body["token"].as_str().expect("token"));
        assert_eq!(
            caller.map(|caller| (caller.workspace.as_str().to_owned(), caller.role)).ok(),
            Some(("ws_other".to_owned(), Role::Manager))
        );
    }

    #[tokio::test]
    async fn an_admin_of_an_agents_workspace_may_compare_both_and_no_other_token_names_more_workspaces() {
        let auth = auth_with(DEVELOPMENT_SECRET);
        let authenticator = Authenticator::new(auth.clone()).expect("authenticator");
        let compared = |body: Value| {
            let (auth, authenticator) = (&auth, &authenticator);
            async move {
                let (status, answer) = post_token(auth, LOOPBACK, body).await;
                assert_eq!(status, StatusCode::OK, "{answer}");
                let caller = authenticator.authenticate(answer["token"].as_str().expect("token")).expect("accepted");
                caller.workspaces.iter().map(|ws| ws.as_str().to_owned()).collect::<Vec<_>>()
            }
        };
        let both = vec!["ws_agents".to_owned(), "ws_agents_labs".to_owned()];
        assert_eq!(compared(json!({"role": "admin", "workspace": "ws_agents"})).await, both);
        assert_eq!(compared(json!({"role": "admin", "workspace": "ws_agents_labs"})).await, both);
        for body in [
            json!({"role": "manager", "workspace": "ws_agents"}),
            json!({"role": "viewer", "workspace": "ws_agents_labs"}),
            json!({"role": "admin"}),
            json!({"role": "admin", "workspace": "ws_callcentre"}),
        ] {
            assert_eq!(compared(body.clone()).await, Vec::<String>::new(), "{body}");
        }
    }

    fn decode_claims(payload: &str) -> Value {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64url");
        serde_json::from_slice(&bytes).expect("claims JSON")
    }

    #[tokio::test]
    async fn a_bad_role_or_workspace_is_a_400_naming_it() {
        let auth = auth_with(DEVELOPMENT_SECRET);
        for (body, field) in [
            (json!({"role": "superuser"}), "role"),
            (json!({}), "role"),
            (json!({"role": "viewer", "workspace": "no spaces"}), "workspace"),
            (json!({"role": "viewer", "sub": "u_1"}), "sub"),
        ] {
            let (status, answer) = post_token(&auth, LOOPBACK, body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
            assert_eq!(answer["error"]["code"], "VALIDATION_FAILED", "{answer}");
            assert_eq!(answer["error"]["details"]["field"], field, "{body}: {answer}");
        }
    }

    #[tokio::test]
    async fn without_the_development_secret_or_off_loopback_the_route_is_a_404() {
        let other_secret = auth_with("another-secret-of-at-least-32-bytes!!");
        let wildcard = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        for (auth, address) in [(other_secret, LOOPBACK), (auth_with(DEVELOPMENT_SECRET), wildcard)] {
            let (status, body) = post_token(&auth, address, json!({"role": "viewer"})).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{address}: {body}");
            assert_eq!(body["error"]["code"], "NOT_FOUND");
        }
    }
}
