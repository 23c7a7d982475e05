//! A filter tree rendered to SQL over `incidents i`, every value bound, each condition in the
//! form an index serves: name prefixes as byte-exact ranges, substrings through the trigram
//! index (and checked exactly), labels from the label's side when they are rare.

use super::resolve::Resolved;
use crate::db::{Dialect, Sql};
use threatdb_core::{AttributeCond, AttributeText, Cmp, Cond, Filter, Target, TextMatch};

/// What rendering needs besides the filter.
pub struct Context<'r> {
    /// The owner listed.
    pub owner: i64,
    /// Resolved names and counts.
    pub ids: &'r Resolved,
    /// The dialect.
    pub dialect: Dialect,
}

/// Renders a filter.
pub fn render<'a>(sql: &mut Sql<'a>, f: &'a Filter, cx: &Context<'_>) {
    let join = |sql: &mut Sql<'a>, parts: &'a [Filter], op: &str, empty: &str| {
        if parts.is_empty() {
            sql.push(empty);
            return;
        }
        for (n, part) in parts.iter().enumerate() {
            if n > 0 {
                sql.push(op);
            }
            sql.push("(");
            render(sql, part, cx);
            sql.push(")");
        }
    };
    match f {
        Filter::And(parts) => join(sql, parts, " AND ", "1 = 1"),
        Filter::Or(parts) if parts.len() > 1 => {
            // Each branch on its own index, the ids unioned: a planner given `a OR b` over
            // different indexes (or subqueries) would read the owner's incidents one by one.
            sql.push("i.id IN (");
            for (n, part) in parts.iter().enumerate() {
                if n > 0 {
                    sql.push(" UNION ");
                }
                let owner = if cx.dialect == Dialect::Sqlite && cx.ids.drives_from_names(part) {
                    "SELECT i.id FROM incidents i WHERE +i.owner_id = "
                } else {
                    "SELECT i.id FROM incidents i WHERE i.owner_id = "
                };
                sql.push(owner).bind(cx.owner).push(" AND (");
                render(sql, part, cx);
                sql.push(")");
            }
            sql.push(")");
        }
        Filter::Or(parts) => join(sql, parts, " OR ", "1 = 0"),
        Filter::Not(part) => {
            sql.push("NOT (");
            render(sql, part, cx);
            sql.push(")");
        }
        Filter::Cond(c) => cond(sql, c, cx),
    }
}

fn cmp(c: Cmp) -> &'static str {
    match c {
        Cmp::Lt => " < ",
        Cmp::Gt => " > ",
    }
}

