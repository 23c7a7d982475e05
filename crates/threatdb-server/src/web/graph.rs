//! An object's neighbourhood as a server-rendered SVG: the object in the middle (an incident, or
//! an indicator, group, victim or task on its page), what it is associated with around it (one
//! hop), and what those are associated with (two hops: the incidents of a group, an indicator
//! or a victim; the groups and indicators of an incident), each node a link to its page,
//! coloured by type with a ring in its TLP colour where the label is known (the object's, and
//! the second hop's incidents'); and the same links as a table for screen readers. Bounded: at most
//! [`FIRST`] neighbours and [`SECOND`] of each of theirs, one index-served read per neighbour.

use super::error::WebError;
use super::incident::LinkView;
use super::session::WebUser;
use super::views::Badge;
use crate::AppState;
use std::collections::HashMap;
use std::f64::consts::PI;
use threatdb_core::{
    Cond, Incident, IncidentQuery, Include, LinkSet, Linked, Owner, Paging, Target,
};

/// Neighbours drawn (the associations table lists them all).
pub const FIRST: usize = 12;
/// Second-hop neighbours drawn per neighbour.
pub const SECOND: u64 = 4;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 520.0;
const HOP1: f64 = 150.0;
const HOP2: f64 = 95.0;
/// Characters of a name written beside its node (the whole name is its tooltip).
const LABEL_CHARS: usize = 22;

/// A node.
pub struct Node {
    pub x: f64,
    pub y: f64,
    pub r: f64,
    /// `node-incident`, `node-group`, `node-indicator`, `node-victim`.
    pub class: &'static str,
    /// The TLP ring's class, when known (see [`Badge`]).
    pub ring: Option<&'static str>,
    pub kind: String,
    pub name: String,
    pub label: String,
    pub href: String,
    /// Where its label goes: right of the node, or left when the node is on the left.
    pub anchor: &'static str,
}

impl Node {
    /// The node of `view` at `(x, y)`, its label on the side away from the middle.
    fn of(view: &LinkView, (x, y): (f64, f64), r: f64, ring: Option<&'static str>) -> Node {
        Node {
            x,
            y,
            r,
            class: class_of(&view.kind),
            ring,
            kind: view.kind.clone(),
            name: view.name.clone(),
            label: label(&view.name),
            href: view.href.clone(),
            anchor: if x < WIDTH / 2.0 { "end" } else { "start" },
        }
    }

    pub fn cx(&self) -> String {
        format!("{:.1}", self.x)
    }
    pub fn cy(&self) -> String {
        format!("{:.1}", self.y)
    }
    pub fn radius(&self) -> String {
        format!("{:.1}", self.r)
    }
    pub fn ring_r(&self) -> String {
        format!("{:.1}", self.r + 3.5)
    }
    pub fn label_x(&self) -> String {
        let gap = self.r + 5.0;
        format!(
            "{:.1}",
            if self.anchor == "end" {
                self.x - gap
            } else {
                self.x + gap
            }
        )
    }
    pub fn label_y(&self) -> String {
        format!("{:.1}", self.y + 4.0)
    }
}

/// A line between two nodes.
pub struct Edge {
    pub x1: String,
    pub y1: String,
    pub x2: String,
    pub y2: String,
    /// A second-hop line (drawn lighter).
    pub far: bool,
}

impl Edge {
    fn between((x1, y1): (f64, f64), (x2, y2): (f64, f64), far: bool) -> Edge {
        Edge {
            x1: format!("{x1:.1}"),
            y1: format!("{y1:.1}"),
            x2: format!("{x2:.1}"),
            y2: format!("{y2:.1}"),
            far,
        }
    }
}

/// One association, for the table: from a node to a node.
pub struct Row {
    pub from: LinkView,
    pub to: LinkView,
}

/// The drawing.
pub struct Graph {
    pub width: String,
    pub height: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub rows: Vec<Row>,
    /// Neighbours left out of the drawing.
    pub more: usize,
}

fn class_of(kind: &str) -> &'static str {
    match kind {
        "Incident" => "node-incident",
        "Victim" => "node-victim",
        k if threatdb_core::IndicatorKind::from_type_name(k).is_some() => "node-indicator",
        _ => "node-group",
    }
}

fn label(name: &str) -> String {
    if name.chars().count() > LABEL_CHARS {
        let mut s: String = name.chars().take(LABEL_CHARS.saturating_sub(1)).collect();
        s.push('…');
        s
    } else {
        name.to_string()
    }
}

fn tlp(labels: Option<&Vec<threatdb_core::SecurityLabel>>) -> Option<&'static str> {
    labels?
        .iter()
        .map(|l| Badge::of(l).class)
        .find(|c| c.starts_with("tlp-"))
}

