//! What hangs off many subjects of one kind, loaded at once: attributes, tags and security
//! labels, one query per collection asked for (a page of 100 is at most three queries).

use crate::db::{Cells, Db, Sql};
use crate::rows;
use crate::subject::Kind;
use std::collections::HashMap;
use threatdb_core::{Attribute, Include, SecurityLabel, StoreResult, Tag};

/// The collections of a page of subjects, by subject id.
#[derive(Debug, Default)]
pub struct Metadata {
    include: Include,
    attributes: HashMap<i64, Vec<Attribute>>,
    tags: HashMap<i64, Vec<Tag>>,
    labels: HashMap<i64, Vec<SecurityLabel>>,
}

/// What [`Metadata::take`] hands out for one subject: `None` where the collection was not asked
/// for.
pub type Collections = (
    Option<Vec<Attribute>>,
    Option<Vec<Tag>>,
    Option<Vec<SecurityLabel>>,
);

/// Rows of `head (ids) tail`, grouped by the subject id in their first column.
async fn grouped<D: Db, T: Send>(
    db: &mut D,
    head: String,
    ids: &[i64],
    tail: &str,
    map: impl FnMut(&dyn Cells) -> StoreResult<(i64, T)> + Send,
) -> StoreResult<HashMap<i64, Vec<T>>> {
    let mut sql = Sql::new(head);
    sql.bind_list(ids.iter().copied()).push(tail);
    let mut out: HashMap<i64, Vec<T>> = HashMap::new();
    for (id, item) in db.fetch(sql, map).await? {
        out.entry(id).or_default().push(item);
    }
    Ok(out)
}

impl Metadata {
    /// Loads what `include` asks for, for the subjects of `kind` with these ids.
    pub async fn load<D: Db>(
        db: &mut D,
        kind: Kind,
        ids: &[i64],
        include: Include,
    ) -> StoreResult<Self> {
        let mut out = Metadata {
            include,
            ..Metadata::default()
        };
        if ids.is_empty() {
            return Ok(out);
        }
        let column = kind.column();
        if include.attributes {
            let head = format!(
                "SELECT a.{column}, {} FROM {} a WHERE a.{column} IN ",
                rows::ATTRIBUTE_COLUMNS,
                kind.attributes()
            );
            out.attributes = grouped(db, head, ids, " ORDER BY a.id", |r| {
                Ok((r.int(0)?, rows::attribute(r, 1)?))
            })
            .await?;
        }
        if include.tags {
            let head = format!(
                "SELECT x.{column}, t.name, t.id FROM {} x JOIN tags t ON t.id = x.tag_id \
                 WHERE x.{column} IN ",
                kind.tags()
            );
            out.tags = grouped(db, head, ids, " ORDER BY t.name_key", |r| {
                Ok((
                    r.int(0)?,
                    Tag {
                        name: r.text(1)?,
                        id: r.int(2)?,
                    },
                ))
            })
            .await?;
        }
        if include.labels {
            let head = format!(
                "SELECT x.{column}, {} FROM {} x JOIN security_labels l ON l.id = x.label_id \
                 WHERE x.{column} IN ",
                rows::LABEL_COLUMNS,
                kind.labels()
            );
            out.labels = grouped(db, head, ids, " ORDER BY l.name_key", |r| {
                Ok((r.int(0)?, rows::label(r, 1)?))
            })
            .await?;
        }
        Ok(out)
    }

    /// The collections of the subject `id` (each empty when it has none).
    pub fn take(&mut self, id: i64) -> Collections {
        let include = self.include;
        (
            include
                .attributes
                .then(|| self.attributes.remove(&id).unwrap_or_default()),
            include
                .tags
                .then(|| self.tags.remove(&id).unwrap_or_default()),
            include
                .labels
                .then(|| self.labels.remove(&id).unwrap_or_default()),
        )
    }
}
