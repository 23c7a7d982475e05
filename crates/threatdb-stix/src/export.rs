//! Exporting an owner's objects as STIX 2.1, one object at a time, through the [`Store`] with
//! an actor's rights: pages are read by id (keyset, never an offset for the large tables) and
//! each object is handed to a sink as soon as it is built, so memory does not grow with the
//! owner's size (stix-taxii.md §11).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use threatdb_core::{
    Actor, Cmp, Cond, IncidentQuery, Include, IndicatorQuery, IndicatorValue, Item, ItemKind,
    LinkSet, Linked, Owner, Paging, SecurityLabel, Store, StoreError, Subject, Target, Timestamp,
};

use crate::fixed::{tlp, tlp_marking};
use crate::objects::{self, Association, Carried, End, LabelledAttribute};

/// Objects read from the store per request.
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

    fn wrote(&mut self, object: &Value) {
        let t = object["type"].as_str().unwrap_or("?").to_string();
        let n = self.written.entry(t).or_default();
        *n = n.saturating_add(1);
    }

    fn left(&mut self, what: &str) {
        let n = self.left_out.entry(what.to_string()).or_default();
        *n = n.saturating_add(1);
    }
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

    /// Writes the owner's identity, incidents (with their relationships), other groups,
    /// indicators, and the marking-definitions they use.
    pub async fn run(mut self) -> Result<(), ExportError> {
        self.emit(&objects::owner_identity(self.owner))?;
        self.incidents().await?;
        self.items().await?;
        self.indicators().await?;
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

    fn changed(&self, modified: Timestamp) -> bool {
        self.since.is_none_or(|since| modified >= since)
    }

    fn use_labels(&mut self, labels: &[SecurityLabel]) {
        for label in labels {
            let object = match tlp(&label.name) {
                Some(t) => tlp_marking(t),
                None => objects::custom_marking(self.owner, label),
            };
            let id = object["id"].as_str().unwrap_or_default().to_string();
            self.markings.entry(id).or_insert(object);
        }
    }

    async fn labelled(
        &mut self,
        on: &Subject,
        attributes: Vec<threatdb_core::Attribute>,
    ) -> Result<Vec<LabelledAttribute>, ExportError> {
        let mut out = Vec::with_capacity(attributes.len());
        for attribute in attributes {
            let labels = self
                .store
                .attribute_labels(self.actor, on, attribute.id)
                .await?;
            self.use_labels(&labels);
            out.push(LabelledAttribute {
                attribute,
                labels: labels.into_iter().map(|l| l.name).collect(),
            });
        }
        Ok(out)
    }

    async fn incidents(&mut self) -> Result<(), ExportError> {
        let mut after = 0i64;
        loop {
            let mut query =
                IncidentQuery::owner(self.owner.clone()).with(Cond::IdRange(Cmp::Gt, after));
            if let Some(since) = self.since {
                let just_before =
                    threatdb_core::shift(since, time::Duration::SECOND * -1, "since")?;
                query.and(Cond::LastModified(Cmp::Gt, just_before));
            }
            query.include = everything();
            query.paging = Paging::new(0, PAGE)?;
            query.count = false;
            let page = self.store.list_incidents(self.actor, &query).await?;
            let Some(last) = page.items.last() else {
                return Ok(());
            };
            after = last.incident.id;
            for d in page.items {
                let on = Subject::Incident(d.incident.id);
                let attributes = self.labelled(&on, d.attributes.unwrap_or_default()).await?;
                let tags = d.tags.unwrap_or_default();
                let labels = d.labels.unwrap_or_default();
                self.use_labels(&labels);
                let carried = Carried {
                    attributes: &attributes,
                    tags: &tags,
                    labels: &labels,
                };
                let object = objects::incident(&d.incident, carried);
                self.emit(&object)?;
                self.relationships(&d.incident).await?;
            }
        }
    }

    async fn relationships(
        &mut self,
        incident: &threatdb_core::Incident,
    ) -> Result<(), ExportError> {
        let source_id = objects::incident_id(incident);
        let source = End {
            id: &source_id,
            created: incident.date_added,
        };
        for set in [
            LinkSet::Groups(None),
            LinkSet::Indicators(None),
            LinkSet::Victims,
            LinkSet::Tasks,
        ] {
            let mut start = 0u64;
            loop {
                let paging = Paging::new(start, PAGE)?;
                let page = self
                    .store
                    .associations(self.actor, incident.id, set, paging)
                    .await?;
                let n = page.items.len() as u64;
                for linked in page.items {
                    let (target_id, created, kind) = match &linked {
                        Linked::Incident(other) => {
                            let other_id = objects::incident_id(other);
                            // One relationship per pair: the lower id is the source.
                            if other_id < source_id {
                                continue;
                            }
                            (other_id, other.date_added, Association::Group)
                        }
                        Linked::Item(item) => {
                            let Some(stix_type) = objects::item_type(item.kind) else {
                                continue;
                            };
                            let kind = match item.kind {
                                ItemKind::Victim => Association::Victim,
                                ItemKind::Task => Association::Task,
                                _ => Association::Group,
                            };
                            (objects::item_id(item, stix_type), item.date_added, kind)
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
                    let object = objects::relationship(&incident.owner, source, kind, target);
                    self.emit(&object)?;
                }
                if n < PAGE {
                    break;
                }
                start = start.saturating_add(n);
            }
        }
        Ok(())
    }

    async fn items(&mut self) -> Result<(), ExportError> {
        for kind in ItemKind::ALL {
            let mut start = 0u64;
            loop {
                let paging = Paging::new(start, PAGE)?;
                let page = self
                    .store
                    .list_items(self.actor, self.owner, Some(kind), paging)
                    .await?;
                let n = page.items.len() as u64;
                for item in page.items {
                    if self.changed(item.last_modified) {
                        self.item(item).await?;
                    }
                }
                if n < PAGE {
                    break;
                }
                start = start.saturating_add(n);
            }
        }
        Ok(())
    }

    async fn item(&mut self, item: Item) -> Result<(), ExportError> {
        if objects::item_type(item.kind).is_none() {
            self.summary.left(item.kind.type_name());
            return Ok(());
        }
        let d = self
            .store
            .item_details(self.actor, item.kind, item.id, everything())
            .await?;
        let on = Subject::Item(item.kind, item.id);
        let attributes = self.labelled(&on, d.attributes.unwrap_or_default()).await?;
        let tags = d.tags.unwrap_or_default();
        let labels = d.labels.unwrap_or_default();
        let refs = if item.kind == ItemKind::Report {
            self.report_refs(&item).await?
        } else {
            Vec::new()
        };
        let carried = Carried {
            attributes: &attributes,
            tags: &tags,
            labels: &labels,
        };
        match objects::item(&d.item, carried, &refs) {
            Some(object) => {
                self.use_labels(&labels);
                self.emit(&object)?;
            }
            None => self.summary.left(item.kind.type_name()),
        }
        Ok(())
    }

    /// The incidents of the owner a report is associated with.
    async fn report_refs(&mut self, report: &Item) -> Result<Vec<String>, ExportError> {
        let mut refs = Vec::new();
        let mut after = 0i64;
        loop {
            let mut query = IncidentQuery::owner(self.owner.clone())
                .with(Cond::Associated(Target::Item(report.kind, report.id)))
                .with(Cond::IdRange(Cmp::Gt, after));
            query.paging = Paging::new(0, PAGE)?;
            query.count = false;
            let page = self.store.list_incidents(self.actor, &query).await?;
            let Some(last) = page.items.last() else {
                break;
            };
            after = last.incident.id;
            refs.extend(page.items.iter().map(|d| objects::incident_id(&d.incident)));
        }
        refs.sort();
        Ok(refs)
    }

    async fn indicators(&mut self) -> Result<(), ExportError> {
        let mut after = 0i64;
        loop {
            let mut query = IndicatorQuery::owner(self.owner.clone());
            query.filter.id_above = Some(after);
            if let Some(since) = self.since {
                let just_before =
                    threatdb_core::shift(since, time::Duration::SECOND * -1, "since")?;
                query.filter.modified.after = Some(just_before);
            }
            query.include = everything();
            query.paging = Paging::new(0, PAGE)?;
            let page = self.store.query_indicators(self.actor, &query).await?;
            let Some(last) = page.items.last() else {
                return Ok(());
            };
            after = last.indicator.id;
            for d in page.items {
                let value = IndicatorValue::parse(d.indicator.kind, &d.indicator.value)?;
                let on = Subject::Indicator(d.indicator.owner.clone(), value);
                let attributes = self.labelled(&on, d.attributes.unwrap_or_default()).await?;
                let tags = d.tags.unwrap_or_default();
                let labels = d.labels.unwrap_or_default();
                self.use_labels(&labels);
                let carried = Carried {
                    attributes: &attributes,
                    tags: &tags,
                    labels: &labels,
                };
                let object = objects::indicator(&d.indicator, carried);
                self.emit(&object)?;
            }
        }
    }
}

/// Everything an object carries.
fn everything() -> Include {
    Include {
        additional: true,
        attributes: true,
        tags: true,
        labels: true,
    }
}
