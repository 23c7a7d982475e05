//! Query parameters, parsed with form semantics (`+` is a space) from the raw query string.
//! Unknown parameters (`createActivityLog`, ...) are ignored.

use crate::error::{ApiError, ApiResult};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use threatdb_core::{
    Actor, Cmp, Cond, IncidentQuery, Include, Owner, Paging, TextMatch, parse_timestamp,
};
use threatdb_wire::filters::{self, Field, Op};

/// The query parameters every v2 route understands.
#[derive(Debug, Default, Clone)]
pub struct Params {
    /// `owner=`: the owner's name.
    pub owner: Option<String>,
    /// `resultStart=`.
    pub start: Option<String>,
    /// `resultLimit=`.
    pub limit: Option<String>,
    /// `filters=` (possibly several).
    pub filters: Vec<String>,
    /// `includeAdditional`, `includeTags`, `includeAttributes`, `includeLabels`, `includes=`.
    pub include: Include,
}

fn truthy(v: &str) -> bool {
    v.trim().eq_ignore_ascii_case("true") || v.trim() == "1"
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Params::parse(parts.uri.query().unwrap_or("")))
    }
}

impl Params {
    /// Parses a raw query string.
    pub fn parse(query: &str) -> Self {
        let mut p = Params::default();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "owner" => p.owner = Some(value.into_owned()),
                "resultStart" => p.start = Some(value.into_owned()),
                "resultLimit" => p.limit = Some(value.into_owned()),
                "filters" => p.filters.push(value.into_owned()),
                "includeAdditional" => p.include.additional |= truthy(&value),
                "includeTags" => p.include.tags |= truthy(&value),
                "includeAttributes" => p.include.attributes |= truthy(&value),
                "includeLabels" | "includeSecurityLabels" => p.include.labels |= truthy(&value),
                "includes" => {
                    for item in value.split(',') {
                        match item.trim() {
                            "additional" => p.include.additional = true,
                            "attributes" => p.include.attributes = true,
                            "tags" => p.include.tags = true,
                            "labels" | "securityLabels" => p.include.labels = true,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        p
    }

    /// The owner the request works in: `owner=` among the actor's owners, else its organization.
    /// An owner the actor cannot use is a 403 `Access Denied` (DECISIONS.md #17).
    pub fn owner<'a>(&self, actor: &'a Actor) -> ApiResult<&'a Owner> {
        actor
            .resolve_owner(self.owner.as_deref())
            .ok_or_else(|| ApiError::Forbidden("Access Denied".into()))
    }

    /// `resultStart` and `resultLimit`, checked (DECISIONS.md #14).
    pub fn paging(&self) -> ApiResult<Paging> {
        paging(&self.start, &self.limit)
    }

    /// An incident query over `owner` with this request's filters, includes and paging.
    pub fn incident_query(&self, owner: &Owner) -> ApiResult<IncidentQuery> {
        let mut q = IncidentQuery::owner(owner.clone());
        q.paging = self.paging()?;
        q.include = self.include;
        for raw in &self.filters {
            for clause in filters::parse(raw).map_err(ApiError::BadRequest)? {
                let date = || parse_timestamp(&clause.value).map_err(ApiError::from);
                let cmp = if clause.op == Op::Lt {
                    Cmp::Lt
                } else {
                    Cmp::Gt
                };
                q.and(match (clause.field, clause.op) {
                    (Field::Name, Op::Eq) => Cond::Name(TextMatch::Equals, clause.value),
                    (Field::Name, _) => Cond::Name(TextMatch::StartsWith, clause.value),
                    (Field::DateAdded, _) => Cond::DateAdded(cmp, date()?),
                    (Field::EventDate, _) => Cond::EventDate(cmp, date()?),
                });
            }
        }
        Ok(q)
    }
}

/// `resultStart` (default 0) and `resultLimit` (default 100, 1..=10,000) as sent, checked: the
/// same rules for v2 and v3 (DECISIONS.md #14).
pub fn paging(start: &Option<String>, limit: &Option<String>) -> ApiResult<Paging> {
    let number = |name: &str, value: &Option<String>, default: u64| -> ApiResult<u64> {
        match value {
            None => Ok(default),
            Some(v) => v.trim().parse::<u64>().map_err(|_| {
                ApiError::BadRequest(format!(
                    "{name} must be a whole number of at least 0, not '{v}'"
                ))
            }),
        }
    };
    let start = number("resultStart", start, 0)?;
    let limit = number("resultLimit", limit, Paging::DEFAULT_LIMIT)?;
    Ok(Paging::new(start, limit)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_form_encoding_and_includes() {
        let p = Params::parse(
            "createActivityLog=false&owner=Example+Community&resultLimit=200&resultStart=0&includes=tags&includes=labels&includeAdditional=true&filters=name%5EAPT",
        );
        assert_eq!(p.owner.as_deref(), Some("Example Community"));
        assert_eq!(
            p.paging().expect("paging"),
            Paging {
                start: 0,
                limit: 200
            }
        );
        assert!(
            p.include.tags && p.include.labels && p.include.additional && !p.include.attributes
        );
        assert_eq!(p.filters, vec!["name^APT".to_string()]);
    }

    #[test]
    fn rejects_absurd_paging() {
        for q in [
            "resultLimit=0",
            "resultLimit=10001",
            "resultLimit=-1",
            "resultStart=-5",
            "resultLimit=abc",
        ] {
            assert!(Params::parse(q).paging().is_err(), "{q}");
        }
    }
}
