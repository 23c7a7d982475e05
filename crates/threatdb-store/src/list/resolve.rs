//! What a query's conditions need from the database before rendering: tag and label ids, and
//! the counters that say how selective a label is and how many incidents a first page counts.

use super::READ_ALL_BELOW;
use super::render::{Holder, name_rowids};
use super::text::{MIN_TRIGRAM_CHARS, SAMPLE_NAMES, fts_selective, selective_part};
use crate::db::{Db, Dialect, Sql};
use crate::rows;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use threatdb_core::tag::tag_key;
use threatdb_core::{
    AttributeCond, Cond, Filter, IncidentQuery, StoreResult, TextMatch, label_key,
};

/// Tag and label names of a query resolved to ids, once, and the label counts in the owner.
pub struct Resolved {
    /// Tag name → its id in the owner (`None`: no such tag, matches nothing).
    pub tags: HashMap<String, Option<i64>>,
    /// Label name → the ids it resolves to (the owner's own and the system one).
    pub labels: HashMap<String, Vec<i64>>,
    /// Label name → how many of the owner's incidents carry it.
    pub label_counts: HashMap<String, u64>,
    /// The first row and size of the page asked for (what a walk of the owner must reach).
    pub window: u64,
    /// How many incidents the owner has.
    pub owner_count: u64,
    /// Substrings worth reading from the trigram index, with what to ask it: on SQLite, those
    /// the index finds in few names (of every owner), with the FTS5 query of their selective
    /// trigrams; on PostgreSQL, every substring with a selective part, with that part (the
    /// planner weighs the index against a walk from its own statistics).
    pub rare_texts: HashMap<String, String>,
    /// Attribute types few incidents carry (of every owner: fewer than [`READ_ALL_BELOW`]),
    /// read from their index rather than probed incident by incident.
    pub rare_attribute_types: HashSet<String>,
}

