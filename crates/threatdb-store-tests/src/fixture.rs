//! The world every case starts from, and the small helpers the cases share.
//!
//! Every fixture creates its own owners and API users under unique names, so cases never see
//! each other's data and can all share one database (a PostgreSQL one included).

use std::fmt::Debug;
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use threatdb_core::{
    Actor, AdminStore, Attribute, Cmp, Cond, IncidentDetails, IncidentName, IncidentQuery,
    IncidentStatus, Include, NewApiUser, NewAttribute, NewIncident, Owner, OwnerKind, Page, Role,
    SecurityLabel, Store, StoreError, StoreResult, Subject, TagName, Target, TextMatch, Timestamp,
    parse_timestamp,
};
use time::UtcOffset;

/// A name no other fixture, case or process uses: `prefix`, the process id, the time in
/// nanoseconds and a process-wide counter.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{prefix} {}-{nanos:x}-{n}", std::process::id())
}

/// An API user of the fixture: its access id and the actor it authenticates as.
/// Derefs to the [`Actor`], so `&user` can be passed where `&Actor` is wanted.
#[derive(Debug, Clone)]
pub struct User {
    /// The access id (for [`AdminStore::set_membership`] and [`Store::credentials`]).
    pub access_id: String,
    /// The actor, as [`Store::credentials`] loaded it.
    pub actor: Actor,
}

impl Deref for User {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.actor
    }
}

impl User {
    /// Reloads the actor (after a membership change).
    pub async fn reload<S: Store>(&mut self, store: &S) {
        self.actor = actor(store, &self.access_id).await;
    }
}

/// Two organizations, a community and five API users with different roles.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Organization A, where most cases work.
    pub org_a: Owner,
    /// Organization B, which shares nothing with A.
    pub org_b: Owner,
    /// Community C.
    pub community_c: Owner,
    /// Admin of A; also Write in C (so incidents can be created there).
    pub admin_a: User,
    /// Write in A.
    pub writer_a: User,
    /// Read in A.
    pub reader_a: User,
    /// Write in B, member of nothing else.
    pub member_b: User,
    /// Write in A and Read in C.
    pub reader_c: User,
}

/// Dummy sealed secret bytes (the store keeps them opaque).
pub const SEALED_SECRET: &[u8] = &[0x00, 0xde, 0xad, 0xbe, 0xef, 0xff, 0x7f];

/// Creates an API user whose organization is `org`, with `role` there.
pub async fn new_user<S: Store + AdminStore>(
    store: &S,
    label: &str,
    org: &Owner,
    role: Role,
) -> User {
    let access_id = unique(&format!("AID-{label}")).replace(' ', "-");
    let name = unique(&format!("user {label}"));
    store
        .create_api_user(NewApiUser {
            name,
            access_id: access_id.clone(),
            sealed_secret: SEALED_SECRET.to_vec(),
            organization_id: org.id,
            role,
        })
        .await
        .unwrap_or_else(|e| panic!("create_api_user {label}: {e:?}"));
    let actor = actor(store, &access_id).await;
    User { access_id, actor }
}

/// Loads the actor of an access id, which must exist.
pub async fn actor<S: Store>(store: &S, access_id: &str) -> Actor {
    store
        .credentials(access_id)
        .await
        .unwrap_or_else(|e| panic!("credentials({access_id}): {e:?}"))
        .unwrap_or_else(|| panic!("credentials({access_id}) found no user"))
        .1
}

/// Creates an owner under a unique name.
pub async fn new_owner<S: AdminStore>(store: &S, label: &str, kind: OwnerKind) -> Owner {
    store
        .create_owner(&unique(label), kind)
        .await
        .unwrap_or_else(|e| panic!("create_owner {label}: {e:?}"))
}

