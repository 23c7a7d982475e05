//! What hangs off every subject (an incident, a group of another type, an indicator): tags,
//! security labels, attributes and their labels. One set of handlers, mounted under each path
//! family by [`mount`]; the [`On`] extractor turns the path into a [`Subject`].

mod attributes;
mod labels;
mod tags;

use super::{Routes, group_kind, indicator_value, parse_id};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use std::collections::HashMap;
use threatdb_core::{SecurityLabel, Subject, label_key};

/// The path families that carry tags, labels and attributes.
pub const FAMILIES: [&str; 3] = [
    "/api/v2/groups/incidents/{id}",
    "/api/v2/groups/{type}/{id}",
    "/api/v2/indicators/{type}/{value}",
];

/// A request about one subject: the caller and the subject its path names.
pub struct On {
    /// Who asks, in which owner.
    pub caller: Caller,
    /// The subject.
    pub subject: Subject,
    /// The other path parameters (`name`, `label`, `aid`).
    pub path: HashMap<String, String>,
}

impl On {
    /// A path parameter the route guarantees.
    pub fn param(&self, name: &str) -> ApiResult<&str> {
        self.path
            .get(name)
            .map(String::as_str)
            .ok_or(ApiError::NotFound)
    }

    /// The attribute id of the path.
    pub fn attribute(&self) -> ApiResult<i64> {
        parse_id(self.param("aid")?)
    }
}

impl FromRequestParts<AppState> for On {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let Path(path) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        let text = |name: &str| path.get(name).map(String::as_str).ok_or(ApiError::NotFound);
        let subject = match (path.get("type"), path.get("value")) {
            // An indicator is the one in the request's owner.
            (Some(kind), Some(value)) => {
                Subject::Indicator(caller.owner.clone(), indicator_value(kind, value)?)
            }
            (Some(kind), None) => Subject::Item(group_kind(kind)?, parse_id(text("id")?)?),
            (None, _) => Subject::Incident(parse_id(text("id")?)?),
        };
        Ok(On {
            caller,
            subject,
            path,
        })
    }
}

/// The label named `name` (any spelling of it) among `labels`.
pub(super) fn find_label<'a>(
    labels: &'a [SecurityLabel],
    name: &str,
) -> ApiResult<&'a SecurityLabel> {
    let key = label_key(name);
    labels
        .iter()
        .find(|l| label_key(&l.name) == key)
        .ok_or(ApiError::NotFound)
}

/// Mounts the subject handlers under every path family.
pub(crate) fn mount(mut router: Routes) -> Routes {
    use super::doc::tags as t;
    use super::doc::{Doc, Key, Query, get, shape};
    use axum::http::StatusCode;
    use threatdb_wire::dto::{AttributeBody, AttributeDto, SecurityLabelDto, TagDto};
    let (created, ok) = (StatusCode::CREATED, StatusCode::OK);
    let tag = || shape::<TagDto>();
    let label = || shape::<SecurityLabelDto>();
    let attribute = || shape::<AttributeDto>();
    for (family, of) in FAMILIES
        .into_iter()
        .zip(["an incident", "a group", "an indicator"])
    {
        let list = |tag_name, what: &str, key, shape| {
            Doc::list(
                tag_name,
                format!("List the {what} of {of}"),
                Key::Fixed(key),
                &[shape],
            )
            .query(Query::OWNER)
        };
        let one = |tag_name, what: &str, key, shape| {
            Doc::one(
                tag_name,
                format!("Read {what} of {of}"),
                Key::Fixed(key),
                &[shape],
            )
        };
        let done =
            |tag_name, what: &str, status| Doc::done(tag_name, format!("{what} {of}"), status);
        router = router
            .route(
                &format!("{family}/tags"),
                get(tags::list, list(t::TAGS, "tags", "tag", tag())),
            )
            .route(
                &format!("{family}/tags/{{name}}"),
                get(tags::get, one(t::TAGS, "a tag", "tag", tag()))
                    .post(tags::add, done(t::TAGS, "Tag", created))
                    .delete(tags::remove, done(t::TAGS, "Remove a tag from", ok)),
            )
            .route(
                &format!("{family}/securityLabels"),
                get(
                    labels::list,
                    list(t::LABELS, "security labels", "securityLabel", label()),
                ),
            )
            .route(
                &format!("{family}/securityLabels/{{label}}"),
                get(
                    labels::get,
                    one(t::LABELS, "a security label", "securityLabel", label()),
                )
                .post(
                    labels::add,
                    done(t::LABELS, "Apply an existing security label to", created),
                )
                .delete(
                    labels::remove,
                    done(t::LABELS, "Remove a security label from", ok),
                ),
            )
            .route(
                &format!("{family}/attributes"),
                get(
                    attributes::list,
                    list(t::ATTRIBUTES, "attributes", "attribute", attribute()),
                )
                .post(
                    attributes::create,
                    Doc::created(
                        t::ATTRIBUTES,
                        format!("Add an attribute to {of} (its value checked against its type)"),
                        Key::Fixed("attribute"),
                        attribute(),
                        shape::<AttributeBody>(),
                    )
                    .requires(&["type", "value"]),
                ),
            )
            .route(
                &format!("{family}/attributes/{{aid}}"),
                get(
                    attributes::get,
                    one(t::ATTRIBUTES, "an attribute", "attribute", attribute()),
                )
                .put(
                    attributes::update,
                    Doc::one(
                        t::ATTRIBUTES,
                        format!("Change an attribute of {of}: value, displayed, source"),
                        Key::Fixed("attribute"),
                        &[attribute()],
                    )
                    .body(shape::<AttributeBody>()),
                )
                .delete(
                    attributes::delete,
                    done(t::ATTRIBUTES, "Delete an attribute of", ok),
                ),
            )
            .route(
                &format!("{family}/attributes/{{aid}}/securityLabels"),
                get(
                    attributes::labels,
                    list(
                        t::LABELS,
                        "security labels of an attribute",
                        "securityLabel",
                        label(),
                    ),
                ),
            )
            .route(
                &format!("{family}/attributes/{{aid}}/securityLabels/{{label}}"),
                get(
                    attributes::get_label,
                    one(
                        t::LABELS,
                        "a security label of an attribute",
                        "securityLabel",
                        label(),
                    ),
                )
                .post(
                    attributes::add_label,
                    done(
                        t::LABELS,
                        "Apply a security label to an attribute of",
                        created,
                    ),
                )
                .delete(
                    attributes::remove_label,
                    done(
                        t::LABELS,
                        "Remove a security label from an attribute of",
                        ok,
                    ),
                ),
            );
    }
    router
}
