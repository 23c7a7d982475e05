//! One STIX object read back into threatdb's terms (stix-taxii.md §4–§11, import rows): every
//! check is made before anything is written, and every property that has no home in threatdb
//! is named in the object's notes, never dropped silently.

use serde_json::{Map, Value};
use threatdb_core::{
    ImportAttribute, ImportWhat, IncidentName, IncidentStatus, IndicatorKind, IndicatorValue,
    ItemKind, NewAttribute, TagName, Timestamp,
};

use crate::fixed::{INCIDENT_CORE, THREATDB_EXTENSION, TLP_2_0};

/// An SDO ready to import, before its owner and markings are resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Sdo {
    /// Its STIX type.
    pub stix_type: String,
    /// Its id.
    pub id: String,
    /// `created`.
    pub created: Timestamp,
    /// `modified`.
    pub modified: Timestamp,
    /// `created_by_ref`.
    pub created_by: Option<String>,
    /// The owner's name threatdb's extension gives.
    pub owner_name: Option<String>,
    /// The xid threatdb's `external_references` entry names, when it came from threatdb.
    pub xid: Option<String>,
    /// What it is.
    pub what: ImportWhat,
    /// `labels`, as tags.
    pub tags: Vec<TagName>,
    /// `object_marking_refs`.
    pub markings: Vec<String>,
    /// Its attributes, with label names.
    pub attributes: Vec<ImportAttribute>,
    /// A report's `object_refs`.
    pub object_refs: Vec<String>,
    /// What was not kept, one line each.
    pub notes: Vec<String>,
}

/// Why an object is refused.
pub type Reject = String;

/// Properties every object may carry that the mapping reads (or that need no home).
const COMMON: &[&str] = &[
    "type",
    "spec_version",
    "id",
    "created",
    "modified",
    "created_by_ref",
    "labels",
    "object_marking_refs",
    "external_references",
    "extensions",
    "description",
    "name",
];

/// The parts of a STIX object's common properties every kind needs.
pub fn common(o: &Map<String, Value>) -> Result<(String, String), Reject> {
    let stix_type = text(o, "type")?.to_string();
    let id = text(o, "id")?.to_string();
    let Some(uuid) = crate::ids::uuid_of(&id) else {
        return Err(format!("id '{id}' is not '<type>--<uuid>'"));
    };
    let _ = uuid;
    if !id.starts_with(&format!("{stix_type}--")) {
        return Err(format!(
            "id '{id}' does not start with its type '{stix_type}--'"
        ));
    }
    match o.get("spec_version").and_then(Value::as_str) {
        Some("2.1") => {}
        Some(other) => return Err(format!("spec_version '{other}': only STIX 2.1 is read")),
        None => return Err("spec_version is missing (STIX 2.1 objects carry \"2.1\")".into()),
    }
    Ok((stix_type, id))
}

/// A required text property.
pub fn text<'a>(o: &'a Map<String, Value>, key: &str) -> Result<&'a str, Reject> {
    match o.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(format!("{key} is not a string")),
        None => Err(format!("{key} is missing")),
    }
}

/// A STIX timestamp, to the second threatdb keeps.
pub fn time(o: &Map<String, Value>, key: &str) -> Result<Timestamp, Reject> {
    let s = text(o, key)?;
    if !s.ends_with('Z') || !s.contains('T') {
        return Err(format!(
            "{key} '{s}' is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)"
        ));
    }
    threatdb_core::parse_timestamp(s).map_err(|e| format!("{key}: {e}"))
}

/// The group kind an SDO type is imported as.
pub fn item_kind(stix_type: &str) -> Option<ItemKind> {
    Some(match stix_type {
        "threat-actor" => ItemKind::Adversary,
        "campaign" => ItemKind::Campaign,
        "intrusion-set" => ItemKind::IntrusionSet,
        "malware" => ItemKind::Malware,
        "tool" => ItemKind::Tool,
        "attack-pattern" => ItemKind::AttackPattern,
        "vulnerability" => ItemKind::Vulnerability,
        "course-of-action" => ItemKind::CourseOfAction,
        "report" => ItemKind::Report,
        "identity" => ItemKind::Victim,
        _ => return None,
    })
}

