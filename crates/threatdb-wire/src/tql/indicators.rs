//! Compiles a checked `/v3/indicators` query into an [`IndicatorFilter`]: the conditions every
//! store serves from an index. What compiles (`v` a value, several under `IN`):
//!
//! | TQL | filter |
//! |---|---|
//! | `typeName = v` (`IN`, `!=`, `NOT IN`) | those types (a type threatdb does not store: none) |
//! | `summary = v` (`IN`) | the value normalised as each type would store it (`1.2.3.4` is the Address; `EVIL.example` the Host `evil.example`) |
//! | `id = v` (`IN`), `id > >= < <= v` | ids, an id range |
//! | `tag = v` (`IN`), `hasTag(name = v)`, `hasTag(summary = v)` (`IN`, `OR`) | tagged with one of them |
//! | `dateAdded`, `lastModified` `> >= < <= =` (absolute or relative dates) | a window of that date |
//! | `hasAttribute(typeName = t AND text = v)` (`type = id`, `text CONTAINS v`) | has such an attribute |
//! | `rating`, `confidence` `> >= < <= =` (whole numbers) | a range of it (an indicator without one: no match) |
//! | `AND` of the above | all of them |
//!
//! Anything else (`OR` between conditions, `summary CONTAINS`, dates, `ownerName`, ...) is
//! refused with a message naming the keyword, operator and column: a page of different rows
//! than ThreatConnect would return is worse than a clear 400.

use super::TqlError;
use super::ast::Op;
use super::check::{TypedCmp, TypedExpr, TypedValue};
use super::compile::{integer as id_value, text};
use super::keywords::{Field, Related};
use threatdb_core::{
    Cond, Filter, IndicatorFilter, IndicatorKind, IndicatorValue, Span, Timestamp, Window,
};

/// The filter of the indicators a checked `/v3/indicators` query selects.
pub fn indicator_filter(expr: &TypedExpr, now: Timestamp) -> Result<IndicatorFilter, TqlError> {
    match expr {
        TypedExpr::And(parts) => {
            let mut out = IndicatorFilter::default();
            let mut tagged = false;
            for part in parts {
                let next = indicator_filter(part, now)?;
                if next.tags.is_some() {
                    if tagged {
                        return Err(not_served(
                            column_of(part),
                            "a second tag condition in one query",
                        ));
                    }
                    tagged = true;
                }
                out = out.and(next);
            }
            Ok(out)
        }
        TypedExpr::Or(parts) => Err(not_served(
            parts.first().map(column_of).unwrap_or(1),
            "OR between conditions (IN is served)",
        )),
        TypedExpr::Cmp(c) => cmp(c, now),
        TypedExpr::Has { sub, column, inner } => match sub.related {
            Related::Tags => Ok(IndicatorFilter {
                tags: Some(tag_names(inner, *column)?),
                ..IndicatorFilter::default()
            }),
            // One attribute's conditions, as on groups; an indicator list is one conjunction,
            // so OR (or IN) inside is not served here.
            Related::Attributes => match super::compile::attributes(inner, *column)? {
                Filter::Cond(Cond::Attribute(a)) => Ok(IndicatorFilter {
                    attributes: vec![a],
                    ..IndicatorFilter::default()
                }),
                _ => Err(not_served(*column, "OR or IN inside hasAttribute(...)")),
            },
            _ => Err(not_served(
                *column,
                &format!("the sub-query {}(...)", sub.name),
            )),
        },
    }
}

fn column_of(expr: &TypedExpr) -> usize {
    match expr {
        TypedExpr::Cmp(c) => c.column,
        TypedExpr::Has { column, .. } => *column,
        TypedExpr::And(parts) | TypedExpr::Or(parts) => parts.first().map(column_of).unwrap_or(1),
    }
}

fn not_served(column: usize, what: &str) -> TqlError {
    TqlError::new(
        column,
        format!(
            "{what} at column {column} is not served yet by this server's indicator queries: use id, typeName, summary (= or IN), tag, hasTag(name = ...), hasAttribute(typeName = ... AND text = ...), dateAdded or lastModified (> >= < <= =), joined by AND"
        ),
    )
}

fn unsupported(c: &TypedCmp) -> TqlError {
    not_served(c.column, &format!("{} {}", c.keyword.name, c.op))
}

