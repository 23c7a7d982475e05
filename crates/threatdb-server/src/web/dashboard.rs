//! `GET /`: the dashboard of one owner (`owner=`, else the person's organization): its
//! incidents by status and by security label, its top tags, the incidents added in each of the
//! last twelve weeks, as server-rendered SVG bar charts whose bars link to the list they count
//! (each with a table for screen readers), and the incidents changed last with their newest
//! change.

use super::error::WebError;
use super::session::WebUser;
use super::views::{Nav, html, query_string, tag_href, when};
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

/// The width in the SVG's units of the longest bar.
const BAR_WIDTH: u64 = 220;
/// The height of one bar's row.
const ROW: u32 = 26;

/// One bar.
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub href: String,
    /// Its length, of [`BAR_WIDTH`].
    pub width: u64,
    /// Its row's top.
    pub y: u32,
}

impl Bar {
    /// The baseline of its texts.
    pub fn text_y(&self) -> u32 {
        self.y.saturating_add(17)
    }

    /// The top of its rectangle.
    pub fn rect_y(&self) -> u32 {
        self.y.saturating_add(5)
    }

    /// Where its value is written, after the rectangle.
    pub fn value_x(&self) -> u64 {
        self.width.saturating_add(176)
    }
}

/// One chart: a title, its bars, its height.
pub struct Chart {
    pub id: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    pub bars: Vec<Bar>,
    pub height: u32,
}

impl Chart {
    fn of(
        id: &'static str,
        title: &'static str,
        unit: &'static str,
        rows: Vec<(String, u64, String)>,
    ) -> Chart {
        let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
        let bars: Vec<Bar> = rows
            .into_iter()
            .zip(0u32..)
            .map(|((label, value, href), n)| Bar {
                width: value
                    .saturating_mul(BAR_WIDTH)
                    .checked_div(max)
                    .unwrap_or(0),
                y: n.saturating_mul(ROW),
                label,
                value,
                href,
            })
            .collect();
        let height = u32::try_from(bars.len())
            .unwrap_or(0)
            .saturating_mul(ROW)
            .max(ROW);
        Chart {
            id,
            title,
            unit,
            bars,
            height,
        }
    }
}

/// A recently changed incident.
pub struct RecentView {
    pub id: i64,
    pub name: String,
    pub when: String,
    /// Its newest change, in words.
    pub change: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav: Option<Nav>,
    owner: String,
    owners: Vec<String>,
    /// The owner's incidents.
    list_href: String,
    total: u64,
    charts: Vec<Chart>,
    recent: Vec<RecentView>,
}

/// `GET /`.
pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let form = super::forms::Form::parse(raw.as_deref().unwrap_or("").as_bytes());
    let owner = match form.get("owner").map(str::trim).filter(|o| !o.is_empty()) {
        Some(name) => user
            .actor
            .resolve_owner(Some(name))
            .ok_or(WebError::NotFound)?,
        None => &user.actor.default_owner,
    }
    .clone();
    let d = state.store.dashboard(&user.actor, &owner).await?;
    let list = |pairs: &[(&str, &str)]| {
        let mut all = vec![("owner", owner.name.as_str())];
        all.extend_from_slice(pairs);
        format!("/incidents?{}", query_string(&all))
    };
    let total = d.by_status.iter().map(|s| s.1).sum();
    let charts = vec![
        Chart::of(
            "weeks",
            "Incidents added per week",
            "added",
            d.per_week
                .iter()
                .map(|(week, n)| {
                    let label = format!("week of {}", week.date());
                    (label, *n, list(&[("sort", "added")]))
                })
                .collect(),
        ),
        Chart::of(
            "statuses",
            "Incidents by status",
            "incidents",
            d.by_status
                .iter()
                .map(|(s, n)| (s.clone(), *n, list(&[("status", s)])))
                .collect(),
        ),
        Chart::of(
            "labels",
            "Incidents by security label",
            "incidents",
            d.by_label
                .iter()
                .map(|(l, n)| (l.clone(), *n, list(&[("label", l)])))
                .collect(),
        ),
        Chart::of(
            "tags",
            "Top tags",
            "incidents",
            d.top_tags
                .iter()
                .map(|(t, n)| (t.clone(), *n, tag_href(t)))
                .collect(),
        ),
    ];
    let recent = d
        .recent
        .into_iter()
        .map(|(i, c)| RecentView {
            id: i.id,
            when: when(i.last_modified),
            change: c.map_or_else(String::new, |c| {
                let what = match (c.old.as_deref(), c.new.as_deref(), c.field.as_str()) {
                    (_, _, "created") => "created".to_string(),
                    (_, _, f @ ("deleted" | "restored")) => f.to_string(),
                    (Some(o), Some(n), f) if o.len().saturating_add(n.len()) < 80 => {
                        format!("{f}: {o} → {n}")
                    }
                    (None, Some(n), f) if n.len() < 80 => format!("{f} added: {n}"),
                    (Some(o), None, f) if o.len() < 80 => format!("{f} removed: {o}"),
                    (_, _, f) => format!("{f} changed"),
                };
                format!("{what}, by {} via {}", c.user, c.via)
            }),
            name: i.name,
        })
        .collect();
    let page = DashboardPage {
        nav: user.nav(),
        owners: user
            .actor
            .memberships
            .iter()
            .map(|m| m.owner.name.clone())
            .collect(),
        list_href: list(&[]),
        owner: owner.name,
        total,
        charts,
        recent,
    };
    Ok(html(StatusCode::OK, &page))
}
