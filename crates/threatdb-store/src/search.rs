//! Search (see [`threatdb_core::search`]), written once for both stores. Every part reads an
//! index and at most a bounded number of rows, whatever the query:
//!
//! - names containing the query (at least [`MIN_TRIGRAM_CHARS`] characters): incidents' and
//!   other groups' from their trigram indexes (SQLite: `incident_names` / `item_names` in the
//!   owner's rowid range, their selective trigrams; PostgreSQL: the owner-first pg_trgm
//!   indexes, or, for a text whose every trigram is common, the owner's last changed names),
//!   at most [`CANDIDATES`] candidates checked exactly;
//! - an indicator-looking query: its normalised value, by `(owner_id, kind, value)`;
//! - tags: equal to or containing the query, from the owner's `(owner_id, name_key)` range;
//! - attribute values holding every word of the query (the last as a prefix, from three
//!   characters): [`CANDIDATES`]
//!   matching attributes of every owner from the word indexes (SQLite: the newest, from
//!   `attribute_words` / `item_attribute_words`; PostgreSQL: the first the GIN index over
//!   `to_tsvector('simple', value)` yields), then kept when their holder's owner is one the
//!   actor reads. A word common in owners the actor does not read can fill the candidates:
//!   then fewer of the actor's own matches are shown, never another owner's.

use crate::db::{Db, Dialect, Sql};
use crate::list::{
    MIN_TRIGRAM_CHARS, NameSample, fts_phrase, fts_selective, like_pattern, name_rowids,
    selective_part,
};
use crate::{guard, rows};
use threatdb_core::policy::Access;
use threatdb_core::search::{
    Found, Hit, Matched, PER_PART, SearchResults, clean, indicator_looking, rank, words,
};
use threatdb_core::tag::tag_key;
use threatdb_core::{Actor, IndicatorKind, ItemKind, PlanStep, StoreResult};

// The trigram indexes serve names from their shortest searched length.
const _: () = assert!(threatdb_core::search::MIN_NAME_CHARS >= MIN_TRIGRAM_CHARS);

/// Index entries read per name or word search before the exact check and the owner filter.
const CANDIDATES: i64 = 500;

/// A name table: incidents or items.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Names {
    Incidents,
    Items,
}

impl Names {
    fn table(self) -> &'static str {
        match self {
            Names::Incidents => "incidents",
            Names::Items => "items",
        }
    }

    /// The SQLite trigram index of the table's names.
    fn fts(self) -> &'static str {
        match self {
            Names::Incidents => "incident_names",
            Names::Items => "item_names",
        }
    }
}

/// What one statement reads, to turn its rows into hits.
#[derive(Clone, Copy)]
enum Part {
    /// `id, owner id, kind, name` (kind NULL for incidents) of names containing the query.
    Names(Names),
    /// `id, owner id, kind, value` of indicators equal to the query's normalised value.
    Indicator,
    /// `id, owner id, name` of tags equal to or containing the query.
    Tags,
    /// `holder id, holder kind, holder name, owner id, attribute type, attribute value`.
    Attributes(Holder),
}

/// Whose attributes a word search reads.
#[derive(Clone, Copy)]
enum Holder {
    Incidents,
    Items,
    Indicators,
}

/// A statement of a search and what it reads (every row names its owner).
struct Step {
    sql: Sql<'static>,
    part: Part,
}

/// The shortest last word searched as a prefix: a shorter prefix ("a", "th") matches so many
/// words that merging their postings would cost more than the rest of the search.
const MIN_PREFIX_CHARS: usize = 3;

fn prefixed(words: &[String]) -> bool {
    words
        .last()
        .is_some_and(|w| w.chars().count() >= MIN_PREFIX_CHARS)
}

/// The FTS5 query of `words`: each quoted, the last a prefix (see [`MIN_PREFIX_CHARS`]), all
/// required.
fn fts_words(words: &[String]) -> String {
    let mut terms: Vec<String> = words.iter().map(|w| fts_phrase(w)).collect();
    if let Some(last) = terms.last_mut().filter(|_| prefixed(words)) {
        last.push('*');
    }
    terms.join(" AND ")
}

/// The PostgreSQL `to_tsquery` of `words`: the last a prefix (see [`MIN_PREFIX_CHARS`]), all
/// required. The words are letters and digits only (see [`words`]): nothing in them is tsquery
/// syntax.
fn ts_words(words: &[String]) -> String {
    let mut terms: Vec<String> = words.to_vec();
    if let Some(last) = terms.last_mut().filter(|_| prefixed(words)) {
        last.push_str(":*");
    }
    terms.join(" & ")
}

