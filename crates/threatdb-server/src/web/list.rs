//! `GET /incidents`: one owner's incidents with filters (owner, name search, tag, security
//! label, status, event-date range), sorting and pages. Every filter is a query parameter, so
//! a filtered view is a link that can be shared.

use super::error::WebError;
use super::forms::Form;
use super::session::WebUser;
use super::views::{Badge, Nav, html, query_string, status_class, tag_href, when};
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use threatdb_core::{
    Cmp, Cond, IncidentDetails, IncidentOrder, IncidentQuery, IncidentStatus, Include, Owner,
    Paging, Role, SortKey, TextMatch, Timestamp, parse_timestamp, shift,
};

/// Incidents per page.
pub const PAGE_SIZE: u64 = 50;

/// The list's query parameters, as sent (the form shows them back as typed).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub owner: String,
    pub q: String,
    pub tag: String,
    pub label: String,
    pub status: String,
    pub from: String,
    pub to: String,
    pub sort: String,
    pub dir: String,
    pub page: u64,
}

impl Filters {
    fn parse(query: &str) -> Filters {
        let f = Form::parse(query.as_bytes());
        let t = |k: &str| f.text(k).trim().to_string();
        Filters {
            owner: t("owner"),
            q: t("q"),
            tag: t("tag"),
            label: t("label"),
            status: t("status"),
            from: t("from"),
            to: t("to"),
            sort: t("sort"),
            dir: t("dir"),
            page: f.text("page").trim().parse().unwrap_or(1).max(1),
        }
    }

    fn key(&self) -> SortKey {
        match self.sort.as_str() {
            "event" => SortKey::EventDate,
            "name" => SortKey::Name,
            "id" => SortKey::Id,
            _ => SortKey::DateAdded,
        }
    }

    fn descending(&self) -> bool {
        match self.dir.as_str() {
            "asc" => false,
            "desc" => true,
            _ => self.key() != SortKey::Name,
        }
    }

    /// The link to this list with `sort`, `dir` and `page` replaced.
    fn href(&self, sort: &str, dir: &str, page: u64) -> String {
        let page = if page > 1 {
            page.to_string()
        } else {
            String::new()
        };
        let q = query_string(&[
            ("owner", &self.owner),
            ("q", &self.q),
            ("tag", &self.tag),
            ("label", &self.label),
            ("status", &self.status),
            ("from", &self.from),
            ("to", &self.to),
            ("sort", sort),
            ("dir", dir),
            ("page", &page),
        ]);
        if q.is_empty() {
            "/incidents".into()
        } else {
            format!("/incidents?{q}")
        }
    }

    fn page_href(&self, page: u64) -> String {
        self.href(&self.sort, &self.dir, page)
    }

    /// A column header's link: sorts by `sort`, reversing the direction if it already does.
    fn column(&self, sort: &'static str, label: &'static str) -> Column {
        let active = self.sort_name() == sort;
        let default_desc = sort != "name";
        let desc_now = self.descending();
        let dir = if active { !desc_now } else { default_desc };
        Column {
            label,
            href: self.href(sort, if dir { "desc" } else { "asc" }, 1),
            mark: match (active, desc_now) {
                (false, _) => "",
                (true, true) => "▼",
                (true, false) => "▲",
            },
            aria: match (active, desc_now) {
                (false, _) => "none",
                (true, true) => "descending",
                (true, false) => "ascending",
            },
        }
    }

    fn sort_name(&self) -> &'static str {
        match self.key() {
            SortKey::EventDate => "event",
            SortKey::Name => "name",
            SortKey::Id => "id",
            SortKey::DateAdded => "added",
        }
    }

    fn is_filtered(&self) -> bool {
        [
            &self.q,
            &self.tag,
            &self.label,
            &self.status,
            &self.from,
            &self.to,
        ]
        .iter()
        .any(|v| !v.is_empty())
    }
}

/// A sortable column header.
pub struct Column {
    pub label: &'static str,
    pub href: String,
    pub mark: &'static str,
    pub aria: &'static str,
}

/// One row of the list.
pub struct Row {
    pub id: i64,
    pub name: String,
    pub status: &'static str,
    pub status_class: String,
    pub event: String,
    pub added: String,
    pub badges: Vec<Badge>,
    pub tags: Vec<(String, String)>,
}

impl Row {
    pub fn of(d: &IncidentDetails) -> Row {
        let i = &d.incident;
        Row {
            id: i.id,
            name: i.name.clone(),
            status: i.status.as_str(),
            status_class: status_class(i.status),
            event: when(i.event_date),
            added: when(i.date_added),
            badges: d.labels.iter().flatten().map(Badge::of).collect(),
            tags: d
                .tags
                .iter()
                .flatten()
                .map(|t| (t.name.clone(), tag_href(&t.name)))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "incidents.html")]
struct ListPage {
    nav: Option<Nav>,
    f: Filters,
    owners: Vec<String>,
    owner: String,
    statuses: Vec<String>,
    labels: Vec<String>,
    tags: Vec<String>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    total: u64,
    first: u64,
    last: u64,
    pages: u64,
    prev: Option<String>,
    next: Option<String>,
    error: Option<String>,
    notice: Option<String>,
    can_write: bool,
    filtered: bool,
    clear_href: String,
}

/// The owner a page works in: `name` among the person's owners, else their organization.
pub fn resolve_owner<'a>(user: &'a WebUser, name: &str) -> Result<&'a Owner, WebError> {
    let name = (!name.trim().is_empty()).then_some(name);
    user.actor.resolve_owner(name).ok_or_else(|| {
        WebError::Forbidden(format!(
            "You are not a member of an owner named '{}'.",
            name.unwrap_or_default()
        ))
    })
}

