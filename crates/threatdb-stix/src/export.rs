//! Exporting an owner's objects as STIX 2.1 through the [`Store`] with an actor's rights: a
//! walk in the order objects last changed ([`Store::changes`]: keyset pages, what hangs off
//! each page loaded at once), each object handed to a sink as soon as it is built, so memory
//! does not grow with the owner's size (stix-taxii.md §11). [`unit`] turns one changed object
//! into its STIX objects (itself and, for an incident, its relationships): the export and the
//! TAXII collections share it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use threatdb_core::{
    Actor, Change, ChangeKey, ChangeQuery, Changed, ItemKind, Linked, Owner, SecurityLabel, Store,
    StoreError, Timestamp,
};

use crate::fixed::{tlp, tlp_marking};
use crate::objects::{self, Association, Carried, End, LabelledAttribute};

/// Objects read from the store per page.
const PAGE: u64 = 500;

/// Why an export stopped.
#[derive(Debug)]
pub enum ExportError {
    /// The store failed or refused.
    Store(StoreError),
    /// The sink failed (a closed pipe, a full disk).
    Sink(std::io::Error),
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Store(e) => write!(f, "reading the store: {e}"),
            ExportError::Sink(e) => write!(f, "writing the export: {e}"),
        }
    }
}

impl std::error::Error for ExportError {}

impl From<StoreError> for ExportError {
    fn from(e: StoreError) -> Self {
        ExportError::Store(e)
    }
}

impl From<threatdb_core::Invalid> for ExportError {
    fn from(e: threatdb_core::Invalid) -> Self {
        ExportError::Store(StoreError::from(e))
    }
}

/// Where exported objects go, one at a time.
pub trait Sink {
    /// Takes one object.
    fn object(&mut self, object: &Value) -> std::io::Result<()>;
}

/// What an export wrote and what it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Objects written, by STIX type.
    pub written: BTreeMap<String, u64>,
    /// Objects left out, by threatdb type, because STIX 2.1 has no object for them (or, for a
    /// report, because it refers to nothing).
    pub left_out: BTreeMap<String, u64>,
    /// The marking-definitions written (each once per export, whatever the owners using it).
    pub markings: BTreeSet<String>,
}

impl Summary {
    /// Every object written.
    pub fn total(&self) -> u64 {
        self.written.values().sum()
    }

    /// Counts `object` as written.
    pub fn wrote(&mut self, object: &Value) {
        let t = object["type"].as_str().unwrap_or("?").to_string();
        let n = self.written.entry(t).or_default();
        *n = n.saturating_add(1);
    }

    fn left(&mut self, what: &str) {
        let n = self.left_out.entry(what.to_string()).or_default();
        *n = n.saturating_add(1);
    }
}

/// The item kinds STIX 2.1 has an object for (the others are left out).
pub fn exported_kinds() -> Vec<ItemKind> {
    ItemKind::ALL
        .into_iter()
        .filter(|k| objects::item_type(*k).is_some())
        .collect()
}

/// The STIX objects of one changed object: the object itself (unless STIX has none for it,
/// or it is a report that refers to nothing) and, for an incident, one relationship per
/// association it has with something exported.
pub fn unit(change: &Change) -> Vec<Value> {
    let labelled = |attributes: &Option<Vec<threatdb_core::Attribute>>| -> Vec<LabelledAttribute> {
        attributes
            .iter()
            .flatten()
            .map(|a| LabelledAttribute {
                attribute: a.clone(),
                labels: change
                    .labels_of(a.id)
                    .iter()
                    .map(|l| l.name.clone())
                    .collect(),
            })
            .collect()
    };
    match &change.object {
        Changed::Incident(d) => {
            let attributes = labelled(&d.attributes);
            let carried = Carried {
                attributes: &attributes,
                tags: d.tags.as_deref().unwrap_or_default(),
                labels: d.labels.as_deref().unwrap_or_default(),
            };
            let mut out = vec![objects::incident(&d.incident, carried)];
            out.extend(relationships(&d.incident, &change.links));
            out
        }
        Changed::Item(d) => {
            let attributes = labelled(&d.attributes);
            // A report's links are the incidents of its owner associated with it.
            let mut refs: Vec<String> = change
                .links
                .iter()
                .filter_map(|l| match l {
                    Linked::Incident(i) => Some(objects::incident_id(i)),
                    _ => None,
                })
                .collect();
            refs.sort();
            let carried = Carried {
                attributes: &attributes,
                tags: d.tags.as_deref().unwrap_or_default(),
                labels: d.labels.as_deref().unwrap_or_default(),
            };
            objects::item(&d.item, carried, &refs).into_iter().collect()
        }
        Changed::Indicator(d) => {
            let attributes = labelled(&d.attributes);
            let carried = Carried {
                attributes: &attributes,
                tags: d.tags.as_deref().unwrap_or_default(),
                labels: d.labels.as_deref().unwrap_or_default(),
            };
            vec![objects::indicator(&d.indicator, carried)]
        }
    }
}

