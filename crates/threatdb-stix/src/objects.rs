//! threatdb's objects as STIX 2.1 objects (stix-taxii.md §4–§10): every builder is a pure
//! function of the stored data, so exporting twice gives the same bytes.

use serde_json::{Map, Value, json};
use threatdb_core::{
    Attribute, Incident, IncidentStatus, Indicator, IndicatorKind, Item, ItemKind, Owner,
    SecurityLabel, Tag, Timestamp,
};

use crate::fixed::{INCIDENT_CORE, THREATDB_EXTENSION, tlp};
use crate::ids::derived_id;

/// A STIX timestamp: `YYYY-MM-DDTHH:MM:SS.sssZ` (threatdb keeps whole seconds).
pub fn stix_time(t: Timestamp) -> String {
    let s = threatdb_core::format_timestamp(t);
    format!("{}.000Z", s.trim_end_matches('Z'))
}

/// An attribute with the names of its security labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledAttribute {
    /// The attribute.
    pub attribute: Attribute,
    /// Its security labels' names.
    pub labels: Vec<String>,
}

/// What an object carries: attributes (in id order), tags and security labels.
#[derive(Debug, Clone, Copy)]
pub struct Carried<'a> {
    /// Attributes with their labels, in id order.
    pub attributes: &'a [LabelledAttribute],
    /// Tags.
    pub tags: &'a [Tag],
    /// Security labels.
    pub labels: &'a [SecurityLabel],
}

/// The STIX id of an owner's identity.
pub fn owner_id(owner: &Owner) -> String {
    crate::ids::owner_identity(&owner.name)
}

/// An owner as an `identity` (a pure function of its name and kind).
pub fn owner_identity(owner: &Owner) -> Value {
    json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": owner_id(owner),
        "created": "2000-01-01T00:00:00.000Z",
        "modified": "2000-01-01T00:00:00.000Z",
        "name": owner.name,
        "identity_class": "organization",
        "description": format!("ThreatConnect {}", owner.kind.as_str()),
    })
}

/// The STIX id of an incident (see [`crate::ids::incident_id`]).
pub fn incident_id(i: &Incident) -> String {
    crate::ids::incident_id(&i.owner.name, &i.xid)
}

pub use crate::ids::item_type;

/// The STIX id of an item, `None` when STIX has no object for its kind (see
/// [`crate::ids::item_id`]).
pub fn item_id(item: &Item) -> Option<String> {
    crate::ids::item_id(item.kind, &item.owner.name, item.id, item.xid.as_deref())
}

/// The STIX id of an indicator (see [`crate::ids::indicator_id`]).
pub fn indicator_id(i: &Indicator) -> String {
    crate::ids::indicator_id(
        &i.owner.name,
        i.kind.type_name(),
        &i.value,
        i.stix_id.as_deref(),
    )
}

/// The marking id of a label: the official one for TLP, a derived one for an owner's own.
pub fn marking_ref(owner: &Owner, label: &str) -> String {
    match tlp(label) {
        Some(t) => t.id.to_string(),
        None => derived_id(
            "marking-definition",
            &["marking-definition", &owner.name, label],
        ),
    }
}

/// An owner-defined label as a statement marking.
pub fn custom_marking(owner: &Owner, label: &SecurityLabel) -> Value {
    let statement = if label.description.trim().is_empty() {
        &label.name
    } else {
        &label.description
    };
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": marking_ref(owner, &label.name),
        "created": stix_time(label.date_added),
        "created_by_ref": owner_id(owner),
        "name": label.name,
        "definition_type": "statement",
        "definition": {"statement": statement},
    })
}

/// How an incident's status reads in the Incident Core Extension (stix-taxii.md §5).
pub fn investigation(status: IncidentStatus) -> (&'static str, &'static str) {
    match status {
        IncidentStatus::New => ("new", "suspected"),
        IncidentStatus::Open
        | IncidentStatus::Stalled
        | IncidentStatus::ContainmentAchieved
        | IncidentStatus::RestorationAchieved
        | IncidentStatus::IncidentReported => ("open", "suspected"),
        IncidentStatus::Closed | IncidentStatus::Deleted => ("closed", "suspected"),
        IncidentStatus::Rejected => ("closed", "false-positive"),
    }
}

