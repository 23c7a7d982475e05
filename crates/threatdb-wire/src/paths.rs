//! Path names of the v2 API.

/// A group type: its URL branch, its JSON collection key and its `type` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupType {
    /// The URL branch (`incidents`).
    pub branch: &'static str,
    /// The JSON key of one item (`incident`).
    pub key: &'static str,
    /// The `type` field in `/v2/groups` lists (`Incident`).
    pub name: &'static str,
}

/// Every group type of the v2 API, in the docs' order.
pub const GROUP_TYPES: [GroupType; 16] = [
    GroupType {
        branch: "adversaries",
        key: "adversary",
        name: "Adversary",
    },
    GroupType {
        branch: "attackPatterns",
        key: "attackPattern",
        name: "Attack Pattern",
    },
    GroupType {
        branch: "campaigns",
        key: "campaign",
        name: "Campaign",
    },
    GroupType {
        branch: "coursesOfAction",
        key: "courseOfAction",
        name: "Course of Action",
    },
    GroupType {
        branch: "documents",
        key: "document",
        name: "Document",
    },
    GroupType {
        branch: "emails",
        key: "email",
        name: "Email",
    },
    GroupType {
        branch: "events",
        key: "event",
        name: "Event",
    },
    GroupType {
        branch: "incidents",
        key: "incident",
        name: "Incident",
    },
    GroupType {
        branch: "intrusionSets",
        key: "intrusionSet",
        name: "Intrusion Set",
    },
    GroupType {
        branch: "malware",
        key: "malware",
        name: "Malware",
    },
    GroupType {
        branch: "reports",
        key: "report",
        name: "Report",
    },
    GroupType {
        branch: "signatures",
        key: "signature",
        name: "Signature",
    },
    GroupType {
        branch: "tactics",
        key: "tactic",
        name: "Tactic",
    },
    GroupType {
        branch: "threats",
        key: "threat",
        name: "Threat",
    },
    GroupType {
        branch: "tools",
        key: "tool",
        name: "Tool",
    },
    GroupType {
        branch: "vulnerabilities",
        key: "vulnerability",
        name: "Vulnerability",
    },
];

/// The incident group type.
pub const INCIDENTS: GroupType = GROUP_TYPES[7];

/// Looks a group type up by URL branch.
pub fn group_type(branch: &str) -> Option<GroupType> {
    GROUP_TYPES.iter().copied().find(|g| g.branch == branch)
}

/// The five basic indicator types: URL branch, `name`, `apiEntity`, whether parsable.
pub const INDICATOR_TYPES: [(&str, &str, &str); 5] = [
    ("addresses", "Address", "address"),
    ("emailAddresses", "EmailAddress", "emailAddress"),
    ("files", "File", "file"),
    ("hosts", "Host", "host"),
    ("urls", "URL", "url"),
];

/// Percent-encodes one path segment the way the legacy SDK does (`urllib.quote(v, safe='~')`):
/// everything but unreserved characters is escaped, so a space is `%20`, `:` is `%3A`, `/` is `%2F`.
pub fn encode_segment(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, SEGMENT).to_string()
}

const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_encode_like_the_sdk() {
        assert_eq!(encode_segment("Nation State"), "Nation%20State");
        assert_eq!(encode_segment("TLP:GREEN"), "TLP%3AGREEN");
        assert_eq!(encode_segment("a/b~c"), "a%2Fb~c");
        assert_eq!(group_type("incidents"), Some(INCIDENTS));
    }
}
