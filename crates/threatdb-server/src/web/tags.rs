//! `GET /tags/{name}`, the page a tag's `webLink` opens: the incidents carrying the tag, in
//! each owner the person can read (a tag belongs to an owner; the link names none).

use super::error::WebError;
use super::list::Row;
use super::session::WebUser;
use super::views::{Nav, html, query_string};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::{Cond, IncidentOrder, IncidentQuery, Include, Paging, SortKey, StoreError};

/// Incidents shown per owner; the owner's full, paginated list is one link away.
const PER_OWNER: u64 = 100;

/// The tag's incidents in one owner.
pub struct OwnerSection {
    pub owner: String,
    pub tag: String,
    pub total: u64,
    pub rows: Vec<Row>,
    pub more_href: String,
}

#[derive(Template)]
#[template(path = "tag.html")]
struct TagPage {
    nav: Option<Nav>,
    name: String,
    sections: Vec<OwnerSection>,
}

/// `GET /tags/{name}`.
pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let mut sections = Vec::new();
    for membership in &user.actor.memberships {
        let owner = &membership.owner;
        let tag = match state.store.get_tag(&user.actor, owner, &name).await {
            Ok(tag) => tag,
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        let mut q = IncidentQuery::owner(owner.clone());
        q.and(Cond::Tag(tag.name.clone()));
        q.order = IncidentOrder {
            key: SortKey::DateAdded,
            descending: true,
        };
        q.include = Include {
            additional: true,
            attributes: false,
            tags: true,
            labels: true,
        };
        q.paging = Paging::new(0, PER_OWNER)?;
        let found = state.store.list_incidents(&user.actor, &q).await?;
        sections.push(OwnerSection {
            more_href: format!(
                "/incidents?{}",
                query_string(&[("owner", &owner.name), ("tag", &tag.name)])
            ),
            owner: owner.name.clone(),
            total: found.total.unwrap_or_default(),
            rows: found.items.iter().map(Row::of).collect(),
            tag: tag.name,
        });
    }
    let Some(name) = sections.first().map(|s| s.tag.clone()) else {
        return Err(WebError::NotFound);
    };
    let page = TagPage {
        nav: user.nav(),
        name,
        sections,
    };
    Ok(html(StatusCode::OK, &page))
}
