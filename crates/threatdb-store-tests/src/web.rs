//! People signing in to the web UI: a web login belongs to an API user and yields the very
//! same actor (memberships included) as the API's credentials look-up.

use crate::fixture::{actor, assert_err, create, fixture, unique};
use threatdb_core::{
    AdminStore, Include, NewWebLogin, Role, Store, StoreError, StoreResult, WebLogin,
};

fn new_login(access_id: &str, login: &str, hash: &str) -> NewWebLogin {
    NewWebLogin {
        access_id: access_id.to_string(),
        login: login.to_string(),
        password_hash: hash.to_string(),
    }
}

fn conflict<T: std::fmt::Debug>(r: StoreResult<T>, what: &str) {
    assert!(matches!(r, Err(StoreError::Conflict(_))), "{what}: {r:?}");
}

fn invalid<T: std::fmt::Debug>(r: StoreResult<T>, what: &str) {
    assert!(matches!(r, Err(StoreError::Invalid(_))), "{what}: {r:?}");
}

async fn login_of<S: Store>(store: &S, login: &str) -> WebLogin {
    store
        .web_login(login)
        .await
        .expect("web_login")
        .unwrap_or_else(|| panic!("no web login {login}"))
        .0
}

/// A web login finds its API user's actor, by login (case-insensitively) and by user id; names
/// are unique case-insensitively; a user has at most one login; bad input is refused.
pub async fn web_logins<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let spelled = unique("Web.Writer").replace(' ', "_");
    store
        .create_web_login(new_login(
            &fx.writer_a.access_id,
            &format!("  {spelled} "),
            "$argon2id$v=19$dummy",
        ))
        .await
        .expect("create web login");

    for asked in [
        spelled.clone(),
        spelled.to_lowercase(),
        spelled.to_uppercase(),
    ] {
        let (login, web_actor) = store
            .web_login(&asked)
            .await
            .expect("web_login")
            .unwrap_or_else(|| panic!("web login {asked} not found"));
        assert_eq!(
            login.login, spelled,
            "the login is kept as spelled, trimmed"
        );
        assert_eq!(login.password_hash, "$argon2id$v=19$dummy");
        assert_eq!(login.user_id, fx.writer_a.user_id);
        assert_eq!((login.session_epoch, login.disabled), (0, false));
        assert_eq!(
            web_actor, fx.writer_a.actor,
            "the same actor as the API's credentials"
        );
    }
    let (by_id, by_id_actor) = store
        .web_session(fx.writer_a.user_id)
        .await
        .expect("web_session")
        .expect("the session's user has a login");
    assert_eq!(by_id, login_of(store, &spelled).await);
    assert_eq!(by_id_actor, fx.writer_a.actor);

    assert_eq!(
        store.web_login(&unique("nobody")).await.expect("unknown"),
        None
    );
    assert_eq!(
        store
            .web_session(fx.reader_a.user_id)
            .await
            .expect("no login"),
        None,
        "an API user without a web login has no web session"
    );

    conflict(
        store
            .create_web_login(new_login(
                &fx.reader_a.access_id,
                &spelled.to_uppercase(),
                "h",
            ))
            .await,
        "a login name taken case-insensitively",
    );
    conflict(
        store
            .create_web_login(new_login(
                &fx.writer_a.access_id,
                &unique("second").replace(' ', "-"),
                "h",
            ))
            .await,
        "a second login for one user",
    );
    invalid(
        store
            .create_web_login(new_login(
                &unique("no-such-access-id"),
                &unique("x").replace(' ', "-"),
                "h",
            ))
            .await,
        "an unknown access id",
    );
    for bad in ["", "   ", "with space", &"x".repeat(65)] {
        invalid(
            store
                .create_web_login(new_login(&fx.reader_a.access_id, bad, "h"))
                .await,
            &format!("login name {bad:?}"),
        );
    }
    invalid(
        store
            .create_web_login(new_login(
                &fx.reader_a.access_id,
                &unique("r").replace(' ', "-"),
                "",
            ))
            .await,
        "an empty password hash",
    );
    assert_eq!(
        store
            .web_session(fx.reader_a.user_id)
            .await
            .expect("refused logins"),
        None,
        "refused logins leave nothing behind"
    );

    // A membership change shows in the next session check, exactly as in the API's actor.
    store
        .set_membership(&fx.writer_a.access_id, fx.community_c.id, Role::Read)
        .await
        .expect("membership");
    let (_, changed) = store
        .web_session(fx.writer_a.user_id)
        .await
        .expect("web_session")
        .expect("still there");
    assert_eq!(changed.role_in(fx.community_c.id), Some(Role::Read));
    assert_eq!(changed, actor(store, &fx.writer_a.access_id).await);

    // The web actor is the API user: what it creates is the API user's.
    let id = create(store, &changed, &fx.org_a, "made on the web", "2020-01-01").await;
    let seen = store
        .get_incident(&fx.writer_a, id, Include::default())
        .await
        .expect("the API user sees it");
    assert_eq!(seen.incident.created_by, fx.writer_a.name);
    assert_err(
        store
            .get_incident(&fx.member_b, id, Include::default())
            .await,
        StoreError::NotFound,
        "another organization does not see it",
    );
}

/// Ending sessions bumps the epoch; a new password replaces the hash and ends sessions too.
pub async fn web_sessions_end<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let name = unique("Reader").replace(' ', "_");
    store
        .create_web_login(new_login(&fx.reader_a.access_id, &name, "first"))
        .await
        .expect("create");
    let (_, web_actor) = store
        .web_login(&name)
        .await
        .expect("web_login")
        .expect("found");
    store.end_web_sessions(&web_actor).await.expect("end");
    assert_eq!(login_of(store, &name).await.session_epoch, 1);
    store.end_web_sessions(&web_actor).await.expect("end again");
    assert_eq!(login_of(store, &name).await.session_epoch, 2);

    store
        .set_web_password(&name.to_uppercase(), "second")
        .await
        .expect("new password");
    let after = login_of(store, &name).await;
    assert_eq!(
        (after.password_hash.as_str(), after.session_epoch),
        ("second", 3)
    );

    assert_err(
        store.end_web_sessions(&fx.writer_a).await,
        StoreError::NotFound,
        "ending the sessions of a user without a web login",
    );
    assert_err(
        store.set_web_password(&unique("nobody"), "x").await,
        StoreError::NotFound,
        "a new password for an unknown login",
    );
    invalid(
        store.set_web_password(&name, "").await,
        "an empty password hash",
    );
    assert_eq!(
        login_of(store, &name).await,
        after,
        "refused changes change nothing"
    );
}
