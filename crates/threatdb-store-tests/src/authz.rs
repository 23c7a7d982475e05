//! The authorization policy as the store applies it: every operation × every role.

use crate::fixture::{
    Fixture, User, assert_err, attr, create, fixture, new_incident, snapshot, tag, ts,
};
use threatdb_core::{
    Actor, AdminStore, AttributePatch, Cond, IncidentName, IncidentPatch, IncidentQuery, Include,
    Owner, Paging, Store, StoreError, StoreResult, Subject, TextMatch,
};

/// Every store operation on an owner's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `get_incident`.
    Get,
    /// `list_incidents` of the owner.
    List,
    /// `list_attributes`.
    ListAttributes,
    /// `get_attribute`.
    GetAttribute,
    /// `attribute_labels`.
    AttributeLabels,
    /// `incident_tags`.
    IncidentTags,
    /// `incident_labels`.
    IncidentLabels,
    /// `get_tag` of the owner.
    GetTag,
    /// `list_tags` of the owner.
    ListTags,
    /// `list_labels` of the owner.
    ListLabels,
    /// `create_incident` in the owner.
    Create,
    /// `update_incident`.
    Update,
    /// `delete_incident`.
    Delete,
    /// `add_attribute`.
    AddAttribute,
    /// `update_attribute`.
    UpdateAttribute,
    /// `delete_attribute`.
    DeleteAttribute,
    /// `add_attribute_label`.
    AddAttributeLabel,
    /// `remove_attribute_label`.
    RemoveAttributeLabel,
    /// `add_incident_tag`.
    AddTag,
    /// `remove_incident_tag`.
    RemoveTag,
    /// `add_incident_label`.
    AddLabel,
    /// `remove_incident_label`.
    RemoveLabel,
}

impl Op {
    /// Every operation.
    pub const ALL: [Op; 22] = [
        Op::Get,
        Op::List,
        Op::ListAttributes,
        Op::GetAttribute,
        Op::AttributeLabels,
        Op::IncidentTags,
        Op::IncidentLabels,
        Op::GetTag,
        Op::ListTags,
        Op::ListLabels,
        Op::Create,
        Op::Update,
        Op::Delete,
        Op::AddAttribute,
        Op::UpdateAttribute,
        Op::DeleteAttribute,
        Op::AddAttributeLabel,
        Op::RemoveAttributeLabel,
        Op::AddTag,
        Op::RemoveTag,
        Op::AddLabel,
        Op::RemoveLabel,
    ];

    /// Whether the operation changes data (and so needs the Write role).
    pub fn writes(self) -> bool {
        !matches!(
            self,
            Op::Get
                | Op::List
                | Op::ListAttributes
                | Op::GetAttribute
                | Op::AttributeLabels
                | Op::IncidentTags
                | Op::IncidentLabels
                | Op::GetTag
                | Op::ListTags
                | Op::ListLabels
        )
    }
}

/// An incident with one of everything: tag `seed`, label TLP:GREEN, an attribute labelled TLP:RED.
#[derive(Debug, Clone)]
pub struct Target {
    /// The incident's owner.
    pub owner: Owner,
    /// The incident.
    pub incident: i64,
    /// Its attribute.
    pub attribute: i64,
}

/// Creates a [`Target`] in `owner` as `writer`.
pub async fn target<S: Store>(store: &S, writer: &Actor, owner: &Owner) -> Target {
    let incident = create(store, writer, owner, "target", "2020-01-01").await;
    let attribute = store
        .add_attribute(
            writer,
            &Subject::Incident(incident),
            attr("Description", "seed"),
        )
        .await
        .expect("attribute")
        .id;
    store
        .label_attribute(writer, &Subject::Incident(incident), attribute, "TLP:RED")
        .await
        .expect("attribute label");
    store
        .tag(writer, &Subject::Incident(incident), &tag("seed"))
        .await
        .expect("tag");
    store
        .label(writer, &Subject::Incident(incident), "TLP:GREEN")
        .await
        .expect("label");
    Target {
        owner: owner.clone(),
        incident,
        attribute,
    }
}

