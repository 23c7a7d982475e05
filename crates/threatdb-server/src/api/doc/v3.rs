//! The documentation of the v3 routes (tc-v3-wire.md): their envelopes, assembled the way
//! `crate::api::v3` answers (`{"data": ..., "status": "Success"}`, lists with `count`, `next`
//! and `prev`, failures `{"status": "Error", "message": ...}`), and their query parameters.

use super::{Doc, Query, Reply, Schemas, Shape, shape, string_enum};
use axum::http::StatusCode;
use threatdb_wire::v3::Message;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::Parameter;
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type,
};

/// What a v3 success looks like.
#[derive(Clone, Copy)]
pub(crate) enum V3Reply {
    /// A page: `{"data": [...], "count"?, "next"?, "prev"?, "status"}`, or with `explain=true`
    /// the plan of the query (`data` an object).
    List(Shape),
    /// One object: `{"data": {...}, "message"?, "status"}` with this status.
    One(StatusCode, Shape),
    /// `{"message": "Deleted", "status": "Success"}`.
    Deleted,
    /// A bulk delete or update by TQL: how many rows changed, or with `dryRun=true` how many
    /// would and the first of them.
    Bulk(Shape),
    /// An `OPTIONS` answer: `data` is a list of these.
    Introspection(Shape),
    /// An `OPTIONS` answer describing a body's fields (an object of field name → description).
    FieldMap,
}

/// The query parameters of a v3 operation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum V3Query {
    /// A list: `tql`, `fields`, paging, `count`, `sorting`, `afterId`, `explain`, `owner`.
    List,
    /// A catalogue of the owner (tags, labels): `tql`, paging, `count`, `owner`.
    OwnerCatalogue,
    /// A catalogue the same for every owner (attribute types, the caller's owners): paging,
    /// `count`.
    Catalogue,
    /// One object of an owner's catalogue: `owner`.
    OwnerOne,
    /// One object: `fields`, `owner` (to name an object by its external id or value).
    One,
    /// A bulk change: `tql`, `dryRun`, `afterId`, `owner`.
    Bulk,
    /// An object's history: `owner` (to name the object by its external id or value), paging,
    /// `count`, `since`, `until`, `field`, `user`.
    History,
    /// Nothing.
    None,
}

impl Doc {
    fn v3(tag: &'static str, summary: &'static str, reply: V3Reply, query: V3Query) -> Doc {
        let mut doc = Doc::new(tag, summary, Reply::V3(reply)).query(Query::NONE);
        doc.v3 = Some(query);
        doc
    }

    /// A v3 list of `item`.
    pub(crate) fn v3_list(tag: &'static str, summary: &'static str, item: Shape) -> Doc {
        Doc::v3(tag, summary, V3Reply::List(item), V3Query::List)
    }

    /// A v3 list of the owner's `item`s (`owner` true) or of a catalogue the same for every
    /// owner.
    pub(crate) fn v3_catalogue(
        tag: &'static str,
        summary: &'static str,
        item: Shape,
        owner: bool,
    ) -> Doc {
        let query = if owner {
            V3Query::OwnerCatalogue
        } else {
            V3Query::Catalogue
        };
        Doc::v3(tag, summary, V3Reply::List(item), query)
    }

    /// One entry of a v3 catalogue, of the owner (`owner` true) or the same for every owner.
    pub(crate) fn v3_entry(
        tag: &'static str,
        summary: &'static str,
        item: Shape,
        owner: bool,
    ) -> Doc {
        let query = if owner {
            V3Query::OwnerOne
        } else {
            V3Query::None
        };
        Doc::v3(tag, summary, V3Reply::One(StatusCode::OK, item), query)
    }

    /// The history of one object: a list of changes.
    pub(crate) fn v3_history(tag: &'static str, summary: &'static str, item: Shape) -> Doc {
        Doc::v3(tag, summary, V3Reply::List(item), V3Query::History)
    }

    /// An action on one object taking `body`, answered with a list of `item` (200).
    pub(crate) fn v3_action(
        tag: &'static str,
        summary: &'static str,
        item: Shape,
        body: Shape,
    ) -> Doc {
        Doc::v3(tag, summary, V3Reply::List(item), V3Query::OwnerOne).body(body)
    }

    /// One v3 object (200).
    pub(crate) fn v3_one(tag: &'static str, summary: &'static str, item: Shape) -> Doc {
        Doc::v3(
            tag,
            summary,
            V3Reply::One(StatusCode::OK, item),
            V3Query::One,
        )
    }

