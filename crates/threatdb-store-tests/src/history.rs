//! History: every kind of change produces exactly its records, in the change's transaction,
//! with who made it and through what (the context a request sets reaches the store's writer);
//! only those who may read the object read its history; a failed write records nothing.

use crate::fixture::{assert_err, create, fixture, tag};
use std::sync::Arc;
use threatdb_core::context::{ChangeContext, within};
use threatdb_core::history::{HistoryEntry, HistoryQuery};
use threatdb_core::{
    AdminStore, AttributePatch, IncidentName, IncidentPatch, IncidentStatus, IndicatorKind,
    IndicatorValue, ItemKind, ItemPatch, NewAttribute, NewItem, Paging, Store, StoreError, Subject,
};

async fn history<S: Store>(
    store: &S,
    actor: &threatdb_core::Actor,
    on: &Subject,
) -> Vec<HistoryEntry> {
    store
        .history(actor, on, &HistoryQuery::all(Paging::new(0, 1000).unwrap()))
        .await
        .expect("history")
        .items
}

fn fields(entries: &[HistoryEntry]) -> Vec<(String, Option<String>, Option<String>)> {
    entries
        .iter()
        .map(|e| (e.field.clone(), e.old.clone(), e.new.clone()))
        .collect()
}

fn c(
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> (String, Option<String>, Option<String>) {
    (field.into(), old.map(Into::into), new.map(Into::into))
}

/// Every kind of change to an incident, an adversary and a host, read back newest first.
pub async fn history_records_every_change<S: Store + AdminStore>(store: &S) {
    let fx = fixture(store).await;
    let w = &fx.writer_a;
    let id = create(store, w, &fx.org_a, "Before", "2026-01-02T00:00:00Z").await;
    let on = Subject::Incident(id);
    let patch = IncidentPatch {
        name: Some(IncidentName::parse("After").unwrap()),
        event_date: None,
        status: Some(IncidentStatus::Open),
    };
    // Through a request's context: the writer records it.
    let ctx = Arc::new(ChangeContext {
        via: "v3".into(),
        request_id: Some("req-42".into()),
    });
    within(Some(ctx), store.update_incident(w, id, patch))
        .await
        .unwrap();
    // A patch that changes nothing records nothing.
    let same = IncidentPatch {
        name: Some(IncidentName::parse("After").unwrap()),
        event_date: None,
        status: None,
    };
    store.update_incident(w, id, same).await.unwrap();
    store.tag(w, &on, &tag("Phishing")).await.unwrap();
    store.tag(w, &on, &tag("phishing")).await.unwrap();
    store.untag(w, &on, "Phishing").await.unwrap();
    assert_err(
        store.untag(w, &on, "Phishing").await,
        StoreError::NotFound,
        "twice",
    );
    store.label(w, &on, "TLP:GREEN").await.unwrap();
    store.unlabel(w, &on, "TLP:GREEN").await.unwrap();
    let attr = store
        .add_attribute(
            w,
            &on,
            NewAttribute::parse("Description", "first", true, None).unwrap(),
        )
        .await
        .unwrap();
    // The attribute's own labels, once each way (a label already there records nothing).
    store
        .label_attribute(w, &on, attr.id, "TLP:AMBER")
        .await
        .unwrap();
    store
        .label_attribute(w, &on, attr.id, "tlp:amber")
        .await
        .unwrap();
    store
        .unlabel_attribute(w, &on, attr.id, "TLP:AMBER")
        .await
        .unwrap();
    let patch = AttributePatch::parse(Some("second".into()), None, None).unwrap();
    store
        .update_attribute(w, &on, attr.id, patch)
        .await
        .unwrap();
    store.delete_attribute(w, &on, attr.id).await.unwrap();
    let other = create(store, w, &fx.org_a, "Other", "2026-01-03T00:00:00Z").await;
    let target = threatdb_core::Target::Incident(other);
    store.associate(w, id, &target).await.unwrap();
    store.associate(w, id, &target).await.unwrap();
    store.disassociate(w, id, &target).await.unwrap();
    // A reader's refused write records nothing.
    assert_err(
        store.tag(&fx.reader_a, &on, &tag("Nope")).await,
        StoreError::Forbidden,
        "reader",
    );

    let got = history(store, &fx.reader_a, &on).await;
    assert_eq!(
        fields(&got),
        vec![
            c("association", Some(&format!("incident {other}")), None),
            c("association", None, Some(&format!("incident {other}"))),
            c("attribute:Description", Some("second"), None),
            c("attribute:Description", Some("first"), Some("second")),
            c(
                "attribute:Description:securityLabel",
                Some("TLP:AMBER"),
                None
            ),
            c(
                "attribute:Description:securityLabel",
                None,
                Some("TLP:AMBER")
            ),
            c("attribute:Description", None, Some("first")),
            c("securityLabel", Some("TLP:GREEN"), None),
            c("securityLabel", None, Some("TLP:GREEN")),
            c("tag", Some("Phishing"), None),
            c("tag", None, Some("Phishing")),
            c("status", Some("New"), Some("Open")),
            c("name", Some("Before"), Some("After")),
            c("created", None, Some("Before")),
        ]
    );
    assert!(got.windows(2).all(|p| p[0].id > p[1].id), "newest first");
    assert!(
        got.iter()
            .all(|e| e.user == w.name && e.user_id == Some(w.user_id))
    );
    let by_request: Vec<_> = got.iter().filter(|e| e.via == "v3").collect();
    assert_eq!(by_request.len(), 2, "the update's two fields");
    assert!(
        by_request
            .iter()
            .all(|e| e.request_id.as_deref() == Some("req-42"))
    );
    assert!(
        got.iter()
            .filter(|e| e.via != "v3")
            .all(|e| e.via == "local" && e.request_id.is_none())
    );

    // Filters and pages.
    let mut q = HistoryQuery::all(Paging::new(0, 3).unwrap());
    let page = store.history(w, &on, &q).await.unwrap();
    assert_eq!(page.total, Some(14));
    assert_eq!(page.items.len(), 3);
    q.paging = Paging::new(13, 3).unwrap();
    let last = store.history(w, &on, &q).await.unwrap();
    assert_eq!(
        fields(&last.items),
        vec![c("created", None, Some("Before"))]
    );
    assert_eq!(last.total, None);
    q.paging = Paging::new(0, 100).unwrap();
    q.field = Some("tag".into());
    assert_eq!(store.history(w, &on, &q).await.unwrap().items.len(), 2);
    q.field = None;
    q.user = Some("nobody".into());
    assert!(store.history(w, &on, &q).await.unwrap().items.is_empty());
    q.user = None;
    q.since = Some(threatdb_core::date::now() + time::Duration::hours(1));
    assert!(store.history(w, &on, &q).await.unwrap().items.is_empty());

    // Another owner's history is as invisible as the object.
    assert_err(
        store
            .history(&fx.member_b, &on, &HistoryQuery::all(Paging::default()))
            .await,
        StoreError::NotFound,
        "another owner",
    );

    // A group of another type and an indicator.
    let adv = store
        .create_item(
            w,
            &fx.org_a,
            NewItem {
                kind: ItemKind::Adversary,
                name: IncidentName::parse("Bear").unwrap(),
                fields: "{}".into(),
            },
        )
        .await
        .unwrap();
    let patch = ItemPatch {
        name: Some(IncidentName::parse("Cozy Bear").unwrap()),
        fields: None,
    };
    store
        .update_item(w, ItemKind::Adversary, adv.id, patch)
        .await
        .unwrap();
    let item = Subject::Item(ItemKind::Adversary, adv.id);
    assert_eq!(
        fields(&history(store, w, &item).await),
        vec![
            c("name", Some("Bear"), Some("Cozy Bear")),
            c("created", None, Some("Bear")),
        ]
    );
    let host = IndicatorValue::parse(IndicatorKind::Host, "history.test").unwrap();
    store.create_indicator(w, &fx.org_a, &host).await.unwrap();
    let ind = Subject::Indicator(fx.org_a.clone(), host);
    store.tag(w, &ind, &tag("C2")).await.unwrap();
    assert_eq!(
        fields(&history(store, w, &ind).await),
        vec![
            c("tag", None, Some("C2")),
            c("created", None, Some("history.test")),
        ]
    );
}