fn cmp(c: &TypedCmp, now: Timestamp) -> Result<IndicatorFilter, TqlError> {
    let mut out = IndicatorFilter::default();
    match (c.keyword.field, c.op) {
        (Field::TypeName, Op::Eq | Op::In | Op::Ne | Op::NotIn) => {
            let named: Vec<IndicatorKind> = c
                .values
                .iter()
                .filter_map(|v| IndicatorKind::from_type_name(&text(v)))
                .collect();
            out.kinds = Some(if c.op.is_negative() {
                IndicatorKind::ALL
                    .into_iter()
                    .filter(|k| !named.contains(k))
                    .collect()
            } else {
                named
            });
        }
        (Field::Summary, Op::Eq | Op::In) => {
            let mut values = Vec::new();
            for v in &c.values {
                let raw = text(v);
                for k in IndicatorKind::ALL {
                    if let Ok(value) = IndicatorValue::parse(k, &raw)
                        && !values.contains(&value)
                    {
                        values.push(value);
                    }
                }
            }
            out.values = Some(values);
        }
        (Field::Id, Op::Eq | Op::In) => {
            out.ids = Some(
                c.values
                    .iter()
                    .map(|v| id_value(c, v))
                    .collect::<Result<_, _>>()?,
            );
        }
        (Field::Id, Op::Gt | Op::Ge | Op::Lt | Op::Le) => {
            let id = id_value(c, c.values.first().ok_or_else(|| unsupported(c))?)?;
            match c.op {
                Op::Gt => out.id_above = Some(id),
                Op::Ge => out.id_above = Some(id.saturating_sub(1)),
                Op::Lt => out.id_below = Some(id),
                _ => out.id_below = Some(id.saturating_add(1)),
            }
        }
        (Field::Tag, Op::Eq | Op::In) => out.tags = Some(c.values.iter().map(text).collect()),
        (Field::DateAdded | Field::LastModified, Op::Gt | Op::Ge | Op::Lt | Op::Le | Op::Eq) => {
            let Some(TypedValue::Date(d)) = c.values.first() else {
                return Err(unsupported(c));
            };
            let at = d
                .at(now)
                .map_err(|e| TqlError::new(c.column, format!("{e} (column {})", c.column)))?;
            let second = time::Duration::seconds(1);
            let shifted = |t: Option<Timestamp>| {
                t.ok_or_else(|| {
                    TqlError::new(
                        c.column,
                        format!("a date out of range (column {})", c.column),
                    )
                })
            };
            let w = match c.op {
                Op::Gt => Window {
                    after: Some(at),
                    before: None,
                },
                Op::Ge => Window {
                    after: Some(shifted(at.checked_sub(second))?),
                    before: None,
                },
                Op::Lt => Window {
                    after: None,
                    before: Some(at),
                },
                Op::Le => Window {
                    after: None,
                    before: Some(shifted(at.checked_add(second))?),
                },
                _ => Window {
                    after: Some(shifted(at.checked_sub(second))?),
                    before: Some(shifted(at.checked_add(second))?),
                },
            };
            if c.keyword.field == Field::DateAdded {
                out.added = w;
            } else {
                out.modified = w;
            }
        }
        (Field::Rating | Field::Confidence, Op::Gt | Op::Ge | Op::Lt | Op::Le | Op::Eq) => {
            let n = id_value(c, c.values.first().ok_or_else(|| unsupported(c))?)?;
            // A rating is kept in hundredths: `rating > 3` is at least 3.01.
            let n = if c.keyword.field == Field::Rating {
                n.saturating_mul(100)
            } else {
                n
            };
            let span = match c.op {
                Op::Gt => Span {
                    min: Some(n.saturating_add(1)),
                    max: None,
                },
                Op::Ge => Span {
                    min: Some(n),
                    max: None,
                },
                Op::Lt => Span {
                    min: None,
                    max: Some(n.saturating_sub(1)),
                },
                Op::Le => Span {
                    min: None,
                    max: Some(n),
                },
                _ => Span {
                    min: Some(n),
                    max: Some(n),
                },
            };
            if c.keyword.field == Field::Rating {
                out.rating = span;
            } else {
                out.confidence = span;
            }
        }
        _ => return Err(unsupported(c)),
    }
    Ok(out)
}

