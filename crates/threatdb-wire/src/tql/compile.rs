//! Compiles a checked `/v3/groups` query into the incident filter tree the stores render
//! ([`threatdb_core::Filter`]): the same tree v2's `filters=`, the tag and label paths and the
//! web list build, so both APIs share one authorization policy and one set of indexes.
//!
//! What compiles, and to what (`v` a value, several values under `IN` or a list):
//!
//! | TQL | filter |
//! |---|---|
//! | `typeName = "Incident"` (`IN`, `!=`, `NOT IN`) | everything, or nothing, for another type |
//! | `isGroup = true` / `false` | everything / nothing |
//! | `summary CONTAINS v` | `Name(Contains, v)` (ASCII letters regardless of case) |
//! | `summary = v` (`IN`), `summary STARTSWITH v` | `Name(EqualsFolded, v)`, `Name(StartsWithFolded, v)` |
//! | `summary ENDSWITH v` | `Name(Contains, v)` AND `Name(EndsWithFolded, v)` (the trigram index finds, the suffix checks) |
//! | `status = v` (`IN`) | `Status(v)` |
//! | `dateAdded`, `eventDate`, `lastModified` `> >= < <= = !=` | `DateAdded` / `EventDate` / `LastModified` with `Gt`/`Lt`, `NOT`, `AND` |
//! | `id = v` (`IN`), `id > >= < <= v` | `Id(v)`, `IdRange` with `Gt`/`Lt` and `NOT` |
//! | `xid = v` (`IN`) | `Xid(v)` (ASCII letters regardless of case, as every string `=` in TQL) |
//! | `tag = v` (`IN`), `hasTag(name = v)`, `hasTag(summary = v)` | `Tag(v)` |
//! | `securityLabel = v` (`IN`), `hasSecurityLabel(name = v)` | `Label(v)` |
//! | `hasIndicator(summary = v)` (`IN`, `OR`) | `Associated(Indicator(v))` for each type that can hold `v` |
//! | `hasGroup(id = n)` (`IN`, `OR`) | `Associated(Incident(n))`, which the caller turns into the group `n` is |
//! | `hasAttribute(typeName = t AND text = v)` (`type = id`, `IN`, `text CONTAINS v`, `OR`) | `Attribute { type t, text v }` |
//! | the negative forms (`!=`, `NOT IN`, `NOT CONTAINS`) | `NOT` of the positive form |
//! | `eventDate`/`status` `IS NULL` (`IS NOT NULL`) | nothing (everything): an incident always has both |
//!
//! Anything else (`LIKE`, `hasAttribute(source = ...)`, ...) is refused
//! with a message naming the keyword, the operator and the column, rather than answered with rows
//! that are not what ThreatConnect would return. Tags and labels are matched by identity, which in
//! threatdb is the name regardless of case (as in v2), so `hasTag(name = "X")` also matches a tag
//! stored as `x`: an owner cannot hold both.

use super::TqlError;
use super::ast::Op;
use super::check::{TypedCmp, TypedExpr, TypedValue};
use super::keywords::{Field, Related};
use threatdb_core::{
    ATTRIBUTE_TYPES, AttributeCond, AttributeText, Cmp, Cond, Filter, IncidentStatus,
    IndicatorKind, IndicatorValue, Target, TextMatch, Timestamp,
};

/// The filter of the incidents a checked `/v3/groups` query selects, with relative dates taken
/// from `now`.
pub fn incident_filter(expr: &TypedExpr, now: Timestamp) -> Result<Filter, TqlError> {
    match expr {
        TypedExpr::And(parts) => Ok(Filter::And(
            parts
                .iter()
                .map(|p| incident_filter(p, now))
                .collect::<Result<_, _>>()?,
        )),
        TypedExpr::Or(parts) => Ok(Filter::Or(
            parts
                .iter()
                .map(|p| incident_filter(p, now))
                .collect::<Result<_, _>>()?,
        )),
        TypedExpr::Cmp(c) => cmp(c, now),
        TypedExpr::Has { sub, column, inner } => match sub.related {
            Related::Tags => related(inner, *column, sub.name, Cond::Tag),
            Related::SecurityLabels => related(inner, *column, sub.name, Cond::Label),
            Related::Indicators => associated_indicators(inner, *column),
            Related::Groups => associated_groups(inner, *column),
            Related::Attributes => attributes(inner, *column),
        },
    }
}