/// Runs `op` on `t` as `actor`, forgetting the result's value.
pub async fn run<S: Store>(store: &S, actor: &Actor, op: Op, t: &Target) -> StoreResult<()> {
    let (i, a) = (t.incident, t.attribute);
    let owner = || IncidentQuery::owner(t.owner.clone());
    match op {
        Op::Get => store
            .get_incident(actor, i, Include::default())
            .await
            .map(drop),
        Op::List => store.list_incidents(actor, &owner()).await.map(drop),
        Op::ListAttributes => store
            .attributes_of(actor, &Subject::Incident(i))
            .await
            .map(drop),
        Op::GetAttribute => store
            .attribute_of(actor, &Subject::Incident(i), a)
            .await
            .map(drop),
        Op::AttributeLabels => store
            .attribute_labels(actor, &Subject::Incident(i), a)
            .await
            .map(drop),
        Op::IncidentTags => store.tags_of(actor, &Subject::Incident(i)).await.map(drop),
        Op::IncidentLabels => store
            .labels_of(actor, &Subject::Incident(i))
            .await
            .map(drop),
        Op::GetTag => store.get_tag(actor, &t.owner, "SEED").await.map(drop),
        Op::ListTags => store
            .list_tags(actor, &t.owner, Paging::default())
            .await
            .map(drop),
        Op::ListLabels => store.list_labels(actor, &t.owner).await.map(drop),
        Op::Create => store
            .create_incident(actor, &t.owner, new_incident("created", ts("2020-01-01")))
            .await
            .map(drop),
        Op::Update => {
            let patch = IncidentPatch {
                name: Some(IncidentName::parse("renamed").expect("name")),
                ..IncidentPatch::default()
            };
            store.update_incident(actor, i, patch).await.map(drop)
        }
        Op::Delete => store.delete_incident(actor, i).await,
        Op::AddAttribute => store
            .add_attribute(actor, &Subject::Incident(i), attr("Source", "added"))
            .await
            .map(drop),
        Op::UpdateAttribute => {
            let patch = AttributePatch {
                value: Some("changed".into()),
                ..AttributePatch::default()
            };
            store
                .update_attribute(actor, &Subject::Incident(i), a, patch)
                .await
                .map(drop)
        }
        Op::DeleteAttribute => {
            store
                .delete_attribute(actor, &Subject::Incident(i), a)
                .await
        }
        Op::AddAttributeLabel => {
            store
                .label_attribute(actor, &Subject::Incident(i), a, "TLP:AMBER")
                .await
        }
        Op::RemoveAttributeLabel => {
            store
                .unlabel_attribute(actor, &Subject::Incident(i), a, "TLP:RED")
                .await
        }
        Op::AddTag => store.tag(actor, &Subject::Incident(i), &tag("added")).await,
        Op::RemoveTag => store.untag(actor, &Subject::Incident(i), "seed").await,
        Op::AddLabel => store.label(actor, &Subject::Incident(i), "TLP:AMBER").await,
        Op::RemoveLabel => {
            store
                .unlabel(actor, &Subject::Incident(i), "TLP:GREEN")
                .await
        }
    }
}

fn roles(fx: &Fixture) -> [(&'static str, &User); 4] {
    [
        ("admin of A", &fx.admin_a),
        ("writer of A", &fx.writer_a),
        ("reader of A", &fx.reader_a),
        ("member of B", &fx.member_b),
    ]
}

/// What `op` on A's data must give each role: members of A read; writing needs Write or Admin
/// (a reader gets Forbidden); a non-member gets NotFound for everything.
pub fn expected(role: &str, op: Op) -> StoreResult<()> {
    match role {
        "member of B" => Err(StoreError::NotFound),
        "reader of A" if op.writes() => Err(StoreError::Forbidden),
        _ => Ok(()),
    }
}

async fn incident_count<S: Store>(store: &S, actor: &Actor, owner: &Owner) -> Option<u64> {
    store
        .list_incidents(actor, &IncidentQuery::owner(owner.clone()))
        .await
        .expect("count")
        .total
}

/// Every operation × every role on an incident of A; a refused operation changes nothing.
pub async fn authorization_matrix<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let shared = target(store, &fx.writer_a, &fx.org_a).await;
    let before = snapshot(store, &fx.admin_a, shared.incident).await;
    let count = incident_count(store, &fx.admin_a, &fx.org_a).await;
    // Reads, and every refused write, on one target.
    for (role, user) in roles(&fx) {
        for op in Op::ALL {
            let want = expected(role, op);
            if want.is_ok() && op.writes() {
                continue;
            }
            let got = run(store, user, op, &shared).await;
            assert_eq!(got, want, "{op:?} as {role}");
        }
    }
    assert_eq!(
        snapshot(store, &fx.admin_a, shared.incident).await,
        before,
        "refused operations change nothing"
    );
    assert_eq!(
        incident_count(store, &fx.admin_a, &fx.org_a).await,
        count,
        "refused creates create nothing"
    );
    // Allowed writes, each on a fresh target.
    for (role, user) in roles(&fx) {
        for op in Op::ALL
            .into_iter()
            .filter(|op| op.writes() && expected(role, *op).is_ok())
        {
            let fresh = target(store, &fx.writer_a, &fx.org_a).await;
            let got = run(store, user, op, &fresh).await;
            assert_eq!(got, Ok(()), "{op:?} as {role}");
            // The effect of each write is checked by the other cases; here only that it happened.
            let after = store
                .get_incident(&fx.reader_a, fresh.incident, Include::default())
                .await;
            match op {
                Op::Delete => assert_eq!(after, Err(StoreError::NotFound), "deleted as {role}"),
                _ => assert!(
                    after.is_ok(),
                    "{op:?} as {role} left the incident: {after:?}"
                ),
            }
        }
    }
}

