//! The Incident: a snapshot of an intrusion, breach or other event of interest.

use crate::{Attribute, Invalid, Owner, SecurityLabel, Tag, Timestamp};
use std::fmt;

/// The nine incident statuses ThreatConnect knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncidentStatus {
    /// `New` (the default for a created incident).
    New,
    /// `Open`.
    Open,
    /// `Stalled`.
    Stalled,
    /// `Containment Achieved`.
    ContainmentAchieved,
    /// `Restoration Achieved`.
    RestorationAchieved,
    /// `Incident Reported`.
    IncidentReported,
    /// `Closed`.
    Closed,
    /// `Rejected`.
    Rejected,
    /// `Deleted`.
    Deleted,
}

impl IncidentStatus {
    /// Every status, in ThreatConnect's order.
    pub const ALL: [IncidentStatus; 9] = [
        IncidentStatus::New,
        IncidentStatus::Open,
        IncidentStatus::Stalled,
        IncidentStatus::ContainmentAchieved,
        IncidentStatus::RestorationAchieved,
        IncidentStatus::IncidentReported,
        IncidentStatus::Closed,
        IncidentStatus::Rejected,
        IncidentStatus::Deleted,
    ];

    /// The canonical spelling, as returned on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::New => "New",
            IncidentStatus::Open => "Open",
            IncidentStatus::Stalled => "Stalled",
            IncidentStatus::ContainmentAchieved => "Containment Achieved",
            IncidentStatus::RestorationAchieved => "Restoration Achieved",
            IncidentStatus::IncidentReported => "Incident Reported",
            IncidentStatus::Closed => "Closed",
            IncidentStatus::Rejected => "Rejected",
            IncidentStatus::Deleted => "Deleted",
        }
    }

    /// Parses a status case-insensitively, ignoring surrounding space (`NEW`, ` open `).
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let wanted = s.trim();
        Self::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|s| s.as_str()).collect();
                Invalid::new(format!(
                    "'{s}' is not a valid incident status: use one of {}",
                    names.join(", ")
                ))
            })
    }
}

impl fmt::Display for IncidentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A group name: trimmed, 1 to 255 characters, any Unicode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentName(String);

impl IncidentName {
    /// The longest name accepted, in characters.
    pub const MAX_CHARS: usize = 255;

    /// Trims and checks a name.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let name = s.trim();
        if name.is_empty() {
            return Err(Invalid::new("name must not be empty"));
        }
        // Names are free text: line breaks and tabs are kept (they are stored byte for byte);
        // other control characters (escape sequences, NUL) are refused.
        crate::reject_control_in_text("name", name)?;
        let len = name.chars().count();
        if len > Self::MAX_CHARS {
            return Err(Invalid::new(format!(
                "name is {len} characters long: the limit is {}",
                Self::MAX_CHARS
            )));
        }
        Ok(IncidentName(name.to_string()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// Unique id across all owners.
    pub id: i64,
    /// The owner it belongs to.
    pub owner: Owner,
    /// Its name.
    pub name: String,
    /// When the event happened.
    pub event_date: Timestamp,
    /// Where the response stands.
    pub status: IncidentStatus,
    /// When it was created.
    pub date_added: Timestamp,
    /// When it or its metadata last changed.
    pub last_modified: Timestamp,
    /// Display name of the API user who created it.
    pub created_by: String,
    /// A globally unique external id.
    pub xid: String,
}

/// An incident with the metadata a request asked to include.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentDetails {
    /// The incident itself.
    pub incident: Incident,
    /// Its attributes, when asked for.
    pub attributes: Option<Vec<Attribute>>,
    /// Its tags, when asked for.
    pub tags: Option<Vec<Tag>>,
    /// Its security labels, when asked for.
    pub labels: Option<Vec<SecurityLabel>>,
}

impl From<Incident> for IncidentDetails {
    /// The incident alone, nothing included.
    fn from(incident: Incident) -> Self {
        IncidentDetails {
            incident,
            attributes: None,
            tags: None,
            labels: None,
        }
    }
}

/// What a create needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    /// The name.
    pub name: IncidentName,
    /// The event date (required for incidents).
    pub event_date: Timestamp,
    /// The status; `New` when not given.
    pub status: IncidentStatus,
    /// An external id; generated when not given.
    pub xid: Option<String>,
}

/// A partial update: only the fields that are `Some` change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentPatch {
    /// A new name.
    pub name: Option<IncidentName>,
    /// A new event date.
    pub event_date: Option<Timestamp>,
    /// A new status.
    pub status: Option<IncidentStatus>,
}

impl IncidentPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.event_date.is_none() && self.status.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_case_insensitive_and_canonical() {
        assert_eq!(IncidentStatus::parse("NEW"), Ok(IncidentStatus::New));
        assert_eq!(
            IncidentStatus::parse(" containment achieved "),
            Ok(IncidentStatus::ContainmentAchieved)
        );
        let err = IncidentStatus::parse("Bogus").unwrap_err();
        assert!(err.0.contains("Containment Achieved"), "{err}");
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            IncidentName::parse("  x ").map(|n| n.as_str().to_string()),
            Ok("x".into())
        );
        assert!(IncidentName::parse("   ").is_err());
        assert!(IncidentName::parse(&"é".repeat(255)).is_ok());
        assert!(IncidentName::parse(&"é".repeat(256)).is_err());
    }
}