/// An incident as an `incident` SDO with the Incident Core Extension.
pub fn incident(i: &Incident, carried: Carried<'_>) -> Value {
    let mut o = common(
        "incident",
        incident_id(i),
        &i.owner,
        i.date_added,
        i.last_modified,
    );
    o.insert("name".into(), json!(i.name));
    let mut ext = threatdb_ext(&i.owner);
    ext.insert("status".into(), json!(i.status.as_str()));
    ext.insert(
        "event_date".into(),
        json!(threatdb_core::format_timestamp(i.event_date)),
    );
    if !i.created_by.is_empty() {
        ext.insert("created_by".into(), json!(i.created_by));
    }
    carry(&mut o, &mut ext, &i.owner, carried, None);
    let (investigation_status, determination) = investigation(i.status);
    let mut extensions = Map::new();
    extensions.insert(
        INCIDENT_CORE.into(),
        json!({
            "extension_type": "property-extension",
            "investigation_status": investigation_status,
            "determination": determination,
        }),
    );
    extensions.insert(THREATDB_EXTENSION.into(), Value::Object(ext));
    o.insert("extensions".into(), Value::Object(extensions));
    if let Some(r) = reference(Some(&i.xid), "incident") {
        o.insert("external_references".into(), r);
    }
    Value::Object(o)
}

/// An indicator as an `indicator` SDO with a STIX pattern.
pub fn indicator(i: &Indicator, carried: Carried<'_>) -> Value {
    let mut o = common(
        "indicator",
        indicator_id(i),
        &i.owner,
        i.date_added,
        i.last_modified,
    );
    o.insert("name".into(), json!(i.value));
    o.insert("pattern".into(), json!(pattern(i.kind, &i.value)));
    o.insert("pattern_type".into(), json!("stix"));
    o.insert("valid_from".into(), json!(stix_time(i.date_added)));
    if let Some(c) = i.confidence {
        o.insert("confidence".into(), json!(c));
    }
    let mut ext = threatdb_ext(&i.owner);
    ext.insert("indicator_type".into(), json!(i.kind.type_name()));
    if let Some(r) = i.rating {
        ext.insert("rating".into(), json!(f64::from(r) / 100.0));
    }
    let fallback = format!("{} indicator", i.kind.type_name());
    carry(&mut o, &mut ext, &i.owner, carried, Some(&fallback));
    o.insert(
        "extensions".into(),
        json!({ THREATDB_EXTENSION: Value::Object(ext) }),
    );
    Value::Object(o)
}

/// An item as its STIX counterpart, or `None` for a kind STIX has no object for. A report
/// refers to `object_refs` (the incidents it is associated with); one without any is left
/// out (STIX requires at least one).
pub fn item(i: &Item, carried: Carried<'_>, object_refs: &[String]) -> Option<Value> {
    let stix_type = item_type(i.kind)?;
    let mut o = common(
        stix_type,
        item_id(i)?,
        &i.owner,
        i.date_added,
        i.last_modified,
    );
    o.insert("name".into(), json!(i.name));
    let fields: Map<String, Value> = serde_json::from_str(&i.fields).unwrap_or_default();
    match i.kind {
        ItemKind::Malware => {
            o.insert("is_family".into(), json!(true));
        }
        ItemKind::Report => {
            if object_refs.is_empty() {
                return None;
            }
            o.insert("published".into(), json!(stix_time(i.date_added)));
            o.insert("object_refs".into(), json!(object_refs));
        }
        ItemKind::Victim => {
            let organization = fields.get("org").is_some_and(|v| v != "");
            let class = if organization {
                "organization"
            } else {
                "individual"
            };
            o.insert("identity_class".into(), json!(class));
        }
        _ => {}
    }
    let mut ext = threatdb_ext(&i.owner);
    ext.insert("group_type".into(), json!(i.kind.type_name()));
    if !fields.is_empty() {
        ext.insert("fields".into(), Value::Object(fields));
    }
    carry(&mut o, &mut ext, &i.owner, carried, None);
    o.insert(
        "extensions".into(),
        json!({ THREATDB_EXTENSION: Value::Object(ext) }),
    );
    if let Some(r) = reference(i.xid.as_deref(), stix_type) {
        o.insert("external_references".into(), r);
    }
    Some(Value::Object(o))
}