/// Every security label a changed object uses, its attributes' included.
pub fn labels_used(change: &Change) -> impl Iterator<Item = &SecurityLabel> {
    let own = match &change.object {
        Changed::Incident(d) => d.labels.as_deref(),
        Changed::Item(d) => d.labels.as_deref(),
        Changed::Indicator(d) => d.labels.as_deref(),
    };
    own.unwrap_or_default()
        .iter()
        .chain(change.attribute_labels.iter().flat_map(|(_, l)| l.iter()))
}

/// The marking-definition of a label in `owner`: the official TLP one, or a statement.
pub fn marking_of(owner: &Owner, label: &SecurityLabel) -> Value {
    match tlp(&label.name) {
        Some(t) => tlp_marking(t),
        None => objects::custom_marking(owner, label),
    }
}

/// An incident's associations (as [`Store::changes`] loads them) as relationships, one per
/// pair (an incident–incident pair is written by the end with the lower STIX id), sorted by id.
pub fn relationships(incident: &threatdb_core::Incident, links: &[Linked]) -> Vec<Value> {
    let source_id = objects::incident_id(incident);
    let source = End {
        id: &source_id,
        created: incident.date_added,
    };
    let mut out = Vec::new();
    for linked in links {
        let (target_id, created, kind) = match linked {
            Linked::Incident(other) => {
                let other_id = objects::incident_id(other);
                if other_id < source_id {
                    continue;
                }
                (other_id, other.date_added, Association::Group)
            }
            Linked::Item(item) => {
                let Some(item_id) = objects::item_id(item) else {
                    continue;
                };
                let kind = match item.kind {
                    ItemKind::Victim => Association::Victim,
                    ItemKind::Task => Association::Task,
                    _ => Association::Group,
                };
                (item_id, item.date_added, kind)
            }
            Linked::Indicator(i) => (
                objects::indicator_id(i),
                i.date_added,
                Association::Indicator,
            ),
        };
        let target = End {
            id: &target_id,
            created,
        };
        out.push(objects::relationship(&incident.owner, source, kind, target));
    }
    out.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    out
}

/// One owner's export.
pub struct Exporter<'a, S: Sink> {
    store: &'a dyn Store,
    actor: &'a Actor,
    owner: &'a Owner,
    since: Option<Timestamp>,
    sink: &'a mut S,
    summary: &'a mut Summary,
    /// Markings used so far (a handful per owner), written after the owner's objects.
    markings: BTreeMap<String, Value>,
}

impl<'a, S: Sink> Exporter<'a, S> {
    /// An export of `owner` as `actor` sees it; with `since`, only objects changed at or after
    /// it (the owner's identity and the markings they use are always written).
    pub fn new(
        store: &'a dyn Store,
        actor: &'a Actor,
        owner: &'a Owner,
        since: Option<Timestamp>,
        sink: &'a mut S,
        summary: &'a mut Summary,
    ) -> Self {
        Exporter {
            store,
            actor,
            owner,
            since,
            sink,
            summary,
            markings: BTreeMap::new(),
        }
    }

    /// Writes the owner's identity, its objects in the order they last changed (each incident
    /// followed by its relationships), and the marking-definitions they use.
    pub async fn run(mut self) -> Result<(), ExportError> {
        self.emit(&objects::owner_identity(self.owner))?;
        let mut after = self.since.map(ChangeKey::before).transpose()?;
        let kinds = ItemKind::ALL.to_vec();
        loop {
            let query = ChangeQuery {
                owner: self.owner.clone(),
                after,
                incidents: true,
                items: kinds.clone(),
                indicators: true,
                limit: PAGE,
                stix_keys: None,
            };
            let page = self.store.changes(self.actor, &query).await?;
            let Some(last) = page.last() else {
                break;
            };
            after = Some(last.key());
            for change in &page {
                if let Changed::Item(d) = &change.object
                    && objects::item_type(d.item.kind).is_none()
                {
                    self.summary.left(d.item.kind.type_name());
                    continue;
                }
                let made = unit(change);
                match (&change.object, made.first()) {
                    (Changed::Item(d), first)
                        if first.is_none_or(|o| o["type"] == "relationship") =>
                    {
                        self.summary.left(d.item.kind.type_name());
                    }
                    _ => {
                        for label in labels_used(change) {
                            let marking = marking_of(self.owner, label);
                            let id = marking["id"].as_str().unwrap_or_default().to_string();
                            self.markings.entry(id).or_insert(marking);
                        }
                    }
                }
                for object in &made {
                    self.emit(object)?;
                }
            }
        }
        let markings = std::mem::take(&mut self.markings);
        for (id, marking) in markings {
            if self.summary.markings.insert(id) {
                self.emit(&marking)?;
            }
        }
        Ok(())
    }

    fn emit(&mut self, object: &Value) -> Result<(), ExportError> {
        self.sink.object(object).map_err(ExportError::Sink)?;
        self.summary.wrote(object);
        Ok(())
    }
}
