//! ThreatConnect's Batch API on the wire (`tc-batch-wire.md`): the job settings tcex sends,
//! the batch file's items turned into the store's work, and the status and error answers.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::HashMap;
use threatdb_core::batch::{
    AttributeWrite, BatchAction, BatchCode, BatchEnd, BatchError, BatchGroup, BatchIndicator,
    BatchLinks, BatchNested, BatchOp, BatchSettings, BatchStatus, GroupKind, SetWrite,
    error_source,
};
use threatdb_core::{
    IncidentName, IncidentStatus, IndicatorKind, IndicatorScores, IndicatorValue, NewAttribute,
    TagName, parse_timestamp,
};
use utoipa::ToSchema;

/// The job settings as tcex sends them: every value a string (`haltOnError` may also be a
/// JSON boolean). Settings tcex sends that change nothing here are accepted and ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SettingsDto {
    action: Option<String>,
    attribute_write_type: Option<String>,
    halt_on_error: Option<Value>,
    owner: Option<String>,
    security_label_write_type: Option<String>,
    tag_write_type: Option<String>,
    version: Option<String>,
}

fn pick<T: Copy>(
    key: &str,
    given: Option<&str>,
    default: T,
    choices: &[(&str, T)],
) -> Result<T, String> {
    let Some(given) = given else {
        return Ok(default);
    };
    choices
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(given.trim()))
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            format!("{key} '{given}' is not one of {}", names.join(", "))
        })
}

/// Reads job settings (the `config` part, or the body of `POST /v2/batch`): the settings and
/// the owner's name, or what is wrong with them.
pub fn settings(bytes: &[u8]) -> Result<(BatchSettings, String), String> {
    let dto: SettingsDto = serde_json::from_slice(bytes)
        .map_err(|e| format!("The job settings are not a JSON object of settings: {e}"))?;
    let action = match dto.action.as_deref() {
        None => return Err("The job settings need an action: Create or Delete".into()),
        given => pick(
            "action",
            given,
            BatchAction::Create,
            &[
                ("Create", BatchAction::Create),
                ("Delete", BatchAction::Delete),
            ],
        )?,
    };
    if let Some(version) = &dto.version
        && !version.trim().eq_ignore_ascii_case("V2")
    {
        return Err(format!("version '{version}' is not supported: use V2"));
    }
    let sets = [("Append", SetWrite::Append), ("Replace", SetWrite::Replace)];
    let attributes = pick(
        "attributeWriteType",
        dto.attribute_write_type.as_deref(),
        AttributeWrite::Replace,
        &[
            ("Append", AttributeWrite::Append),
            ("Replace", AttributeWrite::Replace),
            ("Singleton", AttributeWrite::Singleton),
            ("Static", AttributeWrite::Static),
        ],
    )?;
    let tags = pick(
        "tagWriteType",
        dto.tag_write_type.as_deref(),
        SetWrite::Replace,
        &sets,
    )?;
    let labels = pick(
        "securityLabelWriteType",
        dto.security_label_write_type.as_deref(),
        SetWrite::Replace,
        &sets,
    )?;
    let halt_on_error = match &dto.halt_on_error {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => true,
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => false,
        Some(other) => return Err(format!("haltOnError {other} is not true or false")),
    };
    let owner = dto
        .owner
        .filter(|o| !o.trim().is_empty())
        .ok_or("The job settings need the owner's name")?;
    Ok((
        BatchSettings {
            action,
            attributes,
            tags,
            labels,
            halt_on_error,
        },
        owner,
    ))
}

/// A batch file's items, each kept as its JSON text until it is written.
#[derive(Debug, Default)]
pub struct BatchFile {
    /// `group`.
    pub groups: Vec<Box<RawValue>>,
    /// `indicator` (or the whole file when it is a bare list).
    pub indicators: Vec<Box<RawValue>>,
    /// `association`.
    pub associations: Vec<Box<RawValue>>,
}

#[derive(Deserialize)]
struct FileDto {
    group: Option<Vec<Box<RawValue>>>,
    indicator: Option<Vec<Box<RawValue>>>,
    association: Option<Vec<Box<RawValue>>>,
}