/// What an association links an incident to (the `association` kind of §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Association {
    /// A group (an incident or an item of a group kind).
    Group,
    /// An indicator.
    Indicator,
    /// A victim.
    Victim,
    /// A task.
    Task,
}

impl Association {
    fn as_str(self) -> &'static str {
        match self {
            Association::Group => "group",
            Association::Indicator => "indicator",
            Association::Victim => "victim",
            Association::Task => "task",
        }
    }
}

/// One end of a relationship: its STIX id and when it was created.
#[derive(Debug, Clone, Copy)]
pub struct End<'a> {
    /// The STIX id.
    pub id: &'a str,
    /// When the object was added.
    pub created: Timestamp,
}

/// An association as a `related-to` relationship; `created` is the later of the two ends'
/// (derived, so it survives a round trip).
pub fn relationship(owner: &Owner, source: End<'_>, kind: Association, target: End<'_>) -> Value {
    let id = derived_id(
        "relationship",
        &["relationship", source.id, kind.as_str(), target.id],
    );
    let when = stix_time(source.created.max(target.created));
    json!({
        "type": "relationship",
        "spec_version": "2.1",
        "id": id,
        "created": when,
        "modified": when,
        "created_by_ref": owner_id(owner),
        "relationship_type": "related-to",
        "source_ref": source.id,
        "target_ref": target.id,
        "extensions": {
            THREATDB_EXTENSION: {
                "extension_type": "property-extension",
                "association": kind.as_str(),
            },
        },
    })
}

/// A STIX pattern matching an indicator's value (stix2-patterns grammar).
pub fn pattern(kind: IndicatorKind, value: &str) -> String {
    let v = quote(value);
    match kind {
        IndicatorKind::Host => format!("[domain-name:value = {v}]"),
        IndicatorKind::Address if value.contains(':') => format!("[ipv6-addr:value = {v}]"),
        IndicatorKind::Address => format!("[ipv4-addr:value = {v}]"),
        IndicatorKind::EmailAddress => format!("[email-addr:value = {v}]"),
        IndicatorKind::Url => format!("[url:value = {v}]"),
        IndicatorKind::File => {
            let hash = match value.len() {
                32 => "MD5",
                40 => "'SHA-1'",
                _ => "'SHA-256'",
            };
            format!("[file:hashes.{hash} = {v}]")
        }
    }
}

/// A pattern string literal: quoted, `\` and `'` escaped.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len().saturating_add(2));
    out.push('\'');
    for c in value.chars() {
        if c == '\\' || c == '\'' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// The properties every exported SDO has.
fn common(
    stix_type: &str,
    id: String,
    owner: &Owner,
    created: Timestamp,
    modified: Timestamp,
) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("type".into(), json!(stix_type));
    o.insert("spec_version".into(), json!("2.1"));
    o.insert("id".into(), json!(id));
    o.insert("created".into(), json!(stix_time(created)));
    o.insert("modified".into(), json!(stix_time(modified.max(created))));
    o.insert("created_by_ref".into(), json!(owner_id(owner)));
    o
}

/// threatdb's extension with what it always carries.
fn threatdb_ext(owner: &Owner) -> Map<String, Value> {
    let mut ext = Map::new();
    ext.insert("extension_type".into(), json!("property-extension"));
    ext.insert("owner".into(), json!(owner.name));
    ext
}

/// The group's xid, as an external reference: the key its STIX id derives from, so an import
/// elsewhere keeps it (none when the xid is the STIX id itself, or the group has none: an
/// object's local id differs from server to server, and an export must survive a round trip).
/// No `url`: strict mode wants `hashes` beside every `url`.
fn reference(xid: Option<&str>, stix_type: &str) -> Option<Value> {
    let xid = xid.filter(|x| crate::ids::stored(stix_type, x).is_none())?;
    Some(json!([{"source_name": "threatdb", "external_id": xid}]))
}