    /// A v3 create (201) or update (200) from `body`, answered with the object.
    pub(crate) fn v3_write(
        tag: &'static str,
        summary: &'static str,
        status: StatusCode,
        item: Shape,
        body: Shape,
    ) -> Doc {
        Doc::v3(tag, summary, V3Reply::One(status, item), V3Query::One).body(body)
    }

    /// A v3 delete.
    pub(crate) fn v3_deleted(tag: &'static str, summary: &'static str) -> Doc {
        Doc::v3(tag, summary, V3Reply::Deleted, V3Query::None)
    }

    /// A v3 bulk delete or update by TQL (`body`: the change, for an update).
    pub(crate) fn v3_bulk(
        tag: &'static str,
        summary: &'static str,
        sample: Shape,
        body: Option<Shape>,
    ) -> Doc {
        let doc = Doc::v3(tag, summary, V3Reply::Bulk(sample), V3Query::Bulk);
        match body {
            Some(body) => doc.body(body),
            None => doc,
        }
    }

    /// A v3 `OPTIONS` answer listing `item`s.
    pub(crate) fn v3_options(tag: &'static str, summary: &'static str, item: Shape) -> Doc {
        Doc::v3(tag, summary, V3Reply::Introspection(item), V3Query::None)
    }

    /// A v3 `OPTIONS` answer describing a body's fields.
    pub(crate) fn v3_field_map(tag: &'static str, summary: &'static str) -> Doc {
        Doc::v3(tag, summary, V3Reply::FieldMap, V3Query::None)
    }
}

fn success_status() -> ObjectBuilder {
    string_enum(["Success"])
}

fn object() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Object)
}

fn text() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn count() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
}

fn array(items: impl Into<RefOr<Schema>>) -> ArrayBuilder {
    let items: RefOr<Schema> = items.into();
    ArrayBuilder::new().items(items)
}

/// A value of `kind` or `null`.
fn or_null(kind: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([kind, Type::Null]))
}

/// `explain=true`: the statements a list runs and their plans.
fn plan() -> ObjectBuilder {
    let statement = object()
        .property("statement", text())
        .required("statement")
        .property("plan", array(text()))
        .required("plan");
    object()
        .property("statements", array(statement))
        .required("statements")
        .property("fullScan", ObjectBuilder::new().schema_type(Type::Boolean))
        .required("fullScan")
        .property("scans", array(text()))
        .property("note", or_null(Type::String))
}

/// The success status, its description and its schema.
pub(super) fn success(
    reply: &V3Reply,
    schemas: &mut Schemas,
) -> (StatusCode, String, RefOr<Schema>) {
    let envelope = |data: RefOr<Schema>| {
        object()
            .property("data", data)
            .required("data")
            .property("status", success_status())
            .required("status")
    };
    let (status, text_of, schema): (StatusCode, String, ObjectBuilder) = match reply {
        V3Reply::List(item) => {
            let rows: RefOr<Schema> = array(item.reference(schemas)).build().into();
            let data = RefOr::T(AnyOfBuilder::new().item(rows).item(plan()).build().into());
            (
                StatusCode::OK,
                format!(
                    "Success: {{data: [{}], count?, next?, prev?, status}} (with explain=true, data is the plan)",
                    (item.name)()
                ),
                envelope(data)
                    .property("count", count())
                    .property("next", text())
                    .property("prev", text()),
            )
        }
        V3Reply::One(status, item) => (
            *status,
            format!("Success: {{data: {}, message?, status}}", (item.name)()),
            envelope(item.reference(schemas))
                .property("message", string_enum(["Created", "Updated"])),
        ),
        V3Reply::Deleted => (
            StatusCode::OK,
            "Success: {message: Deleted, status}".to_string(),
            object()
                .property("message", string_enum(["Deleted"]))
                .required("message")
                .property("status", success_status())
                .required("status"),
        ),
        V3Reply::Bulk(sample) => {
            let changed = object()
                .property("deleted", count())
                .property("updated", count())
                .property("more", ObjectBuilder::new().schema_type(Type::Boolean))
                .required("more")
                .property("afterId", or_null(Type::Integer));
            let dry = object()
                .property("dryRun", ObjectBuilder::new().schema_type(Type::Boolean))
                .required("dryRun")
                .property("count", or_null(Type::Integer))
                .property("sample", array(sample.reference(schemas)))
                .required("sample");
            let data = RefOr::T(AnyOfBuilder::new().item(changed).item(dry).build().into());
            (
                StatusCode::OK,
                "Success: {data: {deleted|updated, more, afterId?}, status}, or with dryRun=true {data: {dryRun, count, sample}, status}".to_string(),
                envelope(data),
            )
        }
        V3Reply::Introspection(item) => (
            StatusCode::OK,
            format!("Success: {{data: [{}], status}}", (item.name)()),
            envelope(array(item.reference(schemas)).build().into())
                .property("count", count())
                .property("next", text())
                .property("prev", text()),
        ),
        V3Reply::FieldMap => (
            StatusCode::OK,
            "Success: each field of the body and what it takes".to_string(),
            object().additional_properties(Some(object())),
        ),
    };
    (status, text_of, RefOr::T(schema.build().into()))
}