/// Reads an incident, indicator, group or victim.
pub fn sdo(o: &Map<String, Value>) -> Result<Sdo, Reject> {
    let (stix_type, id) = common(o)?;
    let created = time(o, "created")?;
    let modified = time(o, "modified")?;
    if modified < created {
        return Err("modified is before created".into());
    }
    let mut notes = Vec::new();
    let ext = own_extension(o, &mut notes)?;
    let mut known: Vec<&str> = COMMON.to_vec();
    let what = match stix_type.as_str() {
        "incident" => incident(o, &ext, &mut notes, created)?,
        "indicator" => {
            known.extend(["pattern", "pattern_type", "valid_from", "confidence"]);
            indicator(o, &ext)?
        }
        other => {
            let kind = item_kind(other).ok_or_else(|| format!("unsupported type '{other}'"))?;
            known.extend(match kind {
                ItemKind::Malware => &["is_family"][..],
                ItemKind::Report => &["published", "object_refs"][..],
                ItemKind::Victim => &["identity_class"][..],
                _ => &[][..],
            });
            let name = IncidentName::parse(text(o, "name")?).map_err(|e| e.to_string())?;
            let fields = match ext.get("fields") {
                Some(Value::Object(f)) => Value::Object(f.clone()).to_string(),
                Some(_) => return Err("threatdb.fields is not an object".into()),
                None => "{}".to_string(),
            };
            ImportWhat::Item { kind, name, fields }
        }
    };
    for key in o.keys() {
        if !known.contains(&key.as_str()) {
            notes.push(format!("property '{key}' is not kept"));
        }
    }
    let tags = match o.get("labels") {
        None => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|v| {
                let s = v.as_str().ok_or("labels must be strings")?;
                TagName::parse(s).map_err(|e| format!("label '{s}': {e}"))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("labels is not a list".into()),
    };
    let markings = strings(o, "object_marking_refs")?;
    let object_refs = strings(o, "object_refs")?;
    if stix_type == "report" && object_refs.is_empty() {
        return Err("a report needs object_refs".into());
    }
    let attributes = attributes(o, &ext, &what, created, modified, &mut notes)?;
    let created_by = match o.get("created_by_ref") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("created_by_ref is not a string".into()),
    };
    Ok(Sdo {
        stix_type,
        id,
        created,
        modified,
        created_by,
        owner_name: ext.get("owner").and_then(Value::as_str).map(str::to_string),
        xid: xid(o),
        what,
        tags,
        markings,
        attributes,
        object_refs,
        notes,
    })
}

/// A list of strings, or none.
pub fn strings(o: &Map<String, Value>, key: &str) -> Result<Vec<String>, Reject> {
    match o.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(list)) => list
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{key} must hold strings"))
            })
            .collect(),
        Some(_) => Err(format!("{key} is not a list")),
    }
}

/// The xid threatdb's `external_references` entry names.
fn xid(o: &Map<String, Value>) -> Option<String> {
    o.get("external_references")?
        .as_array()?
        .iter()
        .find(|r| r["source_name"] == "threatdb")?
        .get("external_id")?
        .as_str()
        .map(str::to_string)
}

/// threatdb's extension (empty when absent); any other extension is named in the notes
/// (the Incident Core Extension is read by the incident).
fn own_extension(
    o: &Map<String, Value>,
    notes: &mut Vec<String>,
) -> Result<Map<String, Value>, Reject> {
    let Some(extensions) = o.get("extensions") else {
        return Ok(Map::new());
    };
    let Value::Object(extensions) = extensions else {
        return Err("extensions is not an object".into());
    };
    let mut own = Map::new();
    for (key, value) in extensions {
        match key.as_str() {
            THREATDB_EXTENSION => match value {
                Value::Object(m) => own = m.clone(),
                _ => return Err("threatdb's extension is not an object".into()),
            },
            INCIDENT_CORE => {}
            other => notes.push(format!("extension '{other}' is not kept")),
        }
    }
    Ok(own)
}

fn incident(
    o: &Map<String, Value>,
    ext: &Map<String, Value>,
    notes: &mut Vec<String>,
    created: Timestamp,
) -> Result<ImportWhat, Reject> {
    let name = IncidentName::parse(text(o, "name")?).map_err(|e| e.to_string())?;
    let core = o
        .get("extensions")
        .and_then(|e| e.get(INCIDENT_CORE))
        .and_then(Value::as_object);
    let status = match ext.get("status") {
        Some(Value::String(s)) => IncidentStatus::parse(s).map_err(|e| e.to_string())?,
        Some(_) => return Err("threatdb.status is not a string".into()),
        None => {
            let investigation = core
                .and_then(|c| c.get("investigation_status"))
                .and_then(Value::as_str);
            let determination = core
                .and_then(|c| c.get("determination"))
                .and_then(Value::as_str);
            match (investigation, determination) {
                (Some("new"), _) => IncidentStatus::New,
                (Some("closed"), Some("false-positive")) => IncidentStatus::Rejected,
                (Some("closed"), _) => IncidentStatus::Closed,
                (Some("open") | None, _) => IncidentStatus::Open,
                (Some(other), _) => {
                    notes.push(format!("investigation_status '{other}' is read as Open"));
                    IncidentStatus::Open
                }
            }
        }
    };
    if let Some(core) = core {
        let default = crate::objects::investigation(status).1;
        for (key, value) in core {
            match key.as_str() {
                "extension_type" | "investigation_status" => {}
                "determination" if value.as_str() == Some(default) => {}
                other => notes.push(format!("Incident Core '{other}' is not kept")),
            }
        }
    }
    let event_date = match ext.get("event_date") {
        Some(Value::String(s)) => {
            threatdb_core::parse_timestamp(s).map_err(|e| format!("threatdb.event_date: {e}"))?
        }
        Some(_) => return Err("threatdb.event_date is not a string".into()),
        None => created,
    };
    let created_by = ext
        .get("created_by")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(ImportWhat::Incident {
        name,
        event_date,
        status,
        created_by,
    })
}

