//! Resource types named in association calls: the Python SDK's `ResourceType` values that are
//! groups or indicators.

/// A group type an incident can be associated with (`ResourceType.ADVERSARIES`, ...): the seven
/// the Python SDK knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupType {
    /// Adversaries.
    Adversaries,
    /// Campaigns.
    Campaigns,
    /// Documents.
    Documents,
    /// Emails.
    Emails,
    /// Incidents.
    Incidents,
    /// Signatures.
    Signatures,
    /// Threats.
    Threats,
}

impl GroupType {
    /// The URL branch, e.g. `adversaries`.
    pub fn branch(self) -> &'static str {
        match self {
            GroupType::Adversaries => "adversaries",
            GroupType::Campaigns => "campaigns",
            GroupType::Documents => "documents",
            GroupType::Emails => "emails",
            GroupType::Incidents => "incidents",
            GroupType::Signatures => "signatures",
            GroupType::Threats => "threats",
        }
    }
}

/// An indicator type (`ResourceType.ADDRESSES`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndicatorType {
    /// IP addresses.
    Addresses,
    /// Email addresses.
    EmailAddresses,
    /// File hashes (MD5, SHA-1, SHA-256).
    Files,
    /// Host names.
    Hosts,
    /// URLs.
    Urls,
}

impl IndicatorType {
    /// The URL branch, e.g. `emailAddresses`.
    pub fn branch(self) -> &'static str {
        match self {
            IndicatorType::Addresses => "addresses",
            IndicatorType::EmailAddresses => "emailAddresses",
            IndicatorType::Files => "files",
            IndicatorType::Hosts => "hosts",
            IndicatorType::Urls => "urls",
        }
    }

    /// The type of an indicator value, recognised the way the Python SDK's `add_indicator` does:
    /// an IPv4/IPv6 address, a 32/40/64-digit hex hash, `local@domain.tld`, `scheme://...`, or a
    /// dotted host name. `None` for anything else.
    pub fn recognise(value: &str) -> Option<Self> {
        let v = value.trim();
        if v.is_empty() || v.chars().any(char::is_whitespace) {
            return None;
        }
        if v.parse::<std::net::IpAddr>().is_ok() {
            return Some(IndicatorType::Addresses);
        }
        if matches!(v.len(), 32 | 40 | 64) && v.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some(IndicatorType::Files);
        }
        if let Some((scheme, rest)) = v.split_once("://") {
            let scheme_ok = scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            return (scheme_ok && !rest.is_empty()).then_some(IndicatorType::Urls);
        }
        if let Some((local, domain)) = v.split_once('@') {
            return (!local.is_empty() && is_host(domain)).then_some(IndicatorType::EmailAddresses);
        }
        is_host(v).then_some(IndicatorType::Hosts)
    }
}

fn is_host(v: &str) -> bool {
    let labels: Vec<&str> = v.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && l.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(char::is_alphabetic) && tld.len() >= 2)
}

#[cfg(test)]
mod tests {
    use super::IndicatorType::*;
    use super::*;

    #[test]
    fn recognises_indicators() {
        for (v, want) in [
            ("192.0.2.1", Some(Addresses)),
            ("2001:db8::1", Some(Addresses)),
            ("d41d8cd98f00b204e9800998ecf8427e", Some(Files)),
            ("da39a3ee5e6b4b0d3255bfef95601890afd80709", Some(Files)),
            (
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                Some(Files),
            ),
            ("bad@example.com", Some(EmailAddresses)),
            ("http://example.com/", Some(Urls)),
            ("example.com", Some(Hosts)),
            ("sub-domain.example.co.uk", Some(Hosts)),
            ("not an indicator", None),
            ("nodot", None),
            ("", None),
            ("example.123", None),
        ] {
            assert_eq!(IndicatorType::recognise(v), want, "{v}");
        }
    }
}
