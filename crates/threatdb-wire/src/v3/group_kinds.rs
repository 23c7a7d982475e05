//! The own fields of Email, Signature and Task groups (see [`GroupDetails`](super::GroupDetails)).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An Email's own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3EmailFields)]
pub struct EmailFields {
    /// The `To:` field (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The `From:` field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// The body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// ThreatConnect's score of the email (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<i64>,
    /// Whether the body was scored (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_includes_body: Option<bool>,
    /// How the score was reached (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_breakdown: Option<String>,
    /// When the email was sent (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_date: Option<String>,
}

/// A Signature's own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3SignatureFields)]
pub struct SignatureFields {
    /// The signature's file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// The signature language (`YARA`, `Snort`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
    /// The signature itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_text: Option<String>,
    /// When the signature was added (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_date_added: Option<String>,
}

/// A Task's own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3TaskFields)]
pub struct TaskFields {
    /// Its status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// When it is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// When to remind the assignee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_date: Option<String>,
    /// When to escalate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_date: Option<String>,
    /// Whether it was escalated (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated: Option<bool>,
    /// Whether it is overdue (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// Whether the reminder was sent (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminded: Option<bool>,
}