fn not_served(column: usize, what: &str) -> TqlError {
    TqlError::new(
        column,
        format!(
            "{what} at column {column} is not served yet by this server's group queries: use id, xid, typeName, isGroup, summary (=, IN, CONTAINS, STARTSWITH, ENDSWITH), status, dateAdded, eventDate, lastModified, tag, securityLabel, hasTag(name = ...), hasSecurityLabel(name = ...), hasIndicator(summary = ...), hasGroup(id = ...) or hasAttribute(typeName = ... AND text = ...)"
        ),
    )
}

fn unsupported(c: &TypedCmp) -> TqlError {
    not_served(c.column, &format!("{} {}", c.keyword.name, c.op))
}

/// Never matches.
fn nothing() -> Filter {
    Filter::Or(Vec::new())
}

/// `positive` for a positive operator, its negation for a negative one.
fn signed(op: Op, positive: Filter) -> Filter {
    if op.is_negative() {
        Filter::Not(Box::new(positive))
    } else {
        positive
    }
}

/// Any of `values`, each turned into a condition.
fn any_of(
    c: &TypedCmp,
    mut cond: impl FnMut(&TypedValue) -> Result<Cond, TqlError>,
) -> Result<Filter, TqlError> {
    any_filter(c, |v| cond(v).map(Filter::Cond))
}

/// Any of `values`, each turned into a filter.
fn any_filter(
    c: &TypedCmp,
    filter: impl FnMut(&TypedValue) -> Result<Filter, TqlError>,
) -> Result<Filter, TqlError> {
    let mut parts = c.values.iter().map(filter).collect::<Result<Vec<_>, _>>()?;
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        Filter::Or(parts)
    })
}

pub(super) fn text(v: &TypedValue) -> String {
    match v {
        TypedValue::Text(s) => s.clone(),
        TypedValue::Choice(s) => (*s).to_string(),
        TypedValue::Integer(n) => n.to_string(),
        TypedValue::Bool(b) => b.to_string(),
        TypedValue::Date(d) => d.to_string(),
    }
}

/// An id value.
pub(super) fn integer(c: &TypedCmp, v: &TypedValue) -> Result<i64, TqlError> {
    match v {
        TypedValue::Integer(n) => Ok(*n),
        _ => Err(unsupported(c)),
    }
}

fn cmp(c: &TypedCmp, now: Timestamp) -> Result<Filter, TqlError> {
    let positive = c.op.positive();
    match (c.keyword.field, positive) {
        (Field::TypeName, Op::Eq | Op::In) => {
            let incident = c
                .values
                .iter()
                .any(|v| matches!(v, TypedValue::Choice("Incident")));
            let matches = if incident { Filter::all() } else { nothing() };
            Ok(signed(c.op, matches))
        }
        (Field::IsGroup, Op::Eq) => {
            let wanted = matches!(c.values.first(), Some(TypedValue::Bool(true)));
            let matches = if wanted { Filter::all() } else { nothing() };
            Ok(signed(c.op, matches))
        }
        (Field::Summary, Op::Contains) => {
            any_of(c, |v| Ok(Cond::Name(TextMatch::Contains, text(v)))).map(|f| signed(c.op, f))
        }
        (Field::Summary, Op::Eq | Op::In) => {
            any_of(c, |v| Ok(Cond::Name(TextMatch::EqualsFolded, text(v)))).map(|f| signed(c.op, f))
        }
        (Field::Summary, Op::StartsWith) => {
            any_of(c, |v| Ok(Cond::Name(TextMatch::StartsWithFolded, text(v))))
                .map(|f| signed(c.op, f))
        }
        (Field::Summary, Op::EndsWith) => {
            // The suffix check, with the substring that the trigram index serves.
            any_filter(c, |v| {
                Ok(Filter::And(vec![
                    Filter::Cond(Cond::Name(TextMatch::Contains, text(v))),
                    Filter::Cond(Cond::Name(TextMatch::EndsWithFolded, text(v))),
                ]))
            })
            .map(|f| signed(c.op, f))
        }
        (Field::Status, Op::Eq | Op::In) => any_of(c, |v| {
            IncidentStatus::parse(&text(v))
                .map(Cond::Status)
                .map_err(|e| TqlError::new(c.column, format!("{e} (column {})", c.column)))
        })
        .map(|f| signed(c.op, f)),
        (Field::Status | Field::EventDate, Op::IsNull) => Ok(signed(c.op, nothing())),
        (Field::DateAdded | Field::EventDate | Field::LastModified, _) => date(c, now),
        (Field::Id, Op::Eq | Op::In) => {
            any_of(c, |v| integer(c, v).map(Cond::Id)).map(|f| signed(c.op, f))
        }
        (Field::Id, Op::Gt | Op::Lt | Op::Ge | Op::Le) => {
            let Some(v) = c.values.first() else {
                return Err(unsupported(c));
            };
            let id = integer(c, v)?;
            let make = |cmp: Cmp| Filter::Cond(Cond::IdRange(cmp, id));
            Ok(match c.op {
                Op::Gt => make(Cmp::Gt),
                Op::Lt => make(Cmp::Lt),
                Op::Ge => Filter::Not(Box::new(make(Cmp::Lt))),
                _ => Filter::Not(Box::new(make(Cmp::Gt))),
            })
        }
        (Field::Xid, Op::Eq | Op::In) => {
            any_of(c, |v| Ok(Cond::Xid(text(v)))).map(|f| signed(c.op, f))
        }
        (Field::Tag, Op::Eq | Op::In) => {
            any_of(c, |v| Ok(Cond::Tag(text(v)))).map(|f| signed(c.op, f))
        }
        (Field::SecurityLabel, Op::Eq | Op::In) => {
            any_of(c, |v| Ok(Cond::Label(text(v)))).map(|f| signed(c.op, f))
        }
        _ => Err(unsupported(c)),
    }
}

