//! Operator operations: owners, API users, memberships.

use crate::fixture::{
    SEALED_SECRET, actor, assert_err, create, fixture, new_owner, new_user, unique,
};
use threatdb_core::{
    AdminStore, IncidentName, IncidentPatch, Include, NewApiUser, OwnerKind, Role, Store,
    StoreError,
};

/// Owner names are unique case-insensitively; look-up by name ignores case; kinds are kept.
pub async fn admin_owners<S: Store + AdminStore>(store: &S) {
    let name = unique("Owner Ünïcode");
    let owner = store
        .create_owner(&name, OwnerKind::Source)
        .await
        .expect("create");
    assert_eq!(
        (owner.name.as_str(), owner.kind),
        (name.as_str(), OwnerKind::Source)
    );
    for clash in [
        name.clone(),
        name.to_uppercase(),
        name.to_lowercase(),
        format!("  {name} "),
    ] {
        for kind in [OwnerKind::Organization, OwnerKind::Source] {
            let r = store.create_owner(&clash, kind).await;
            assert!(
                matches!(r, Err(StoreError::Conflict(_))),
                "duplicate owner {clash:?}: {r:?}"
            );
        }
    }
    for bad in ["", "   ", &"x".repeat(256)] {
        let r = store.create_owner(bad, OwnerKind::Organization).await;
        assert!(
            matches!(r, Err(StoreError::Invalid(_))),
            "owner name {bad:?}: {r:?}"
        );
    }
    assert_eq!(store.owner_by_name(&name).await.expect("by name"), owner);
    assert_eq!(
        store
            .owner_by_name(&name.to_uppercase())
            .await
            .expect("by upper name"),
        owner
    );
    assert_err(
        store.owner_by_name(&unique("no such owner")).await,
        StoreError::NotFound,
        "unknown owner",
    );
    let all = store.all_owners().await.expect("all");
    assert_eq!(
        all.iter()
            .filter(|o| o.name.to_lowercase() == name.to_lowercase())
            .count(),
        1
    );
    assert!(all.contains(&owner));
    let community = new_owner(store, "Community", OwnerKind::Community).await;
    assert_eq!(
        store
            .owner_by_name(&community.name)
            .await
            .expect("community")
            .kind,
        OwnerKind::Community
    );
}

/// API users: credentials round-trip, access ids are unique, the default owner must be an
/// organization, the count grows.
pub async fn admin_api_users<S: Store + AdminStore>(store: &S) {
    let count = store.api_user_count().await.expect("count");
    let org = new_owner(store, "Users org", OwnerKind::Organization).await;
    let community = new_owner(store, "Users community", OwnerKind::Community).await;
    let source = new_owner(store, "Users source", OwnerKind::Source).await;
    let access_id = unique("AID").replace(' ', "-");
    let name = unique("Ünïcode user 'quoted'");
    let id = store
        .create_api_user(NewApiUser {
            name: name.clone(),
            access_id: access_id.clone(),
            sealed_secret: SEALED_SECRET.to_vec(),
            organization_id: org.id,
            role: Role::Write,
        })
        .await
        .expect("create");
    let (credentials, actor) = store
        .credentials(&access_id)
        .await
        .expect("credentials")
        .expect("found");
    assert_eq!(credentials.user_id, id);
    assert_eq!(credentials.access_id, access_id);
    assert_eq!(
        credentials.sealed_secret, SEALED_SECRET,
        "sealed secret byte for byte"
    );
    assert!(!credentials.disabled);
    assert_eq!((actor.user_id, actor.name.as_str()), (id, name.as_str()));
    assert_eq!(actor.default_owner, org);
    assert_eq!(actor.memberships.len(), 1);
    assert_eq!(actor.role_in(org.id), Some(Role::Write));
    assert!(
        store.api_user_count().await.expect("count") > count,
        "the count grows"
    );

    assert_eq!(
        store
            .credentials(&unique("AID-unknown"))
            .await
            .expect("unknown"),
        None
    );
    let dup = store
        .create_api_user(NewApiUser {
            name: "someone else".into(),
            access_id: access_id.clone(),
            sealed_secret: vec![1],
            organization_id: org.id,
            role: Role::Read,
        })
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "duplicate access id: {dup:?}"
    );
    let (_, unchanged) = store
        .credentials(&access_id)
        .await
        .expect("credentials")
        .expect("found");
    assert_eq!(unchanged, actor, "a failed create changes nothing");

    for (owner_id, what) in [
        (community.id, "a community"),
        (source.id, "a source"),
        (i64::MAX, "no owner"),
    ] {
        let aid = unique("AID-bad").replace(' ', "-");
        let r = store
            .create_api_user(NewApiUser {
                name: "bad".into(),
                access_id: aid.clone(),
                sealed_secret: vec![1],
                organization_id: owner_id,
                role: Role::Admin,
            })
            .await;
        assert!(
            matches!(r, Err(StoreError::Invalid(_))),
            "default owner is {what}: {r:?}"
        );
        assert_eq!(
            store.credentials(&aid).await.expect("credentials"),
            None,
            "nothing created"
        );
    }
}

