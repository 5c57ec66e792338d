//! Password hashing (argon2id, RustCrypto defaults) and the common-password list.
//! Hashing is CPU-heavy (~tens of ms), so it runs on the blocking pool, never on the async worker threads.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use super::{AccountError, NewPassword};

/// A PHC-format argon2 hash as stored. Deliberately not `Serialize` and not printed by `Debug`.
#[derive(Clone)]
pub struct PasswordHash(String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

impl PasswordHash {
    pub(crate) fn from_stored(text: String) -> Self {
        PasswordHash(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub async fn hash_password(password: NewPassword) -> Result<PasswordHash, AccountError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| PasswordHash(h.to_string()))
            .map_err(|_| AccountError::Hashing)
    })
    .await
    .map_err(|_| AccountError::Hashing)?
}

pub async fn verify_password(password: &str, hash: &PasswordHash) -> Result<bool, AccountError> {
    let password = password.to_string();
    let hash = hash.0.clone();
    tokio::task::spawn_blocking(move || {
        let parsed = argon2::password_hash::PasswordHash::new(&hash).map_err(|_| AccountError::Hashing)?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|_| AccountError::Hashing)?
}

/// Does the same work as checking a real account, so an unknown email cannot be told apart by timing.
pub(super) async fn burn_equal_time(password: &str) -> Result<(), AccountError> {
    static DUMMY: OnceLock<PasswordHash> = OnceLock::new();
    let dummy = match DUMMY.get() {
        Some(hash) => hash.clone(),
        None => {
            let made = hash_password(NewPassword("dummy password for timing".into())).await?;
            DUMMY.get_or_init(|| made).clone()
        }
    };
    verify_password(password, &dummy).await.map(|_| ())
}

pub(super) fn is_common(password: &str) -> bool {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let list = LIST.get_or_init(|| {
        include_str!("common_passwords.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    });
    list.contains(password.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let hash = hash_password(NewPassword("lantern-orbit-97".into()))
            .await
            .expect("hash");
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(verify_password("lantern-orbit-97", &hash).await.expect("verify"));
        assert!(!verify_password("lantern-orbit-98", &hash).await.expect("verify"));
    }

    #[test]
    fn the_shipped_list_holds_thousands_of_passwords() {
        assert!(include_str!("common_passwords.txt").lines().count() > 5_000);
        assert!(is_common("iloveyou1"));
    }
}