/// `hasTag(...)`: the inner query names the tags (`name` or `summary`, `=` or `IN`, ORed).
fn tag_names(inner: &TypedExpr, column: usize) -> Result<Vec<String>, TqlError> {
    match inner {
        TypedExpr::Or(parts) => {
            let mut out = Vec::new();
            for p in parts {
                out.extend(tag_names(p, column)?);
            }
            Ok(out)
        }
        TypedExpr::Cmp(c)
            if matches!(c.keyword.field, Field::Name | Field::Summary)
                && matches!(c.op, Op::Eq | Op::In) =>
        {
            Ok(c.values.iter().map(text).collect())
        }
        TypedExpr::Cmp(c) => Err(not_served(
            c.column,
            &format!("{} {} inside hasTag(...)", c.keyword.name, c.op),
        )),
        _ => Err(not_served(
            column,
            "hasTag(...) with anything but name = or name IN",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tql::{INDICATORS, analyze};

    fn compile(q: &str) -> Result<IndicatorFilter, TqlError> {
        indicator_filter(&analyze(q, &INDICATORS)?, threatdb_core::date::now())
    }

    #[test]
    fn compiles_the_served_forms() {
        let f = compile(r#"typeName IN ("Host", "ASN") AND summary = "EVIL.Example""#).unwrap();
        assert_eq!(f.kinds, Some(vec![IndicatorKind::Host]));
        let values = f.values.unwrap();
        assert!(
            values.contains(&IndicatorValue::parse(IndicatorKind::Host, "evil.example").unwrap())
        );
        // Every type that could store it: the Address, and a URL written that way.
        let f = compile(r#"summary = "1.2.3.4""#).unwrap();
        assert_eq!(
            f.values,
            Some(vec![
                IndicatorValue::parse(IndicatorKind::Address, "1.2.3.4").unwrap(),
                IndicatorValue::parse(IndicatorKind::Url, "1.2.3.4").unwrap(),
            ])
        );
        let f = compile("id >= 10 AND id < 20").unwrap();
        assert_eq!((f.id_above, f.id_below), (Some(9), Some(20)));
        let f = compile(r#"hasTag(name = "A" OR summary IN ("b", "c"))"#).unwrap();
        assert_eq!(f.tags, Some(vec!["A".into(), "b".into(), "c".into()]));
        let f = compile(r#"typeName != "Host""#).unwrap();
        assert_eq!(f.kinds.map(|k| k.len()), Some(4));
        assert!(compile(r#"typeName = "ASN""#).unwrap().is_empty());
    }

    #[test]
    fn dates_are_windows() {
        let f = compile(
            r#"lastModified > "2020-01-02T00:00:00Z" AND lastModified <= "2020-01-03T00:00:00Z""#,
        )
        .unwrap();
        let t = |s: &str| threatdb_core::parse_timestamp(s).unwrap();
        assert_eq!(f.modified.after, Some(t("2020-01-02T00:00:00Z")));
        assert_eq!(f.modified.before, Some(t("2020-01-03T00:00:01Z")));
        let f = compile(r#"dateAdded = "2020-01-02T00:00:00Z""#).unwrap();
        assert_eq!(f.added.after, Some(t("2020-01-01T23:59:59Z")));
        assert_eq!(f.added.before, Some(t("2020-01-02T00:00:01Z")));
        assert!(!f.is_empty());
        let f =
            compile(r#"dateAdded > "2020-01-02T00:00:00Z" AND dateAdded < "2020-01-02T00:00:01Z""#)
                .unwrap();
        assert!(f.is_empty(), "no whole second between");
        assert!(
            compile(r#"lastModified > "NOW() - 1 DAYS""#)
                .unwrap()
                .modified
                .after
                .is_some()
        );
    }

    #[test]
    fn ratings_and_confidences_are_inclusive_spans() {
        let f = compile("rating > 3 AND rating <= 4 AND confidence >= 50").unwrap();
        assert_eq!(
            f.rating,
            Span {
                min: Some(301),
                max: Some(400)
            }
        );
        assert_eq!(
            f.confidence,
            Span {
                min: Some(50),
                max: None
            }
        );
        let f = compile("rating = 2 AND confidence < 10").unwrap();
        assert_eq!((f.rating.min, f.rating.max), (Some(200), Some(200)));
        assert_eq!(f.confidence.max, Some(9));
        assert!(compile("rating > 4 AND rating < 4").unwrap().is_empty());
        assert!(compile("rating != 3").is_err());
    }

    #[test]
    fn refuses_what_is_not_served_with_its_column() {
        for (q, column) in [
            (r#"summary CONTAINS "x""#, 1),
            (r#"id = 1 OR id = 2"#, 1),
            (r#"id = 1 AND dateAdded != "2020-01-01""#, 12),
            (r#"tag = "a" AND hasTag(name = "b")"#, 15),
            (r#"hasGroup(id = 1)"#, 1),
        ] {
            let e = compile(q).unwrap_err();
            assert_eq!(e.column, column, "{q}: {}", e.message);
            assert!(e.message.contains("not served"), "{}", e.message);
        }
    }
}
