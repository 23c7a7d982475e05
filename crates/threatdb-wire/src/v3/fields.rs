//! The `fields=` parameter: which nested collections a response includes (tc-v3-wire.md §4).
//!
//! Repeatable (`fields=tags&fields=attributes`) and comma-separated (`fields=tags,attributes`),
//! names in any case. Groups take `tags`, `securityLabels`, `attributes`, `associatedGroups`,
//! `associatedIndicators`; indicators the same and `genericCustomIndicatorValues`, which tcex
//! adds to every indicator request (it asks for `value1`..`value3`). A name ThreatConnect has
//! but threatdb does not serve is a 400 "not supported"; any other a 400 "unknown".

use std::fmt;

/// A name `fields=` accepts on some endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldName {
    /// `tags`.
    Tags,
    /// `securityLabels`.
    SecurityLabels,
    /// `attributes`.
    Attributes,
    /// `associatedGroups`.
    AssociatedGroups,
    /// `associatedIndicators`.
    AssociatedIndicators,
    /// `genericCustomIndicatorValues` (indicators: include `value1`..`value3`).
    GenericCustomIndicatorValues,
}

impl FieldName {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldName::Tags => "tags",
            FieldName::SecurityLabels => "securityLabels",
            FieldName::Attributes => "attributes",
            FieldName::AssociatedGroups => "associatedGroups",
            FieldName::AssociatedIndicators => "associatedIndicators",
            FieldName::GenericCustomIndicatorValues => "genericCustomIndicatorValues",
        }
    }

    /// The description `OPTIONS /v3/{endpoint}/fields` gives, for an object named `noun`.
    pub fn description(self, noun: &str) -> String {
        match self {
            FieldName::Tags => format!("Includes tags applied to the {noun}"),
            FieldName::SecurityLabels => format!("Includes security labels applied to the {noun}"),
            FieldName::Attributes => format!("Includes attributes of the {noun}"),
            FieldName::AssociatedGroups => format!("Includes groups associated with the {noun}"),
            FieldName::AssociatedIndicators => {
                format!("Includes indicators associated with the {noun}")
            }
            FieldName::GenericCustomIndicatorValues => {
                format!("Includes the value1, value2 and value3 fields of the {noun}")
            }
        }
    }
}

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The objects with `fields=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Object {
    /// `/v3/groups`.
    Group,
    /// `/v3/indicators`.
    Indicator,
}

const GROUP_FIELDS: &[FieldName] = &[
    FieldName::Tags,
    FieldName::SecurityLabels,
    FieldName::Attributes,
    FieldName::AssociatedGroups,
    FieldName::AssociatedIndicators,
];

const INDICATOR_FIELDS: &[FieldName] = &[
    FieldName::Tags,
    FieldName::SecurityLabels,
    FieldName::Attributes,
    FieldName::AssociatedGroups,
    FieldName::AssociatedIndicators,
    FieldName::GenericCustomIndicatorValues,
];

const GROUP_UNSUPPORTED: &[&str] = &[
    "assignments",
    "associatedArtifacts",
    "associatedCases",
    "associatedVictimAssets",
];

const INDICATOR_UNSUPPORTED: &[&str] = &[
    "associatedArtifacts",
    "associatedCases",
    "associationName",
    "customAssociations",
    "dnsResolution",
    "enrichment",
    "externalDates",
    "falsePositives",
    "fileActions",
    "fileOccurrences",
    "geoLocation",
    "investigationLinks",
    "observations",
    "sightings",
    "threatAssess",
    "trackedUsers",
    "whoIs",
];

impl Object {
    /// The names `fields=` accepts here, in `OPTIONS .../fields` order.
    pub fn fields(self) -> &'static [FieldName] {
        match self {
            Object::Group => GROUP_FIELDS,
            Object::Indicator => INDICATOR_FIELDS,
        }
    }

    /// ThreatConnect's names for this object that threatdb does not serve.
    pub fn unsupported(self) -> &'static [&'static str] {
        match self {
            Object::Group => GROUP_UNSUPPORTED,
            Object::Indicator => INDICATOR_UNSUPPORTED,
        }
    }

    /// `group` or `indicator`.
    pub fn noun(self) -> &'static str {
        match self {
            Object::Group => "group",
            Object::Indicator => "indicator",
        }
    }
}

/// The names a request asked for (no repeats, in the object's order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<FieldName>);

impl Fields {
    /// Reads every `fields=` value of a request for `object`. Empty items are skipped; an
    /// unknown or unsupported name is an error that says which names are valid.
    pub fn parse<'a>(
        values: impl IntoIterator<Item = &'a str>,
        object: Object,
    ) -> Result<Fields, String> {
        let valid = object.fields();
        let mut wanted = Vec::new();
        for name in values.into_iter().flat_map(|v| v.split(',')) {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            match valid.iter().find(|f| f.as_str().eq_ignore_ascii_case(name)) {
                Some(f) => wanted.push(*f),
                None => {
                    let names: Vec<&str> = valid.iter().map(|f| f.as_str()).collect();
                    let what = if object
                        .unsupported()
                        .iter()
                        .any(|u| u.eq_ignore_ascii_case(name))
                    {
                        "is not supported by this server"
                    } else {
                        "is unknown"
                    };
                    return Err(format!(
                        "field '{name}' {what} for a {}: use {}",
                        object.noun(),
                        names.join(", ")
                    ));
                }
            }
        }
        wanted.sort();
        wanted.dedup();
        Ok(Fields(wanted))
    }

    /// Whether `name` was asked for.
    pub fn has(&self, name: FieldName) -> bool {
        self.0.contains(&name)
    }

    /// The names asked for.
    pub fn names(&self) -> &[FieldName] {
        &self.0
    }

    /// These names (for building requests).
    pub fn of(names: &[FieldName]) -> Self {
        let mut v = names.to_vec();
        v.sort();
        v.dedup();
        Fields(v)
    }
}
