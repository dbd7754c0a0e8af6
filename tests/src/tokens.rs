//! Tokens for tests: valid ones per role, and each way a token can be wrong.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

pub const SECRET: &str = "test-secret-that-is-long-enough-for-hs256";
pub const ISSUER: &str = "test-issuer";
pub const AUDIENCE: &str = "test-audience";
pub const RS256_KID: &str = "test-key-1";

pub fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// Valid claims for `role` in `ws`, expiring an hour after the real clock's now (the JWT
/// library checks `exp` against the real clock, not the app's).
pub fn claims(ws: &str, role: &str) -> Value {
    let now = Timestamp::now().as_second();
    json!({"sub": format!("u_{role}"), "ws": ws, "role": role, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 3600})
}

pub fn hs256(claims: &Value) -> String {
    hs256_with(claims, SECRET)
}

pub fn hs256_with(claims: &Value, secret: &str) -> String {
    encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes())).expect("sign")
}

pub fn token(ws: &str, role: &str) -> String {
    hs256(&claims(ws, role))
}

pub fn rs256(claims: &Value, kid: &str) -> String {
    let key = EncodingKey::from_rsa_pem(fixture("rs256-test-private.pem").as_bytes()).expect("test key");
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    encode(&header, claims, &key).expect("sign")
}

/// An unsigned token declaring `alg: none`.
pub fn alg_none(claims: &Value) -> String {
    let part = |value: Value| URL_SAFE_NO_PAD.encode(value.to_string());
    format!("{}.{}.", part(json!({"alg": "none", "typ": "JWT"})), part(claims.clone()))
}