/// A v3 failure: the v3 envelope from the handlers, or (authentication, limits) the v2 one.
pub(super) fn failure(schemas: &mut Schemas) -> RefOr<Schema> {
    RefOr::T(
        AnyOfBuilder::new()
            .item(shape::<Message>().reference(schemas))
            .item(shape::<threatdb_wire::envelope::Bare>().reference(schemas))
            .build()
            .into(),
    )
}

/// The query parameters of a v3 operation.
pub(super) fn query_parameters(q: V3Query) -> Vec<Parameter> {
    use super::query_parameter as p;
    let mut out = Vec::new();
    let integer = |min: i64, max: i64| {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(min))
            .maximum(Some(max))
    };
    // `true` (any case) turns it on; anything else leaves it off, as v3 reads it.
    let switch = || text().examples(["true"]);
    if !matches!(q, V3Query::None | V3Query::Catalogue) {
        out.push(p(
            "owner",
            "The owner by name; the caller's organization when absent (an owner the caller is \
             not a member of: 403)",
            text()
                .min_length(Some(1))
                .examples(["Example Organization"]),
        ));
    }
    if matches!(q, V3Query::List | V3Query::OwnerCatalogue | V3Query::Bulk) {
        out.push(p(
            "tql",
            "A ThreatConnect Query Language filter (docs/V3.md lists what each list serves; \
             anything else is a 400 naming the column)",
            text().examples([r#"typeName = "Incident" AND hasTag(name = "Phishing")"#]),
        ));
    }
    if matches!(q, V3Query::List | V3Query::One) {
        out.push(p(
            "fields",
            "Nested collections to include: tags, securityLabels, attributes, \
             associatedGroups, associatedIndicators (repeatable or comma-separated; unknown: 400)",
            text().examples(["tags"]),
        ));
    }
    if matches!(
        q,
        V3Query::List | V3Query::OwnerCatalogue | V3Query::Catalogue | V3Query::History
    ) {
        let max = i64::try_from(threatdb_core::Paging::MAX_LIMIT).unwrap_or(i64::MAX);
        out.push(p(
            "resultStart",
            "The index of the first result (0 when absent)",
            integer(0, i64::MAX),
        ));
        out.push(p(
            "resultLimit",
            "How many results at most (100 when absent)",
            integer(1, max),
        ));
        out.push(p(
            "count",
            "`true`: the number of matches (anything else: none)",
            switch(),
        ));
    }
    if q == V3Query::List {
        out.push(p(
            "sorting",
            "`id`, `dateAdded`, `eventDate` or `name`, then `asc` or `desc` (default `id asc`)",
            text().examples(["dateAdded desc"]),
        ));
        out.push(p(
            "explain",
            "`true`: the statements the query runs and their plans, instead of its rows \
             (anything else: the rows)",
            switch(),
        ));
    }
    if matches!(q, V3Query::List | V3Query::Bulk) {
        out.push(p(
            "afterId",
            "Only ids above this one, in id order (what `next` links carry)",
            integer(i64::MIN, i64::MAX),
        ));
    }
    if q == V3Query::History {
        let date = || text().examples(["2026-12-01T00:00:00Z"]);
        out.push(p(
            "since",
            "Only changes at or after this date (ISO 8601)",
            date(),
        ));
        out.push(p(
            "until",
            "Only changes at or before this date (ISO 8601)",
            date(),
        ));
        out.push(p(
            "field",
            "Only changes of this field (`status`, `tag`, `attribute:Description`, ...)",
            text().examples(["status"]),
        ));
        out.push(p(
            "user",
            "Only changes by this user (their name)",
            text().examples(["Administrator"]),
        ));
    }
    if q == V3Query::Bulk {
        out.push(p(
            "dryRun",
            "`true`: how many rows would change and the first of them, changing nothing \
             (anything else: the change is made)",
            switch(),
        ));
    }
    out
}
