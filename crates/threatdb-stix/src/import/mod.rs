//! Importing STIX 2.1 objects through the [`Store`] with an actor's rights (stix-taxii.md §11).
//! The input is read three times, object by object, so it is never held whole:
//!
//! 1. [`Importer::survey`]: owners' identities, markings and authors (what the others refer
//!    to), and with `atomic` every object checked, nothing written;
//! 2. [`Importer::object`]: incidents, groups, victims and indicators, in chunks of
//!    [`CHUNK`] per owner, each chunk one transaction;
//! 3. [`Importer::relationship`]: associations, once both ends are stored.
//!
//! Every object is found again by its STIX id (kept as a group's xid; an indicator by owner
//! and value), so importing twice changes nothing and a killed import run again finishes
//! without duplicates. What is kept in memory: one entry per imported object (its STIX id and
//! local id, about 100 bytes) so relationships find their ends. A chunk is written while the
//! next is read.

pub mod parse;
mod summary;

pub use summary::{ImportError, ImportSummary};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value};
use threatdb_core::policy::{Access, Decision, decide};
use threatdb_core::{
    Actor, ImportLink, ImportObject, ImportWhat, Imported, ItemKind, Local, Owner, OwnerKind,
    SameObject, Store, StoreError, Target,
};
use uuid::Uuid;

use crate::fixed::{SOFTWARE_IDENTITY, THREATDB_EXTENSION};
use crate::objects;
use parse::{Marking, Sdo};

/// Objects per store transaction.
pub const CHUNK: usize = 500;

/// Relationship types read as an association (stix-taxii.md §10).
const RELATIONSHIPS: &[&str] = &[
    "related-to",
    "derived-from",
    "duplicate-of",
    "targets",
    "impacts",
    "attributed-to",
    "led-to",
    "located-at",
    "detected",
    "indicates",
    "associated-with",
    "contact-for",
    "uses",
];

/// One import into a store.
pub struct Importer {
    store: Arc<dyn Store>,
    actor: Actor,
    fallback: Option<Owner>,
    /// Every object goes to the fallback owner (a TAXII collection's).
    only_fallback: bool,
    atomic: bool,
    /// Owners here, by name.
    owners: HashMap<String, Owner>,
    /// Owners the input names that will be created once `--atomic`'s check has passed.
    planned: HashMap<String, OwnerKind>,
    /// Owners' identity ids: those of the owners here, and those in the input.
    identities: HashMap<String, (String, OwnerKind)>,
    /// `created_by_ref`s of the input.
    authors: HashSet<String>,
    /// Marking ids and the label name each is.
    markings: HashMap<String, String>,
    /// Owners' statement markings of the input, written before the objects.
    statements: Vec<Marking>,
    /// Every id of the input (`atomic` only: references are checked before anything is written).
    seen: HashSet<Uuid>,
    /// Objects stored (or found) so far, by the UUID of their STIX id.
    local: HashMap<Uuid, Local>,
    /// Reports and the incidents they refer to, linked once everything is stored.
    reports: Vec<(String, i64, String, Vec<String>)>,
    pending: BTreeMap<i64, (Owner, Vec<(String, ImportObject)>)>,
    pending_links: Vec<(String, ImportLink)>,
    /// The chunk the store is writing while the next one is read.
    in_flight: Option<InFlight>,
    /// What happened so far.
    pub summary: ImportSummary,
}

impl Importer {
    /// An import as `actor`, into the owners it may write; objects whose owner is not one of
    /// them go to `fallback`. `owners` are the owners that exist (their labels are read, so
    /// markings of labels already here resolve).
    pub async fn new(
        store: Arc<dyn Store>,
        actor: Actor,
        owners: &[Owner],
        fallback: Option<Owner>,
        atomic: bool,
    ) -> Result<Importer, ImportError> {
        let mut importer = Importer {
            store,
            actor,
            fallback,
            only_fallback: false,
            atomic,
            owners: HashMap::new(),
            planned: HashMap::new(),
            identities: HashMap::new(),
            authors: HashSet::new(),
            markings: HashMap::new(),
            statements: Vec::new(),
            seen: HashSet::new(),
            local: HashMap::new(),
            reports: Vec::new(),
            pending: BTreeMap::new(),
            pending_links: Vec::new(),
            in_flight: None,
            summary: ImportSummary::default(),
        };
        for owner in owners {
            importer.add_owner(owner.clone()).await?;
        }
        Ok(importer)
    }