/// Names of `table` in `owner` containing `text` (ASCII letters regardless of case).
fn names(
    dialect: Dialect,
    table: Names,
    owner: i64,
    text: &str,
    sample: &[String],
) -> Sql<'static> {
    let kind = match table {
        Names::Incidents => "NULL",
        Names::Items => "n.kind",
    };
    match dialect {
        Dialect::Sqlite => {
            let mut sql = Sql::new(format!(
                "SELECT n.id, n.owner_id, {kind}, n.name FROM {} n WHERE ",
                table.table()
            ));
            // The selective trigrams, or (when every trigram is common) all of them, at most
            // three: the newest candidates in the owner's rowid range, checked exactly.
            let query = fts_selective(text, sample).unwrap_or_else(|| {
                let chars: Vec<char> = text.chars().collect();
                let mut terms: Vec<String> = Vec::new();
                for w in chars.windows(3) {
                    let t = fts_phrase(&w.iter().collect::<String>());
                    if !terms.contains(&t) && terms.len() < 3 {
                        terms.push(t);
                    }
                }
                terms.join(" AND ")
            });
            let (first, last) = name_rowids(owner);
            sql.push("n.id IN (SELECT rowid - ")
                .bind(first)
                .push(&format!(
                    " FROM {fts} WHERE {fts} MATCH ",
                    fts = table.fts()
                ))
                .bind(query)
                .push(" AND rowid BETWEEN ")
                .bind(first)
                .push(" AND ")
                .bind(last)
                .push(" ORDER BY rowid DESC LIMIT ")
                .bind(CANDIDATES)
                // The rowid range is the owner's: each candidate is found by its id alone
                // (an owner condition here would walk the owner's rows instead).
                .push(") AND instr(lower(n.name), lower(")
                .bind(text.to_owned())
                .push(")) > 0 ORDER BY n.id DESC LIMIT ")
                .bind(rows::int_of(PER_PART as u64));
            sql
        }
        Dialect::Postgres => {
            // The candidates, then the exact check, with no join back to the table (a join
            // made the planner merge the candidates with the whole primary key). The
            // owner-first trigram index finds them from the text's selective part (a bitmap
            // scan). When every trigram is common (the text is in most names), the index
            // would read the owner's whole posting lists (620 ms a search in 40 owners at
            // 300,000 incidents): the owner's last changed names are the candidates instead,
            // from `(owner_id, last_modified, id)`, where a common text is found at once.
            let columns = match table {
                Names::Incidents => "c.id, c.owner_id, NULL AS kind, c.name",
                Names::Items => "c.id, c.owner_id, c.kind, c.name",
            };
            let mut sql = Sql::new(format!(
                "SELECT n.id, n.owner_id, n.kind, n.name FROM (SELECT {columns} FROM {} c WHERE c.owner_id = ",
                table.table()
            ));
            sql.bind(owner);
            match selective_part(text, sample) {
                Some(part) => {
                    sql.push(" AND c.name ILIKE ").bind(like_pattern(&part));
                }
                None => {
                    sql.push(" ORDER BY c.last_modified DESC");
                }
            }
            sql.push(" LIMIT ")
                .bind(CANDIDATES)
                .push(") n WHERE strpos(lower(n.name COLLATE \"C\"), lower(")
                .bind(text.to_owned())
                .push(" COLLATE \"C\")) > 0 ORDER BY n.id DESC LIMIT ")
                .bind(rows::int_of(PER_PART as u64));
            sql
        }
    }
}

/// The indicators of `owners` whose value is `value` (of `kind`): one look-up per owner in the
/// `(owner_id, kind, value)` index, in one statement.
fn indicator(owners: &[i64], kind: IndicatorKind, value: &str) -> Sql<'static> {
    let mut sql = Sql::new("SELECT id, owner_id, kind, value FROM indicators WHERE owner_id IN ");
    sql.bind_list(owners.iter().copied())
        .push(" AND kind = ")
        .bind(kind.url_name())
        .push(" AND value = ")
        .bind(value.to_owned());
    sql
}

/// The tags of `owner` whose name contains `text` (case folded), the shortest first: the
/// owner's `(owner_id, name_key)` range (a catalogue). One statement per owner: over many
/// owners at once (`owner_id IN`), SQLite reads the whole table instead, 3.5 ms slower a search
/// for a person in 40 of 50 owners at 1 M incidents.
fn tags(dialect: Dialect, owner: i64, text: &str) -> Sql<'static> {
    let find = match dialect {
        Dialect::Sqlite => "instr(name_key, ",
        Dialect::Postgres => "strpos(name_key, ",
    };
    let mut sql = Sql::new("SELECT id, owner_id, name FROM tags WHERE owner_id = ");
    sql.bind(owner)
        .push(&format!(" AND {find}"))
        .bind(tag_key(text))
        .push(") > 0 ORDER BY length(name_key), id LIMIT ")
        .bind(rows::int_of(PER_PART as u64));
    sql
}

