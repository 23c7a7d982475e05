//! Indicators: the five basic types, each value normalised so one value is stored once per owner.

use crate::Invalid;
use std::net::{IpAddr, Ipv4Addr};

/// The indicator types, as named in URLs (`/v2/indicators/{type}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndicatorKind {
    /// `addresses`: an IPv4 or IPv6 address.
    Address,
    /// `emailAddresses`.
    EmailAddress,
    /// `files`: an md5, sha1 or sha256 hash.
    File,
    /// `hosts`: a host name.
    Host,
    /// `urls`.
    Url,
}

impl IndicatorKind {
    /// Every indicator type.
    pub const ALL: [IndicatorKind; 5] = [
        IndicatorKind::Address,
        IndicatorKind::EmailAddress,
        IndicatorKind::File,
        IndicatorKind::Host,
        IndicatorKind::Url,
    ];

    /// The URL name (`hosts`), also the stored one.
    pub fn url_name(self) -> &'static str {
        match self {
            IndicatorKind::Address => "addresses",
            IndicatorKind::EmailAddress => "emailAddresses",
            IndicatorKind::File => "files",
            IndicatorKind::Host => "hosts",
            IndicatorKind::Url => "urls",
        }
    }

    /// The wire `type` (`Host`) and the singular JSON key is its lower-camel form.
    pub fn type_name(self) -> &'static str {
        match self {
            IndicatorKind::Address => "Address",
            IndicatorKind::EmailAddress => "EmailAddress",
            IndicatorKind::File => "File",
            IndicatorKind::Host => "Host",
            IndicatorKind::Url => "URL",
        }
    }

    /// The type a wire `type` names (`Host`, `url`: ASCII case ignored); `None` for a type
    /// threatdb does not store.
    pub fn from_type_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.type_name().eq_ignore_ascii_case(name))
    }

    /// Parses a URL name (exact spelling).
    pub fn from_url(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.url_name() == s)
    }

    /// Normalises a value of this type, or says why it is not one.
    pub fn normalize(self, raw: &str) -> Result<String, Invalid> {
        let v = raw.trim();
        if v.is_empty() {
            return Err(Invalid::new("an indicator value must not be empty"));
        }
        crate::reject_control("an indicator value", v)?;
        match self {
            IndicatorKind::Address => normalize_ip(v),
            IndicatorKind::EmailAddress => normalize_email(v),
            IndicatorKind::File => normalize_hash(v),
            IndicatorKind::Host => normalize_host(v),
            IndicatorKind::Url => {
                if v.len() > 2048 {
                    return Err(Invalid::new("a URL indicator is limited to 2048 bytes"));
                }
                Ok(v.to_string())
            }
        }
    }
}

fn normalize_ip(v: &str) -> Result<String, Invalid> {
    let ip: IpAddr = v
        .parse()
        .map_err(|_| Invalid::new(format!("'{v}' is not an IPv4 or IPv6 address")))?;
    // An IPv4-mapped IPv6 address is the IPv4 address.
    let ip = match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    };
    Ok(ip.to_string())
}

fn normalize_host(v: &str) -> Result<String, Invalid> {
    let host = v.strip_suffix('.').unwrap_or(v).to_ascii_lowercase();
    let ok = host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if !ok || host.parse::<Ipv4Addr>().is_ok() {
        return Err(Invalid::new(format!("'{v}' is not a host name")));
    }
    Ok(host)
}

fn normalize_email(v: &str) -> Result<String, Invalid> {
    let (local, domain) = v
        .rsplit_once('@')
        .ok_or_else(|| Invalid::new(format!("'{v}' is not an email address")))?;
    if local.is_empty() || local.chars().any(char::is_whitespace) {
        return Err(Invalid::new(format!("'{v}' is not an email address")));
    }
    let domain = normalize_host(domain)
        .map_err(|_| Invalid::new(format!("'{v}' is not an email address")))?;
    Ok(format!("{local}@{domain}"))
}

fn normalize_hash(v: &str) -> Result<String, Invalid> {
    let hex = v.to_ascii_lowercase();
    if matches!(hex.len(), 32 | 40 | 64) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex)
    } else {
        Err(Invalid::new(format!(
            "'{v}' is not an md5, sha1 or sha256 hash (32, 40 or 64 hex digits)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::IndicatorKind::*;

    #[test]
    fn normalises() {
        assert_eq!(
            Host.normalize(" Evil.EXAMPLE.com. ").unwrap(),
            "evil.example.com"
        );
        assert_eq!(Address.normalize("010.1.2.3").ok(), None);
        assert_eq!(Address.normalize("10.1.2.3").unwrap(), "10.1.2.3");
        assert_eq!(Address.normalize("2001:DB8:0:0::1").unwrap(), "2001:db8::1");
        assert_eq!(Address.normalize("::ffff:1.2.3.4").unwrap(), "1.2.3.4");
        assert_eq!(
            EmailAddress.normalize("Bob@Example.COM").unwrap(),
            "Bob@example.com"
        );
        let md5 = "D41D8CD98F00B204E9800998ECF8427E";
        assert_eq!(File.normalize(md5).unwrap(), md5.to_ascii_lowercase());
        assert_eq!(File.normalize(&"a".repeat(40)).unwrap(), "a".repeat(40));
        assert_eq!(File.normalize(&"A".repeat(64)).unwrap(), "a".repeat(64));
        assert_eq!(
            Url.normalize(" http://x.test/A ").unwrap(),
            "http://x.test/A"
        );
    }

    #[test]
    fn refuses() {
        for (k, v) in [
            (Host, "a..b"),
            (Host, "bad host"),
            (Host, "1.2.3.4"),
            (Address, "1.2.3"),
            (Address, "example.com"),
            (EmailAddress, "nobody"),
            (EmailAddress, "@x.com"),
            (File, "abc"),
            (File, &"g".repeat(32)),
            (Url, "  "),
        ] {
            assert!(k.normalize(v).is_err(), "{k:?} {v}");
        }
    }

    #[test]
    fn url_names_round_trip() {
        for k in super::IndicatorKind::ALL {
            assert_eq!(super::IndicatorKind::from_url(k.url_name()), Some(k));
        }
    }
}