/// `set_membership` grants access to another owner and changes the role there.
pub async fn admin_memberships_grant_access<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let id = create(store, &fx.writer_a, &fx.org_a, "shared later", "2020-01-01").await;
    let mut b = fx.member_b.clone();
    let rename = |name: &str| IncidentPatch {
        name: Some(IncidentName::parse(name).expect("name")),
        ..IncidentPatch::default()
    };
    assert_err(
        store.get_incident(&b, id, Include::default()).await,
        StoreError::NotFound,
        "before",
    );

    store
        .set_membership(&b.access_id, fx.org_a.id, Role::Read)
        .await
        .expect("grant read");
    b.reload(store).await;
    assert_eq!(
        (b.role_in(fx.org_a.id), b.role_in(fx.org_b.id)),
        (Some(Role::Read), Some(Role::Write))
    );
    assert_eq!(b.default_owner, fx.org_b, "the default owner stays");
    store
        .get_incident(&b, id, Include::default())
        .await
        .expect("read after grant");
    assert_err(
        store.update_incident(&b, id, rename("by B")).await,
        StoreError::Forbidden,
        "read only",
    );

    store
        .set_membership(&b.access_id, fx.org_a.id, Role::Write)
        .await
        .expect("upgrade");
    b.reload(store).await;
    assert_eq!(b.memberships.len(), 2, "one membership per owner");
    let renamed = store
        .update_incident(&b, id, rename("by B"))
        .await
        .expect("write after upgrade");
    assert_eq!(renamed.name, "by B");

    // Another user with the same roles is unaffected.
    let other = new_user(store, "other-b", &fx.org_b, Role::Write).await;
    assert_err(
        store.get_incident(&other, id, Include::default()).await,
        StoreError::NotFound,
        "others",
    );

    let unknown = store
        .set_membership(&unique("AID-nobody"), fx.org_a.id, Role::Read)
        .await;
    assert!(
        matches!(unknown, Err(StoreError::Invalid(_) | StoreError::NotFound)),
        "unknown access id: {unknown:?}"
    );
    let no_owner = store
        .set_membership(&b.access_id, i64::MAX, Role::Read)
        .await;
    assert!(
        matches!(no_owner, Err(StoreError::Invalid(_) | StoreError::NotFound)),
        "unknown owner: {no_owner:?}"
    );
    assert_eq!(
        actor(store, &b.access_id).await,
        b.actor,
        "failed grants change nothing"
    );
}

/// A store that opened (and so migrated) is ready: the database answers and its schema
/// version is the one this build knows (`/readyz`).
pub async fn store_is_ready<S: Store>(store: &S) {
    store.ready().await.expect("a migrated store is ready");
}
