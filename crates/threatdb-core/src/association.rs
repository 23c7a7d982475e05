//! The other things an incident links to: groups of the other types, victims and tasks (stored
//! once, generically, as "items"), indicators, and the associations between them.

use crate::{Incident, IncidentName, IndicatorKind, Invalid, Owner, Timestamp};

/// The kinds of item stored generically: every group type but incidents, plus victims and tasks.
/// The URL name (`adversaries`) is also the stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// `adversaries`.
    Adversary,
    /// `campaigns`.
    Campaign,
    /// `documents` (requires `fileName`).
    Document,
    /// `emails` (requires `subject`, `header`, `body`).
    Email,
    /// `events`.
    Event,
    /// `intrusionSets`.
    IntrusionSet,
    /// `reports`.
    Report,
    /// `signatures` (requires `fileName`, `fileType`, `fileText`).
    Signature,
    /// `threats`.
    Threat,
    /// `attackPatterns`.
    AttackPattern,
    /// `coursesOfAction`.
    CourseOfAction,
    /// `malware`.
    Malware,
    /// `tactics`.
    Tactic,
    /// `tools`.
    Tool,
    /// `vulnerabilities`.
    Vulnerability,
    /// `victims` (`/v2/victims`).
    Victim,
    /// `tasks` (`/v2/tasks`).
    Task,
}

impl ItemKind {
    /// Every kind.
    pub const ALL: [ItemKind; 17] = [
        ItemKind::Adversary,
        ItemKind::Campaign,
        ItemKind::Document,
        ItemKind::Email,
        ItemKind::Event,
        ItemKind::IntrusionSet,
        ItemKind::Report,
        ItemKind::Signature,
        ItemKind::Threat,
        ItemKind::AttackPattern,
        ItemKind::CourseOfAction,
        ItemKind::Malware,
        ItemKind::Tactic,
        ItemKind::Tool,
        ItemKind::Vulnerability,
        ItemKind::Victim,
        ItemKind::Task,
    ];

    /// The URL (and stored) name.
    pub fn url_name(self) -> &'static str {
        match self {
            ItemKind::Adversary => "adversaries",
            ItemKind::Campaign => "campaigns",
            ItemKind::Document => "documents",
            ItemKind::Email => "emails",
            ItemKind::Event => "events",
            ItemKind::IntrusionSet => "intrusionSets",
            ItemKind::Report => "reports",
            ItemKind::Signature => "signatures",
            ItemKind::Threat => "threats",
            ItemKind::AttackPattern => "attackPatterns",
            ItemKind::CourseOfAction => "coursesOfAction",
            ItemKind::Malware => "malware",
            ItemKind::Tactic => "tactics",
            ItemKind::Tool => "tools",
            ItemKind::Vulnerability => "vulnerabilities",
            ItemKind::Victim => "victims",
            ItemKind::Task => "tasks",
        }
    }

    /// The wire `type` (`Adversary`); its lower-camel form is the JSON key of one item.
    pub fn type_name(self) -> &'static str {
        match self {
            ItemKind::Adversary => "Adversary",
            ItemKind::Campaign => "Campaign",
            ItemKind::Document => "Document",
            ItemKind::Email => "Email",
            ItemKind::Event => "Event",
            ItemKind::IntrusionSet => "Intrusion Set",
            ItemKind::Report => "Report",
            ItemKind::Signature => "Signature",
            ItemKind::Threat => "Threat",
            ItemKind::AttackPattern => "Attack Pattern",
            ItemKind::CourseOfAction => "Course of Action",
            ItemKind::Malware => "Malware",
            ItemKind::Tactic => "Tactic",
            ItemKind::Tool => "Tool",
            ItemKind::Vulnerability => "Vulnerability",
            ItemKind::Victim => "Victim",
            ItemKind::Task => "Task",
        }
    }

    /// The singular JSON key (`adversary`, `intrusionSet`).
    pub fn json_key(self) -> &'static str {
        match self {
            ItemKind::Adversary => "adversary",
            ItemKind::Campaign => "campaign",
            ItemKind::Document => "document",
            ItemKind::Email => "email",
            ItemKind::Event => "event",
            ItemKind::IntrusionSet => "intrusionSet",
            ItemKind::Report => "report",
            ItemKind::Signature => "signature",
            ItemKind::Threat => "threat",
            ItemKind::AttackPattern => "attackPattern",
            ItemKind::CourseOfAction => "courseOfAction",
            ItemKind::Malware => "malware",
            ItemKind::Tactic => "tactic",
            ItemKind::Tool => "tool",
            ItemKind::Vulnerability => "vulnerability",
            ItemKind::Victim => "victim",
            ItemKind::Task => "task",
        }
    }

    /// Whether this is a group type (everything but victims and tasks).
    pub fn is_group(self) -> bool {
        !matches!(self, ItemKind::Victim | ItemKind::Task)
    }

    /// The fields a create must carry besides `name` (spec §6.5 and its sources).
    pub fn required_fields(self) -> &'static [&'static str] {
        match self {
            ItemKind::Document => &["fileName"],
            ItemKind::Email => &["subject", "header", "body"],
            ItemKind::Signature => &["fileName", "fileType", "fileText"],
            _ => &[],
        }
    }

    /// Parses a URL name (exact spelling).
    pub fn from_url(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.url_name() == s)
    }
}

