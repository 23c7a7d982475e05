//! API secret keys at rest: sealed with ChaCha20-Poly1305 under a master key kept outside the
//! database (a 0600 file in the data directory, or `THREATDB_MASTER_KEY`). Secrets stay
//! recoverable because HMAC verification needs them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload, rand_core::RngCore};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use std::fmt;
use std::path::Path;

const NONCE_LEN: usize = 12;

/// The key that seals API secrets.
#[derive(Clone)]
pub struct MasterKey(Key);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl MasterKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        MasterKey(ChaCha20Poly1305::generate_key(&mut OsRng))
    }

    /// Decodes a base64 key of 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| "the master key is not valid base64".to_string())?;
        if bytes.len() != 32 {
            return Err(format!(
                "the master key must be 32 bytes, not {}",
                bytes.len()
            ));
        }
        Ok(MasterKey(*Key::from_slice(&bytes)))
    }

    /// The key as base64 (for writing the key file).
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.as_slice())
    }

    /// Reads the key file at `path`, or creates it (mode 0600) with a fresh key.
    pub fn load_or_create(path: &Path) -> std::io::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => MasterKey::from_base64(&text).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = MasterKey::generate();
                write_private(path, &key.to_base64())?;
                Ok(key)
            }
            Err(e) => Err(e),
        }
    }

    /// Seals a secret: nonce ‖ ciphertext.
    pub fn seal(&self, secret: &str) -> Vec<u8> {
        let cipher = ChaCha20Poly1305::new(&self.0);
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        // Encryption with a valid key and nonce cannot fail.
        out.extend(
            cipher
                .encrypt(&nonce, secret.as_bytes())
                .unwrap_or_default(),
        );
        out
    }

    /// Seals `plain` bound to `purpose` (authenticated, not encrypted with it): what is sealed
    /// for one purpose never opens for another, nor as an API secret. Nonce ‖ ciphertext.
    pub fn seal_for(&self, purpose: &[u8], plain: &[u8]) -> Vec<u8> {
        let cipher = ChaCha20Poly1305::new(&self.0);
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        let payload = Payload {
            msg: plain,
            aad: purpose,
        };
        // Encryption with a valid key and nonce cannot fail.
        out.extend(cipher.encrypt(&nonce, payload).unwrap_or_default());
        out
    }

    /// Opens what [`MasterKey::seal_for`] sealed for `purpose`; `None` if it was sealed under
    /// another key or for another purpose, or was changed.
    pub fn open_for(&self, purpose: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let payload = Payload {
            msg: ciphertext,
            aad: purpose,
        };
        ChaCha20Poly1305::new(&self.0)
            .decrypt(Nonce::from_slice(nonce), payload)
            .ok()
    }

    /// Opens a sealed secret; `None` if it was sealed under another key or is damaged.
    pub fn open(&self, sealed: &[u8]) -> Option<String> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let plain = ChaCha20Poly1305::new(&self.0)
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

/// Writes a file readable by its owner only (0600 on Unix), creating or truncating it.
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

/// A new access id: 20 decimal digits, as ThreatConnect issues them.
pub fn generate_access_id() -> String {
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(b'0'.saturating_add(b.checked_rem(10).unwrap_or(0))))
        .collect()
}

/// A new secret key: 48 characters from an alphabet that needs no quoting in a shell or env file.
pub fn generate_secret() -> String {
    random_string(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        48,
    )
}

/// `len` characters drawn uniformly from `alphabet` (at most 64 symbols) with the OS's random
/// generator.
pub fn random_string(alphabet: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    // Rejection sampling keeps the distribution uniform: below `bound` (the largest multiple of
    // the alphabet's size that fits in a byte's range, for alphabets of up to 64) every symbol
    // is equally likely.
    let bound = alphabet.len().saturating_mul(4).min(256);
    while out.len() < len && !alphabet.is_empty() {
        let mut b = [0u8; 1];
        OsRng.fill_bytes(&mut b);
        let index = usize::from(b[0]);
        if index < bound
            && let Some(c) = alphabet.get(index.checked_rem(alphabet.len()).unwrap_or(0))
        {
            out.push(char::from(*c));
        }
    }
    out
}

/// `bytes` random bytes as unpadded base64url: a token safe in cookies, forms and URLs.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Where an API token starts (so a leaked one is easy to recognise and scan for).
pub const API_TOKEN_PREFIX: &str = "tdb_";

/// A new API token: [`API_TOKEN_PREFIX`] and 256 random bits as unpadded base64url (47
/// characters). Shown once; only its [`token_hash`] is stored.
pub fn generate_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_token(32))
}

/// What is stored of an API token: the SHA-256 of its text. The token is 256 random bits, so a
/// fast hash is enough (nothing to guess; see DECISIONS.md #36).
pub fn token_hash(token: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_wrong_key() {
        let key = MasterKey::generate();
        let sealed = key.seal("s3cr3t");
        assert!(!sealed.windows(6).any(|w| w == b"s3cr3t"));
        assert_eq!(key.open(&sealed).as_deref(), Some("s3cr3t"));
        assert_eq!(MasterKey::generate().open(&sealed), None);
        assert_eq!(key.open(b"short"), None);
        let again = MasterKey::from_base64(&key.to_base64()).expect("round trip");
        assert_eq!(again.open(&sealed).as_deref(), Some("s3cr3t"));
    }

    #[test]
    fn sealed_for_one_purpose_opens_for_no_other() {
        let key = MasterKey::generate();
        let sealed = key.seal_for(b"session", b"payload");
        assert_eq!(
            key.open_for(b"session", &sealed).as_deref(),
            Some(&b"payload"[..])
        );
        assert_eq!(key.open_for(b"other", &sealed), None);
        assert_eq!(key.open(&sealed), None, "not an API secret either");
        assert_eq!(key.open_for(b"session", &key.seal("s3cr3t")), None);
        assert_eq!(MasterKey::generate().open_for(b"session", &sealed), None);
        let mut changed = sealed.clone();
        changed[NONCE_LEN] ^= 1;
        assert_eq!(key.open_for(b"session", &changed), None);
        assert_ne!(random_token(16), random_token(16));
        assert_eq!(random_token(16).len(), 22);
    }

    #[test]
    fn generated_credentials_look_right() {
        let id = generate_access_id();
        assert_eq!(id.len(), 20);
        assert!(id.bytes().all(|b| b.is_ascii_digit()));
        let secret = generate_secret();
        assert_eq!(secret.len(), 48);
        assert!(secret.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(secret, generate_secret());
    }
}
