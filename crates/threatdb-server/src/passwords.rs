//! Web passwords: argon2id hashes in PHC string format (the salt and parameters travel inside),
//! and generated passwords for new logins.

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use threatdb_core::Invalid;

/// The shortest password a person may choose.
pub const MIN_CHARS: usize = 10;

/// Hashes a password with argon2id (the crate's default parameters) and a fresh salt.
/// CPU-heavy: call it from a blocking task in a server.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        // Hashing with valid default parameters and a generated salt does not fail.
        .unwrap_or_default()
}

/// Whether `password` matches `hash`; false for a malformed hash. CPU-heavy like hashing.
pub fn verify_password(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Checks a password a person chose: at least [`MIN_CHARS`] characters, not all blank.
pub fn check_new_password(password: &str) -> Result<(), Invalid> {
    if password.trim().chars().count() < MIN_CHARS {
        return Err(Invalid::new(format!(
            "a password must have at least {MIN_CHARS} characters"
        )));
    }
    Ok(())
}

/// A new random password: 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut out = String::with_capacity(20);
    while out.len() < 20 {
        let mut b = [0u8; 1];
        OsRng.fill_bytes(&mut b);
        // Rejection sampling keeps the distribution uniform.
        if (b[0] as usize) < ALPHABET.len() * 4 {
            out.push(char::from(ALPHABET[b[0] as usize % ALPHABET.len()]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "correct horse batterY"));
        assert!(!verify_password("not a hash", "x"));
        assert_ne!(h, hash_password("correct horse battery"), "salted");
    }

    #[test]
    fn generated_and_chosen_passwords() {
        let p = generate_password();
        assert_eq!(p.len(), 20);
        assert!(check_new_password(&p).is_ok());
        assert_ne!(p, generate_password());
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("          x").is_err());
    }
}