/// Characters of an attribute value read for showing (a value can be long; the match is shown
/// from what is read).
const VALUE_CHARS: i64 = 2_000;

/// Of the attributes of every owner holding `words` (see the module's doc), those of
/// `holder`s in `owners`, newest first.
fn attributes(dialect: Dialect, holder: Holder, owners: &[i64], words: &[String]) -> Sql<'static> {
    let (table, fts, columns, join) = match holder {
        Holder::Incidents => (
            "attributes",
            "attribute_words",
            "h.id, NULL, h.name",
            "JOIN incidents h ON h.id = a.incident_id",
        ),
        Holder::Items => (
            "item_attributes",
            "item_attribute_words",
            "h.id, h.kind, h.name",
            "JOIN items h ON h.id = a.item_id",
        ),
        Holder::Indicators => (
            "item_attributes",
            "item_attribute_words",
            "h.id, h.kind, h.value",
            "JOIN indicators h ON h.id = a.indicator_id",
        ),
    };
    let select =
        format!("SELECT {columns}, h.owner_id, a.type, substr(a.value, 1, {VALUE_CHARS}) FROM");
    let mut sql = match dialect {
        Dialect::Sqlite => {
            let mut sql = Sql::new(format!(
                "{select} {table} a {join} WHERE a.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH "
            ));
            sql.bind(fts_words(words))
                .push(" ORDER BY rowid DESC LIMIT ")
                .bind(CANDIDATES)
                .push(")");
            sql
        }
        Dialect::Postgres => {
            // Materialised, and each candidate looked up by its id (OFFSET 0 keeps the lateral
            // look-up from being flattened): ordered by id, the planner would rather walk the
            // primary key, computing every value's words, or merge the candidates with it.
            let mut sql = Sql::new(format!(
                "WITH found AS MATERIALIZED (SELECT w.id FROM {table} w \
                 WHERE to_tsvector('simple', w.value) @@ to_tsquery('simple', "
            ));
            sql.bind(ts_words(words))
                .push(") LIMIT ")
                .bind(CANDIDATES)
                .push(&format!(
                    ") {select} found f CROSS JOIN LATERAL \
                     (SELECT * FROM {table} x WHERE x.id = f.id OFFSET 0) a {join} WHERE 1 = 1"
                ));
            sql
        }
    };
    sql.push(" AND h.owner_id IN ")
        .bind_list(owners.iter().copied())
        .push(" ORDER BY a.id DESC LIMIT ")
        .bind(rows::int_of(PER_PART as u64));
    sql
}

/// The statements of a search of `query` (cleaned) in `owners`.
fn steps(
    dialect: Dialect,
    owners: &[i64],
    query: &str,
    looks: Option<&(IndicatorKind, String)>,
    sample: &[String],
) -> Vec<Step> {
    let mut out = Vec::new();
    let long_enough = query.chars().count() >= threatdb_core::search::MIN_NAME_CHARS;
    for &owner in owners {
        if long_enough {
            for table in [Names::Incidents, Names::Items] {
                out.push(Step {
                    sql: names(dialect, table, owner, query, sample),
                    part: Part::Names(table),
                });
            }
        }
    }
    if owners.is_empty() {
        return out;
    }
    if let Some((kind, value)) = looks {
        out.push(Step {
            sql: indicator(owners, *kind, value),
            part: Part::Indicator,
        });
    }
    for &owner in owners {
        out.push(Step {
            sql: tags(dialect, owner, query),
            part: Part::Tags,
        });
    }
    let words = words(query);
    if !words.is_empty() {
        for holder in [Holder::Incidents, Holder::Items, Holder::Indicators] {
            out.push(Step {
                sql: attributes(dialect, holder, owners, &words),
                part: Part::Attributes(holder),
            });
        }
    }
    out
}

/// How a found name compares with the query, case folded: exact, prefix or within.
fn matched(found: &str, query: &str) -> Matched {
    let (f, q) = (found.to_lowercase(), query.to_lowercase());
    if f == q {
        Matched::Exactly
    } else if f.starts_with(&q) {
        Matched::Prefix
    } else {
        Matched::Name
    }
}

fn item_kind(kind: Option<String>) -> StoreResult<ItemKind> {
    kind.as_deref()
        .and_then(ItemKind::from_url)
        .ok_or_else(|| threatdb_core::StoreError::backend_msg("an item of an unknown kind"))
}

fn indicator_kind(kind: &str) -> StoreResult<IndicatorKind> {
    IndicatorKind::from_url(kind)
        .ok_or_else(|| threatdb_core::StoreError::backend_msg("an indicator of an unknown kind"))
}

