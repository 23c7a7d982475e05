//! Attributes: typed values attached to an incident (a Description, a Source, ...).

use crate::{Invalid, Timestamp};

/// An attribute type from the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeType {
    /// Its id in `/v2/types/attributeTypes`.
    pub id: i64,
    /// Its canonical name.
    pub name: &'static str,
    /// What it is for.
    pub description: &'static str,
    /// The longest value accepted, in characters.
    pub max_length: usize,
    /// Whether `displayed` means anything for it (only Description and Source).
    pub displayable: bool,
}

/// Every attribute type that may be put on an incident.
pub const ATTRIBUTE_TYPES: [AttributeType; 10] = [
    AttributeType {
        id: 1,
        name: "Description",
        description: "A description of the incident.",
        max_length: 65_500,
        displayable: true,
    },
    AttributeType {
        id: 2,
        name: "Source",
        description: "Where the information came from.",
        max_length: 65_500,
        displayable: true,
    },
    AttributeType {
        id: 3,
        name: "Additional Analysis and Context",
        description: "Further analysis or context.",
        max_length: 65_500,
        displayable: false,
    },
    AttributeType {
        id: 4,
        name: "Course of Action Taken",
        description: "What was done in response.",
        max_length: 65_500,
        displayable: false,
    },
    AttributeType {
        id: 5,
        name: "Impact Description",
        description: "What the incident affected and how.",
        max_length: 65_500,
        displayable: false,
    },
    AttributeType {
        id: 6,
        name: "Attack Vector",
        description: "How the attacker got in.",
        max_length: 500,
        displayable: false,
    },
    AttributeType {
        id: 7,
        name: "Detection Method",
        description: "How the incident was detected.",
        max_length: 500,
        displayable: false,
    },
    AttributeType {
        id: 8,
        name: "External ID",
        description: "The incident's id in another system.",
        max_length: 500,
        displayable: false,
    },
    AttributeType {
        id: 9,
        name: "Targeted Industry",
        description: "The industry targeted.",
        max_length: 500,
        displayable: false,
    },
    AttributeType {
        id: 10,
        name: "Title",
        description: "A title for the incident.",
        max_length: 255,
        displayable: false,
    },
];

impl AttributeType {
    /// Looks a type up by name, case-insensitively.
    pub fn lookup(name: &str) -> Result<&'static AttributeType, Invalid> {
        let wanted = name.trim();
        ATTRIBUTE_TYPES
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                Invalid::new(format!(
                    "attribute type '{name}' does not exist: GET /v2/types/attributeTypes lists the valid types"
                ))
            })
    }

    /// Checks a value against the type: non-empty and within the maximum length.
    pub fn check_value(&self, value: &str) -> Result<(), Invalid> {
        if value.trim().is_empty() {
            return Err(Invalid::new(format!(
                "a {} attribute needs a value",
                self.name
            )));
        }
        crate::reject_control_in_text(&format!("a {} value", self.name), value)?;
        let len = value.chars().count();
        if len > self.max_length {
            return Err(Invalid::new(format!(
                "the {} value is {len} characters long: the limit is {}",
                self.name, self.max_length
            )));
        }
        Ok(())
    }
}

/// An attribute as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Unique id.
    pub id: i64,
    /// The canonical type name.
    pub kind: String,
    /// The value, byte for byte as given.
    pub value: String,
    /// Whether it is shown at the top of the incident's page.
    pub displayed: bool,
    /// Where the value came from, if said.
    pub source: Option<String>,
    /// When it was added.
    pub date_added: Timestamp,
    /// When it last changed.
    pub last_modified: Timestamp,
}

/// A new attribute, already checked against its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttribute {
    /// The type.
    pub kind: &'static AttributeType,
    /// The value.
    pub value: String,
    /// Whether it is displayed.
    pub displayed: bool,
    /// Its source.
    pub source: Option<String>,
}

impl NewAttribute {
    /// Builds an attribute from a type name and value, checking both.
    pub fn parse(
        kind: &str,
        value: &str,
        displayed: bool,
        source: Option<String>,
    ) -> Result<Self, Invalid> {
        let kind = AttributeType::lookup(kind)?;
        kind.check_value(value)?;
        if let Some(source) = &source {
            check_source(source)?;
        }
        Ok(NewAttribute {
            kind,
            value: value.to_string(),
            displayed,
            source,
        })
    }
}

/// The longest attribute source accepted, in characters.
pub const MAX_SOURCE_CHARS: usize = 2048;

/// Checks an attribute's source: at most [`MAX_SOURCE_CHARS`] characters, no control characters
/// but tab and line breaks.
pub fn check_source(source: &str) -> Result<(), Invalid> {
    let len = source.chars().count();
    if len > MAX_SOURCE_CHARS {
        return Err(Invalid::new(format!(
            "the source is {len} characters long: the limit is {MAX_SOURCE_CHARS}"
        )));
    }
    crate::reject_control_in_text("the source", source)
}

/// A change to an attribute: only the fields that are `Some` change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributePatch {
    /// A new value (checked against the attribute's type by the store).
    pub value: Option<String>,
    /// A new `displayed` flag.
    pub displayed: Option<bool>,
    /// A new source.
    pub source: Option<String>,
}

impl AttributePatch {
    /// A change with at least one field, its source checked (the value is checked against the
    /// attribute's type by the store, which knows the type).
    pub fn parse(
        value: Option<String>,
        displayed: Option<bool>,
        source: Option<String>,
    ) -> Result<Self, Invalid> {
        if value.is_none() && displayed.is_none() && source.is_none() {
            return Err(Invalid::new(
                "nothing to update: give value, displayed or source",
            ));
        }
        if let Some(source) = &source {
            check_source(source)?;
        }
        Ok(AttributePatch {
            value,
            displayed,
            source,
        })
    }
}