    /// Every object goes to the fallback owner, whatever its `created_by_ref` names (objects
    /// posted to a TAXII collection go to its owner).
    pub fn only_into_fallback(&mut self) {
        self.only_fallback = true;
    }

    /// Keeps every object's outcome in [`ImportSummary::each`].
    pub fn record_each(&mut self) {
        self.summary.each = Some(Vec::new());
    }

    /// Imports as `actor` from now on (an owner was created for the input).
    pub fn set_actor(&mut self, actor: Actor) {
        self.actor = actor;
    }

    /// Makes an owner known (one that exists, or one just created for the input).
    pub async fn add_owner(&mut self, owner: Owner) -> Result<(), ImportError> {
        if decide(&self.actor, owner.id, Access::Read) == Decision::Allow {
            for label in self.store.list_labels(&self.actor, &owner).await? {
                self.markings
                    .insert(objects::marking_ref(&owner, &label.name), label.name);
            }
        }
        self.identities
            .insert(objects::owner_id(&owner), (owner.name.clone(), owner.kind));
        self.owners.insert(owner.name.clone(), owner);
        Ok(())
    }

    /// Pass 1: reads what other objects refer to. With `atomic`, checks every object.
    pub fn survey(&mut self, v: &Value) {
        let Some(o) = v.as_object() else {
            return;
        };
        if let Some(author) = o.get("created_by_ref").and_then(Value::as_str)
            && !self.authors.contains(author)
        {
            self.authors.insert(author.to_string());
        }
        let t = o.get("type").and_then(Value::as_str).unwrap_or_default();
        if self.atomic
            && let Some(uuid) = o
                .get("id")
                .and_then(Value::as_str)
                .and_then(crate::ids::uuid_of)
        {
            self.seen.insert(uuid);
        }
        match t {
            "identity" if owner_identity(o).is_some() => {
                if let (Ok((_, id)), Some((name, kind))) = (parse::common(o), owner_identity(o)) {
                    self.identities.insert(id, (name, kind));
                }
            }
            "marking-definition" => match parse::marking(o) {
                Ok(Marking::Tlp(name)) => {
                    if let Some(id) = o.get("id").and_then(Value::as_str) {
                        self.markings.insert(id.to_string(), name.to_string());
                    }
                }
                Ok(m @ Marking::Statement { .. }) => {
                    if let Marking::Statement { id, name, .. } = &m {
                        self.markings.insert(id.clone(), name.clone());
                    }
                    self.statements.push(m);
                }
                Err(_) => {}
            },
            _ => {}
        }
    }

    /// The owners the input names (by their identities) that do not exist here.
    pub fn missing_owners(&self) -> Vec<(String, OwnerKind)> {
        let mut out: Vec<(String, OwnerKind)> = self
            .identities
            .values()
            .filter(|(name, _)| !self.owners.contains_key(name))
            .cloned()
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }

    /// An object with its type and id (`?` when missing), or none (refused: not an object).
    fn named<'v>(&mut self, v: &'v Value) -> Option<(&'v Map<String, Value>, String, String)> {
        let Some(o) = v.as_object() else {
            self.summary.reject("?", "?", "not a JSON object");
            return None;
        };
        let text = |key: &str| {
            o.get(key)
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string()
        };
        Some((o, text("type"), text("id")))
    }

    /// With `atomic`: the owners [`Importer::missing_owners`] named will be created if the
    /// check passes, so objects going to them are checked as if they existed.
    pub fn plan_owners(&mut self, owners: Vec<(String, OwnerKind)>) {
        self.planned.extend(owners);
    }

    /// With `atomic`, after the survey: every object checked as it will be written (its
    /// properties, its owner, its markings, a relationship's ends), nothing written. Call
    /// for each object, then [`Importer::refused`].
    pub async fn check(&mut self, v: &Value) -> Result<(), ImportError> {
        let Some((o, t, id)) = self.named(v) else {
            return Ok(());
        };
        let result = match t.as_str() {
            "relationship" => self.check_ends(o).await,
            _ => match self.classify(o) {
                Ok(Class::Sdo(sdo)) => self.prepare(&sdo).map(|_| ()),
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            },
        };
        if let Err(reason) = result {
            self.summary.reject(&t, &id, reason);
        }
        Ok(())
    }

    /// After [`Importer::check`]: stops the import when anything was refused.
    pub fn refused(&self) -> Result<(), ImportError> {
        match self.summary.rejected_total() {
            0 => Ok(()),
            n => Err(ImportError::Refused(n)),
        }
    }

    /// Before pass 2: writes the owners' statement markings as labels.
    pub async fn begin(&mut self) -> Result<(), ImportError> {
        let statements = std::mem::take(&mut self.statements);
        let mut by_owner: BTreeMap<i64, (Owner, Vec<(String, ImportObject)>)> = BTreeMap::new();
        for m in statements {
            let Marking::Statement {
                id,
                name,
                statement,
                created,
                created_by,
            } = m
            else {
                continue;
            };
            let owner = match self.owner_for(created_by.as_deref(), None) {
                Ok((owner, _)) => owner,
                Err(reason) => {
                    self.summary.reject("marking-definition", &id, reason);
                    continue;
                }
            };
            let description = if statement == name {
                String::new()
            } else {
                statement
            };
            let object = ImportObject {
                external_id: id.clone(),
                key: None,
                created,
                modified: created,
                what: ImportWhat::Label { name, description },
                tags: Vec::new(),
                labels: Vec::new(),
                attributes: Vec::new(),
            };
            by_owner
                .entry(owner.id)
                .or_insert_with(|| (owner.clone(), Vec::new()))
                .1
                .push(("marking-definition".to_string(), object));
        }
        for (_, (owner, objects)) in by_owner {
            for chunk in objects.chunks(CHUNK) {
                self.write(&owner, chunk.to_vec()).await?;
            }
        }
        self.settle().await
    }

    /// Pass 2: one object (relationships wait for pass 3).
    pub async fn object(&mut self, v: &Value) -> Result<(), ImportError> {
        let Some((o, t, id)) = self.named(v) else {
            return Ok(());
        };
        if t == "relationship" {
            return Ok(());
        }
        let sdo = match self.classify(o) {
            Ok(Class::Sdo(sdo)) => sdo,
            Ok(Class::Builtin) => {
                self.summary.outcome(&t, &id, Imported::Unchanged);
                return Ok(());
            }
            Ok(Class::Author) => {
                self.summary.outcome(&t, &id, Imported::Unchanged);
                self.summary.note(
                    &id,
                    "an author that is not an owner here: not stored, its objects go to the import's owner",
                );
                return Ok(());
            }
            Ok(Class::Owner(name)) => {
                let imported = if self.owners.contains_key(&name) {
                    Imported::Unchanged
                } else {
                    Imported::Created
                };
                self.summary.outcome(&t, &id, imported);
                return Ok(());
            }
            Ok(Class::Statement) => return Ok(()),
            Err(reason) => {
                self.summary.reject(&t, &id, reason);
                return Ok(());
            }
        };
        let (owner, object, note) = match self.prepare(&sdo) {
            Ok(ready) => ready,
            Err(reason) => {
                self.summary.reject(&t, &id, reason);
                return Ok(());
            }
        };
        for note in sdo.notes.iter().chain(&note) {
            self.summary.note(&id, note.clone());
        }
        let entry = self
            .pending
            .entry(owner.id)
            .or_insert_with(|| (owner.clone(), Vec::new()));
        entry.1.push((t, object));
        if entry.1.len() >= CHUNK {
            let (owner, objects) = self
                .pending
                .remove(&owner.id)
                .unwrap_or_else(|| (owner.clone(), Vec::new()));
            self.write(&owner, objects).await?;
        }
        if sdo.stix_type == "report" {
            // Linked in pass 3, once the incidents are stored; the report's local id is
            // known then.
            self.reports.push((
                sdo.id.clone(),
                owner.id,
                owner.name.clone(),
                sdo.object_refs,
            ));
        }
        Ok(())
    }

    /// After pass 2: writes what is pending.
    pub async fn flush(&mut self) -> Result<(), ImportError> {
        let pending = std::mem::take(&mut self.pending);
        for (_, (owner, objects)) in pending {
            self.write(&owner, objects).await?;
        }
        self.settle().await
    }

    /// Pass 3: one relationship (everything else was read in pass 2).
    pub async fn relationship(&mut self, v: &Value) -> Result<(), ImportError> {
        let Some(o) = v.as_object() else {
            return Ok(());
        };
        if o.get("type").and_then(Value::as_str) != Some("relationship") {
            return Ok(());
        }
        let id = o
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        match self.ends(o).await {
            Ok(link) => {
                self.pending_links.push((id, link));
                if self.pending_links.len() >= CHUNK {
                    self.write_links().await?;
                }
            }
            Err(reason) => self.summary.reject("relationship", &id, reason),
        }
        Ok(())
    }

    /// After pass 3: reports' references and what is pending.
    pub async fn finish(&mut self) -> Result<(), ImportError> {
        self.write_links().await?;
        self.settle().await?;
        let reports = std::mem::take(&mut self.reports);
        for (report_id, _, owner_name, refs) in reports {
            let Some(Local::Item(ItemKind::Report, local)) =
                crate::ids::uuid_of(&report_id).and_then(|u| self.local.get(&u).cloned())
            else {
                continue;
            };
            for r in refs {
                let owner = self.owners.get(&owner_name).cloned();
                match self.resolve(&r, owner.as_ref()).await? {
                    Some(Local::Incident(incident)) => self.pending_links.push((
                        report_id.clone(),
                        ImportLink {
                            incident,
                            target: Target::Item(ItemKind::Report, local),
                        },
                    )),
                    _ => self.summary.note(
                        &report_id,
                        format!("object_refs {r}: not an incident stored here, not linked"),
                    ),
                }
                if self.pending_links.len() >= CHUNK {
                    self.write_links_quiet().await?;
                }
            }
        }
        self.write_links_quiet().await?;
        self.settle().await
    }

    /// An object's kind, checked.
    fn classify(&self, o: &Map<String, Value>) -> Result<Class, String> {
        let t = o.get("type").and_then(Value::as_str).unwrap_or_default();
        match t {
            "marking-definition" => match parse::marking(o)? {
                Marking::Tlp(_) => Ok(Class::Builtin),
                Marking::Statement { .. } => Ok(Class::Statement),
            },
            "extension-definition" => {
                let (_, id) = parse::common(o)?;
                if id == THREATDB_EXTENSION {
                    Ok(Class::Builtin)
                } else {
                    Err("unsupported type 'extension-definition' (only threatdb's is known)".into())
                }
            }
            "identity" => {
                let (_, id) = parse::common(o)?;
                if id == SOFTWARE_IDENTITY {
                    return Ok(Class::Builtin);
                }
                if let Some((name, _)) = owner_identity(o) {
                    return Ok(Class::Owner(name));
                }
                if self.authors.contains(&id) {
                    // An author that is not one of threatdb's owners: it names no owner here.
                    return Ok(Class::Author);
                }
                parse::sdo(o).map(|s| Class::Sdo(Box::new(s)))
            }
            _ => parse::sdo(o).map(|s| Class::Sdo(Box::new(s))),
        }
    }

    /// The owner an object goes to and the object as the store takes it.
    fn prepare(&self, sdo: &Sdo) -> Result<(Owner, ImportObject, Option<String>), String> {
        let (owner, note) = self.owner_for(sdo.created_by.as_deref(), sdo.owner_name.as_deref())?;
        let mut labels = Vec::with_capacity(sdo.markings.len());
        for m in &sdo.markings {
            match self.markings.get(m) {
                Some(name) => labels.push(name.clone()),
                None => {
                    return Err(format!(
                        "object_marking_refs {m}: neither a TLP marking, one in the input, nor a label here"
                    ));
                }
            }
        }
        let key = key(sdo, &owner);
        Ok((
            owner,
            ImportObject {
                external_id: sdo.id.clone(),
                key,
                created: sdo.created,
                modified: sdo.modified,
                what: sdo.what.clone(),
                tags: sdo.tags.clone(),
                labels,
                attributes: sdo.attributes.clone(),
            },
            note,
        ))
    }

    /// The owner an object with this `created_by_ref` (and threatdb owner name) goes to: the
    /// owner its identity names when the importer may write there, else the fallback.
    fn owner_for(
        &self,
        created_by: Option<&str>,
        owner_name: Option<&str>,
    ) -> Result<(Owner, Option<String>), String> {
        let named = created_by
            .and_then(|r| self.identities.get(r))
            .map(|(name, _)| name.as_str())
            .or(owner_name)
            .filter(|_| !self.only_fallback);
        if let Some(owner) = named.and_then(|n| self.owners.get(n))
            && decide(&self.actor, owner.id, Access::Write) == Decision::Allow
        {
            return Ok((owner.clone(), None));
        }
        if let Some((name, kind)) = named.and_then(|n| self.planned.get_key_value(n)) {
            // Only while checking: the owner is created before anything is written.
            let owner = Owner {
                id: 0,
                name: name.clone(),
                kind: *kind,
            };
            return Ok((owner, None));
        }
        match &self.fallback {
            Some(owner) => Ok((
                owner.clone(),
                created_by.map(|r| {
                    format!(
                        "created_by_ref {r} is not an owner you may write here: imported into {}",
                        owner.name
                    )
                }),
            )),
            None => Err(match named {
                Some(n) => format!(
                    "its owner '{n}' does not exist here or you may not write there; give an owner to import into"
                ),
                None => "it names no owner; give an owner to import into".to_string(),
            }),
        }
    }

    /// The stored object a STIX id names: one of the input, or a group stored here with it as
    /// its xid.
    async fn resolve(&self, r: &str, owner: Option<&Owner>) -> Result<Option<Local>, ImportError> {
        if let Some(found) = crate::ids::uuid_of(r).and_then(|u| self.local.get(&u)) {
            return Ok(Some(found.clone()));
        }
        let Some(owner) = owner else { return Ok(None) };
        match self.store.stored_by_stix_id(&self.actor, owner, r).await {
            Ok(found) => Ok(found),
            Err(StoreError::NotFound | StoreError::Forbidden) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A relationship's ends and the owner its ends are looked for in, checked.
    fn relation<'o>(
        &self,
        o: &'o Map<String, Value>,
    ) -> Result<(&'o str, &'o str, Option<Owner>), String> {
        parse::common(o)?;
        parse::time(o, "created")?;
        parse::time(o, "modified")?;
        let kind = parse::text(o, "relationship_type")?;
        if !RELATIONSHIPS.contains(&kind) {
            return Err(format!(
                "relationship_type '{kind}' is not one threatdb stores as an association"
            ));
        }
        let source = parse::text(o, "source_ref")?;
        let target = parse::text(o, "target_ref")?;
        let created_by = o.get("created_by_ref").and_then(Value::as_str);
        let owner = self.owner_for(created_by, None).ok().map(|(o, _)| o);
        Ok((source, target, owner))
    }

    /// With `atomic`, before anything is written: both ends are in the input or stored, and
    /// one of them is an incident.
    async fn check_ends(&self, o: &Map<String, Value>) -> Result<(), String> {
        let (source, target, owner) = self.relation(o)?;
        for end in [source, target] {
            let here = crate::ids::uuid_of(end).is_some_and(|u| self.seen.contains(&u));
            if !here
                && self
                    .resolve(end, owner.as_ref())
                    .await
                    .map_err(|e| e.to_string())?
                    .is_none()
            {
                return Err(format!("{end} is neither in the input nor stored here"));
            }
        }
        if !source.starts_with("incident--") && !target.starts_with("incident--") {
            return Err("threatdb keeps associations of incidents only".into());
        }
        Ok(())
    }

    /// A relationship's association: an incident and what it is linked to.
    async fn ends(&self, o: &Map<String, Value>) -> Result<ImportLink, String> {
        let (source, target, owner) = self.relation(o)?;
        let mut ends = Vec::with_capacity(2);
        for end in [source, target] {
            match self.resolve(end, owner.as_ref()).await {
                Ok(Some(l)) => ends.push(l),
                Ok(None) => return Err(format!("{end} is neither in the input nor stored here")),
                Err(e) => return Err(e.to_string()),
            }
        }
        let (Some(a), Some(b)) = (ends.first(), ends.get(1)) else {
            return Err("a relationship has two ends".into());
        };
        let (incident, other) = match (a, b) {
            (Local::Incident(i), other) | (other, Local::Incident(i)) => (*i, other.clone()),
            _ => return Err("threatdb keeps associations of incidents only".into()),
        };
        let target = match other {
            Local::Incident(j) => Target::Incident(j),
            Local::Item(kind, j) => Target::Item(kind, j),
            Local::Indicator(_, value) => Target::Indicator(value),
            Local::Label(_) => return Err("a marking is not associated".into()),
        };
        Ok(ImportLink { incident, target })
    }

    /// Hands a chunk to the store, to be written while the next one is read (the one before
    /// is settled first: chunks commit one after the other, in order).
    async fn write(
        &mut self,
        owner: &Owner,
        objects: Vec<(String, ImportObject)>,
    ) -> Result<(), ImportError> {
        if objects.is_empty() {
            return Ok(());
        }
        self.settle().await?;
        let (types, objects): (Vec<String>, Vec<ImportObject>) = objects.into_iter().unzip();
        let ids: Vec<String> = objects.iter().map(|o| o.external_id.clone()).collect();
        let (store, actor, owner) = (self.store.clone(), self.actor.clone(), owner.clone());
        // The change's context (through what, which request) goes with the write: the
        // history records it.
        let context = threatdb_core::context::current();
        let task = tokio::spawn(threatdb_core::context::within(context, async move {
            store
                .import_objects(&actor, &owner, objects, same_object())
                .await
        }));
        self.in_flight = Some(InFlight::Objects { types, ids, task });
        Ok(())
    }

    async fn write_links(&mut self) -> Result<(), ImportError> {
        self.send_links(false).await
    }

    /// Reports' references: not objects of their own, so only refusals are told.
    async fn write_links_quiet(&mut self) -> Result<(), ImportError> {
        self.send_links(true).await
    }

    async fn send_links(&mut self, quiet: bool) -> Result<(), ImportError> {
        let pending = std::mem::take(&mut self.pending_links);
        if pending.is_empty() {
            return Ok(());
        }
        self.settle().await?;
        let (ids, links): (Vec<String>, Vec<ImportLink>) = pending.into_iter().unzip();
        let (store, actor) = (self.store.clone(), self.actor.clone());
        let context = threatdb_core::context::current();
        let task = tokio::spawn(threatdb_core::context::within(context, async move {
            store.import_links(&actor, links).await
        }));
        self.in_flight = Some(InFlight::Links { ids, quiet, task });
        Ok(())
    }

    /// Waits for the chunk in flight and counts what happened to each of its objects.
    async fn settle(&mut self) -> Result<(), ImportError> {
        let stopped = |e: tokio::task::JoinError| {
            ImportError::Store(StoreError::backend_msg(format!(
                "an import write stopped: {e}"
            )))
        };
        match self.in_flight.take() {
            None => {}
            Some(InFlight::Objects { types, ids, task }) => {
                let outcomes = task.await.map_err(stopped)??;
                for ((t, id), outcome) in types.iter().zip(&ids).zip(outcomes) {
                    match outcome {
                        Ok((imported, local)) => {
                            self.summary.outcome(t, id, imported);
                            if imported == Imported::Older {
                                self.summary.notes.push((
                                    id.clone(),
                                    "stored copy is newer: left as it is".to_string(),
                                ));
                            }
                            if let Some(u) = crate::ids::uuid_of(id) {
                                self.local.insert(u, local);
                            }
                        }
                        Err(reason) => self.summary.reject(t, id, reason),
                    }
                }
            }
            Some(InFlight::Links { ids, quiet, task }) => {
                let outcomes = task.await.map_err(stopped)??;
                for (id, outcome) in ids.iter().zip(outcomes) {
                    match (outcome, quiet) {
                        (Ok(_), true) => {}
                        (Err(reason), true) => self
                            .summary
                            .note(id, format!("object_refs not linked: {reason}")),
                        (Ok(true), false) => {
                            self.summary.outcome("relationship", id, Imported::Created)
                        }
                        (Ok(false), false) => {
                            self.summary
                                .outcome("relationship", id, Imported::Unchanged)
                        }
                        (Err(reason), false) => self.summary.reject("relationship", id, reason),
                    }
                }
            }
        }
        Ok(())
    }
}