/// The event-date bounds of the form: `from` and `to` are inclusive; a bare date as `to`
/// covers that whole day.
fn event_bounds(f: &Filters) -> Result<(Option<Timestamp>, Option<Timestamp>), WebError> {
    let second = time::Duration::seconds(1);
    let after = match f.from.as_str() {
        "" => None,
        s => Some(shift(
            parse_timestamp(s)?,
            time::Duration::seconds(-1),
            "the 'from' date",
        )?),
    };
    let before = match f.to.as_str() {
        "" => None,
        s if !s.contains(['T', 't', ' ']) => Some(shift(
            parse_timestamp(s)?,
            time::Duration::days(1),
            "the 'to' date",
        )?),
        s => Some(shift(parse_timestamp(s)?, second, "the 'to' date")?),
    };
    Ok((after, before))
}

fn query_of(f: &Filters, owner: &Owner) -> Result<IncidentQuery, WebError> {
    let mut q = IncidentQuery::owner(owner.clone());
    let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
    if let Some(text) = text(&f.q) {
        q.and(Cond::Name(TextMatch::Contains, text));
    }
    if let Some(tag) = text(&f.tag) {
        q.and(Cond::Tag(tag));
    }
    if let Some(label) = text(&f.label) {
        q.and(Cond::Label(label));
    }
    let status = match f.status.as_str() {
        "" => None,
        s => Some(IncidentStatus::parse(s)?),
    };
    if let Some(status) = status {
        q.and(Cond::Status(status));
    }
    let (after, before) = event_bounds(f)?;
    if let Some(after) = after {
        q.and(Cond::EventDate(Cmp::Gt, after));
    }
    if let Some(before) = before {
        q.and(Cond::EventDate(Cmp::Lt, before));
    }
    q.order = IncidentOrder {
        key: f.key(),
        descending: f.descending(),
    };
    q.include = Include {
        additional: true,
        attributes: false,
        tags: true,
        labels: true,
    };
    let start = f.page.saturating_sub(1).saturating_mul(PAGE_SIZE);
    q.paging = Paging::new(start.min(i64::MAX as u64), PAGE_SIZE)?;
    Ok(q)
}

/// `GET /incidents`.
pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let f = Filters::parse(raw.as_deref().unwrap_or(""));
    let owner = resolve_owner(&user, &f.owner)?.clone();
    let notice = Form::parse(raw.as_deref().unwrap_or("").as_bytes())
        .get("deleted")
        .and_then(|d| d.parse::<i64>().ok())
        .map(|id| format!("Incident {id} was deleted."));
    let labels = state.store.list_labels(&user.actor, &owner).await?;
    let tags = state
        .store
        .list_tags(&user.actor, &owner, Paging::new(0, 1000)?)
        .await?;
    let (rows, total, error) = match query_of(&f, &owner) {
        Ok(q) => {
            let found = state.store.list_incidents(&user.actor, &q).await?;
            let total = match found.total {
                Some(n) => n,
                None => {
                    let mut count = q.clone();
                    count.paging = Paging::new(0, 1)?;
                    count.include = Include::default();
                    let counted = state.store.list_incidents(&user.actor, &count).await?;
                    counted.total.unwrap_or_default()
                }
            };
            (
                found.items.iter().map(Row::of).collect::<Vec<_>>(),
                total,
                None,
            )
        }
        Err(WebError::BadRequest(m)) => (vec![], 0, Some(m)),
        Err(e) => return Err(e),
    };
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let first = f
        .page
        .saturating_sub(1)
        .saturating_mul(PAGE_SIZE)
        .saturating_add(1);
    let last = first.saturating_add(rows.len() as u64).saturating_sub(1);
    let page = ListPage {
        nav: user.nav(),
        owners: user
            .actor
            .memberships
            .iter()
            .map(|m| m.owner.name.clone())
            .collect(),
        owner: owner.name.clone(),
        statuses: IncidentStatus::ALL.iter().map(|s| s.to_string()).collect(),
        labels: labels.into_iter().map(|l| l.name).collect(),
        tags: tags.items.into_iter().map(|t| t.name).collect(),
        columns: vec![
            f.column("id", "#"),
            f.column("name", "Name"),
            f.column("event", "Event date"),
            f.column("added", "Added"),
        ],
        prev: (f.page > 1 && f.page <= pages).then(|| f.page_href(f.page.saturating_sub(1))),
        next: (f.page < pages).then(|| f.page_href(f.page.saturating_add(1))),
        can_write: user.actor.role_in(owner.id) >= Some(Role::Write),
        filtered: f.is_filtered(),
        clear_href: format!("/incidents?{}", query_string(&[("owner", &owner.name)])),
        rows,
        total,
        first,
        last,
        pages,
        error: error.clone(),
        notice,
        f,
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(html(status, &page))
}