/// A date comparison: `>` and `<` as they are, `>=` and `<=` as the negation of the strict
/// opposite, `=` as neither before nor after (the same second), `!=` as its negation.
fn date(c: &TypedCmp, now: Timestamp) -> Result<Filter, TqlError> {
    let Some(TypedValue::Date(d)) = c.values.first() else {
        return Err(unsupported(c));
    };
    let at = d
        .at(now)
        .map_err(|e| TqlError::new(c.column, format!("{e} (column {})", c.column)))?;
    let make = |cmp: Cmp| match c.keyword.field {
        Field::DateAdded => Filter::Cond(Cond::DateAdded(cmp, at)),
        Field::LastModified => Filter::Cond(Cond::LastModified(cmp, at)),
        _ => Filter::Cond(Cond::EventDate(cmp, at)),
    };
    let not = |f: Filter| Filter::Not(Box::new(f));
    Ok(match c.op {
        Op::Gt => make(Cmp::Gt),
        Op::Lt => make(Cmp::Lt),
        Op::Ge => not(make(Cmp::Lt)),
        Op::Le => not(make(Cmp::Gt)),
        Op::Eq => Filter::And(vec![not(make(Cmp::Lt)), not(make(Cmp::Gt))]),
        Op::Ne => Filter::Or(vec![make(Cmp::Lt), make(Cmp::Gt)]),
        _ => return Err(unsupported(c)),
    })
}

/// `hasTag(...)` / `hasSecurityLabel(...)`: the inner query must name the tag or label (its
/// `name` or `summary`, `=` or `IN`, possibly ORed); the object carries one of them.
fn related(
    inner: &TypedExpr,
    column: usize,
    sub: &str,
    cond: fn(String) -> Cond,
) -> Result<Filter, TqlError> {
    match inner {
        TypedExpr::Or(parts) => Ok(Filter::Or(
            parts
                .iter()
                .map(|p| related(p, column, sub, cond))
                .collect::<Result<_, _>>()?,
        )),
        TypedExpr::Cmp(c)
            if matches!(c.keyword.field, Field::Name | Field::Summary)
                && matches!(c.op, Op::Eq | Op::In) =>
        {
            any_of(c, |v| Ok(cond(text(v))))
        }
        TypedExpr::Cmp(c) => Err(not_served(
            c.column,
            &format!("{} {} inside {sub}(...)", c.keyword.name, c.op),
        )),
        _ => Err(not_served(
            column,
            &format!("{sub}(...) with anything but name = or name IN"),
        )),
    }
}

