//! The v3 indicator object (`/v3/indicators`).
//!
//! As with groups, the `type` field selects [`IndicatorDetails`], which carries the value
//! fields of that type (`ip` for an Address, `hostName` for a Host, the hashes for a File, the
//! space-named fields of the other standard types such as `"AS Number"`). `summary` is the
//! value as one string (a File's hashes joined by ` : `).

use super::group::Group;
use super::meta::{Attribute, DataList, SecurityLabel, Tag};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An indicator as the v3 API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = V3Indicator)]
pub struct Indicator {
    /// Its id.
    pub id: i64,
    /// Its owner's id.
    pub owner_id: i64,
    /// Its owner's name.
    pub owner_name: String,
    /// When it was added.
    pub date_added: String,
    /// When it last changed.
    pub last_modified: String,
    /// The page showing it.
    pub web_link: String,
    /// The type and the value fields of that type.
    #[serde(flatten)]
    pub details: IndicatorDetails,
    /// The value as one string.
    pub summary: String,
    /// Threat rating, 0 to 5 (ThreatConnect writes it with decimals: `3.00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<f64>,
    /// Confidence, 0 to 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<i64>,
    /// The default Description attribute's value (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The default Source attribute's value (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Whether only the owner's members may see it.
    #[serde(default)]
    pub private_flag: bool,
    /// Whether it is active.
    #[serde(default = "yes")]
    pub active: bool,
    /// Whether `active` is locked against automatic changes.
    #[serde(default)]
    pub active_locked: bool,
    /// When it was first seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// When it was last seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// How often it was reported as a false positive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub false_positives: Option<i64>,
    /// When it was last reported as a false positive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_false_positive: Option<String>,
    /// How often it was observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observations: Option<i64>,
    /// When it was last observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_observed: Option<String>,
    /// The first value, with `fields=genericCustomIndicatorValues`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value1: Option<String>,
    /// The second value, with `fields=genericCustomIndicatorValues`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value2: Option<String>,
    /// The third value, with `fields=genericCustomIndicatorValues`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value3: Option<String>,
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
    /// Associated groups (`fields=associatedGroups`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::meta::associated_groups)]
    pub associated_groups: Option<DataList<Group>>,
    /// Associated indicators (`fields=associatedIndicators`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::meta::associated_indicators)]
    pub associated_indicators: Option<DataList<Indicator>>,
}

fn yes() -> bool {
    true
}

/// The `type` of an indicator and its value fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type")]
#[schema(as = V3IndicatorType)]
pub enum IndicatorDetails {
    /// An IPv4 or IPv6 address.
    Address {
        /// The address.
        ip: String,
    },
    /// An email address.
    EmailAddress {
        /// The address.
        address: String,
    },
    /// A file, by one to three hashes.
    #[serde(rename_all = "camelCase")]
    File {
        /// MD5.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        md5: Option<String>,
        /// SHA1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha1: Option<String>,
        /// SHA256.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha256: Option<String>,
        /// Size in bytes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        size: Option<i64>,
    },
    /// A host name.
    #[serde(rename_all = "camelCase")]
    Host {
        /// The host name.
        host_name: String,
        /// Whether DNS resolution tracking is on.
        #[serde(default)]
        dns_active: bool,
        /// Whether WHOIS tracking is on.
        #[serde(default)]
        whois_active: bool,
    },
    /// A URL.
    #[serde(rename = "URL")]
    Url {
        /// The URL.
        text: String,
    },
    /// An autonomous system number.
    #[serde(rename = "ASN")]
    Asn {
        /// `ASnnnn`.
        #[serde(rename = "AS Number")]
        as_number: String,
    },
    /// An address block.
    #[serde(rename = "CIDR")]
    Cidr {
        /// `10.0.0.0/8`.
        #[serde(rename = "Block")]
        block: String,
    },
    /// An email subject line.
    EmailSubject {
        /// The subject.
        #[serde(rename = "Subject")]
        subject: String,
    },
    /// A hashtag.
    Hashtag {
        /// The hashtag.
        #[serde(rename = "Hashtag")]
        hashtag: String,
    },
    /// A mutex name.
    Mutex {
        /// The mutex.
        #[serde(rename = "Mutex")]
        mutex: String,
    },
    /// A Windows registry key.
    #[serde(rename = "Registry Key")]
    RegistryKey {
        /// The key.
        #[serde(rename = "Key Name")]
        key_name: String,
        /// The value's name.
        #[serde(
            rename = "Value Name",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        value_name: Option<String>,
        /// The value's type (`REG_SZ`, ...).
        #[serde(
            rename = "Value Type",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        value_type: Option<String>,
    },
    /// A user-agent string.
    #[serde(rename = "User Agent")]
    UserAgent {
        /// The string.
        #[serde(rename = "User Agent String")]
        user_agent_string: String,
    },
}

impl IndicatorDetails {
    /// The wire name of the type (`Host`, `Registry Key`).
    pub fn type_name(&self) -> &'static str {
        match self {
            IndicatorDetails::Address { .. } => "Address",
            IndicatorDetails::EmailAddress { .. } => "EmailAddress",
            IndicatorDetails::File { .. } => "File",
            IndicatorDetails::Host { .. } => "Host",
            IndicatorDetails::Url { .. } => "URL",
            IndicatorDetails::Asn { .. } => "ASN",
            IndicatorDetails::Cidr { .. } => "CIDR",
            IndicatorDetails::EmailSubject { .. } => "EmailSubject",
            IndicatorDetails::Hashtag { .. } => "Hashtag",
            IndicatorDetails::Mutex { .. } => "Mutex",
            IndicatorDetails::RegistryKey { .. } => "Registry Key",
            IndicatorDetails::UserAgent { .. } => "User Agent",
        }
    }
}