fn indicator(o: &Map<String, Value>, ext: &Map<String, Value>) -> Result<ImportWhat, Reject> {
    match o.get("pattern_type").and_then(Value::as_str) {
        Some("stix") => {}
        Some(other) => {
            return Err(format!(
                "pattern_type '{other}': only STIX patterns are read"
            ));
        }
        None => return Err("pattern_type is missing".into()),
    }
    time(o, "valid_from")?;
    let value = pattern(text(o, "pattern")?)?;
    let confidence = match o.get("confidence") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|c| *c <= 100)
                .and_then(|c| u8::try_from(c).ok())
                .ok_or("confidence must be an integer from 0 to 100")?,
        ),
    };
    let rating = match ext.get("rating") {
        None => None,
        Some(v) => Some(
            v.as_f64()
                .ok_or("threatdb.rating is not a number")
                .and_then(|r| {
                    threatdb_core::rating_hundredths(r)
                        .map_err(|_| "threatdb.rating must be from 0 to 5")
                })?,
        ),
    };
    Ok(ImportWhat::Indicator {
        value,
        rating,
        confidence,
    })
}

/// The indicator a STIX pattern of one comparison names: `[<object>:<path> = '<value>']`.
pub fn pattern(p: &str) -> Result<IndicatorValue, Reject> {
    let unsupported = || {
        format!(
            "pattern '{}' is not one comparison threatdb stores as an indicator ([domain-name:value = '…'], ipv4-addr, ipv6-addr, email-addr, url, file:hashes.MD5/'SHA-1'/'SHA-256')",
            p.chars().take(200).collect::<String>()
        )
    };
    let inner = p
        .trim()
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or_else(unsupported)?;
    let (path, literal) = inner.split_once('=').ok_or_else(unsupported)?;
    let path: String = path.chars().filter(|c| !c.is_whitespace()).collect();
    let literal = literal.trim();
    let quoted = literal
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .ok_or_else(unsupported)?;
    let mut value = String::with_capacity(quoted.len());
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('\\' | '\'')) => value.push(e),
                _ => return Err(unsupported()),
            },
            '\'' => return Err(unsupported()),
            c => value.push(c),
        }
    }
    let kind = match path.as_str() {
        "domain-name:value" => IndicatorKind::Host,
        "ipv4-addr:value" | "ipv6-addr:value" => IndicatorKind::Address,
        "email-addr:value" => IndicatorKind::EmailAddress,
        "url:value" => IndicatorKind::Url,
        "file:hashes.MD5"
        | "file:hashes.'MD5'"
        | "file:hashes.'SHA-1'"
        | "file:hashes.SHA1"
        | "file:hashes.'SHA-256'"
        | "file:hashes.SHA256" => IndicatorKind::File,
        _ => return Err(unsupported()),
    };
    IndicatorValue::parse(kind, &value).map_err(|e| format!("pattern value: {e}"))
}

/// `description` and threatdb's attributes, in the order they get their ids: the description
/// first (it was the first displayed Description), then the others as listed.
fn attributes(
    o: &Map<String, Value>,
    ext: &Map<String, Value>,
    what: &ImportWhat,
    created: Timestamp,
    modified: Timestamp,
    notes: &mut Vec<String>,
) -> Result<Vec<ImportAttribute>, Reject> {
    let mut out = Vec::new();
    let description = o.get("description").and_then(Value::as_str);
    let facts = ext.get("description_attribute").and_then(Value::as_object);
    if let Some(text) = description {
        // An indicator without a Description carries a fallback description (strict STIX
        // wants one); it is not an attribute.
        let fallback = match what {
            ImportWhat::Indicator { value, .. } => {
                Some(format!("{} indicator", value.kind().type_name()))
            }
            _ => None,
        };
        if facts.is_some() || fallback.as_deref() != Some(text) {
            let mut m = facts.cloned().unwrap_or_default();
            m.insert("type".into(), Value::from("Description"));
            m.insert("value".into(), Value::from(text));
            m.insert("displayed".into(), Value::Bool(true));
            if let Some(a) = attribute(&m, created, modified, notes)? {
                out.push(a);
            }
        }
    }
    match ext.get("attributes") {
        None => {}
        Some(Value::Array(list)) => {
            for a in list {
                let m = a
                    .as_object()
                    .ok_or("threatdb.attributes must hold objects")?;
                if let Some(a) = attribute(m, created, modified, notes)? {
                    out.push(a);
                }
            }
        }
        Some(_) => return Err("threatdb.attributes is not a list".into()),
    }
    Ok(out)
}

