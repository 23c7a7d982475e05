//! The v3 group object (`/v3/groups`), every group type.
//!
//! Fields every group has are fields of [`Group`]; the fields of one type travel in
//! [`GroupDetails`], whose variant is the `type` field (`"type": "Incident"` with `eventDate`
//! and `status`). Nested collections appear only when `fields=` asks for them.

use super::group_kinds::{EmailFields, SignatureFields, TaskFields};
use super::indicator::Indicator;
use super::meta::{Attribute, DataList, SecurityLabel, Tag, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A group as the v3 API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3Group)]
pub struct Group {
    /// Its id (the same as in v2).
    pub id: i64,
    /// Its owner's id.
    pub owner_id: i64,
    /// Its owner's name.
    pub owner_name: String,
    /// When it was added (`YYYY-MM-DDTHH:MM:SSZ`).
    pub date_added: String,
    /// When it last changed.
    pub last_modified: String,
    /// The page showing it (`{public_url}/incidents/{id}` for an Incident).
    pub web_link: String,
    /// The type and the type's own fields.
    #[serde(flatten)]
    pub details: GroupDetails,
    /// Its name.
    pub name: String,
    /// Who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<User>,
    /// Up-votes, as a string (`"0"`).
    #[serde(default = "zero")]
    pub up_vote_count: String,
    /// Down-votes, as a string (`"0"`).
    #[serde(default = "zero")]
    pub down_vote_count: String,
    /// Its external id, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xid: Option<String>,
    /// When it was first seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// When it was last seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// The link of ThreatConnect's legacy UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_link: Option<String>,
    /// Tags (`fields=tags`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<DataList<Tag>>,
    /// Security labels (`fields=securityLabels`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_labels: Option<DataList<SecurityLabel>>,
    /// Attributes (`fields=attributes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<DataList<Attribute>>,
    /// Associated groups, without their nested collections (`fields=associatedGroups`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::meta::associated_groups)]
    pub associated_groups: Option<DataList<Group>>,
    /// Associated indicators (`fields=associatedIndicators`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::meta::associated_indicators)]
    pub associated_indicators: Option<DataList<Indicator>>,
}

fn zero() -> String {
    "0".to_string()
}

/// The group types of the v3 API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GroupType {
    /// `Adversary`.
    Adversary,
    /// `Attack Pattern`.
    #[serde(rename = "Attack Pattern")]
    AttackPattern,
    /// `Campaign`.
    Campaign,
    /// `Course of Action`.
    #[serde(rename = "Course of Action")]
    CourseOfAction,
    /// `Document`.
    Document,
    /// `Email`.
    Email,
    /// `Event`.
    Event,
    /// `Incident`.
    Incident,
    /// `Intrusion Set`.
    #[serde(rename = "Intrusion Set")]
    IntrusionSet,
    /// `Malware`.
    Malware,
    /// `Report`.
    Report,
    /// `Signature`.
    Signature,
    /// `Tactic`.
    Tactic,
    /// `Task`.
    Task,
    /// `Threat`.
    Threat,
    /// `Tool`.
    Tool,
    /// `Vulnerability`.
    Vulnerability,
}

impl GroupType {
    /// Every type, in ThreatConnect's order.
    pub const ALL: [GroupType; 17] = [
        GroupType::Adversary,
        GroupType::AttackPattern,
        GroupType::Campaign,
        GroupType::CourseOfAction,
        GroupType::Document,
        GroupType::Email,
        GroupType::Event,
        GroupType::Incident,
        GroupType::IntrusionSet,
        GroupType::Malware,
        GroupType::Report,
        GroupType::Signature,
        GroupType::Tactic,
        GroupType::Task,
        GroupType::Threat,
        GroupType::Tool,
        GroupType::Vulnerability,
    ];

