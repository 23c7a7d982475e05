//! The pages the other objects' `webLink`s open: an indicator (`GET /indicators/{type}/{value}`,
//! in the reader's organization first, or the owner `owner=` names) and a group of another type,
//! a victim or a task (`GET /{type}/{id}`, e.g. `/adversaries/12`). Each shows the object's
//! facts, attributes, tags, security labels and the incidents associated with it (links to
//! their pages). Reading only: changes go through the API for now.

use super::error::WebError;
use super::history::ChangeView;
use super::incident::{AttributeView, parse_id};
use super::session::WebUser;
use super::views::{Badge, Nav, html, query_string, tag_href, when};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::history::HistoryQuery;
use threatdb_core::{
    Attribute, Cond, IncidentQuery, Include, IndicatorKind, IndicatorValue, ItemKind, Linked,
    Owner, Paging, SecurityLabel, StoreError, Subject, Tag, Target,
};

/// Associated incidents shown on a page.
const LINKED: u64 = 100;

/// Recorded changes shown on a page (the API and `threatdb … history` read them all).
const CHANGES: u64 = 20;

/// An associated incident as listed.
pub struct LinkedView {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub event: String,
}

#[derive(Template)]
#[template(path = "object.html")]
struct ObjectPage {
    graph: super::graph::Graph,
    nav: Option<Nav>,
    /// `Adversary`, `Host`, ...
    kind: String,
    /// Its name, or an indicator's value.
    title: String,
    owner: String,
    /// The owner's incidents.
    list_href: String,
    /// Label and value pairs for the facts panel.
    facts: Vec<(String, String)>,
    attributes: Vec<AttributeView>,
    tags: Vec<(String, String)>,
    badges: Vec<Badge>,
    linked: Vec<LinkedView>,
    linked_total: u64,
    /// Its newest recorded changes.
    changes: Vec<ChangeView>,
    changes_total: u64,
    /// Where the API reads all of them.
    history_path: String,
    /// The API path the same object is read at.
    api_path: String,
}

fn collections(
    attributes: Option<Vec<Attribute>>,
    tags: Option<Vec<Tag>>,
    labels: Option<Vec<SecurityLabel>>,
) -> (Vec<AttributeView>, Vec<(String, String)>, Vec<Badge>) {
    let mut attributes = attributes.unwrap_or_default();
    attributes.sort_by_key(|a| (a.kind != "Description", !a.displayed, a.id));
    (
        attributes.iter().map(AttributeView::of).collect(),
        tags.unwrap_or_default()
            .into_iter()
            .map(|t| (t.name.clone(), tag_href(&t.name)))
            .collect(),
        labels.unwrap_or_default().iter().map(Badge::of).collect(),
    )
}

/// The incidents of `owner` associated with `target` (the first [`LINKED`]: as shown, and as
/// the neighbourhood's first hop) and how many.
async fn linked(
    state: &AppState,
    user: &WebUser,
    owner: &Owner,
    target: Target,
) -> Result<(Vec<LinkedView>, Vec<Linked>, u64), WebError> {
    let mut q = IncidentQuery::owner(owner.clone());
    q.and(Cond::Associated(target));
    q.paging = Paging::new(0, LINKED)?;
    q.count = true;
    let found = state.store.list_incidents(&user.actor, &q).await?;
    let incidents: Vec<Linked> = found
        .items
        .iter()
        .map(|d| Linked::Incident(d.incident.clone()))
        .collect();
    let shown: Vec<LinkedView> = found
        .items
        .into_iter()
        .map(|d| LinkedView {
            id: d.incident.id,
            name: d.incident.name,
            status: d.incident.status.to_string(),
            event: when(d.incident.event_date),
        })
        .collect();
    let total = found
        .total
        .unwrap_or(u64::try_from(shown.len()).unwrap_or(0));
    Ok((shown, incidents, total))
}

const ALL: Include = Include {
    additional: true,
    attributes: true,
    tags: true,
    labels: true,
};