impl Resolved {
    /// Resolves the names of `q`'s conditions in its owner.
    pub async fn of<D: Db>(db: &mut D, q: &IncidentQuery, names: &NameSample) -> StoreResult<Self> {
        let owner = q.owner.id;
        let mut out = Resolved {
            tags: HashMap::new(),
            labels: HashMap::new(),
            label_counts: HashMap::new(),
            window: q.paging.start.saturating_add(q.paging.limit),
            owner_count: owner_count(db, owner).await?,
            rare_texts: HashMap::new(),
            rare_attribute_types: HashSet::new(),
        };
        let mut sample: Option<Arc<Vec<String>>> = None;
        for cond in q.filter.conditions() {
            match cond {
                Cond::Tag(name) if !out.tags.contains_key(name) => {
                    let sql = Sql::with(
                        "SELECT id FROM tags WHERE owner_id = ? AND name_key = ?",
                        vec![owner.into(), tag_key(name).into()],
                    );
                    let id = rows::int(db, sql).await?;
                    out.tags.insert(name.clone(), id);
                }
                Cond::Label(name) if !out.labels.contains_key(name) => {
                    let sql = Sql::with(
                        "SELECT id FROM security_labels WHERE (owner_id IS NULL OR owner_id = ?) AND name_key = ?",
                        vec![owner.into(), label_key(name).into()],
                    );
                    let ids = db.fetch(sql, |r| r.int(0)).await?;
                    let n = label_count(db, owner, &ids).await?;
                    out.labels.insert(name.clone(), ids);
                    out.label_counts.insert(name.clone(), n);
                }
                Cond::Attribute(AttributeCond {
                    type_name: Some(kind),
                    ..
                }) if !out.rare_attribute_types.contains(kind)
                    && rare_attribute_type(db, Holder::Incident, kind).await? =>
                {
                    out.rare_attribute_types.insert(kind.clone());
                }
                Cond::Name(TextMatch::Contains, text)
                    if text.chars().count() >= MIN_TRIGRAM_CHARS
                        && !out.rare_texts.contains_key(text) =>
                {
                    if sample.is_none() {
                        sample = Some(names.get(db).await?);
                    }
                    let sample: &[String] = sample.as_deref().map_or(&[], |s| s.as_slice());
                    if db.dialect() == Dialect::Postgres {
                        if let Some(part) = selective_part(text, sample) {
                            out.rare_texts.insert(text.clone(), part);
                        }
                        continue;
                    }
                    let Some(query) = fts_selective(text, sample) else {
                        continue;
                    };
                    // Counted in the owner's rowid range, up to the threshold only: a common
                    // substring costs no more.
                    let (first, last) = name_rowids(owner);
                    let sql = Sql::with(
                        "SELECT count(*) FROM (SELECT 1 FROM incident_names WHERE incident_names MATCH ? \
                         AND rowid BETWEEN ? AND ? LIMIT ?) AS found",
                        vec![
                            query.clone().into(),
                            first.into(),
                            last.into(),
                            rows::int_of(READ_ALL_BELOW).into(),
                        ],
                    );
                    if rows::count(db, sql).await? < READ_ALL_BELOW {
                        out.rare_texts.insert(text.clone(), query);
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Whether a condition ANDed at the top level can match nothing (an unknown tag or label).
    pub fn empty(&self, q: &IncidentQuery) -> bool {
        q.filter.conjunction().is_some_and(|conds| {
            conds.iter().any(|c| match c {
                Cond::Tag(name) => self.tags.get(name).is_some_and(Option::is_none),
                Cond::Label(name) => self.labels.get(name).is_some_and(Vec::is_empty),
                _ => false,
            })
        })
    }

    /// Rows a walk of the owner's incidents reads to fill the page when `matches` of them
    /// match (spread evenly), at most every incident of the owner.
    pub fn walk_rows(&self, matches: u64) -> u64 {
        self.window
            .saturating_mul(self.owner_count)
            .checked_div(matches)
            .map_or(self.owner_count, |rows| rows.min(self.owner_count))
    }

    /// Whether reading every incident of the owner carrying the label (one range of its index)
    /// costs less than probing the owner's incidents one by one until the page is full.
    pub fn label_is_rare(&self, name: &str) -> bool {
        self.label_counts
            .get(name)
            .is_some_and(|mine| *mine < self.walk_rows(*mine))
    }

    /// Whether the filter reads from the trigram index at the top level (SQLite): then the
    /// owner's own indexes must not be chosen to walk the owner instead.
    pub fn drives_from_names(&self, filter: &Filter) -> bool {
        filter.conjunction().is_some_and(|conds| {
            conds.iter().any(|c| {
                matches!(c, Cond::Name(TextMatch::Contains, text) if self.rare_texts.contains_key(text))
            })
        })
    }

    /// The first-page count when a counter answers it: the owner's incidents, or a label's in
    /// the owner (a tag's is answered by the tag path).
    pub fn counted(&self, q: &IncidentQuery) -> Option<u64> {
        if q.filter.is_all() {
            return Some(self.owner_count);
        }
        match q.filter.conjunction()?.as_slice() {
            [Cond::Label(name)] => self.label_counts.get(name).copied(),
            _ => None,
        }
    }
}

/// How long a sample of names serves before it is drawn again: it only tells common trigrams
/// from selective ones, and drawing it is most of a substring search's cost on PostgreSQL (256
/// random heap reads, 3.7 ms at 1 M incidents).
const SAMPLE_TTL: Duration = Duration::from_secs(60);

/// A store's sample of names (see [`sample_names`]), drawn at most once a [`SAMPLE_TTL`]. A
/// stale sample can only misjudge a trigram: that costs time, never rows.
#[derive(Debug, Default)]
pub struct NameSample {
    cached: Mutex<Option<(Instant, Arc<Vec<String>>)>>,
}

impl NameSample {
    /// The sample, drawn now when there is none or it is older than [`SAMPLE_TTL`].
    pub async fn get<D: Db>(&self, db: &mut D) -> StoreResult<Arc<Vec<String>>> {
        if let Ok(cached) = self.cached.lock()
            && let Some((at, names)) = cached.as_ref()
            && at.elapsed() < SAMPLE_TTL
        {
            return Ok(names.clone());
        }
        let names = Arc::new(sample_names(db).await?);
        if let Ok(mut cached) = self.cached.lock() {
            *cached = Some((Instant::now(), names.clone()));
        }
        Ok(names)
    }
}

/// The lower-cased names of up to [`SAMPLE_NAMES`] incidents picked at random by id, of every
/// owner: one statement of point look-ups.
async fn sample_names<D: Db>(db: &mut D) -> StoreResult<Vec<String>> {
    let text = match db.dialect() {
        Dialect::Sqlite => {
            "WITH RECURSIVE top(m) AS (SELECT max(id) FROM incidents), \
             pick(n, id) AS (SELECT 1, abs(random() % (SELECT m FROM top)) + 1 \
                             UNION ALL SELECT n + 1, abs(random() % (SELECT m FROM top)) + 1 FROM pick WHERE n < ?) \
             SELECT i.name FROM pick JOIN incidents i ON i.id = pick.id"
        }
        // The ids first (random() is volatile: in the join it would defeat the index).
        Dialect::Postgres => {
            "WITH pick AS MATERIALIZED ( \
                 SELECT (1 + floor(random() * (SELECT max(id) FROM incidents)))::bigint AS id \
                 FROM generate_series(1, ?)) \
             SELECT i.name FROM pick JOIN incidents i ON i.id = pick.id"
        }
    };
    let sql = Sql::with(text, vec![rows::int_of(SAMPLE_NAMES as u64).into()]);
    let names = db.fetch(sql, |r| r.text(0)).await?;
    Ok(names.into_iter().map(|n| n.to_lowercase()).collect())
}

/// Whether fewer than [`READ_ALL_BELOW`] attributes of `holder`s (of every owner) have the type
/// `kind`: then reading them from the `(type, holder)` index costs less than probing the
/// owner's list one by one. Counted up to that bound only, so a common type costs no more.
pub(crate) async fn rare_attribute_type<D: Db>(
    db: &mut D,
    holder: Holder,
    kind: &str,
) -> StoreResult<bool> {
    let text = match holder {
        Holder::Incident => {
            "SELECT count(*) FROM (SELECT 1 FROM attributes WHERE type = ? LIMIT ?) AS found"
        }
        Holder::Indicator => {
            "SELECT count(*) FROM (SELECT 1 FROM item_attributes \
             WHERE type = ? AND indicator_id IS NOT NULL LIMIT ?) AS found"
        }
    };
    let sql = Sql::with(
        text,
        vec![kind.to_owned().into(), rows::int_of(READ_ALL_BELOW).into()],
    );
    Ok(rows::count(db, sql).await? < READ_ALL_BELOW)
}

/// The owner's incidents, from its counter.
async fn owner_count<D: Db>(db: &mut D, owner: i64) -> StoreResult<u64> {
    let sql = Sql::with(
        "SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM owner_counts WHERE owner_id = ?",
        vec![owner.into()],
    );
    rows::count(db, sql).await
}

/// The owner's incidents carrying any of `labels`, from the counters.
async fn label_count<D: Db>(db: &mut D, owner: i64, labels: &[i64]) -> StoreResult<u64> {
    let mut sql =
        Sql::new("SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM label_counts WHERE owner_id = ");
    sql.bind(owner)
        .push(" AND label_id IN ")
        .bind_list(labels.iter().copied());
    rows::count(db, sql).await
}

/// A tag's incidents, from its counter.
pub async fn tag_count<D: Db>(db: &mut D, tag: i64) -> StoreResult<u64> {
    let sql = Sql::with(
        "SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM tag_counts WHERE tag_id = ?",
        vec![tag.into()],
    );
    rows::count(db, sql).await
}