/// Builds the fixture.
pub async fn fixture<S: Store + AdminStore>(store: &S) -> Fixture {
    let org_a = new_owner(store, "Org A", OwnerKind::Organization).await;
    let org_b = new_owner(store, "Org B", OwnerKind::Organization).await;
    let community_c = new_owner(store, "Community C", OwnerKind::Community).await;
    let mut admin_a = new_user(store, "admin-a", &org_a, Role::Admin).await;
    let writer_a = new_user(store, "writer-a", &org_a, Role::Write).await;
    let reader_a = new_user(store, "reader-a", &org_a, Role::Read).await;
    let member_b = new_user(store, "member-b", &org_b, Role::Write).await;
    let mut reader_c = new_user(store, "reader-c", &org_a, Role::Write).await;
    for (user, role) in [(&mut admin_a, Role::Write), (&mut reader_c, Role::Read)] {
        store
            .set_membership(&user.access_id, community_c.id, role)
            .await
            .expect("set_membership in the community");
        user.reload(store).await;
    }
    Fixture {
        org_a,
        org_b,
        community_c,
        admin_a,
        writer_a,
        reader_a,
        member_b,
        reader_c,
    }
}

/// Parses an ISO-8601 timestamp (test input, must be valid).
pub fn ts(s: &str) -> Timestamp {
    parse_timestamp(s).unwrap_or_else(|e| panic!("bad test timestamp {s}: {e}"))
}

/// A new incident with status New and a generated xid.
pub fn new_incident(name: &str, event: Timestamp) -> NewIncident {
    NewIncident {
        name: IncidentName::parse(name).unwrap_or_else(|e| panic!("bad test name {name}: {e}")),
        event_date: event,
        status: IncidentStatus::New,
        xid: None,
    }
}

/// Parses a tag name (test input, must be valid).
pub fn tag(s: &str) -> TagName {
    TagName::parse(s).unwrap_or_else(|e| panic!("bad test tag {s}: {e}"))
}

/// Builds an attribute (test input, must be valid).
pub fn attr(kind: &str, value: &str) -> NewAttribute {
    NewAttribute::parse(kind, value, false, None)
        .unwrap_or_else(|e| panic!("bad test attribute {kind}: {e}"))
}

/// Every kind of metadata.
pub const ALL: Include = Include {
    additional: true,
    attributes: true,
    tags: true,
    labels: true,
};

/// Creates an incident in `owner`, which must succeed.
pub async fn create<S: Store>(
    store: &S,
    actor: &Actor,
    owner: &Owner,
    name: &str,
    event: &str,
) -> i64 {
    store
        .create_incident(actor, owner, new_incident(name, ts(event)))
        .await
        .unwrap_or_else(|e| panic!("create_incident {name}: {e:?}"))
        .id
}

/// The ids of a page's incidents, in order.
pub fn ids(page: &Page<IncidentDetails>) -> Vec<i64> {
    page.items.iter().map(|d| d.incident.id).collect()
}

/// The names of some labels, in order.
pub fn label_names(labels: &[SecurityLabel]) -> Vec<String> {
    labels.iter().map(|l| l.name.clone()).collect()
}

/// Asserts a store call failed with exactly `want`.
#[track_caller]
pub fn assert_err<T: Debug>(got: StoreResult<T>, want: StoreError, what: &str) {
    match got {
        Err(e) if e == want => {}
        other => panic!("{what}: expected Err({want:?}), got {other:?}"),
    }
}

/// Asserts a timestamp is in UTC with whole seconds.
#[track_caller]
pub fn assert_second_utc(t: Timestamp, what: &str) {
    assert_eq!(t.offset(), UtcOffset::UTC, "{what} must be in UTC: {t}");
    assert_eq!(t.nanosecond(), 0, "{what} must have whole seconds: {t}");
}

/// Asserts `t` is the time of something done between `before` and `after` (the store's clock
/// may be the database server's: a little skew is allowed).
#[track_caller]
pub fn assert_during(t: Timestamp, before: Timestamp, after: Timestamp, what: &str) {
    let skew = time::Duration::seconds(2);
    assert!(
        before - skew <= t && t <= after + skew,
        "{what} {t} should be the current time ({before} .. {after})"
    );
}