/// The smallest string above every string that starts with `prefix`, in code point order (which
/// is UTF-8 byte order, the order both stores compare names in); `None` when there is none (a
/// prefix of U+10FFFF characters only).
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = u32::from(last).checked_add(1).and_then(|n| {
            // Surrogates are not characters: the next one after U+D7FF is U+E000.
            char::from_u32(if (0xD800..=0xDFFF).contains(&n) {
                0xE000
            } else {
                n
            })
        });
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// `%text%` for LIKE, with `\`, `%` and `_` escaped (PostgreSQL's default escape is `\`).
pub(crate) fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len().saturating_add(2));
    out.push('%');
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn cond<'a>(sql: &mut Sql<'a>, c: &'a Cond, cx: &Context<'_>) {
    let name = cx.dialect.name_column();
    match c {
        Cond::Name(TextMatch::Equals, value) => {
            sql.push(name).push(" = ").bind(value.as_str());
        }
        Cond::Name(TextMatch::StartsWith, prefix) => {
            if prefix.is_empty() {
                sql.push("1 = 1");
                return;
            }
            // A byte-exact, case-sensitive range over the (owner_id, name) index.
            sql.push(name).push(" >= ").bind(prefix.as_str());
            if let Some(upper) = prefix_upper_bound(prefix) {
                sql.push(" AND ").push(name).push(" < ").bind(upper);
            }
        }
        Cond::Name(TextMatch::EqualsFolded, value) => {
            sql.push(cx.dialect.folded_name())
                .push(" = ")
                .bind(value.to_ascii_lowercase());
        }
        Cond::Name(TextMatch::StartsWithFolded, prefix) => {
            if prefix.is_empty() {
                sql.push("1 = 1");
                return;
            }
            // A range of the (owner_id, folded name) index: the folded names that start with
            // the folded prefix.
            let folded = prefix.to_ascii_lowercase();
            let upper = prefix_upper_bound(&folded);
            let column = cx.dialect.folded_name();
            sql.push(column).push(" >= ").bind(folded);
            if let Some(upper) = upper {
                sql.push(" AND ").push(column).push(" < ").bind(upper);
            }
        }
        Cond::Name(TextMatch::EndsWithFolded, suffix) => {
            // The check only: TQL ANDs it with `Contains` of the same text, which the trigram
            // index serves.
            if suffix.is_empty() {
                sql.push("1 = 1");
                return;
            }
            let n = i64::try_from(suffix.chars().count()).unwrap_or(i64::MAX);
            let column = cx.dialect.folded_name();
            match cx.dialect {
                // The last n characters (all of them when there are fewer).
                Dialect::Sqlite => sql.push("substr(").push(column).push(", -").bind(n),
                Dialect::Postgres => sql
                    .push("right(")
                    .push(column)
                    .push(", CAST(")
                    .bind(n)
                    .push(" AS INTEGER)"),
            };
            sql.push(") = ").bind(suffix.to_ascii_lowercase());
        }
        Cond::Name(TextMatch::Contains, text) => contains(
            sql,
            text,
            cx,
            cx.ids.rare_texts.get(text).map(String::as_str),
        ),
        Cond::Status(status) => {
            sql.push("i.status = ").bind(status.as_str());
        }
        Cond::Tag(tag) => match cx.ids.tags.get(tag).copied().flatten() {
            Some(tag) => {
                sql.push("i.id IN (SELECT incident_id FROM incident_tags WHERE tag_id = ")
                    .bind(tag)
                    .push(")");
            }
            None => {
                sql.push("1 = 0");
            }
        },
        Cond::Label(label) => match cx.ids.labels.get(label).filter(|l| !l.is_empty()) {
            Some(ids) if cx.ids.label_is_rare(label) || cx.dialect == Dialect::Postgres => {
                // From the label's side: its few incidents in the owner, one range of the
                // (label_id, owner_id, incident_id) index per label.
                sql.push("i.id IN (SELECT incident_id FROM incident_labels WHERE label_id IN ")
                    .bind_list(ids.iter().copied())
                    .push(" AND owner_id = ")
                    .bind(cx.owner)
                    .push(")");
            }
            Some(ids) => {
                // A common label: probed incident by incident as the owner's are read (a page
                // fills after a few rows; reading all of the label's incidents would cost more).
                sql.push("EXISTS (SELECT 1 FROM incident_labels il WHERE il.incident_id = i.id AND il.label_id IN ")
                    .bind_list(ids.iter().copied())
                    .push(")");
            }
            None => {
                sql.push("1 = 0");
            }
        },
        Cond::DateAdded(c, t) => {
            sql.push("i.date_added").push(cmp(*c)).bind(*t);
        }
        Cond::EventDate(c, t) => {
            sql.push("i.event_date").push(cmp(*c)).bind(*t);
        }
        Cond::LastModified(c, t) => {
            sql.push("i.last_modified").push(cmp(*c)).bind(*t);
        }
        Cond::Id(id) => {
            sql.push("i.id = ").bind(*id);
        }
        Cond::IdRange(c, id) => {
            sql.push("i.id").push(cmp(*c)).bind(*id);
        }
        Cond::Xid(xid) => {
            sql.push(cx.dialect.folded_xid())
                .push(" = ")
                .bind(xid.to_ascii_lowercase());
        }
        Cond::Associated(target) => associated(sql, target, cx.owner),
        Cond::Attribute(attribute) => has_attribute(sql, attribute, cx),
    }
}

/// Has an attribute of the type and value asked. A type few incidents carry is read from the
/// (type, incident) index, its incidents then kept when they are in the list; otherwise each
/// incident read is probed through its own attributes (a page of a common type fills after a
/// few rows).
fn has_attribute<'a>(sql: &mut Sql<'a>, a: &'a AttributeCond, cx: &Context<'_>) {
    let rare = a
        .type_name
        .as_ref()
        .is_some_and(|t| cx.ids.rare_attribute_types.contains(t));
    attribute_condition(sql, a, rare, cx.dialect, Holder::Incident);
}

/// Whose attributes a `hasAttribute` condition reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// An incident's (`attributes`, listed as `i`).
    Incident,
    /// An indicator's (`item_attributes`, listed as `d`).
    Indicator,
}

impl Holder {
    /// The attribute table, its column naming the holder, and the holder's id in the list.
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Holder::Incident => ("attributes", "incident_id", "i.id"),
            Holder::Indicator => ("item_attributes", "indicator_id", "d.id"),
        }
    }
}

/// The condition of `a` on the holder listed: from the attributes of its type (`rare`, read
/// from the `(type, holder)` index of migrations 16 and 17) or probed holder by holder.
pub fn attribute_condition<'a>(
    sql: &mut Sql<'a>,
    a: &'a AttributeCond,
    rare: bool,
    dialect: Dialect,
    holder: Holder,
) {
    let (table, column, id) = holder.names();
    if rare {
        sql.push(id)
            .push(" IN (SELECT a.")
            .push(column)
            .push(" FROM ")
            .push(table)
            .push(" a WHERE a.")
            .push(column)
            .push(" IS NOT NULL");
    } else {
        // A probe of the holder's own attributes, as a scalar subquery with LIMIT, which
        // PostgreSQL cannot turn into a join: as `EXISTS`, with few attributes, it hashed them
        // and scanned every indicator of every owner (the plan tests saw it), where probing the
        // owner's rows as they are read is meant.
        sql.push("(SELECT 1 FROM ")
            .push(table)
            .push(" a WHERE a.")
            .push(column)
            .push(" = ")
            .push(id);
    }
    if let Some(kind) = &a.type_name {
        sql.push(" AND a.type = ").bind(kind.as_str());
    }
    let value = match dialect {
        Dialect::Sqlite => "lower(a.value)",
        // lower() under the "C" collation folds ASCII letters only, as SQLite's does.
        Dialect::Postgres => "lower(a.value COLLATE \"C\")",
    };
    match &a.text {
        None => {}
        Some(AttributeText::Is(text)) => {
            sql.push(" AND ")
                .push(value)
                .push(" = ")
                .bind(text.to_ascii_lowercase());
        }
        Some(AttributeText::Contains(text)) => {
            let position = match dialect {
                Dialect::Sqlite => "instr(",
                Dialect::Postgres => "strpos(",
            };
            sql.push(" AND ")
                .push(position)
                .push(value)
                .push(", ")
                .bind(text.to_ascii_lowercase())
                .push(") > 0");
        }
    }
    sql.push(if rare { ")" } else { " LIMIT 1) IS NOT NULL" });
}