/// `hasAttribute(...)`: an attribute of which every comparison ANDed inside holds: `typeName`
/// (`=`, `IN`), `type` (its id, `=`, `IN`), and at most one `text` `=` or `CONTAINS`; parts
/// ORed inside are each such an attribute.
pub(super) fn attributes(inner: &TypedExpr, column: usize) -> Result<Filter, TqlError> {
    let parts = match inner {
        TypedExpr::Or(parts) => {
            return Ok(Filter::Or(
                parts
                    .iter()
                    .map(|p| attributes(p, column))
                    .collect::<Result<_, _>>()?,
            ));
        }
        TypedExpr::And(parts) => parts.as_slice(),
        one => std::slice::from_ref(one),
    };
    // Each type asked (None: any), and the value.
    let mut kinds: Option<Vec<String>> = None;
    let mut value: Option<AttributeText> = None;
    for part in parts {
        let c = match part {
            TypedExpr::Cmp(c) => c,
            _ => {
                return Err(not_served(
                    column,
                    "hasAttribute(...) with anything but typeName, type and text compared and joined by AND",
                ));
            }
        };
        let inside = |what: &str| {
            not_served(
                c.column,
                &format!("{} {} inside hasAttribute(...){what}", c.keyword.name, c.op),
            )
        };
        match (c.keyword.field, c.op) {
            (Field::TypeName | Field::TypeId, Op::Eq | Op::In) => {
                if kinds.is_some() {
                    return Err(inside(" a second time"));
                }
                let named = c
                    .values
                    .iter()
                    .map(|v| attribute_type(c, v))
                    .collect::<Result<Vec<_>, _>>()?;
                kinds = Some(named);
            }
            (Field::Text, Op::Eq | Op::Contains) => {
                if value.is_some() {
                    return Err(inside(" a second time"));
                }
                let Some(v) = c.values.first() else {
                    return Err(inside(""));
                };
                value = Some(if c.op == Op::Eq {
                    AttributeText::Is(text(v))
                } else {
                    AttributeText::Contains(text(v))
                });
            }
            _ => return Err(inside("")),
        }
    }
    let cond = |type_name: Option<String>| {
        Filter::Cond(Cond::Attribute(AttributeCond {
            type_name,
            text: value.clone(),
        }))
    };
    Ok(match kinds {
        None => cond(None),
        Some(kinds) if kinds.len() == 1 => cond(kinds.into_iter().next()),
        Some(kinds) => Filter::Or(kinds.into_iter().map(|k| cond(Some(k))).collect()),
    })
}

/// The canonical name of the attribute type a `typeName` (any case) or `type` (its id) names;
/// one that does not exist is a 400 naming it.
fn attribute_type(c: &TypedCmp, v: &TypedValue) -> Result<String, TqlError> {
    let found = match v {
        TypedValue::Integer(id) => ATTRIBUTE_TYPES.iter().find(|t| t.id == *id),
        other => ATTRIBUTE_TYPES
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(text(other).trim())),
    };
    found.map(|t| t.name.to_owned()).ok_or_else(|| {
        TqlError::new(
            c.column,
            format!(
                "no attribute type {} at column {}: /v3/attributeTypes lists them",
                text(v),
                c.column
            ),
        )
    })
}

/// `hasIndicator(summary = v)` (`IN`, `OR`): associated with the indicator of value `v` in the
/// list's owner, of any type that can hold it (DECISIONS 55).
fn associated_indicators(inner: &TypedExpr, column: usize) -> Result<Filter, TqlError> {
    match inner {
        TypedExpr::Or(parts) => Ok(Filter::Or(
            parts
                .iter()
                .map(|p| associated_indicators(p, column))
                .collect::<Result<_, _>>()?,
        )),
        TypedExpr::Cmp(c)
            if c.keyword.field == Field::Summary && matches!(c.op, Op::Eq | Op::In) =>
        {
            let mut parts = Vec::new();
            for v in &c.values {
                for kind in IndicatorKind::ALL {
                    if let Ok(value) = IndicatorValue::parse(kind, &text(v)) {
                        parts.push(Filter::Cond(Cond::Associated(Target::Indicator(value))));
                    }
                }
            }
            Ok(Filter::Or(parts))
        }
        TypedExpr::Cmp(c) => Err(not_served(
            c.column,
            &format!("{} {} inside hasIndicator(...)", c.keyword.name, c.op),
        )),
        _ => Err(not_served(
            column,
            "hasIndicator(...) with anything but summary = or summary IN",
        )),
    }
}

/// `hasGroup(id = n)` (`IN`, `OR`): associated with the group `n`. Its type is not known here:
/// the condition names an incident, and the caller, which can look the id up, turns it into the
/// group of whatever type `n` is (ids are one space, DECISIONS 47).
fn associated_groups(inner: &TypedExpr, column: usize) -> Result<Filter, TqlError> {
    match inner {
        TypedExpr::Or(parts) => Ok(Filter::Or(
            parts
                .iter()
                .map(|p| associated_groups(p, column))
                .collect::<Result<_, _>>()?,
        )),
        TypedExpr::Cmp(c) if c.keyword.field == Field::Id && matches!(c.op, Op::Eq | Op::In) => {
            any_of(c, |v| {
                integer(c, v).map(|id| Cond::Associated(Target::Incident(id)))
            })
        }
        TypedExpr::Cmp(c) => Err(not_served(
            c.column,
            &format!("{} {} inside hasGroup(...)", c.keyword.name, c.op),
        )),
        _ => Err(not_served(
            column,
            "hasGroup(...) with anything but id = or id IN",
        )),
    }
}
