//! Security labels: the system TLP labels plus an owner's own.

use crate::Timestamp;

/// A security label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityLabel {
    /// Its id.
    pub id: i64,
    /// Its name (`TLP:GREEN`).
    pub name: String,
    /// What it means.
    pub description: String,
    /// Its colour as `RRGGBB`.
    pub color: String,
    /// When it was defined.
    pub date_added: Timestamp,
}

/// Checks the name of a new owner-defined label: trimmed, 1 to 50 characters, no control
/// characters.
pub fn parse_label_name(name: &str) -> Result<String, crate::Invalid> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(crate::Invalid::new(
            "a security label name must be 1 to 50 characters",
        ));
    }
    crate::reject_control("a security label name", name)?;
    Ok(name.to_string())
}

/// The identity of a label name: what two spellings share when they name the same label.
/// `TLP Green`, `TLP_GREEN`, `tlp-green`, `TLP%3AGREEN` and `TLP:GREEN` all give `TLP:GREEN`;
/// other names are upper-cased.
pub fn label_key(name: &str) -> String {
    let upper = name.trim().to_uppercase().replace("%3A", ":");
    if let Some(rest) = upper.strip_prefix("TLP") {
        let rest = rest.trim_start_matches([' ', '_', '-', ':']);
        if rest.len() < upper.len().saturating_sub(3) && !rest.is_empty() {
            return format!("TLP:{}", rest.replace([' ', '_'], "+").replace("-", "+"));
        }
    }
    upper
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlp_spellings_resolve() {
        for s in [
            "TLP Green",
            "TLP_GREEN",
            "tlp-green",
            "TLP%3AGREEN",
            "TLP:GREEN",
            " tlp:green ",
        ] {
            assert_eq!(label_key(s), "TLP:GREEN", "{s}");
        }
        assert_eq!(label_key("TLP:AMBER+STRICT"), "TLP:AMBER+STRICT");
        assert_eq!(label_key("tlp amber strict"), "TLP:AMBER+STRICT");
        assert_eq!(label_key("Internal Only"), "INTERNAL ONLY");
        assert_eq!(label_key("TLPX"), "TLPX");
    }
}