/// An incident the actor may not see is exactly as missing as one that does not exist.
pub async fn hidden_is_missing<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let real = target(store, &fx.writer_a, &fx.org_a).await;
    let missing = Target {
        incident: i64::MAX,
        attribute: i64::MAX,
        ..real.clone()
    };
    let missing_attr = Target {
        attribute: i64::MAX,
        ..real.clone()
    };
    for op in Op::ALL.into_iter().filter(|op| {
        !matches!(
            op,
            Op::List | Op::ListTags | Op::ListLabels | Op::GetTag | Op::Create
        )
    }) {
        let hidden = run(store, &fx.member_b, op, &real).await;
        let absent = run(store, &fx.admin_a, op, &missing).await;
        assert_eq!(
            hidden,
            Err(StoreError::NotFound),
            "{op:?} on a hidden incident"
        );
        assert_eq!(
            absent,
            Err(StoreError::NotFound),
            "{op:?} on a missing incident"
        );
        // A reader asking to write to something missing learns it is missing, not forbidden.
        let reader_absent = run(store, &fx.reader_a, op, &missing).await;
        assert_eq!(
            reader_absent,
            Err(StoreError::NotFound),
            "{op:?} as reader on a missing incident"
        );
        if matches!(
            op,
            Op::GetAttribute | Op::UpdateAttribute | Op::DeleteAttribute | Op::AttributeLabels
        ) {
            // The incident is visible, so a reader's write may be refused before the attribute
            // is looked up: Forbidden or NotFound, but never success.
            let r = run(store, &fx.reader_a, op, &missing_attr).await;
            let ok =
                r == Err(StoreError::NotFound) || (op.writes() && r == Err(StoreError::Forbidden));
            assert!(ok, "{op:?} as reader on a missing attribute: {r:?}");
        }
    }
    let q =
        IncidentQuery::owner(fx.org_a.clone()).with(Cond::Name(TextMatch::Equals, "target".into()));
    assert_err(
        store.list_incidents(&fx.member_b, &q).await,
        StoreError::NotFound,
        "listing A as B",
    );
}

/// Roles are per owner: a user may write in one owner and only read in another.
pub async fn roles_are_per_owner<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let u = &fx.reader_c; // Write in A, Read in C
    let in_c = target(store, &fx.admin_a, &fx.community_c).await;
    let in_a = target(store, u, &fx.org_a).await;
    let before_c = snapshot(store, &fx.admin_a, in_c.incident).await;
    for op in Op::ALL {
        let got = run(store, u, op, &in_c).await;
        let want = if op.writes() {
            Err(StoreError::Forbidden)
        } else {
            Ok(())
        };
        assert_eq!(got, want, "{op:?} in C as its reader");
        let hidden = run(store, &fx.writer_a, op, &in_c).await;
        assert_eq!(
            hidden,
            Err(StoreError::NotFound),
            "{op:?} in C as a non-member"
        );
    }
    assert_eq!(
        snapshot(store, &fx.admin_a, in_c.incident).await,
        before_c,
        "C unchanged"
    );
    run(store, u, Op::Update, &in_a).await.expect("write in A");
    let page = store
        .list_incidents(u, &IncidentQuery::owner(fx.community_c.clone()))
        .await
        .expect("list C");
    assert_eq!(page.total, Some(1));
}
