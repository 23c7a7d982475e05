//! tc-json: an owner's groups and indicators as one ThreatConnect Batch file
//! (`{"group":[…],"indicator":[…]}`), the shape `POST /v2/batch` takes and [`crate::batch`]
//! reads, so an export goes back into threatdb (or into ThreatConnect) as a Batch job.
//!
//! A group carries its xid (one without an xid is named by its derived id,
//! `threatdb_core::stix_id::item_ref`, which a Batch job finds it by again), name, type, an
//! incident's `eventDate` and `status`, a group of another type's own fields, attributes, tags
//! and security labels; an incident carries its associations (`associatedGroupXid`,
//! `associatedIndicators`). An indicator carries its type, `summary`, `rating`, `confidence`,
//! attributes, tags and labels. What the Batch format has no place for is not written: victims
//! and tasks (not groups in ThreatConnect; the export counts them), dates other than
//! `eventDate`, attributes' security labels, the owner (a Batch job names it in its settings).

use serde_json::{Map, Value, json};
use threatdb_core::stix_id::item_ref;
use threatdb_core::{
    Attribute, Change, Changed, Item, Linked, SecurityLabel, Tag, format_timestamp,
};

/// Which array of the file an item goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `group`.
    Group,
    /// `indicator`.
    Indicator,
}

/// The xid a group is written with.
pub fn group_xid(item: &Item) -> String {
    match &item.xid {
        Some(xid) => xid.clone(),
        None => item_ref(item.kind, &item.owner.name, item.id, None),
    }
}

fn nested(
    o: &mut Map<String, Value>,
    attributes: Option<&[Attribute]>,
    tags: Option<&[Tag]>,
    labels: Option<&[SecurityLabel]>,
) {
    let attributes: Vec<Value> = attributes
        .unwrap_or_default()
        .iter()
        .map(|a| {
            let mut one = json!({"type": a.kind, "value": a.value, "displayed": a.displayed});
            if let (Some(source), Some(m)) = (&a.source, one.as_object_mut()) {
                m.insert("source".into(), json!(source));
            }
            one
        })
        .collect();
    if !attributes.is_empty() {
        o.insert("attribute".into(), json!(attributes));
    }
    let mut tags: Vec<&str> = tags
        .unwrap_or_default()
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    tags.sort_by_key(|t| t.to_lowercase());
    if !tags.is_empty() {
        let tags: Vec<Value> = tags.iter().map(|t| json!({"name": t})).collect();
        o.insert("tag".into(), json!(tags));
    }
    let mut labels: Vec<&str> = labels
        .unwrap_or_default()
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    labels.sort();
    if !labels.is_empty() {
        let labels: Vec<Value> = labels.iter().map(|l| json!({"name": l})).collect();
        o.insert("securityLabel".into(), json!(labels));
    }
}

/// An incident's associations: the groups' xids and the indicators, each sorted.
fn associations(o: &mut Map<String, Value>, links: &[Linked]) {
    let mut groups: Vec<String> = Vec::new();
    let mut indicators: Vec<(String, String)> = Vec::new();
    for linked in links {
        match linked {
            Linked::Incident(i) => groups.push(i.xid.clone()),
            Linked::Item(item) if item.kind.is_group() => groups.push(group_xid(item)),
            Linked::Item(_) => {}
            Linked::Indicator(i) => {
                indicators.push((i.kind.type_name().to_string(), i.value.clone()))
            }
        }
    }
    groups.sort();
    groups.dedup();
    indicators.sort();
    indicators.dedup();
    if !groups.is_empty() {
        o.insert("associatedGroupXid".into(), json!(groups));
    }
    if !indicators.is_empty() {
        let refs: Vec<Value> = indicators
            .into_iter()
            .map(|(t, v)| json!({"indicatorType": t, "summary": v}))
            .collect();
        o.insert("associatedIndicators".into(), json!(refs));
    }
}

/// A changed object as an item of a Batch file, and the array it goes in; `None` for a victim
/// or a task, which ThreatConnect's Batch API does not take (they are not groups there).
pub fn item(change: &Change) -> Option<(Part, Value)> {
    let mut o = Map::new();
    let part = match &change.object {
        Changed::Incident(d) => {
            let i = &d.incident;
            o.insert("type".into(), json!("Incident"));
            o.insert("xid".into(), json!(i.xid));
            o.insert("name".into(), json!(i.name));
            o.insert("eventDate".into(), json!(format_timestamp(i.event_date)));
            o.insert("status".into(), json!(i.status.as_str()));
            nested(
                &mut o,
                d.attributes.as_deref(),
                d.tags.as_deref(),
                d.labels.as_deref(),
            );
            associations(&mut o, &change.links);
            Part::Group
        }
        Changed::Item(d) if !d.item.kind.is_group() => return None,
        Changed::Item(d) => {
            let i = &d.item;
            // The group's own fields first, so that none can take the place of a key below.
            if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(&i.fields) {
                o.extend(fields);
            }
            o.insert("type".into(), json!(i.kind.type_name()));
            o.insert("xid".into(), json!(group_xid(i)));
            o.insert("name".into(), json!(i.name));
            nested(
                &mut o,
                d.attributes.as_deref(),
                d.tags.as_deref(),
                d.labels.as_deref(),
            );
            Part::Group
        }
        Changed::Indicator(d) => {
            let i = &d.indicator;
            o.insert("type".into(), json!(i.kind.type_name()));
            o.insert("summary".into(), json!(i.value));
            if let Some(r) = i.rating {
                o.insert("rating".into(), json!(f64::from(r) / 100.0));
            }
            if let Some(c) = i.confidence {
                o.insert("confidence".into(), json!(c));
            }
            nested(
                &mut o,
                d.attributes.as_deref(),
                d.tags.as_deref(),
                d.labels.as_deref(),
            );
            Part::Indicator
        }
    };
    Some((part, Value::Object(o)))
}
