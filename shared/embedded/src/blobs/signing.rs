//! Link signatures: HMAC-SHA256 over the key, the download's filename and the expiry, with a
//! secret drawn when the folder is made. The secret never leaves this value, so only the process
//! that made a link can serve it, and a restart retires every outstanding link; for the local
//! runtime, where one process both makes and serves links that live 15 minutes, that is enough.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub(super) struct Signer {
    secret: [u8; 64],
}

impl Signer {
    pub(super) fn random() -> Result<Signer, getrandom::Error> {
        // A key of SHA-256's block size, so HMAC takes it as it is (no fallible length check).
        let mut secret = [0; 64];
        getrandom::fill(&mut secret)?;
        Ok(Signer { secret })
    }

    /// Each part is length-prefixed, so no two different (key, filename, expires) share a message.
    fn mac(&self, key: &str, filename: &str, expires: i64) -> HmacSha256 {
        let mut mac = <HmacSha256 as KeyInit>::new(&self.secret.into());
        for part in [key.as_bytes(), filename.as_bytes(), expires.to_string().as_bytes()] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac
    }

    /// The signature, in lowercase hex.
    pub(super) fn sign(&self, key: &str, filename: &str, expires: i64) -> String {
        hex::encode(self.mac(key, filename, expires).finalize().into_bytes())
    }

    /// Whether `signature` (hex) is this signer's for these parts; compared in constant time.
    pub(super) fn verify(&self, key: &str, filename: &str, expires: i64, signature: &str) -> bool {
        hex::decode(signature).is_ok_and(|bytes| self.mac(key, filename, expires).verify_slice(&bytes).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_for_its_parts_only() {
        let signer = Signer::random().expect("randomness");
        let signature = signer.sign("exports/a.csv", "a.csv", 1_700_000_000);
        assert!(signer.verify("exports/a.csv", "a.csv", 1_700_000_000, &signature));
        assert!(!signer.verify("exports/b.csv", "a.csv", 1_700_000_000, &signature));
        assert!(!signer.verify("exports/a.csv", "b.csv", 1_700_000_000, &signature));
        assert!(!signer.verify("exports/a.csv", "a.csv", 1_700_000_001, &signature));
        assert!(!signer.verify("exports/a.cs", "va.csv", 1_700_000_000, &signature), "parts do not run together");
        assert!(!signer.verify("exports/a.csv", "a.csv", 1_700_000_000, "not hex"));
        let other = Signer::random().expect("randomness");
        assert!(!other.verify("exports/a.csv", "a.csv", 1_700_000_000, &signature), "another secret");
    }
}
