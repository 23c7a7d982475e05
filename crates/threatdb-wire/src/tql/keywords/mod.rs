//! Keyword tables: for each v3 endpoint, the TQL keywords it answers, each with its value
//! type, the operators that apply, and the [`Field`] it means (what a compiler to the store's
//! filter matches on), plus the sub-queries (`hasTag(...)`) and the related table each one
//! searches.
//!
//! The names, labels and types follow ThreatConnect's v3 API (`OPTIONS /v3/{endpoint}/tql`,
//! as mirrored by tcex's generated filter classes) and tc-v3-wire.md. Keywords
//! ThreatConnect has but threatdb does not serve are listed per table as `unsupported`, so a
//! query naming one gets "not supported" rather than "unknown".
//!
//! Operators by type (every type also takes `IS NULL` / `IS NOT NULL` when the keyword is
//! nullable):
//!
//! | type | operators |
//! |---|---|
//! | Integer | `= != > >= < <= IN NOT IN` |
//! | String, StringLower | `= != CONTAINS STARTSWITH ENDSWITH LIKE IN` and the `NOT` forms |
//! | Date | `= != > >= < <=` |
//! | Boolean | `= !=` |
//! | Enum (a fixed set) | `= != IN NOT IN` |
//!
//! String comparisons are case-insensitive (tc-v3-wire.md §5) except on keywords marked
//! `exact_case` (a tag's `name` inside `hasTag`). `StringLower` differs from `String` only in what
//! `OPTIONS .../tql` reports.

mod distance;
mod field;
mod intel;
mod meta;

pub(crate) use distance::distance;
pub use field::Field;

pub use intel::{GROUP_TYPES, GROUPS, INCIDENT_STATUSES, INDICATOR_TYPES, INDICATORS};
pub use meta::{GROUP_ATTRIBUTES, INDICATOR_ATTRIBUTES, SECURITY_LABELS, TAGS};

use super::ast::Op;

/// The type of a keyword's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// Whole numbers (64-bit).
    Integer,
    /// Text.
    String,
    /// Text ThreatConnect compares in lower case (`summary`).
    StringLower,
    /// A date: absolute or relative ([`DateValue`](super::DateValue)), in quotes.
    Date,
    /// `true` or `false`.
    Boolean,
    /// One of a fixed set of strings, matched case-insensitively, canonical spelling kept.
    Enum(&'static [&'static str]),
}

const INTEGER_OPS: &[Op] = &[
    Op::Eq,
    Op::Ne,
    Op::Gt,
    Op::Ge,
    Op::Lt,
    Op::Le,
    Op::In,
    Op::NotIn,
];
const STRING_OPS: &[Op] = &[
    Op::Eq,
    Op::Ne,
    Op::Contains,
    Op::NotContains,
    Op::StartsWith,
    Op::NotStartsWith,
    Op::EndsWith,
    Op::NotEndsWith,
    Op::Like,
    Op::NotLike,
    Op::In,
    Op::NotIn,
];
const DATE_OPS: &[Op] = &[Op::Eq, Op::Ne, Op::Gt, Op::Ge, Op::Lt, Op::Le];
const BOOLEAN_OPS: &[Op] = &[Op::Eq, Op::Ne];
const ENUM_OPS: &[Op] = &[Op::Eq, Op::Ne, Op::In, Op::NotIn];

impl ValueType {
    /// The operators this type takes (without the null tests).
    pub fn operators(self) -> &'static [Op] {
        match self {
            ValueType::Integer => INTEGER_OPS,
            ValueType::String | ValueType::StringLower => STRING_OPS,
            ValueType::Date => DATE_OPS,
            ValueType::Boolean => BOOLEAN_OPS,
            ValueType::Enum(_) => ENUM_OPS,
        }
    }

    /// The type's name in `OPTIONS .../tql` (`Integer`, `String`, `StringLower`, `Date`,
    /// `Boolean`; a fixed set is a `String`).
    pub fn wire_name(self) -> &'static str {
        match self {
            ValueType::Integer => "Integer",
            ValueType::String | ValueType::Enum(_) => "String",
            ValueType::StringLower => "StringLower",
            ValueType::Date => "Date",
            ValueType::Boolean => "Boolean",
        }
    }

    /// How messages name the type: `an integer`, `a date`, ...
    pub fn describe(self) -> &'static str {
        match self {
            ValueType::Integer => "an integer",
            ValueType::String | ValueType::StringLower => "a string",
            ValueType::Date => "a date",
            ValueType::Boolean => "a boolean",
            ValueType::Enum(_) => "one of a fixed set of names",
        }
    }
}

/// One TQL keyword of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyword {
    /// The canonical spelling (`dateAdded`); queries may use any case.
    pub name: &'static str,
    /// The display name of `OPTIONS .../tql` (`Date Added`).
    pub label: &'static str,
    /// What it means.
    pub field: Field,
    /// Its values' type.
    pub ty: ValueType,
    /// Whether an object has several values (tags, labels): a positive operator holds when
    /// any value matches, a negative one (`!=`, `NOT ...`) when none does.
    pub multi: bool,
    /// Whether it may be absent (then `IS NULL` / `IS NOT NULL` apply).
    pub nullable: bool,
    /// Whether string comparisons are case-sensitive.
    pub exact_case: bool,
    /// The description of `OPTIONS .../tql`.
    pub description: &'static str,
}

