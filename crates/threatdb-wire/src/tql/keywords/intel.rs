//! The keywords of `/v3/groups` and `/v3/indicators`.
//!
//! Groups: the required set of tc-v3-wire.md §5 plus `hasIndicator` and `associatedIndicator`.
//! Indicators: the identity, ownership, dates, ratings and metadata keywords of tcex's
//! `IndicatorFilter`. Everything else ThreatConnect offers is in `unsupported`.

use super::{Field as F, Keyword as K, Related, Table, TableKind, ValueType as T, sub};
use super::{GROUP_ATTRIBUTES, INDICATOR_ATTRIBUTES, SECURITY_LABELS, TAGS};

/// The group types of ThreatConnect's v3 API (the `type` field and `typeName` keyword).
pub const GROUP_TYPES: &[&str] = &[
    "Adversary",
    "Attack Pattern",
    "Campaign",
    "Course of Action",
    "Document",
    "Email",
    "Event",
    "Incident",
    "Intrusion Set",
    "Malware",
    "Report",
    "Signature",
    "Tactic",
    "Task",
    "Threat",
    "Tool",
    "Vulnerability",
];

/// The indicator types of ThreatConnect's v3 API (the `type` field and `typeName` keyword).
pub const INDICATOR_TYPES: &[&str] = &[
    "Address",
    "EmailAddress",
    "File",
    "Host",
    "URL",
    "ASN",
    "CIDR",
    "EmailSubject",
    "Hashtag",
    "Mutex",
    "Registry Key",
    "User Agent",
];

/// The statuses of an Incident (tc-v3-wire.md §8), the values of the group keyword `status`.
pub const INCIDENT_STATUSES: &[&str] = &[
    "New",
    "Open",
    "Stalled",
    "Containment Achieved",
    "Restoration Achieved",
    "Incident Reported",
    "Closed",
    "Rejected",
    "Deleted",
];

/// `/v3/groups`.
#[rustfmt::skip]
pub static GROUPS: Table = Table {
    kind: TableKind::Groups,
    endpoint: "groups",
    keywords: &[
        K::new("id", "ID", F::Id, T::Integer, "The ID of the group"),
        K::new("summary", "Summary", F::Summary, T::StringLower, "The name of the group"),
        K::new("typeName", "Type Name", F::TypeName, T::Enum(GROUP_TYPES), "The name of the group type"),
        K::new("type", "Type", F::TypeId, T::Integer, "The ID of the group type"),
        K::new("ownerName", "Owner Name", F::OwnerName, T::String, "The name of the owner of the group"),
        K::new("owner", "Owner ID", F::OwnerId, T::Integer, "The ID of the owner of the group"),
        K::new("dateAdded", "Date Added", F::DateAdded, T::Date, "The date the group was added to the system"),
        K::new("lastModified", "Last Modified", F::LastModified, T::Date, "The date the group was last modified"),
        K::new("eventDate", "Event Date", F::EventDate, T::Date, "The event date of the group").nullable(),
        K::new("status", "Status", F::Status, T::Enum(INCIDENT_STATUSES), "The status of the incident").nullable(),
        K::new("xid", "XID", F::Xid, T::String, "The external ID of the group").nullable(),
        K::new("tag", "Tag", F::Tag, T::String, "The name of a tag applied to the group").multi(),
        K::new("securityLabel", "Security Label", F::SecurityLabel, T::String, "The name of a security label applied to the group").multi(),
        K::new("isGroup", "Is Group", F::IsGroup, T::Boolean, "Whether the object is a group (always true here)"),
        K::new("associatedIndicator", "Associated Indicator", F::AssociatedIndicator, T::Integer, "The ID of an indicator associated with the group").multi(),
    ],
    subqueries: &[
        sub("hasTag", "Has Tag", Related::Tags, &TAGS, "A nested query for tags applied to the group"),
        sub("hasSecurityLabel", "Has Security Label", Related::SecurityLabels, &SECURITY_LABELS, "A nested query for security labels applied to the group"),
        sub("hasAttribute", "Has Attribute", Related::Attributes, &GROUP_ATTRIBUTES, "A nested query for attributes of the group"),
        sub("hasGroup", "Has Group", Related::Groups, &GROUPS, "A nested query for groups associated with the group"),
        sub("hasIndicator", "Has Indicator", Related::Indicators, &INDICATORS, "A nested query for indicators associated with the group"),
    ],
    unsupported: &[
        "aiProvider", "attackTag", "childGroup", "createdBy", "documentDateAdded",
        "documentFilename", "documentFilesize", "documentStatus", "documentType",
        "downvoteCount", "emailDate", "emailFrom", "emailScore", "emailScoreIncludesBody",
        "emailSubject", "eventType", "externalDateAdded", "externalDateExpires",
        "externalLastModified", "firstSeen", "generatedReport", "hasAllTags", "hasArtifact",
        "hasCase", "hasCommonGroup", "hasIntelQuery", "hasIntelRequirement",
        "hasThreatActorProfile", "hasVictim", "hasVictimAsset", "insights", "lastSeen",
        "parentGroup", "publishDate", "signatureDateAdded", "signatureFilename",
        "signatureType", "tagOwner", "tagOwnerName", "taskAssignee", "taskAssigneePseudo",
        "taskDateAdded", "taskDueDate", "taskEscalated", "taskEscalationDate", "taskOverdue",
        "taskReminded", "taskReminderDate", "taskStatus", "upvoteCount", "victimAsset",
    ],
    hints: &[("name", "summary"), ("label", "securityLabel"), ("groupType", "typeName")],
};

