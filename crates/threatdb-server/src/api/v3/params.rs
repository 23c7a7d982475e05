//! The query parameters of a v3 request (tc-v3-wire.md §4, §6), parsed with form semantics.
//! Unknown parameters are ignored (tcex sends `result_limit=50&resultLimit=50`).

use crate::error::{ApiError, ApiResult};
use threatdb_core::{IncidentOrder, Paging, SortKey};
use threatdb_wire::v3::{Fields, Object};

/// What a v3 request asked for.
#[derive(Debug, Default)]
pub struct V3Params {
    /// `owner=`.
    pub owner: Option<String>,
    /// `tql=` (blank: no filter).
    pub tql: Option<String>,
    /// `fields=` (repeatable, comma lists).
    pub fields: Vec<String>,
    /// `resultStart=`.
    pub start: Option<String>,
    /// `resultLimit=`.
    pub limit: Option<String>,
    /// `count=true`.
    pub count: bool,
    /// `sorting=`.
    pub sorting: Option<String>,
    /// `afterId=` (a threatdb extension that `next` links carry): the page starts after this
    /// id, in id order, so rows deleted from earlier pages shift nothing.
    pub after_id: Option<String>,
    /// `explain=true`: the plan of the list instead of its rows.
    pub explain: bool,
}

impl V3Params {
    /// Parses a raw query string.
    pub fn parse(query: &str) -> Self {
        let mut p = V3Params::default();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "owner" => p.owner = Some(value.into_owned()),
                "tql" => p.tql = Some(value.into_owned()).filter(|t| !t.trim().is_empty()),
                "fields" => p.fields.push(value.into_owned()),
                "resultStart" => p.start = Some(value.into_owned()),
                "resultLimit" => p.limit = Some(value.into_owned()),
                "count" => p.count = value.trim().eq_ignore_ascii_case("true"),
                "sorting" => p.sorting = Some(value.into_owned()),
                "afterId" => p.after_id = Some(value.into_owned()),
                "explain" => p.explain = value.trim().eq_ignore_ascii_case("true"),
                _ => {}
            }
        }
        p
    }

    /// The `fields=` names, checked for `object`.
    pub fn fields(&self, object: Object) -> ApiResult<Fields> {
        Fields::parse(self.fields.iter().map(String::as_str), object).map_err(ApiError::BadRequest)
    }

    /// `resultStart` (≥ 0, default 0) and `resultLimit` (1..=10000, default 100), as v2.
    pub fn paging(&self) -> ApiResult<Paging> {
        crate::params::paging(&self.start, &self.limit)
    }

    /// `afterId=`, checked.
    pub fn after(&self) -> ApiResult<Option<i64>> {
        self.after_id
            .as_deref()
            .map(|v| {
                v.trim().parse::<i64>().map_err(|_| {
                    ApiError::BadRequest(format!("afterId must be a group id, not '{v}'"))
                })
            })
            .transpose()
    }

    /// `sorting=<keyword> [asc|desc]`: one of `id`, `dateAdded`, `eventDate`, `name`
    /// (`summary`); default `id` ascending.
    pub fn order(&self) -> ApiResult<IncidentOrder> {
        let Some(raw) = self.sorting.as_deref().filter(|s| !s.trim().is_empty()) else {
            return Ok(IncidentOrder::default());
        };
        let mut words = raw.split_whitespace();
        let keyword = words.next().unwrap_or_default();
        let key = match keyword.to_ascii_lowercase().as_str() {
            "id" => SortKey::Id,
            "dateadded" => SortKey::DateAdded,
            "eventdate" => SortKey::EventDate,
            "name" | "summary" => SortKey::Name,
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "sorting by '{keyword}' is not supported: use id, dateAdded, eventDate or name, \
                     each with asc or desc"
                )));
            }
        };
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "sorting direction '{other}' is not valid: use asc or desc"
                )));
            }
        };
        if let Some(more) =
            words.find(|w| !matches!(w.to_ascii_lowercase().as_str(), "nullsfirst" | "nullslast"))
        {
            return Err(ApiError::BadRequest(format!(
                "sorting by more than one keyword is not supported (found '{more}')"
            )));
        }
        Ok(IncidentOrder { key, descending })
    }

    /// Refuses a `sorting=` other than `id` or `id asc`, for lists (of `what`) kept in id order
    /// only.
    pub fn id_order_only(&self, what: &str) -> ApiResult<()> {
        let Some(raw) = self.sorting.as_deref().filter(|s| !s.trim().is_empty()) else {
            return Ok(());
        };
        let words: Vec<String> = raw
            .split_whitespace()
            .map(str::to_ascii_lowercase)
            .collect();
        match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["id"] | ["id", "asc"] => Ok(()),
            _ => Err(ApiError::BadRequest(format!(
                "sorting {what} by '{raw}' is not supported: they are listed by id ascending"
            ))),
        }
    }

    /// The query of the next page: every parameter that defines the result, `resultStart`
    /// moved on (tc-v3-wire.md §6).
    pub fn next_query(&self, start: u64, limit: u64, after: Option<i64>) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(t) = &self.tql {
            q.append_pair("tql", t);
        }
        for f in &self.fields {
            q.append_pair("fields", f);
        }
        if let Some(s) = &self.sorting {
            q.append_pair("sorting", s);
        }
        if let Some(o) = &self.owner {
            q.append_pair("owner", o);
        }
        if self.count {
            q.append_pair("count", "true");
        }
        if let Some(id) = after {
            q.append_pair("afterId", &id.to_string());
        }
        q.append_pair("resultLimit", &limit.to_string());
        q.append_pair("resultStart", &start.to_string());
        q.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_tcex_sends() {
        let p = V3Params::parse(
            "tql=summary+CONTAINS+%22x%22&fields=tags&fields=attributes,securityLabels&result_limit=50&resultLimit=50&count=True",
        );
        assert_eq!(p.tql.as_deref(), Some("summary CONTAINS \"x\""));
        assert!(p.count);
        assert_eq!(p.paging().map(|p| p.limit).ok(), Some(50));
        assert_eq!(
            p.fields(Object::Group).map(|f| f.names().len()).ok(),
            Some(3)
        );
        assert!(
            p.next_query(50, 50, None)
                .ends_with("count=true&resultLimit=50&resultStart=50")
        );
    }

    #[test]
    fn refuses_bad_sorting_and_paging() {
        assert!(V3Params::parse("sorting=owner+asc").order().is_err());
        assert!(V3Params::parse("sorting=name+sideways").order().is_err());
        assert_eq!(
            V3Params::parse("sorting=dateAdded+DESC").order().ok(),
            Some(IncidentOrder {
                key: SortKey::DateAdded,
                descending: true
            })
        );
        assert!(V3Params::parse("resultLimit=0").paging().is_err());
        assert!(V3Params::parse("resultLimit=10001").paging().is_err());
        assert!(V3Params::parse("resultStart=-1").paging().is_err());
        assert!(
            V3Params::parse("fields=nope")
                .fields(Object::Group)
                .is_err()
        );
    }
}