impl Keyword {
    /// A single-valued, non-null, case-insensitive keyword.
    pub const fn new(
        name: &'static str,
        label: &'static str,
        field: Field,
        ty: ValueType,
        description: &'static str,
    ) -> Self {
        Keyword {
            name,
            label,
            field,
            ty,
            multi: false,
            nullable: false,
            exact_case: false,
            description,
        }
    }

    /// The same keyword, nullable.
    pub const fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }

    /// The same keyword, multi-valued (and nullable: an object may have no value).
    pub const fn multi(mut self) -> Self {
        self.multi = true;
        self.nullable = true;
        self
    }

    /// The same keyword, compared case-sensitively.
    pub const fn exact_case(mut self) -> Self {
        self.exact_case = true;
        self
    }

    /// Whether `op` applies to this keyword.
    pub fn allows(&self, op: Op) -> bool {
        if op.is_null_test() {
            self.nullable
        } else {
            self.ty.operators().contains(&op)
        }
    }

    /// Every operator that applies, in [`Op::ALL`] order.
    pub fn operators(&self) -> Vec<Op> {
        Op::ALL.into_iter().filter(|op| self.allows(*op)).collect()
    }
}

/// The objects a sub-query searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Related {
    /// Tags applied to the object.
    Tags,
    /// Security labels applied to the object.
    SecurityLabels,
    /// The object's attributes.
    Attributes,
    /// Groups associated with the object.
    Groups,
    /// Indicators associated with the object.
    Indicators,
}

/// A sub-query keyword: `name(condition on related objects)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubQuery {
    /// The canonical spelling (`hasTag`).
    pub name: &'static str,
    /// The display name (`Has Tag`).
    pub label: &'static str,
    /// What it searches.
    pub related: Related,
    /// The keywords that apply inside the parentheses.
    pub table: &'static Table,
    /// The description of `OPTIONS .../tql`.
    pub description: &'static str,
}

/// A sub-query entry (for the tables).
const fn sub(
    name: &'static str,
    label: &'static str,
    related: Related,
    table: &'static Table,
    description: &'static str,
) -> SubQuery {
    SubQuery {
        name,
        label,
        related,
        table,
        description,
    }
}

/// Which endpoint's objects a table describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableKind {
    /// `/v3/groups`.
    Groups,
    /// `/v3/indicators`.
    Indicators,
    /// `/v3/tags`.
    Tags,
    /// `/v3/securityLabels`.
    SecurityLabels,
    /// `/v3/groupAttributes`.
    GroupAttributes,
    /// `/v3/indicatorAttributes`.
    IndicatorAttributes,
}

/// The TQL keywords of one endpoint.
#[derive(Debug)]
pub struct Table {
    /// Which endpoint.
    pub kind: TableKind,
    /// The endpoint's path under `/v3` (`groups`), for messages.
    pub endpoint: &'static str,
    /// The plain keywords.
    pub keywords: &'static [Keyword],
    /// The sub-queries.
    pub subqueries: &'static [SubQuery],
    /// ThreatConnect keywords of this endpoint that threatdb does not serve.
    pub unsupported: &'static [&'static str],
    /// Names people try that are no keyword here, each with the keyword meant (`name` on
    /// groups means `summary`): suggested before any near spelling.
    pub hints: &'static [(&'static str, &'static str)],
}

/// Tables are one per endpoint: two are equal when they describe the same one.
impl PartialEq for Table {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

impl Eq for Table {}

impl Table {
    /// The keyword spelled `name` (any case).
    pub fn keyword(&'static self, name: &str) -> Option<&'static Keyword> {
        self.keywords
            .iter()
            .find(|k| k.name.eq_ignore_ascii_case(name))
    }

    /// The sub-query spelled `name` (any case).
    pub fn subquery(&'static self, name: &str) -> Option<&'static SubQuery> {
        self.subqueries
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// Whether `name` is a ThreatConnect keyword this table does not serve.
    pub fn is_unsupported(&self, name: &str) -> bool {
        self.unsupported
            .iter()
            .any(|u| u.eq_ignore_ascii_case(name))
    }

    /// The keyword meant by a known wrong name ([`Table::hints`]), else the keyword or
    /// sub-query nearest to `name` by edit distance (transpositions count one), when it is near
    /// enough to be a likely typo.
    pub fn suggest(&self, name: &str) -> Option<&'static str> {
        if let Some((_, meant)) = self
            .hints
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(name))
        {
            return Some(meant);
        }
        let limit = (name.chars().count() / 3).clamp(1, 3);
        self.keywords
            .iter()
            .map(|k| k.name)
            .chain(self.subqueries.iter().map(|s| s.name))
            .filter_map(|candidate| {
                let d = distance(name, candidate, limit)?;
                Some((d, candidate))
            })
            .min_by_key(|(d, _)| *d)
            .map(|(_, c)| c)
    }
}