/// `GET /indicators/{type}/{value}` (`type` as the API's URLs name it: `hosts`, `addresses`).
pub async fn indicator(
    State(state): State<AppState>,
    user: WebUser,
    Path((kind, value)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let kind = IndicatorKind::from_url(&kind).ok_or(WebError::NotFound)?;
    let value = IndicatorValue::parse(kind, &value).map_err(|_| WebError::NotFound)?;
    let form = super::forms::Form::parse(raw.as_deref().unwrap_or("").as_bytes());
    // The owner asked for, else the reader's organization, then its other owners.
    let mut owners: Vec<&Owner> = Vec::new();
    match form.get("owner") {
        Some(name) => owners.extend(
            user.actor
                .memberships
                .iter()
                .map(|m| &m.owner)
                .filter(|o| o.name.eq_ignore_ascii_case(name)),
        ),
        None => {
            owners.push(&user.actor.default_owner);
            owners.extend(
                user.actor
                    .memberships
                    .iter()
                    .map(|m| &m.owner)
                    .filter(|o| o.id != user.actor.default_owner.id),
            );
        }
    }
    let mut found = None;
    for owner in owners {
        match state.store.get_indicator(&user.actor, owner, &value).await {
            Ok(i) => {
                found = Some(i);
                break;
            }
            Err(StoreError::NotFound | StoreError::Forbidden) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let found = found.ok_or(WebError::NotFound)?;
    let d = state
        .store
        .indicator_details(&user.actor, found.id, ALL)
        .await?;
    let i = d.indicator;
    let mut extra = Vec::new();
    if let Some(r) = i.rating {
        let rating = format!("{} of 5", threatdb_core::rating_number(r));
        extra.push(("Rating".to_string(), rating));
    }
    if let Some(c) = i.confidence {
        extra.push(("Confidence".into(), format!("{c} %")));
    }
    let object = Object {
        kind: kind.type_name(),
        id: i.id,
        title: i.value.clone(),
        added: i.date_added,
        modified: i.last_modified,
        extra,
        collections: (d.attributes, d.tags, d.labels),
        subject: Subject::Indicator(i.owner.clone(), value.clone()),
        href: format!(
            "/indicators/{}/{}",
            kind.url_name(),
            threatdb_wire::paths::encode_segment(value.as_str())
        ),
        target: Target::Indicator(value),
        api_path: format!("/api/v3/indicators/{}", i.id),
        owner: i.owner,
    };
    render(&state, &user, object).await
}

/// `GET /{type}/{id}`: a group of another type, a victim or a task (`type` as the API's URLs
/// name it: `adversaries`, `reports`, `victims`, `tasks`).
pub async fn item(
    State(state): State<AppState>,
    user: WebUser,
    kind: ItemKind,
    id: String,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let d = state.store.item_details(&user.actor, kind, id, ALL).await?;
    let it = d.item;
    let mut extra = Vec::new();
    if let Some(xid) = &it.xid {
        extra.push(("XID".to_string(), xid.clone()));
    }
    // The type's own fields, each as text.
    if let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(&it.fields) {
        for (name, value) in fields {
            let shown = match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            extra.push((name, shown));
        }
    }
    let api_path = match kind {
        ItemKind::Victim => format!("/api/v2/victims/{}", it.id),
        ItemKind::Task => format!("/api/v2/tasks/{}", it.id),
        _ => format!("/api/v3/groups/{}", it.id),
    };
    let object = Object {
        kind: kind.type_name(),
        id: it.id,
        title: it.name,
        added: it.date_added,
        modified: it.last_modified,
        extra,
        collections: (d.attributes, d.tags, d.labels),
        subject: Subject::Item(kind, id),
        href: format!("/{}/{id}", kind.url_name()),
        target: Target::Item(kind, id),
        api_path,
        owner: it.owner,
    };
    render(&state, &user, object).await
}

/// An object's attributes, tags and security labels, as its details read them.
type Collections = (
    Option<Vec<Attribute>>,
    Option<Vec<Tag>>,
    Option<Vec<SecurityLabel>>,
);

/// What a page shows of its object before the associated incidents are read.
struct Object {
    kind: &'static str,
    id: i64,
    title: String,
    owner: Owner,
    added: threatdb_core::Timestamp,
    modified: threatdb_core::Timestamp,
    /// Facts after the common ones.
    extra: Vec<(String, String)>,
    collections: Collections,
    /// The object, for its history.
    subject: Subject,
    /// What the associated incidents are associated with.
    target: Target,
    api_path: String,
    /// Its page.
    href: String,
}

/// An object's page.
async fn render(state: &AppState, user: &WebUser, o: Object) -> Result<Response, WebError> {
    let (attributes, tags, labels) = o.collections;
    let (linked, incidents, linked_total) = linked(state, user, &o.owner, o.target).await?;
    let center = super::incident::LinkView {
        kind: o.kind.to_string(),
        name: o.title.clone(),
        href: o.href,
    };
    let graph =
        super::graph::of_object(state, user, &o.owner, center, labels.as_ref(), &incidents).await?;
    let (attributes, tags, badges) = collections(attributes, tags, labels);
    let mut facts = vec![
        ("ID".to_string(), o.id.to_string()),
        ("Type".into(), o.kind.into()),
        ("Owner".into(), o.owner.name.clone()),
        ("Added".into(), when(o.added)),
        ("Modified".into(), when(o.modified)),
    ];
    facts.extend(o.extra);
    let recent = HistoryQuery::all(Paging::new(0, CHANGES)?);
    let found = state
        .store
        .history(&user.actor, &o.subject, &recent)
        .await?;
    let changes: Vec<ChangeView> = found
        .items
        .iter()
        .map(|c| ChangeView::of(c, None))
        .collect();
    let history_path = match &o.subject {
        Subject::Indicator(..) => format!("/api/v3/indicators/{}/history", o.id),
        _ => format!("/api/v3/groups/{}/history", o.id),
    };
    let changes_total = found
        .total
        .unwrap_or(u64::try_from(changes.len()).unwrap_or(0));
    let page = ObjectPage {
        graph,
        nav: user.nav(),
        kind: o.kind.into(),
        title: o.title,
        list_href: incidents_of(&o.owner.name),
        owner: o.owner.name,
        facts,
        attributes,
        tags,
        badges,
        linked,
        linked_total,
        changes,
        changes_total,
        history_path,
        api_path: o.api_path,
    };
    Ok(html(StatusCode::OK, &page))
}

/// The owner's incidents, where the crumbs lead.
fn incidents_of(owner: &str) -> String {
    format!("/incidents?{}", query_string(&[("owner", owner)]))
}
