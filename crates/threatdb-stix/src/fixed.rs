//! The objects and ids every export carries unchanged (stix-taxii.md §2): the Incident Core and
//! TLP 2.0 extension ids, the TLP marking-definitions, threatdb's software identity and its
//! property extension.

use serde_json::{Value, json};

/// The OASIS Incident Core Extension.
pub const INCIDENT_CORE: &str = "extension-definition--ef765651-680c-498d-9894-99799f2fa126";
/// The TLP 2.0 marking extension.
pub const TLP_2_0: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";
/// threatdb's property extension: ThreatConnect fields without a STIX home.
pub const THREATDB_EXTENSION: &str = "extension-definition--12da5d2c-3665-4063-9a9e-35ccfe3bd6fd";
/// threatdb's software identity, author of its extension.
pub const SOFTWARE_IDENTITY: &str = "identity--f3fab795-a07d-4ec6-8968-b2bda4a20ba2";
/// The version of threatdb's extension; bump it (and [`EXTENSION_MODIFIED`]) when its fields
/// change.
pub const EXTENSION_VERSION: &str = "1.0.0";
/// When threatdb's extension and software identity were defined.
pub const EXTENSION_MODIFIED: &str = "2026-12-01T00:00:00.000Z";
/// Where the extension's fields are defined (a STIX `schema` may be a URL or plain text; this
/// is the text: the schema ships in threatdb's repository, not at an address we control).
pub const EXTENSION_SCHEMA: &str = "threatdb's JSON schema docs/stix/threatdb-extension.schema.json (JSON Schema 2020-12), shipped in the threatdb repository";

/// A TLP marking threatdb knows: its label name, marking id and TLP value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlp {
    /// The security label's name (`TLP:GREEN`).
    pub label: &'static str,
    /// The official marking-definition id.
    pub id: &'static str,
    /// The `tlp_2_0` value, or the TLP 1.0 `tlp` value for white.
    pub value: &'static str,
    /// TLP 1.0 (white only), emitted in the STIX 2.1 core form.
    pub v1: bool,
}

/// Every TLP label and its official marking.
pub const TLP: [Tlp; 6] = [
    Tlp {
        label: "TLP:CLEAR",
        id: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        value: "clear",
        v1: false,
    },
    Tlp {
        label: "TLP:GREEN",
        id: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        value: "green",
        v1: false,
    },
    Tlp {
        label: "TLP:AMBER",
        id: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        value: "amber",
        v1: false,
    },
    Tlp {
        label: "TLP:AMBER+STRICT",
        id: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        value: "amber+strict",
        v1: false,
    },
    Tlp {
        label: "TLP:RED",
        id: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        value: "red",
        v1: false,
    },
    Tlp {
        label: "TLP:WHITE",
        id: "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        value: "white",
        v1: true,
    },
];

/// The TLP marking of a label name (exact, as system labels are named), if it is one.
pub fn tlp(label: &str) -> Option<&'static Tlp> {
    TLP.iter().find(|t| t.label == label)
}

/// The marking-definition object of a TLP marking, exactly as its definition publishes it.
pub fn tlp_marking(t: &Tlp) -> Value {
    if t.v1 {
        return json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": t.id,
            "created": "2017-01-20T00:00:00.000Z",
            "definition_type": "tlp",
            "name": t.label,
            "definition": {"tlp": t.value},
        });
    }
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": t.id,
        "created": "2022-10-01T00:00:00.000Z",
        "name": t.label,
        "extensions": {
            TLP_2_0: {"extension_type": "property-extension", "tlp_2_0": t.value},
        },
    })
}

/// threatdb's software identity.
pub fn software_identity() -> Value {
    json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": SOFTWARE_IDENTITY,
        "created": EXTENSION_MODIFIED,
        "modified": EXTENSION_MODIFIED,
        "name": "threatdb",
        "identity_class": "system",
    })
}

/// The extension-definition of threatdb's property extension.
pub fn extension_definition() -> Value {
    json!({
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": THREATDB_EXTENSION,
        "created_by_ref": SOFTWARE_IDENTITY,
        "created": EXTENSION_MODIFIED,
        "modified": EXTENSION_MODIFIED,
        "name": "threatdb ThreatConnect properties",
        "description": "ThreatConnect fields that STIX 2.1 has no property for: an incident's exact status and event date, the owner, attributes other than the description, and what an association was.",
        "schema": EXTENSION_SCHEMA,
        "version": EXTENSION_VERSION,
        "extension_types": ["property-extension"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlp_2_markings_carry_only_the_extension() {
        let green = tlp_marking(tlp("TLP:GREEN").unwrap());
        assert_eq!(green["created"], "2022-10-01T00:00:00.000Z");
        assert!(green.get("definition_type").is_none());
        assert!(green.get("modified").is_none());
        assert_eq!(green["extensions"][TLP_2_0]["tlp_2_0"], "green");
        let white = tlp_marking(tlp("TLP:WHITE").unwrap());
        assert_eq!(white["definition"]["tlp"], "white");
        assert!(tlp("TLP:green").is_none());
    }
}
