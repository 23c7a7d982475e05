//! `GET /incidents/{id}`, the page every incident's `webLink` opens, and deleting an incident
//! (`GET` asks for confirmation, `POST` deletes).

use super::error::WebError;
use super::forms::{Form, Posted};
use super::session::WebUser;
use super::views::{Badge, Nav, html, query_string, status_class, tag_href, when};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use threatdb_core::attribute::ATTRIBUTE_TYPES;
use threatdb_core::{
    Attribute, Incident, IncidentStatus, Include, LinkSet, Linked, Paging, Role, format_timestamp,
    label_key,
};

/// An attribute as shown.
pub struct AttributeView {
    pub id: i64,
    pub kind: String,
    pub value: String,
    pub displayed: bool,
    pub source: String,
    pub added: String,
    pub modified: String,
}

impl AttributeView {
    /// An attribute as a page shows it.
    pub fn of(a: &Attribute) -> Self {
        AttributeView {
            id: a.id,
            kind: a.kind.clone(),
            value: a.value.clone(),
            displayed: a.displayed,
            source: a.source.clone().unwrap_or_default(),
            added: when(a.date_added),
            modified: when(a.last_modified),
        }
    }
}

/// What the forms of the page show: the stored values, or what was just typed when a change
/// was refused.
#[derive(Debug, Clone, Default)]
pub struct Drafts {
    pub name: Option<String>,
    pub status: Option<String>,
    pub event_date: Option<String>,
    pub tag: String,
    pub attribute_type: String,
    pub attribute_value: String,
    pub attribute_source: String,
    pub attribute_displayed: bool,
    /// The details form is open (it was the one refused).
    pub edit_open: bool,
}

impl Drafts {
    /// What a refused form had typed in.
    pub fn from_form(form: &Form) -> Drafts {
        Drafts {
            name: form.get("name").map(str::to_owned),
            status: form.get("status").map(str::to_owned),
            event_date: form.get("eventDate").map(str::to_owned),
            tag: form.text("tag").to_string(),
            attribute_type: form.text("type").to_string(),
            attribute_value: form.text("value").to_string(),
            attribute_source: form.text("source").to_string(),
            attribute_displayed: form.get("displayed").is_some(),
            edit_open: form.get("eventDate").is_some(),
        }
    }
}

/// An associated object as the incident page lists it, with the link to its page.
#[derive(Clone)]
pub struct LinkView {
    pub kind: String,
    pub name: String,
    pub href: String,
}

impl LinkView {
    /// The link to an associated object's page.
    pub fn of(l: &Linked) -> Self {
        match l {
            Linked::Incident(i) => LinkView {
                kind: "Incident".into(),
                name: i.name.clone(),
                href: format!("/incidents/{}", i.id),
            },
            Linked::Item(it) => LinkView {
                kind: it.kind.type_name().into(),
                name: it.name.clone(),
                href: format!("/{}/{}", it.kind.url_name(), it.id),
            },
            Linked::Indicator(d) => LinkView {
                kind: d.kind.type_name().into(),
                name: d.value.clone(),
                href: format!(
                    "/indicators/{}/{}",
                    d.kind.url_name(),
                    threatdb_wire::paths::encode_segment(&d.value)
                ),
            },
        }
    }
}

/// Associated objects shown per set (groups, indicators, victims).
const LINKS_SHOWN: u64 = 100;

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    graph: super::graph::Graph,
    links: Vec<LinkView>,
    links_total: u64,
    nav: Option<Nav>,
    i: Incident,
    status_class: String,
    event: String,
    added: String,
    modified: String,
    list_href: String,
    attributes: Vec<AttributeView>,
    tags: Vec<(String, String)>,
    badges: Vec<Badge>,
    addable_labels: Vec<String>,
    attribute_types: Vec<String>,
    statuses: Vec<String>,
    can_write: bool,
    error: Option<String>,
    d: Drafts,
    edit_name: String,
    edit_status: String,
    edit_event: String,
}