/// A chunk handed to the store and not yet counted.
enum InFlight {
    Objects {
        types: Vec<String>,
        ids: Vec<String>,
        task: tokio::task::JoinHandle<Result<Vec<threatdb_core::ImportOutcome>, StoreError>>,
    },
    Links {
        ids: Vec<String>,
        quiet: bool,
        task: tokio::task::JoinHandle<Result<Vec<Result<bool, String>>, StoreError>>,
    },
}

/// What an object of the input is.
enum Class {
    /// An incident, group, victim or indicator.
    Sdo(Box<Sdo>),
    /// A definition threatdb has built in (TLP markings, its extension and identity).
    Builtin,
    /// An owner's identity.
    Owner(String),
    /// An identity that authors other objects and is not an owner's.
    Author,
    /// An owner's statement marking (written before pass 2).
    Statement,
}

/// The owner an identity is, when it is one as threatdb exports owners: an organization
/// described as "ThreatConnect Organization|Community|Source", without threatdb's extension.
fn owner_identity(o: &Map<String, Value>) -> Option<(String, OwnerKind)> {
    if o.get("identity_class").and_then(Value::as_str) != Some("organization")
        || o.get("extensions")
            .and_then(|e| e.get(THREATDB_EXTENSION))
            .is_some()
    {
        return None;
    }
    let kind = o
        .get("description")
        .and_then(Value::as_str)?
        .strip_prefix("ThreatConnect ")?;
    let kind = OwnerKind::parse(kind).ok()?;
    let name = o.get("name").and_then(Value::as_str)?;
    threatdb_core::validate_owner_name(name).ok()?;
    Some((name.to_string(), kind))
}

/// The xid threatdb's reference names, when the object's id derives from it in `owner` (then it
/// is kept as the xid, and the object is exported again with the same id and reference).
fn key(sdo: &Sdo, owner: &Owner) -> Option<String> {
    let xid = sdo.xid.as_deref()?;
    let derived = match &sdo.what {
        ImportWhat::Incident { .. } => crate::ids::incident_id(&owner.name, xid),
        ImportWhat::Item { kind, .. } => crate::ids::item_id(*kind, &owner.name, 0, Some(xid))?,
        _ => return None,
    };
    (derived == sdo.id).then(|| xid.to_string())
}

/// Whether a stored group without an xid is the incoming object: it would be exported with
/// that STIX id (derived from its owner and id).
pub fn same_object() -> SameObject {
    Arc::new(|c, id| match &c.local {
        Local::Item(kind, n) => {
            crate::ids::item_id(*kind, &c.owner, *n, None).is_some_and(|derived| derived == id)
        }
        _ => false,
    })
}