/// One attribute; an unknown type is skipped and noted.
fn attribute(
    m: &Map<String, Value>,
    created: Timestamp,
    modified: Timestamp,
    notes: &mut Vec<String>,
) -> Result<Option<ImportAttribute>, Reject> {
    let kind = text(m, "type").map_err(|e| format!("attribute: {e}"))?;
    let value = text(m, "value").map_err(|e| format!("attribute: {e}"))?;
    let displayed = m.get("displayed").and_then(Value::as_bool).unwrap_or(false);
    let source = m.get("source").and_then(Value::as_str).map(str::to_string);
    let attribute = match NewAttribute::parse(kind, value, displayed, source) {
        Ok(a) => a,
        Err(e) => {
            notes.push(format!("attribute '{kind}' is not kept: {e}"));
            return Ok(None);
        }
    };
    let date_added = match m.get("date_added") {
        Some(_) => time(m, "date_added").map_err(|e| format!("attribute: {e}"))?,
        None => created,
    };
    let last_modified = match m.get("last_modified") {
        Some(_) => time(m, "last_modified").map_err(|e| format!("attribute: {e}"))?,
        None => modified,
    };
    let labels = strings(m, "security_labels")?;
    Ok(Some(ImportAttribute {
        attribute,
        date_added,
        last_modified,
        labels,
    }))
}

/// A marking-definition: the TLP label it is, or an owner's statement label (name,
/// statement), or a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marking {
    /// A system TLP label, by name.
    Tlp(&'static str),
    /// An owner's own label.
    Statement {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
        /// Its statement (the label's description).
        statement: String,
        /// When it was created.
        created: Timestamp,
        /// Its `created_by_ref`.
        created_by: Option<String>,
    },
}

/// Reads a marking-definition.
pub fn marking(o: &Map<String, Value>) -> Result<Marking, Reject> {
    let (_, id) = common(o)?;
    if let Some(t) = tlp_of(&id) {
        return Ok(Marking::Tlp(t));
    }
    if o.get("extensions").and_then(|e| e.get(TLP_2_0)).is_some() {
        return Err("a TLP 2.0 marking with an id that is not the official one".into());
    }
    if o.get("definition_type").and_then(Value::as_str) != Some("statement") {
        return Err("only TLP markings and statement markings are read".into());
    }
    let statement = o
        .get("definition")
        .and_then(|d| d.get("statement"))
        .and_then(Value::as_str)
        .ok_or("a statement marking needs definition.statement")?
        .to_string();
    let name = match o.get("name").and_then(Value::as_str) {
        Some(n) => n.to_string(),
        None => statement.clone(),
    };
    let created = time(o, "created")?;
    Ok(Marking::Statement {
        id,
        name,
        statement,
        created,
        created_by: o
            .get("created_by_ref")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// The TLP label of an official marking id (TLP 1.0's green, amber and red ids too).
pub fn tlp_of(id: &str) -> Option<&'static str> {
    if let Some(t) = crate::fixed::TLP.iter().find(|t| t.id == id) {
        return Some(t.label);
    }
    Some(match id {
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da" => "TLP:GREEN",
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82" => "TLP:AMBER",
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed" => "TLP:RED",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_read_back_what_export_writes() {
        for (kind, value) in [
            (IndicatorKind::Host, "example.com"),
            (IndicatorKind::Address, "10.0.0.1"),
            (IndicatorKind::Address, "2001:db8::1"),
            (IndicatorKind::EmailAddress, "a@example.com"),
            (IndicatorKind::Url, r"http://x/a'b\c"),
            (IndicatorKind::File, &"a".repeat(64)),
            (IndicatorKind::File, &"b".repeat(40)),
            (IndicatorKind::File, &"c".repeat(32)),
        ] {
            let written = crate::objects::pattern(kind, value);
            let read = pattern(&written).unwrap();
            assert_eq!(read.kind(), kind, "{written}");
            assert_eq!(read.as_str(), value, "{written}");
        }
    }

    #[test]
    fn patterns_threatdb_cannot_store_are_refused() {
        for p in [
            "[ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value = '1.2.3.5']",
            "[process:name = 'x']",
            "[url:value = 'a'b']",
            "ipv4-addr:value = '1.2.3.4'",
            "[domain-name:value = 'x\\q']",
        ] {
            assert!(pattern(p).is_err(), "{p}");
        }
    }
}