/// A stored item (a group of another type, a victim or a task).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its id (unique among items).
    pub id: i64,
    /// Its kind.
    pub kind: ItemKind,
    /// Its owner.
    pub owner: Owner,
    /// Its name.
    pub name: String,
    /// The type-specific fields, a JSON object (`{}` when none).
    pub fields: String,
    /// When it was added.
    pub date_added: Timestamp,
    /// When it was last changed.
    pub last_modified: Timestamp,
    /// Its external id, unique in its owner, when it has one (Batch and import set it).
    pub xid: Option<String>,
}

/// A new item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    /// Its kind.
    pub kind: ItemKind,
    /// Its name.
    pub name: IncidentName,
    /// The type-specific fields, a JSON object (checked by the caller).
    pub fields: String,
}

/// A change to an item: only what it carries changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemPatch {
    /// A new name.
    pub name: Option<IncidentName>,
    /// Type-specific fields to merge in, a JSON object (a `null` value removes the field).
    pub fields: Option<String>,
}

/// A stored indicator; `(owner, kind, value)` is unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    /// Its id.
    pub id: i64,
    /// Its type.
    pub kind: IndicatorKind,
    /// Its owner.
    pub owner: Owner,
    /// The normalised value.
    pub value: String,
    /// When it was added.
    pub date_added: Timestamp,
    /// When it was last changed.
    pub last_modified: Timestamp,
    /// Its threat rating, 0 to 5 in hundredths (`300` is 3.00), when one was set.
    pub rating: Option<u16>,
    /// Its confidence, 0 to 100, when one was set.
    pub confidence: Option<u8>,
    /// The STIX id it was imported with, when it was.
    pub stix_id: Option<String>,
}

/// A rating as the API writes it (`3.0`) in hundredths, or why it is not one (0 to 5).
pub fn rating_hundredths(rating: f64) -> Result<u16, Invalid> {
    if !(0.0..=5.0).contains(&rating) {
        return Err(Invalid::new(format!(
            "rating {rating} is not between 0 and 5"
        )));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok((rating * 100.0).round() as u16)
}

/// A rating kept in hundredths as the API writes it (`300` is `3.0`).
pub fn rating_number(hundredths: u16) -> f64 {
    f64::from(hundredths) / 100.0
}

/// An indicator value, normalised for its type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IndicatorValue {
    kind: IndicatorKind,
    value: String,
}

impl IndicatorValue {
    /// Normalises `raw` as a value of `kind`.
    pub fn parse(kind: IndicatorKind, raw: &str) -> Result<Self, Invalid> {
        Ok(IndicatorValue {
            kind,
            value: kind.normalize(raw)?,
        })
    }
    /// The type.
    pub fn kind(&self) -> IndicatorKind {
        self.kind
    }
    /// The normalised value.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// The other end of an incident's association.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// Another incident.
    Incident(i64),
    /// An item of this kind and id.
    Item(ItemKind, i64),
    /// The indicator with this value in the incident's (or the query's) owner.
    Indicator(IndicatorValue),
}

impl Target {
    /// The association's other end as the history names it: `incident 12`, `adversary 7`,
    /// `host evil.example`.
    pub fn described(&self) -> String {
        match self {
            Target::Incident(id) => format!("incident {id}"),
            Target::Item(kind, id) => format!("{} {id}", kind.url_name()),
            Target::Indicator(value) => format!("{} {}", value.kind().url_name(), value.as_str()),
        }
    }

    /// The other end [`Target::described`] names (`None` for a text it did not write).
    pub fn from_described(text: &str) -> Option<Target> {
        let (kind, rest) = text.split_once(' ')?;
        if kind == "incident" {
            return rest.parse().ok().map(Target::Incident);
        }
        if let Some(item) = ItemKind::from_url(kind) {
            return rest.parse().ok().map(|id| Target::Item(item, id));
        }
        let indicator = IndicatorKind::from_url(kind)?;
        IndicatorValue::parse(indicator, rest)
            .ok()
            .map(Target::Indicator)
    }
}

/// Whatever carries tags, security labels and attributes: an incident, an item (a group of
/// another type, a victim, a task) or an indicator. One set of store methods and one set of
/// handlers serve them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The incident with this id.
    Incident(i64),
    /// An item of this kind and id.
    Item(ItemKind, i64),
    /// The indicator with this value in this owner.
    Indicator(Owner, IndicatorValue),
}

/// Which associations of an incident to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkSet {
    /// Groups: incidents and items of group kinds, optionally of one kind only.
    Groups(Option<GroupFilter>),
    /// Indicators, optionally of one type only.
    Indicators(Option<IndicatorKind>),
    /// Victims.
    Victims,
    /// Tasks.
    Tasks,
}

/// A group type to restrict a group listing to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupFilter {
    /// Incidents only.
    Incidents,
    /// Items of this kind only.
    Items(ItemKind),
}

/// An associated thing, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linked {
    /// An incident.
    Incident(Incident),
    /// An item.
    Item(Item),
    /// An indicator.
    Indicator(Indicator),
}

/// Bulk association loading for benchmarks and imports: an operator operation (no actor).
#[async_trait::async_trait]
pub trait BulkLinks: Send + Sync {
    /// Creates the indicators of `kind` in `owner_id` with the given (already normalised)
    /// values where missing, and links each to its incident, in one transaction. Returns the
    /// number of pairs given.
    async fn bulk_indicator_links(
        &self,
        owner_id: i64,
        kind: IndicatorKind,
        links: Vec<(String, i64)>,
    ) -> crate::StoreResult<u64>;
    /// Called once after bulk linking: the store may refresh statistics.
    async fn links_done(&self) -> crate::StoreResult<()> {
        Ok(())
    }
}