/// Tags, labels and attributes onto the object and its threatdb extension: the first
/// displayed Description is `description` (or `fallback`), the other attributes go to
/// `threatdb.attributes`. Empty lists are never written (STIX forbids them).
fn carry(
    o: &mut Map<String, Value>,
    ext: &mut Map<String, Value>,
    owner: &Owner,
    carried: Carried<'_>,
    fallback: Option<&str>,
) {
    let labels = tag_labels(carried.tags);
    if !labels.is_empty() {
        o.insert("labels".into(), json!(labels));
    }
    let mut markings: Vec<String> = carried
        .labels
        .iter()
        .map(|l| marking_ref(owner, &l.name))
        .collect();
    markings.sort();
    markings.dedup();
    if !markings.is_empty() {
        o.insert("object_marking_refs".into(), json!(markings));
    }
    let description = carried
        .attributes
        .iter()
        .position(|a| a.attribute.kind == "Description" && a.attribute.displayed);
    match description.and_then(|at| carried.attributes.get(at)) {
        Some(d) => {
            o.insert("description".into(), json!(d.attribute.value));
            let mut facts = Map::new();
            attribute_facts(&mut facts, d);
            ext.insert("description_attribute".into(), Value::Object(facts));
        }
        None => {
            if let Some(text) = fallback {
                o.insert("description".into(), json!(text));
            }
        }
    }
    let others: Vec<Value> = carried
        .attributes
        .iter()
        .enumerate()
        .filter(|(at, _)| Some(*at) != description)
        .map(|(_, a)| {
            let mut m = Map::new();
            m.insert("type".into(), json!(a.attribute.kind));
            m.insert("value".into(), json!(a.attribute.value));
            if a.attribute.displayed {
                m.insert("displayed".into(), json!(true));
            }
            attribute_facts(&mut m, a);
            Value::Object(m)
        })
        .collect();
    if !others.is_empty() {
        ext.insert("attributes".into(), Value::Array(others));
    }
}

/// An attribute's dates, source and label names.
fn attribute_facts(m: &mut Map<String, Value>, a: &LabelledAttribute) {
    m.insert(
        "date_added".into(),
        json!(stix_time(a.attribute.date_added)),
    );
    m.insert(
        "last_modified".into(),
        json!(stix_time(a.attribute.last_modified)),
    );
    if let Some(source) = a.attribute.source.as_deref().filter(|s| !s.is_empty()) {
        m.insert("source".into(), json!(source));
    }
    if !a.labels.is_empty() {
        let mut names = a.labels.clone();
        names.sort();
        m.insert("security_labels".into(), json!(names));
    }
}

/// Tag names as `labels`: sorted regardless of case then by code point, one per name
/// regardless of case.
pub fn tag_labels(tags: &[Tag]) -> Vec<String> {
    let mut names: Vec<(String, &str)> = tags
        .iter()
        .map(|t| (t.name.to_lowercase(), t.name.as_str()))
        .collect();
    names.sort();
    names.dedup_by(|a, b| a.0 == b.0);
    names.into_iter().map(|(_, n)| n.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_escape_quotes_and_backslashes() {
        assert_eq!(
            pattern(IndicatorKind::Url, r"http://x/a'b\c"),
            r"[url:value = 'http://x/a\'b\\c']"
        );
        assert_eq!(
            pattern(IndicatorKind::Address, "2001:db8::1"),
            "[ipv6-addr:value = '2001:db8::1']"
        );
        assert_eq!(
            pattern(IndicatorKind::File, &"a".repeat(40)),
            format!("[file:hashes.'SHA-1' = '{}']", "a".repeat(40))
        );
    }

    #[test]
    fn tags_sort_regardless_of_case_and_keep_one_spelling() {
        let tags: Vec<Tag> = ["beta", "Alpha", "BETA", "gamma"]
            .iter()
            .zip(1..)
            .map(|(n, id)| Tag {
                id,
                name: n.to_string(),
            })
            .collect();
        assert_eq!(tag_labels(&tags).len(), 3);
        assert_eq!(tag_labels(&tags)[0], "Alpha");
    }

    #[test]
    fn status_maps_to_the_incident_core_values() {
        assert_eq!(
            investigation(IncidentStatus::Rejected),
            ("closed", "false-positive")
        );
        assert_eq!(
            investigation(IncidentStatus::Stalled),
            ("open", "suspected")
        );
        assert_eq!(investigation(IncidentStatus::New), ("new", "suspected"));
    }
}