/// `/v3/indicators`.
#[rustfmt::skip]
pub static INDICATORS: Table = Table {
    kind: TableKind::Indicators,
    endpoint: "indicators",
    keywords: &[
        K::new("id", "ID", F::Id, T::Integer, "The ID of the indicator"),
        K::new("summary", "Summary", F::Summary, T::StringLower, "The indicator's value (for a file, its hashes)"),
        K::new("typeName", "Type Name", F::TypeName, T::Enum(INDICATOR_TYPES), "The name of the indicator type"),
        K::new("ownerName", "Owner Name", F::OwnerName, T::String, "The name of the owner of the indicator"),
        K::new("owner", "Owner ID", F::OwnerId, T::Integer, "The ID of the owner of the indicator"),
        K::new("dateAdded", "Date Added", F::DateAdded, T::Date, "The date the indicator was added to the system"),
        K::new("lastModified", "Last Modified", F::LastModified, T::Date, "The date the indicator was last modified"),
        K::new("value1", "Value 1", F::Value1, T::String, "The first value of the indicator (for a file, its MD5)"),
        K::new("value2", "Value 2", F::Value2, T::String, "The second value of the indicator (for a file, its SHA1)").nullable(),
        K::new("value3", "Value 3", F::Value3, T::String, "The third value of the indicator (for a file, its SHA256)").nullable(),
        K::new("rating", "Rating", F::Rating, T::Integer, "The threat rating of the indicator (0 to 5)").nullable(),
        K::new("confidence", "Confidence", F::Confidence, T::Integer, "The confidence rating of the indicator (0 to 100)").nullable(),
        K::new("indicatorActive", "Active", F::Active, T::Boolean, "Whether the indicator is active"),
        K::new("firstSeen", "First Seen", F::FirstSeen, T::Date, "The date the indicator was first seen").nullable(),
        K::new("lastSeen", "Last Seen", F::LastSeen, T::Date, "The date the indicator was last seen").nullable(),
        K::new("tag", "Tag", F::Tag, T::String, "The name of a tag applied to the indicator").multi(),
        K::new("securityLabel", "Security Label", F::SecurityLabel, T::String, "The name of a security label applied to the indicator").multi(),
        K::new("associatedGroup", "Associated Group", F::AssociatedGroup, T::Integer, "The ID of a group associated with the indicator").multi(),
    ],
    subqueries: &[
        sub("hasTag", "Has Tag", Related::Tags, &TAGS, "A nested query for tags applied to the indicator"),
        sub("hasSecurityLabel", "Has Security Label", Related::SecurityLabels, &SECURITY_LABELS, "A nested query for security labels applied to the indicator"),
        sub("hasAttribute", "Has Attribute", Related::Attributes, &INDICATOR_ATTRIBUTES, "A nested query for attributes of the indicator"),
        sub("hasGroup", "Has Group", Related::Groups, &GROUPS, "A nested query for groups associated with the indicator"),
        sub("hasIndicator", "Has Indicator", Related::Indicators, &INDICATORS, "A nested query for indicators associated with the indicator"),
    ],
    unsupported: &[
        "abuseIpdbConfidenceScore", "activeLocked", "addressAsn", "addressCidr", "addressCity",
        "addressCountryCode", "addressCountryName", "addressIpVal", "addressIsIpv6",
        "addressRegisteringOrg", "addressState", "addressTimezone", "attackTag", "calScore",
        "commonId", "description", "dtLastUpdated", "dtMalwareScore", "dtOverallScore",
        "dtPhishingScore", "dtSpamScore", "dtStatus", "externalDateAdded",
        "externalDateExpires", "externalLastModified", "falsePositiveCount", "fileSize",
        "hasAllTags", "hasArtifact", "hasCase", "hasCustomAssociation", "hasIntelRequirement",
        "hasVictim", "hasVictimAsset", "hostDnsActive", "hostWhoisActive", "lastFalsePositive",
        "lastObserved", "observationCount", "riskIqClassification", "riskIqReputationScore",
        "source", "tagOwner", "tagOwnerName", "threatAssessScore", "type", "vtLastUpdated",
        "vtMaliciousCount",
    ],
    hints: &[
        ("name", "summary"), ("value", "summary"), ("indicator", "summary"),
        ("active", "indicatorActive"), ("label", "securityLabel"),
    ],
};