/// Searches `raw` in every owner `actor` reads.
pub async fn run<D: Db>(
    db: &mut D,
    actor: &Actor,
    raw: &str,
    names: &NameSample,
) -> StoreResult<SearchResults> {
    let query = clean(raw);
    let mut results = SearchResults {
        indicator: indicator_looking(&query),
        query,
        hits: Vec::new(),
    };
    if results.query.is_empty() {
        return Ok(results);
    }
    // The owners the actor reads, by id, with their names.
    let readable: Vec<(i64, String)> = actor
        .memberships
        .iter()
        .filter(|m| guard::owner(actor, &m.owner, Access::Read).is_ok())
        .map(|m| (m.owner.id, m.owner.name.clone()))
        .collect();
    let owner_name = |id: i64| {
        readable
            .iter()
            .find(|(o, _)| *o == id)
            .map(|(_, n)| n.clone())
    };
    let ids: Vec<i64> = readable.iter().map(|(id, _)| *id).collect();
    let sample = if results.query.chars().count() >= threatdb_core::search::MIN_NAME_CHARS {
        names.get(db).await?
    } else {
        Default::default()
    };
    let q = results.query.clone();
    let mut hits = Vec::new();
    let looks = results.indicator.clone();
    for step in steps(db.dialect(), &ids, &q, looks.as_ref(), &sample) {
        match step.part {
            Part::Names(table) => {
                let found = db
                    .fetch(step.sql, |r| {
                        Ok((r.int(0)?, r.int(1)?, r.opt_text(2)?, r.text(3)?))
                    })
                    .await?;
                for (id, owner, kind, name) in found {
                    let found = match table {
                        Names::Incidents => Found::Incident,
                        Names::Items => Found::Item(item_kind(kind)?),
                    };
                    hits.push(Hit {
                        found,
                        id,
                        owner: owner_name(owner).unwrap_or_default(),
                        matched: matched(&name, &q),
                        text: name.clone(),
                        title: name,
                    });
                }
            }
            Part::Indicator => {
                let found = db
                    .fetch(step.sql, |r| {
                        Ok((r.int(0)?, r.int(1)?, r.text(2)?, r.text(3)?))
                    })
                    .await?;
                for (id, owner, kind, value) in found {
                    hits.push(Hit {
                        found: Found::Indicator(indicator_kind(&kind)?),
                        id,
                        owner: owner_name(owner).unwrap_or_default(),
                        matched: Matched::Exactly,
                        text: value.clone(),
                        title: value,
                    });
                }
            }
            Part::Tags => {
                let found = db
                    .fetch(step.sql, |r| Ok((r.int(0)?, r.int(1)?, r.text(2)?)))
                    .await?;
                for (id, owner, name) in found {
                    hits.push(Hit {
                        found: Found::Tag,
                        id,
                        owner: owner_name(owner).unwrap_or_default(),
                        matched: matched(&name, &q),
                        text: name.clone(),
                        title: name,
                    });
                }
            }
            Part::Attributes(holder) => {
                let found = db
                    .fetch(step.sql, |r| {
                        Ok((
                            r.int(0)?,
                            r.opt_text(1)?,
                            r.text(2)?,
                            r.int(3)?,
                            r.text(4)?,
                            r.text(5)?,
                        ))
                    })
                    .await?;
                for (id, kind, title, owner, type_name, value) in found {
                    let Some(owner) = owner_name(owner) else {
                        continue;
                    };
                    let found = match holder {
                        Holder::Incidents => Found::Incident,
                        Holder::Items => Found::Item(item_kind(kind)?),
                        Holder::Indicators => {
                            Found::Indicator(indicator_kind(kind.as_deref().unwrap_or(""))?)
                        }
                    };
                    hits.push(Hit {
                        found,
                        id,
                        owner,
                        title,
                        matched: Matched::Attribute(type_name),
                        text: value,
                    });
                }
            }
        }
    }
    results.hits = rank(hits);
    Ok(results)
}

/// The plans of a search of `raw` in `owner`.
pub async fn explain<D: Db>(
    db: &mut D,
    owner: i64,
    raw: &str,
    names: &NameSample,
) -> StoreResult<Vec<PlanStep>> {
    let query = clean(raw);
    let sample = names.get(db).await?;
    let mut out = Vec::new();
    let looks = indicator_looking(&query);
    for step in steps(db.dialect(), &[owner], &query, looks.as_ref(), &sample) {
        let statement = step.sql.text.to_string();
        let plan = db.explain(step.sql).await?;
        out.push(PlanStep { statement, plan });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_queries_quote_every_word_and_prefix_the_last() {
        let w = vec!["spear".to_string(), "phish".to_string()];
        assert_eq!(fts_words(&w), r#""spear" AND "phish"*"#);
        assert_eq!(ts_words(&w), "spear & phish:*");
        let short = vec!["cve".to_string(), "21".to_string()];
        assert_eq!(fts_words(&short), r#""cve" AND "21""#);
        assert_eq!(ts_words(&short), "cve & 21");
    }
}