/// Everything stored about an incident, for "nothing changed" checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The incident with all its metadata.
    pub details: IncidentDetails,
    /// The labels of each attribute, in attribute order.
    pub attribute_labels: Vec<(Attribute, Vec<SecurityLabel>)>,
}

/// Takes a [`Snapshot`] of an incident as `actor` (who must be able to read it).
pub async fn snapshot<S: Store>(store: &S, actor: &Actor, id: i64) -> Snapshot {
    let details = store
        .get_incident(actor, id, ALL)
        .await
        .unwrap_or_else(|e| panic!("snapshot of incident {id}: {e:?}"));
    let mut attribute_labels = Vec::new();
    for a in details.attributes.clone().unwrap_or_default() {
        let labels = store
            .attribute_labels(actor, &Subject::Incident(id), a.id)
            .await
            .unwrap_or_else(|e| panic!("snapshot of attribute {}: {e:?}", a.id));
        attribute_labels.push((a, labels));
    }
    Snapshot {
        details,
        attribute_labels,
    }
}

/// Lists incidents, which must succeed.
pub async fn list<S: Store>(store: &S, actor: &Actor, q: &IncidentQuery) -> Page<IncidentDetails> {
    store
        .list_incidents(actor, q)
        .await
        .unwrap_or_else(|e| panic!("list_incidents {q:?}: {e:?}"))
}

/// Sets a condition of a query the way the old optional fields did: `None` adds nothing.
pub trait SetQuery {
    /// Carries this tag.
    fn set_tag(&mut self, v: Option<String>);
    /// Carries this label.
    fn set_label(&mut self, v: Option<String>);
    /// Exactly this name.
    fn set_name_eq(&mut self, v: Option<String>);
    /// Name starts with.
    fn set_name_prefix(&mut self, v: Option<String>);
    /// Name contains.
    fn set_name_contains(&mut self, v: Option<String>);
    /// This status.
    fn set_status(&mut self, v: Option<IncidentStatus>);
    /// Event after.
    fn set_event_after(&mut self, v: Option<Timestamp>);
    /// Event before.
    fn set_event_before(&mut self, v: Option<Timestamp>);
    /// Added after.
    fn set_added_after(&mut self, v: Option<Timestamp>);
    /// Added before.
    fn set_added_before(&mut self, v: Option<Timestamp>);
    /// Associated with.
    fn set_associated(&mut self, v: Option<Target>);
}

impl SetQuery for IncidentQuery {
    fn set_tag(&mut self, v: Option<String>) {
        v.map(|v| self.and(Cond::Tag(v)));
    }
    fn set_label(&mut self, v: Option<String>) {
        v.map(|v| self.and(Cond::Label(v)));
    }
    fn set_name_eq(&mut self, v: Option<String>) {
        v.map(|v| self.and(Cond::Name(TextMatch::Equals, v)));
    }
    fn set_name_prefix(&mut self, v: Option<String>) {
        v.map(|v| self.and(Cond::Name(TextMatch::StartsWith, v)));
    }
    fn set_name_contains(&mut self, v: Option<String>) {
        v.map(|v| self.and(Cond::Name(TextMatch::Contains, v)));
    }
    fn set_status(&mut self, v: Option<IncidentStatus>) {
        v.map(|v| self.and(Cond::Status(v)));
    }
    fn set_event_after(&mut self, v: Option<Timestamp>) {
        v.map(|v| self.and(Cond::EventDate(Cmp::Gt, v)));
    }
    fn set_event_before(&mut self, v: Option<Timestamp>) {
        v.map(|v| self.and(Cond::EventDate(Cmp::Lt, v)));
    }
    fn set_added_after(&mut self, v: Option<Timestamp>) {
        v.map(|v| self.and(Cond::DateAdded(Cmp::Gt, v)));
    }
    fn set_added_before(&mut self, v: Option<Timestamp>) {
        v.map(|v| self.and(Cond::DateAdded(Cmp::Lt, v)));
    }
    fn set_associated(&mut self, v: Option<Target>) {
        v.map(|v| self.and(Cond::Associated(v)));
    }
}
