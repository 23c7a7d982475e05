//! Web passwords: argon2id hashes in PHC string format (the salt and parameters travel inside),
//! and generated passwords for new logins.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use threatdb_core::Invalid;
use tokio::sync::Semaphore;

/// The longest password checked; a longer one is wrong without hashing it.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Runs password hashes (19 MiB and tens of milliseconds of one core each) a few at a time on
/// the blocking pool: at most `slots` at once, with at most `queue` more waiting. A flood of
/// sign-ins therefore cannot grow memory or starve other work; past the queue a sign-in is told
/// at once that the server is busy.
#[derive(Debug)]
pub struct PasswordGate {
    slots: Semaphore,
    queue: Semaphore,
}

/// The gate's queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl PasswordGate {
    /// A gate with `slots` hashes at once and `queue` waiting.
    pub fn new(slots: usize, queue: usize) -> Self {
        PasswordGate {
            slots: Semaphore::new(slots.max(1)),
            queue: Semaphore::new(slots.max(1).saturating_add(queue)),
        }
    }

    /// Runs `work` when a slot is free, or says the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let _queued = self.queue.try_acquire().map_err(|_| Busy)?;
        let _slot = self.slots.acquire().await.map_err(|_| Busy)?;
        tokio::task::spawn_blocking(work).await.map_err(|_| Busy)
    }
}

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
    crate::secrets::random_string(
        b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789",
        20,
    )
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

    #[tokio::test]
    async fn the_gate_bounds_hashes_in_flight_and_waiting() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let gate = Arc::new(PasswordGate::new(2, 3));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let mut tasks = vec![];
        for _ in 0..40 {
            let (gate, running, peak) = (gate.clone(), running.clone(), peak.clone());
            tasks.push(tokio::spawn(async move {
                gate.run(move || {
                    let n = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(30));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }));
        }
        let mut done = 0;
        for t in tasks {
            if t.await.expect("task").is_ok() {
                done += 1;
            }
        }
        assert!(peak.load(Ordering::SeqCst) <= 2, "at most two at once");
        assert!(
            (2..=20).contains(&done),
            "{done} ran: the rest were told the server is busy"
        );
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