/// Renders an incident's page; `error` and `drafts` come from a refused change.
pub async fn render(
    state: &AppState,
    user: &WebUser,
    id: i64,
    error: Option<String>,
    d: Drafts,
) -> Result<Response, WebError> {
    let all = Include {
        additional: true,
        attributes: true,
        tags: true,
        labels: true,
    };
    let details = state.store.get_incident(&user.actor, id, all).await?;
    let i = details.incident;
    let can_write = user.actor.role_in(i.owner.id) >= Some(Role::Write);
    let labels = details.labels.unwrap_or_default();
    let addable_labels = if can_write {
        let on: Vec<String> = labels.iter().map(|l| label_key(&l.name)).collect();
        state
            .store
            .list_labels(&user.actor, &i.owner)
            .await?
            .into_iter()
            .filter(|l| !on.contains(&label_key(&l.name)))
            .map(|l| l.name)
            .collect()
    } else {
        vec![]
    };
    let mut links = Vec::new();
    let mut linked: Vec<Linked> = Vec::new();
    let mut links_total = 0u64;
    for set in [
        LinkSet::Groups(None),
        LinkSet::Indicators(None),
        LinkSet::Victims,
    ] {
        let page = state
            .store
            .associations(&user.actor, id, set, Paging::new(0, LINKS_SHOWN)?)
            .await?;
        links_total = links_total.saturating_add(page.total.unwrap_or(0));
        links.extend(page.items.iter().map(LinkView::of));
        linked.extend(page.items);
    }
    let graph = super::graph::of_incident(state, user, &i, Some(&labels), &linked).await?;
    let mut attributes = details.attributes.unwrap_or_default();
    // Description first, then what asks to be displayed, then the rest, each in order added.
    attributes.sort_by_key(|a| (a.kind != "Description", !a.displayed, a.id));
    let page = IncidentPage {
        graph,
        links,
        links_total,
        nav: user.nav(),
        status_class: status_class(i.status),
        event: when(i.event_date),
        added: when(i.date_added),
        modified: when(i.last_modified),
        list_href: format!("/incidents?{}", query_string(&[("owner", &i.owner.name)])),
        attributes: attributes.iter().map(AttributeView::of).collect(),
        tags: details
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.name.clone(), tag_href(&t.name)))
            .collect(),
        badges: labels.iter().map(Badge::of).collect(),
        addable_labels,
        attribute_types: ATTRIBUTE_TYPES.iter().map(|t| t.name.to_string()).collect(),
        statuses: IncidentStatus::ALL.iter().map(|s| s.to_string()).collect(),
        can_write,
        edit_name: d.name.clone().unwrap_or_else(|| i.name.clone()),
        edit_status: d.status.clone().unwrap_or_else(|| i.status.to_string()),
        edit_event: d
            .event_date
            .clone()
            .unwrap_or_else(|| format_timestamp(i.event_date)),
        i,
        d,
        error: error.clone(),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(html(status, &page))
}

/// Parses an incident id from a path: anything but an integer is a 404.
pub fn parse_id(raw: &str) -> Result<i64, WebError> {
    raw.parse::<i64>().map_err(|_| WebError::NotFound)
}

/// `GET /incidents/{id}`.
pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    render(&state, &user, parse_id(&id)?, None, Drafts::default()).await
}

#[derive(Template)]
#[template(path = "confirm_delete.html")]
struct ConfirmDelete {
    nav: Option<Nav>,
    i: Incident,
}

/// `GET /incidents/{id}/delete`: asks before deleting.
pub async fn confirm_delete(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let details = state
        .store
        .get_incident(&user.actor, parse_id(&id)?, Include::default())
        .await?;
    if user.actor.role_in(details.incident.owner.id) < Some(Role::Write) {
        return Err(WebError::from(threatdb_core::StoreError::Forbidden));
    }
    let page = ConfirmDelete {
        nav: user.nav(),
        i: details.incident,
    };
    Ok(html(StatusCode::OK, &page))
}

/// `POST /incidents/{id}/delete`: deletes, then shows the owner's list.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let actor = &posted.user.actor;
    let owner = state
        .store
        .get_incident(actor, id, Include::default())
        .await?
        .incident
        .owner;
    state.store.delete_incident(actor, id).await?;
    let q = query_string(&[("owner", &owner.name), ("deleted", &id.to_string())]);
    Ok(Redirect::to(&format!("/incidents?{q}")).into_response())
}
