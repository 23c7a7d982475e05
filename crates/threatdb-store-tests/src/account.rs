//! A person's own account: their tokens only (another's is NotFound, to list and to revoke),
//! at most 50 working tokens however many are asked for, and a password change that ends
//! their sessions.

use crate::fixture::{fixture, unique};
use threatdb_core::{AdminStore, NewWebLogin, Store, StoreError};

fn hash_of(n: u32, tag: &str) -> Vec<u8> {
    use std::hash::{BuildHasher, Hasher};
    let mut out = Vec::with_capacity(32);
    for i in 0..4u32 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write(tag.as_bytes());
        h.write_u32(n);
        h.write_u32(i);
        out.extend_from_slice(&h.finish().to_le_bytes());
    }
    out
}

/// Tokens are per person, capped, and revoked only by their holder; a password change ends the
/// sessions.
pub async fn own_tokens_and_password<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let tag = unique("tok");
    let a = &fx.writer_a.actor;
    let b = &fx.member_b.actor;
    let first = store
        .create_own_token(a, hash_of(0, &tag), None)
        .await
        .unwrap();
    let theirs = store
        .create_own_token(b, hash_of(1, &tag), None)
        .await
        .unwrap();
    let mine = store.own_tokens(a).await.unwrap();
    assert_eq!(mine.iter().map(|t| t.id).collect::<Vec<_>>(), vec![first]);
    assert_eq!(mine[0].access_id, fx.writer_a.access_id);
    assert_eq!(
        store.revoke_own_token(a, theirs).await,
        Err(StoreError::NotFound),
        "another's token"
    );
    assert!(!store.own_tokens(b).await.unwrap()[0].revoked);

    // The cap: 50 working tokens; an expired or revoked one does not count.
    let past = threatdb_core::date::now() - time::Duration::days(1);
    store
        .create_own_token(a, hash_of(2, &tag), Some(past))
        .await
        .unwrap();
    for n in 3..52 {
        store
            .create_own_token(a, hash_of(n, &tag), None)
            .await
            .unwrap();
    }
    let refused = store.create_own_token(a, hash_of(99, &tag), None).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    store.revoke_own_token(a, first).await.unwrap();
    store.revoke_own_token(a, first).await.unwrap();
    store
        .create_own_token(a, hash_of(100, &tag), None)
        .await
        .unwrap();
    assert_eq!(store.own_tokens(a).await.unwrap().len(), 52);

    // The password: only the actor's own login, and its sessions end.
    assert_eq!(
        store.change_web_password(a, "$argon2id$new".into()).await,
        Err(StoreError::NotFound),
        "no web login yet"
    );
    let login = unique("self").replace(' ', "_");
    store
        .create_web_login(NewWebLogin {
            access_id: fx.writer_a.access_id.clone(),
            login: login.clone(),
            password_hash: "$argon2id$old".into(),
        })
        .await
        .unwrap();
    let (before, _) = store.web_login(&login).await.unwrap().unwrap();
    store
        .change_web_password(a, "$argon2id$new".into())
        .await
        .unwrap();
    let (after, _) = store.web_login(&login).await.unwrap().unwrap();
    assert_eq!(after.password_hash, "$argon2id$new");
    assert!(after.session_epoch > before.session_epoch);
}