/// What is associated with `link` (but the center, whose page is `center`): up to [`SECOND`],
/// with the TLP of those that are incidents.
async fn around(
    state: &AppState,
    user: &WebUser,
    owner: &Owner,
    center: &str,
    link: &Linked,
) -> Result<Vec<(LinkView, Option<&'static str>)>, WebError> {
    let target = match link {
        Linked::Incident(i) => {
            let mut out = Vec::new();
            for set in [LinkSet::Groups(None), LinkSet::Indicators(None)] {
                let page = state
                    .store
                    .associations(
                        &user.actor,
                        i.id,
                        set,
                        Paging::new(0, SECOND.saturating_add(1))?,
                    )
                    .await?;
                out.extend(
                    page.items
                        .iter()
                        .map(|l| (LinkView::of(l), None))
                        .filter(|(v, _)| v.href != center),
                );
            }
            out.truncate(usize::try_from(SECOND).unwrap_or(4));
            return Ok(out);
        }
        Linked::Item(it) => Target::Item(it.kind, it.id),
        Linked::Indicator(d) => match threatdb_core::IndicatorValue::parse(d.kind, &d.value) {
            Ok(v) => Target::Indicator(v),
            // A stored value is always one; should it not be, it has no neighbours drawn.
            Err(_) => return Ok(Vec::new()),
        },
    };
    let mut q = IncidentQuery::owner(owner.clone());
    q.and(Cond::Associated(target));
    q.paging = Paging::new(0, SECOND.saturating_add(1))?;
    q.include = Include {
        labels: true,
        ..Include::default()
    };
    let found = state.store.list_incidents(&user.actor, &q).await?;
    Ok(found
        .items
        .iter()
        .map(|d| {
            (
                LinkView::of(&Linked::Incident(d.incident.clone())),
                tlp(d.labels.as_ref()),
            )
        })
        .filter(|(v, _)| v.href != center)
        .take(usize::try_from(SECOND).unwrap_or(4))
        .collect())
}

/// The neighbourhood of `incident` (with its `labels`), whose associations are `links`.
pub async fn of_incident(
    state: &AppState,
    user: &WebUser,
    incident: &Incident,
    labels: Option<&Vec<threatdb_core::SecurityLabel>>,
    links: &[Linked],
) -> Result<Graph, WebError> {
    let center = LinkView::of(&Linked::Incident(incident.clone()));
    of(state, user, &incident.owner, center, tlp(labels), links).await
}

/// The neighbourhood of the object shown as `center` (of `owner`, with its `labels`), whose
/// associated incidents are `incidents`.
pub async fn of_object(
    state: &AppState,
    user: &WebUser,
    owner: &Owner,
    center: LinkView,
    labels: Option<&Vec<threatdb_core::SecurityLabel>>,
    incidents: &[Linked],
) -> Result<Graph, WebError> {
    of(state, user, owner, center, tlp(labels), incidents).await
}

/// The drawing around `center` (its TLP ring `ring`), whose neighbours are `links`.
async fn of(
    state: &AppState,
    user: &WebUser,
    owner: &Owner,
    center: LinkView,
    ring: Option<&'static str>,
    links: &[Linked],
) -> Result<Graph, WebError> {
    let (cx, cy) = (WIDTH / 2.0, HEIGHT / 2.0);
    let mut nodes = vec![Node::of(&center, (cx, cy), 14.0, ring)];
    let mut at: HashMap<String, usize> = HashMap::new();
    at.insert(center.href.clone(), 0);
    // The node of `view` (placed at `xy` if it is not drawn yet) and where it is.
    let mut place = |nodes: &mut Vec<Node>, view: &LinkView, xy: (f64, f64), r, ring| {
        let k = *at.entry(view.href.clone()).or_insert_with(|| {
            nodes.push(Node::of(view, xy, r, ring));
            nodes.len().saturating_sub(1)
        });
        nodes.get(k).map(|n| (n.x, n.y)).unwrap_or(xy)
    };
    let (mut edges, mut rows) = (Vec::new(), Vec::new());
    let shown: Vec<&Linked> = links.iter().take(FIRST).collect();
    let n = shown.len().max(1) as f64;
    for (i, link) in shown.iter().enumerate() {
        let angle = 2.0 * PI * (i as f64) / n - PI / 2.0;
        let view = LinkView::of(link);
        let xy = (cx + HOP1 * angle.cos(), cy + HOP1 * angle.sin());
        let (x, y) = place(&mut nodes, &view, xy, 10.0, None);
        edges.push(Edge::between((cx, cy), (x, y), false));
        rows.push(Row {
            from: center.clone(),
            to: view.clone(),
        });
        let next = around(state, user, owner, &center.href, link).await?;
        let m = next.len() as f64;
        for (j, (far, ring)) in next.into_iter().enumerate() {
            let a = angle + (j as f64 - (m - 1.0) / 2.0) * 0.5;
            let xy = (
                (x + HOP2 * a.cos()).clamp(12.0, WIDTH - 12.0),
                (y + HOP2 * a.sin()).clamp(12.0, HEIGHT - 12.0),
            );
            let to = place(&mut nodes, &far, xy, 7.0, ring);
            edges.push(Edge::between((x, y), to, true));
            rows.push(Row {
                from: view.clone(),
                to: far,
            });
        }
    }
    Ok(Graph {
        width: format!("{WIDTH:.0}"),
        height: format!("{HEIGHT:.0}"),
        nodes,
        edges,
        rows,
        more: links.len().saturating_sub(FIRST),
    })
}