impl BatchFile {
    /// Reads a batch file: `{"group":[...],"indicator":[...],"association":[...]}` (any part
    /// may be missing; other keys are ignored) or a bare list of indicators.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'[') {
            let indicators = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
            return Ok(BatchFile {
                indicators,
                ..BatchFile::default()
            });
        }
        let dto: FileDto = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        Ok(BatchFile {
            groups: dto.group.unwrap_or_default(),
            indicators: dto.indicator.unwrap_or_default(),
            associations: dto.association.unwrap_or_default(),
        })
    }

    /// Every item (groups, indicators, association entries).
    pub fn len(&self) -> usize {
        self.groups
            .len()
            .saturating_add(self.indicators.len())
            .saturating_add(self.associations.len())
    }

    /// Whether the file has no item.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Deserialize)]
struct AttributeDto {
    #[serde(rename = "type")]
    kind: String,
    value: String,
    displayed: Option<bool>,
    source: Option<String>,
}

#[derive(Deserialize)]
struct NameDto {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupDto {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    xid: Option<String>,
    event_date: Option<String>,
    status: Option<String>,
    attribute: Option<Vec<AttributeDto>>,
    tag: Option<Vec<NameDto>>,
    security_label: Option<Vec<NameDto>>,
    associated_group_xid: Option<Vec<String>>,
    associated_indicators: Option<Vec<IndicatorRefDto>>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IndicatorRefDto {
    summary: String,
    indicator_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupXidDto {
    group_xid: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IndicatorDto {
    #[serde(rename = "type")]
    kind: Option<String>,
    summary: Option<String>,
    xid: Option<String>,
    md5: Option<String>,
    sha1: Option<String>,
    sha256: Option<String>,
    rating: Option<f64>,
    confidence: Option<i64>,
    attribute: Option<Vec<AttributeDto>>,
    tag: Option<Vec<NameDto>>,
    security_label: Option<Vec<NameDto>>,
    associated_groups: Option<Vec<GroupXidDto>>,
}

/// Keys of a group item that are not a group of another type's own fields.
const GROUP_KEYS: &[&str] = &["firstSeen", "lastSeen"];

fn failure(code: BatchCode, reason: String, raw: &RawValue) -> BatchError {
    BatchError {
        code: code.as_str().into(),
        reason,
        source: error_source(raw.get()),
    }
}

fn nested(
    attribute: Option<Vec<AttributeDto>>,
    tag: Option<Vec<NameDto>>,
    label: Option<Vec<NameDto>>,
) -> Result<BatchNested, String> {
    let attributes = attribute
        .map(|list| {
            list.into_iter()
                .map(|a| {
                    NewAttribute::parse(&a.kind, &a.value, a.displayed.unwrap_or(false), a.source)
                        .map_err(|e| format!("attribute {}: {e}", a.kind))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let tags = tag
        .map(|list| {
            list.into_iter()
                .map(|t| TagName::parse(&t.name).map_err(|e| format!("tag '{}': {e}", t.name)))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let labels = label.map(|list| list.into_iter().map(|l| l.name).collect());
    Ok(BatchNested {
        attributes,
        tags,
        labels,
    })
}

/// A group item: the work it is (a create or update, or a delete) and, for a create, the links
/// it asks for (made once every group and indicator of the job is written).
pub fn group(
    raw: &RawValue,
    action: BatchAction,
) -> (Result<BatchOp, BatchError>, Option<BatchLinks>) {
    let bad = |reason: String| failure(BatchCode::InvalidGroup, reason, raw);
    let dto: GroupDto = match serde_json::from_str(raw.get()) {
        Ok(dto) => dto,
        Err(e) => return (Err(bad(format!("Group item is not valid: {e}"))), None),
    };
    let Some(xid) = dto.xid.filter(|x| !x.trim().is_empty()) else {
        return (Err(bad("Group item has no xid".into())), None);
    };
    if action == BatchAction::Delete {
        return (Ok(BatchOp::DeleteGroup(xid)), None);
    }
    let built = (|| {
        let type_name = dto.kind.ok_or("it has no type")?;
        let kind = GroupKind::from_type_name(&type_name)
            .ok_or_else(|| format!("'{type_name}' is not a group type threatdb stores"))?;
        let name = IncidentName::parse(dto.name.as_deref().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        let event_date = dto
            .event_date
            .as_deref()
            .map(parse_timestamp)
            .transpose()
            .map_err(|e| e.to_string())?;
        let status = match kind {
            GroupKind::Incident => dto
                .status
                .as_deref()
                .map(IncidentStatus::parse)
                .transpose()
                .map_err(|e| e.to_string())?,
            GroupKind::Item(_) => None,
        };
        let mut fields = dto.rest;
        fields.retain(|k, _| !GROUP_KEYS.contains(&k.as_str()));
        if let GroupKind::Item(_) = kind {
            // An Event's `eventDate` (and a `status` of a group of another type) is one of its
            // own fields, kept as given.
            if let Some(date) = &dto.event_date {
                fields.insert("eventDate".into(), Value::String(date.clone()));
            }
            if let Some(status) = &dto.status {
                fields.insert("status".into(), Value::String(status.clone()));
            }
        }
        if let GroupKind::Item(k) = kind {
            if let Some(missing) = k
                .required_fields()
                .iter()
                .find(|f| !fields.contains_key(**f))
            {
                return Err(format!("a {} needs {missing}", k.type_name()));
            }
        } else {
            fields.clear();
        }
        let nested = nested(dto.attribute, dto.tag, dto.security_label)?;
        let links = BatchLinks {
            xid: xid.clone(),
            group_xids: dto.associated_group_xid.unwrap_or_default(),
            indicators: dto
                .associated_indicators
                .unwrap_or_default()
                .into_iter()
                .map(|r| indicator_value(&r.indicator_type, &r.summary))
                .collect::<Result<_, _>>()?,
        };
        let group = BatchGroup {
            xid: xid.clone(),
            kind,
            name,
            event_date,
            status,
            fields: Value::Object(fields).to_string(),
            nested,
        };
        Ok::<_, String>((group, links))
    })();
    match built {
        Ok((group, links)) => {
            let has_links = !(links.group_xids.is_empty() && links.indicators.is_empty());
            (Ok(BatchOp::Group(group)), has_links.then_some(links))
        }
        Err(why) => (Err(bad(format!("Group xid {xid}: {why}"))), None),
    }
}

/// A value of an indicator type, normalised as the v2 endpoints do.
fn indicator_value(type_name: &str, summary: &str) -> Result<IndicatorValue, String> {
    let kind = IndicatorKind::from_type_name(type_name.trim()).ok_or_else(|| {
        format!(
            "'{type_name}' is not an indicator type threatdb stores \
             (Address, EmailAddress, File, Host, URL)"
        )
    })?;
    IndicatorValue::parse(kind, summary).map_err(|e| format!("{type_name} {summary}: {e}"))
}

/// An indicator item: its work, and its xid (the handle association entries may use).
pub fn indicator(
    raw: &RawValue,
    action: BatchAction,
) -> (Result<BatchOp, BatchError>, Option<String>) {
    let bad = |reason: String| failure(BatchCode::InvalidIndicator, reason, raw);
    let dto: IndicatorDto = match serde_json::from_str(raw.get()) {
        Ok(dto) => dto,
        Err(e) => return (Err(bad(format!("Indicator item is not valid: {e}"))), None),
    };
    let xid = dto.xid.clone();
    let built = (|| {
        let type_name = dto.kind.ok_or("Indicator item has no type")?;
        let summary = summary(&type_name, dto.summary, [dto.md5, dto.sha1, dto.sha256])?;
        let value = indicator_value(&type_name, &summary)?;
        if action == BatchAction::Delete {
            return Ok(BatchOp::DeleteIndicator(value));
        }
        let name = format!("{} {}", value.kind().type_name(), value.as_str());
        let scores = IndicatorScores::parse(dto.rating.map(Some), dto.confidence.map(Some))
            .map_err(|e| format!("{name}: {e}"))?;
        let nested = nested(dto.attribute, dto.tag, dto.security_label)
            .map_err(|e| format!("{name}: {e}"))?;
        Ok(BatchOp::Indicator(BatchIndicator {
            value,
            scores,
            nested,
            group_xids: dto
                .associated_groups
                .unwrap_or_default()
                .into_iter()
                .map(|g| g.group_xid)
                .collect(),
        }))
    })();
    match built {
        Ok(op) => {
            let handle = match &op {
                BatchOp::Indicator(_) => xid,
                _ => None,
            };
            (Ok(op), handle)
        }
        Err(why) => (Err(bad(why)), None),
    }
}

/// An indicator's value: `summary`, or for a File its one hash (from `summary`'s
/// `md5 : sha1 : sha256` or the hash fields).
fn summary(
    type_name: &str,
    summary: Option<String>,
    hashes: [Option<String>; 3],
) -> Result<String, String> {
    let is_file = IndicatorKind::from_type_name(type_name.trim()) == Some(IndicatorKind::File);
    if !is_file {
        return summary
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| format!("{type_name} item has no summary"));
    }
    let mut found: Vec<String> = Vec::new();
    let from_summary = summary.iter().flat_map(|s| s.split(" : "));
    let from_fields = hashes.iter().flatten().map(String::as_str);
    for h in from_summary.chain(from_fields) {
        let h = h.trim().to_ascii_lowercase();
        if !h.is_empty() && !found.contains(&h) {
            found.push(h);
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err("File item has no hash".into()),
        _ => Err(format!(
            "File {}: threatdb keeps one hash per File indicator; send each hash as its own item",
            found.join(" : ")
        )),
    }
}

#[derive(Deserialize)]
struct AssociationDto {
    ref_1: Option<String>,
    type_1: Option<String>,
    ref_2: Option<String>,
    type_2: Option<String>,
}

/// An `association` entry: two ends, each a group by xid or an indicator (by the xid of an
/// indicator of the job, in `handles`, or by its value).
pub fn association(
    raw: &RawValue,
    handles: &HashMap<String, IndicatorValue>,
) -> Result<BatchOp, BatchError> {
    let bad = |reason: String| failure(BatchCode::Association, reason, raw);
    let dto: AssociationDto = serde_json::from_str(raw.get())
        .map_err(|e| bad(format!("Association entry is not valid: {e}")))?;
    let end = |r: Option<String>, t: Option<String>| -> Result<BatchEnd, String> {
        let r = r.ok_or("Association entry lacks ref_1 or ref_2")?;
        let t = t.unwrap_or_default();
        if t.is_empty() || GroupKind::from_type_name(&t).is_some() {
            return Ok(match handles.get(&r) {
                Some(v) if t.is_empty() => BatchEnd::Indicator(v.clone()),
                _ => BatchEnd::Group(r),
            });
        }
        match handles.get(&r) {
            Some(v) => Ok(BatchEnd::Indicator(v.clone())),
            None => indicator_value(&t, &r).map(BatchEnd::Indicator),
        }
    };
    let a = end(dto.ref_1, dto.type_1).map_err(bad)?;
    let b = end(dto.ref_2, dto.type_2).map_err(bad)?;
    Ok(BatchOp::Associate(a, b))
}

/// The job settings as documented: what `POST /v2/batch` takes and the `config` part of an
/// upload holds. Every value is a string, as tcex sends them (`haltOnError` may also be a
/// boolean); other keys tcex sends (`playbookTriggersEnabled`, `hashCollisionMode`, ...) are
/// accepted and ignored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = BatchSettings)]
pub struct SettingsDoc {
    /// `Create` or `Delete`.
    pub action: String,
    /// The owner's name: one the caller may write.
    pub owner: String,
    /// `Replace` (default), `Append`, `Singleton` or `Static`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_write_type: Option<String>,
    /// `Replace` (default) or `Append`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_write_type: Option<String>,
    /// `Replace` (default) or `Append`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_label_write_type: Option<String>,
    /// Stop at the first item that fails: `"true"` or `"false"` (or a boolean).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub halt_on_error: Option<HaltOnError>,
    /// `V2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `haltOnError`: a string (`"true"`, `"false"`) as tcex sends it, or a boolean.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum HaltOnError {
    /// `"true"` or `"false"`.
    Text(String),
    /// `true` or `false`.
    Flag(bool),
}

/// The multipart body of `POST /v2/batch/createAndUpload`: two parts, found by name.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(as = BatchUpload)]
pub struct UploadDoc {
    /// The job settings, a JSON object ([`SettingsDoc`]).
    pub config: String,
    /// The batch file, JSON: `{"group":[...],"indicator":[...],"association":[...]}`.
    pub content: String,
}

/// A tc-json file (`GET /v2/batch/tc-json`): the Batch file's groups and indicators, each an
/// item as `POST /v2/batch` takes it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TcJsonDoc {
    /// Groups: `type`, `xid`, `name`, an incident's `eventDate` and `status`, a group's own
    /// fields, `attribute`, `tag`, `securityLabel`, an incident's associations.
    #[schema(value_type = Vec<Object>)]
    pub group: Vec<Value>,
    /// Indicators: `type`, `summary`, `rating`, `confidence`, `attribute`, `tag`,
    /// `securityLabel`.
    #[schema(value_type = Vec<Object>)]
    pub indicator: Vec<Value>,
}

/// A job's status and counts (every count an integer, always present).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchStatusDto {
    /// The job's id.
    pub id: i64,
    /// `Created`, `Queued`, `Running` or `Completed`.
    pub status: String,
    /// Items (and association entries) with an error record.
    pub error_count: u64,
    /// Items written without one.
    pub success_count: u64,
    /// Items not attempted (a halt on error).
    pub unprocess_count: u64,
    /// Groups written without an error record.
    pub success_group_count: u64,
    /// Groups with one.
    pub error_group_count: u64,
    /// Indicators written without an error record.
    pub success_indicator_count: u64,
    /// Indicators with one.
    pub error_indicator_count: u64,
}

/// `{"batchStatus": {...}}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchStatusData {
    /// The status.
    pub batch_status: BatchStatusDto,
}

/// `{"status":"Success","data":{"batchStatus":{...}}}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BatchStatusReply {
    /// `Success`.
    pub status: String,
    /// The status.
    pub data: BatchStatusData,
}

/// `{"batchId": N}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchCreatedData {
    /// The new job's id.
    pub batch_id: i64,
}

/// `{"status":"Success","data":{"batchId":N}}` (`POST /v2/batch`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BatchCreated {
    /// `Success`.
    pub status: String,
    /// The id.
    pub data: BatchCreatedData,
}

/// `{"status":"Queued"}` (an upload accepted) or `{"status":"Invalid","description":...}` (a
/// refused upload, `/errors` of a job still running).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BatchNotice {
    /// `Queued` or `Invalid`.
    pub status: String,
    /// Why, for `Invalid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One error record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchErrorDto {
    /// tcex's code: `0x1005`, ...
    pub error_code: String,
    /// What went wrong, naming the item.
    pub error_reason: String,
    /// The item's JSON, cut to 300 characters.
    pub error_source: String,
}

/// The boundary of [`upload_body`]'s parts.
pub const UPLOAD_BOUNDARY: &str = "threatdb-batch-upload";

/// A `createAndUpload` body as tcex builds it (each part named, with a filename equal to its
/// name, no content type of its own): its `Content-Type` and its bytes.
pub fn upload_body(config: &str, content: &str) -> (String, Vec<u8>) {
    let mut body = String::new();
    for (name, text) in [("config", config), ("content", content)] {
        body.push_str(&format!(
            "--{UPLOAD_BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n\r\n{text}\r\n"
        ));
    }
    body.push_str(&format!("--{UPLOAD_BOUNDARY}--\r\n"));
    (
        format!("multipart/form-data; boundary={UPLOAD_BOUNDARY}"),
        body.into_bytes(),
    )
}

fn to_json(value: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// `{"status":"Success","data":{"batchStatus":{...}}}`: every count a JSON integer.
pub fn status_json(s: &BatchStatus) -> Vec<u8> {
    to_json(&BatchStatusReply {
        status: "Success".into(),
        data: BatchStatusData {
            batch_status: BatchStatusDto {
                id: s.id,
                status: s.state.as_str().into(),
                error_count: s.errors,
                success_count: s.successes(),
                unprocess_count: s.unprocessed,
                success_group_count: s.success_groups,
                error_group_count: s.error_groups,
                success_indicator_count: s.success_indicators,
                error_indicator_count: s.error_indicators,
            },
        },
    })
}

/// `{"status":"Success","data":{"batchId":N}}` (`POST /v2/batch`).
pub fn created_json(id: i64) -> Vec<u8> {
    to_json(&BatchCreated {
        status: "Success".into(),
        data: BatchCreatedData { batch_id: id },
    })
}

/// `{"status":"Queued"}` (an upload accepted).
pub fn queued_json() -> Vec<u8> {
    to_json(&BatchNotice {
        status: "Queued".into(),
        description: None,
    })
}

/// `{"status":"Invalid","description":...}` (a refused upload, `/errors` of a running job).
pub fn invalid_json(description: &str) -> Vec<u8> {
    to_json(&BatchNotice {
        status: "Invalid".into(),
        description: Some(description.into()),
    })
}

/// The error records: `[{"errorCode","errorReason","errorSource"}]`.
pub fn errors_json(errors: &[BatchError]) -> Vec<u8> {
    let list: Vec<BatchErrorDto> = errors
        .iter()
        .map(|e| BatchErrorDto {
            error_code: e.code.clone(),
            error_reason: e.reason.clone(),
            error_source: e.source.clone(),
        })
        .collect();
    to_json(&list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_take_tcex_strings() {
        let (s, owner) = settings(
            br#"{"action":"Create","attributeWriteType":"Replace","haltOnError":"false","owner":"Example Org","playbookTriggersEnabled":"false","securityLabelWriteType":"Replace","tagWriteType":"Append","version":"V2"}"#,
        )
        .unwrap();
        assert_eq!(owner, "Example Org");
        assert_eq!(s.tags, SetWrite::Append);
        assert!(!s.halt_on_error);
        let (s, _) = settings(br#"{"action":"delete","owner":"x","haltOnError":true}"#).unwrap();
        assert_eq!(s.action, BatchAction::Delete);
        assert!(s.halt_on_error);
        for bad in [
            &br#"{"owner":"x"}"#[..],
            br#"{"action":"Update","owner":"x"}"#,
            br#"{"action":"Create"}"#,
            br#"{"action":"Create","owner":"x","version":"V3"}"#,
            br#"{"action":"Create","owner":"x","haltOnError":"maybe"}"#,
            br#"[1]"#,
        ] {
            assert!(settings(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn an_events_date_is_one_of_its_fields() {
        let raw = RawValue::from_string(
            r#"{"type":"Event","xid":"e1","name":"a login","eventDate":"2026-01-02T00:00:00Z","status":"Escalated"}"#
                .to_string(),
        )
        .unwrap();
        let (Ok(BatchOp::Group(g)), _) = group(&raw, BatchAction::Create) else {
            panic!("not a group");
        };
        let fields: Value = serde_json::from_str(&g.fields).unwrap();
        assert_eq!(fields["eventDate"], "2026-01-02T00:00:00Z");
        assert_eq!(fields["status"], "Escalated");
        assert_eq!(g.status, None);
        // An incident's status is its own, checked.
        let raw = RawValue::from_string(
            r#"{"type":"Incident","xid":"i1","name":"n","eventDate":"2026-01-02T00:00:00Z","status":"Nonsense"}"#
                .to_string(),
        )
        .unwrap();
        assert!(group(&raw, BatchAction::Create).0.is_err());
    }

    #[test]
    fn files_parse_in_both_forms() {
        let f = BatchFile::parse(br#"{"group":[{"a":1}],"indicator":[],"file":{}}"#).unwrap();
        assert_eq!((f.groups.len(), f.indicators.len()), (1, 0));
        let f = BatchFile::parse(br#" [{"type":"Host","summary":"a.example"}]"#).unwrap();
        assert_eq!(f.indicators.len(), 1);
        assert!(BatchFile::parse(b"{not json").is_err());
    }

    #[test]
    fn file_hashes() {
        let md5 = "d41d8cd98f00b204e9800998ecf8427e".to_string();
        assert_eq!(
            summary("File", Some(md5.clone()), [None, None, None]),
            Ok(md5.clone())
        );
        assert_eq!(
            summary("File", None, [Some(md5.to_uppercase()), None, None]),
            Ok(md5.clone())
        );
        let two = format!("{md5} : {}", "a".repeat(40));
        assert!(summary("File", Some(two), [None, None, None]).is_err());
    }
}