/// The rowids of an owner's names in the trigram index: `(owner_id << 40) + incident id`
/// (SQLite migration 11), so one owner's names are one rowid range FTS5 seeks to.
pub fn name_rowids(owner: i64) -> (i64, i64) {
    let first = owner.saturating_mul(1 << 40);
    (first, first.saturating_add((1 << 40) - 1))
}

/// Name contains `text`, ASCII letters regardless of case: found through the trigram index when
/// that helps (`indexed`: on SQLite, the FTS5 query of the text's selective trigrams, read in
/// the owner's rowid range; on PostgreSQL, its selective part, from the owner-first trigram
/// index), then checked exactly.
fn contains<'a>(sql: &mut Sql<'a>, text: &'a str, cx: &Context<'_>, indexed: Option<&str>) {
    match cx.dialect {
        Dialect::Sqlite => {
            if let Some(query) = indexed {
                let (first, last) = name_rowids(cx.owner);
                sql.push("i.id IN (SELECT rowid - ")
                    .bind(first)
                    .push(" FROM incident_names WHERE incident_names MATCH ")
                    .bind(query.to_owned())
                    .push(" AND rowid BETWEEN ")
                    .bind(first)
                    .push(" AND ")
                    .bind(last)
                    .push(") AND ");
            }
            // No LIKE wildcards; lower() folds ASCII letters only.
            sql.push("instr(lower(i.name), lower(")
                .bind(text)
                .push(")) > 0");
        }
        Dialect::Postgres => {
            if let Some(part) = indexed {
                // ILIKE folds at least ASCII: a superset that pg_trgm serves.
                sql.push("i.name ILIKE ")
                    .bind(like_pattern(part))
                    .push(" AND ");
            }
            // lower() under the "C" collation folds ASCII letters only, as SQLite's does.
            sql.push("strpos(lower(i.name COLLATE \"C\"), lower(")
                .bind(text)
                .push(" COLLATE \"C\")) > 0");
        }
    }
}

fn associated<'a>(sql: &mut Sql<'a>, target: &'a Target, owner: i64) {
    match target {
        Target::Incident(id) => {
            sql.push("i.id IN (SELECT other_id FROM incident_links WHERE incident_id = ")
                .bind(*id)
                .push(")");
        }
        Target::Item(kind, id) => {
            sql.push("i.id IN (SELECT x.incident_id FROM incident_items x JOIN items it ON it.id = x.item_id WHERE x.item_id = ")
                .bind(*id)
                .push(" AND it.kind = ")
                .bind(kind.url_name())
                .push(")");
        }
        Target::Indicator(value) => {
            sql.push("i.id IN (SELECT x.incident_id FROM incident_indicators x JOIN indicators d ON d.id = x.indicator_id WHERE d.owner_id = ")
                .bind(owner)
                .push(" AND d.kind = ")
                .bind(value.kind().url_name())
                .push(" AND d.value = ")
                .bind(value.as_str())
                .push(")");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn upper_bounds() {
        assert_eq!(prefix_upper_bound("Op").as_deref(), Some("Oq"));
        assert_eq!(prefix_upper_bound("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_upper_bound("\u{10FFFF}"), None);
        assert_eq!(
            prefix_upper_bound("x\u{D7FF}").as_deref(),
            Some("x\u{E000}")
        );
        assert_eq!(prefix_upper_bound("é").as_deref(), Some("ê"));
    }

    proptest! {
        // The range form selects exactly the names that start with the prefix (UTF-8 byte order,
        // as both stores compare), including multi-byte characters and U+10FFFF at the end.
        #[test]
        fn the_range_is_exactly_starts_with(
            name in "[a-cé\u{10FFFF}\u{D7FF}\u{E000}\u{FFFF}]{0,6}",
            prefix in "[a-cé\u{10FFFF}\u{D7FF}\u{E000}\u{FFFF}]{1,4}",
        ) {
            let upper = prefix_upper_bound(&prefix);
            let in_range = name.as_bytes() >= prefix.as_bytes()
                && upper.as_ref().is_none_or(|u| name.as_bytes() < u.as_bytes());
            prop_assert_eq!(in_range, name.starts_with(&prefix));
        }
    }
}