    /// The wire name (`Attack Pattern`).
    pub fn as_str(self) -> &'static str {
        match self {
            GroupType::Adversary => "Adversary",
            GroupType::AttackPattern => "Attack Pattern",
            GroupType::Campaign => "Campaign",
            GroupType::CourseOfAction => "Course of Action",
            GroupType::Document => "Document",
            GroupType::Email => "Email",
            GroupType::Event => "Event",
            GroupType::Incident => "Incident",
            GroupType::IntrusionSet => "Intrusion Set",
            GroupType::Malware => "Malware",
            GroupType::Report => "Report",
            GroupType::Signature => "Signature",
            GroupType::Tactic => "Tactic",
            GroupType::Task => "Task",
            GroupType::Threat => "Threat",
            GroupType::Tool => "Tool",
            GroupType::Vulnerability => "Vulnerability",
        }
    }

    /// A type by name, in any case; the error names the types.
    pub fn parse(name: &str) -> Result<Self, String> {
        let wanted = name.trim();
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|t| t.as_str()).collect();
                format!(
                    "'{name}' is not a group type: use one of {}",
                    names.join(", ")
                )
            })
    }
}

/// The `type` of a group and the fields only that type has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type")]
#[schema(as = V3GroupType)]
pub enum GroupDetails {
    /// `Adversary`.
    Adversary,
    /// `Attack Pattern`.
    #[serde(rename = "Attack Pattern")]
    AttackPattern,
    /// `Campaign`.
    Campaign,
    /// `Course of Action`.
    #[serde(rename = "Course of Action")]
    CourseOfAction,
    /// `Document`, with its own fields.
    Document(DocumentFields),
    /// `Email`, with its own fields.
    Email(EmailFields),
    /// `Event`, with its own fields.
    Event(EventFields),
    /// `Incident`, with its own fields.
    Incident(IncidentFields),
    /// `Intrusion Set`.
    #[serde(rename = "Intrusion Set")]
    IntrusionSet,
    /// `Malware`.
    Malware,
    /// `Report`, with its own fields.
    Report(ReportFields),
    /// `Signature`, with its own fields.
    Signature(SignatureFields),
    /// `Tactic`.
    Tactic,
    /// `Task`, with its own fields.
    Task(TaskFields),
    /// `Threat`.
    Threat,
    /// `Tool`.
    Tool,
    /// `Vulnerability`.
    Vulnerability,
}

impl GroupDetails {
    /// The group type.
    pub fn group_type(&self) -> GroupType {
        match self {
            GroupDetails::Adversary => GroupType::Adversary,
            GroupDetails::AttackPattern => GroupType::AttackPattern,
            GroupDetails::Campaign => GroupType::Campaign,
            GroupDetails::CourseOfAction => GroupType::CourseOfAction,
            GroupDetails::Document(_) => GroupType::Document,
            GroupDetails::Email(_) => GroupType::Email,
            GroupDetails::Event(_) => GroupType::Event,
            GroupDetails::Incident(_) => GroupType::Incident,
            GroupDetails::IntrusionSet => GroupType::IntrusionSet,
            GroupDetails::Malware => GroupType::Malware,
            GroupDetails::Report(_) => GroupType::Report,
            GroupDetails::Signature(_) => GroupType::Signature,
            GroupDetails::Tactic => GroupType::Tactic,
            GroupDetails::Task(_) => GroupType::Task,
            GroupDetails::Threat => GroupType::Threat,
            GroupDetails::Tool => GroupType::Tool,
            GroupDetails::Vulnerability => GroupType::Vulnerability,
        }
    }
}

/// An Incident's own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3IncidentFields)]
pub struct IncidentFields {
    /// When the incident happened; absent when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_date: Option<String>,
    /// Its status (`New`, `Open`, ..., tc-v3-wire.md §8); absent when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// An Event's own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3EventFields)]
pub struct EventFields {
    /// When the event took place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_date: Option<String>,
    /// The event's type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// Its status (`Needs Review`, `Escalated`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A Document's own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3DocumentFields)]
pub struct DocumentFields {
    /// The uploaded file's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Its size in bytes (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size: Option<i64>,
    /// The processing status of the upload (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The kind of file (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// When the file was added (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_date_added: Option<String>,
    /// Whether the file is malware.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malware: Option<bool>,
}

/// A Report's own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3ReportFields)]
pub struct ReportFields {
    /// The uploaded file's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Its size in bytes (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size: Option<i64>,
    /// The processing status of the upload (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The kind of file (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// When the file was added (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_date_added: Option<String>,
    /// When the report was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_date: Option<String>,
}
