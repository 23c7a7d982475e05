//! The OpenAPI 3.1 document of the v2 API, built from the route table itself: every handler is
//! routed together with its [`Doc`] (what it reads, what it answers, in the shapes of the wire
//! types' own `utoipa::ToSchema` schemas), so no route exists without its documentation.
//! The envelopes are assembled here the way `crate::reply` assembles them.

mod v3;

use super::Routes;
use crate::AppState;
use axum::handler::Handler;
use axum::http::{Method, StatusCode};
use axum::routing::MethodRouter;
use std::borrow::Cow;
use threatdb_wire::envelope::Bare;
use threatdb_wire::paths::{GROUP_TYPES, INCIDENTS, INDICATOR_TYPES};
use utoipa::ToSchema;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, Parameter, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type,
};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathItem, Paths, Ref,
    RefOr, Required, ResponseBuilder, Schema,
};

/// Schemas collected for `components`.
type Schemas = Vec<(String, RefOr<Schema>)>;

/// One of the code's types, as a schema: its component name, and how to add it (with the
/// schemas it refers to) to the document.
#[derive(Clone, Copy)]
pub(crate) struct Shape {
    name: fn() -> Cow<'static, str>,
    add: fn(&mut Schemas),
}

/// The schema of `T`, from its `ToSchema` derive.
pub(crate) fn shape<T: ToSchema>() -> Shape {
    fn add<T: ToSchema>(out: &mut Schemas) {
        out.push((T::name().into_owned(), T::schema()));
        T::schemas(out);
    }
    Shape {
        name: T::name,
        add: add::<T>,
    }
}

impl Shape {
    fn reference(self, schemas: &mut Schemas) -> RefOr<Schema> {
        (self.add)(schemas);
        RefOr::Ref(Ref::from_schema_name((self.name)()))
    }
}

/// The `data` key a success carries its payload under.
#[derive(Clone, Copy)]
pub(crate) enum Key {
    /// Always this key (`incident`, `tag`, ...).
    Fixed(&'static str),
    /// The key of the type the path's `{type}` names (`adversary`, `host`, ...).
    OfType,
}

impl Key {
    fn text(self) -> &'static str {
        match self {
            Key::Fixed(k) => k,
            Key::OfType => "<the type's key>",
        }
    }
}

/// What a success looks like (`crate::reply`'s `many`, `one`, `counted_one` and `done`).
pub(crate) enum Reply {
    /// `{"resultCount": n, "<key>": [...]}`, `resultCount` on first pages.
    List(Key, Vec<Shape>),
    /// `{"<key>": {...}}` with this status.
    One(StatusCode, Key, Vec<Shape>),
    /// `{"resultCount": 1, "<key>": {...}}`.
    Counted(Key, Shape),
    /// `{"status":"Success"}` with this status.
    Done(StatusCode),
    /// A v3 answer.
    V3(v3::V3Reply),
    /// A body of its own shape (the Batch API's answers), described, with this status; a list
    /// of the shape when `list`.
    Own {
        /// The status.
        status: StatusCode,
        /// What it is.
        text: &'static str,
        /// The shape.
        shape: Shape,
        /// A JSON array of it.
        list: bool,
    },
}

/// The query parameters an operation reads.
#[derive(Clone, Copy, Default)]
pub(crate) struct Query {
    owner: bool,
    paging: bool,
    filters: bool,
    includes: bool,
}

impl Query {
    /// None (the owner is the caller's own).
    pub(crate) const NONE: Query = Query {
        owner: false,
        paging: false,
        filters: false,
        includes: false,
    };
    /// `owner=`.
    pub(crate) const OWNER: Query = Query {
        owner: true,
        ..Query::NONE
    };
    /// `owner=`, `resultStart=`, `resultLimit=`.
    pub(crate) const PAGED: Query = Query {
        paging: true,
        ..Query::OWNER
    };
    /// `owner=` and the `include...=` switches (one incident).
    pub(crate) const INCLUDES: Query = Query {
        includes: true,
        ..Query::OWNER
    };
    /// An incident list: `owner=`, paging, `filters=` and the `include...=` switches.
    pub(crate) const INCIDENTS: Query = Query {
        owner: true,
        paging: true,
        filters: true,
        includes: true,
    };
}

/// The documentation of one operation.
pub(crate) struct Doc {
    tag: &'static str,
    summary: Cow<'static, str>,
    query: Query,
    body: Option<Shape>,
    /// The body's fields this operation requires.
    requires: &'static [&'static str],
    reply: Reply,
    /// A v3 operation's query parameters (its failures use the v3 envelope).
    v3: Option<v3::V3Query>,
    /// The body's media type (JSON unless said otherwise).
    media: &'static str,
    /// A 400 may also be this shape (the Batch API's `{"status":"Invalid",...}`).
    invalid: Option<Shape>,
}

impl Doc {
    fn new(tag: &'static str, summary: impl Into<Cow<'static, str>>, reply: Reply) -> Doc {
        Doc {
            tag,
            summary: summary.into(),
            query: Query::OWNER,
            body: None,
            requires: &[],
            reply,
            v3: None,
            media: JSON,
            invalid: None,
        }
    }

    /// An answer of its own shape (`list`: an array of it).
    pub(crate) fn own(
        tag: &'static str,
        summary: impl Into<Cow<'static, str>>,
        status: StatusCode,
        text: &'static str,
        shape: Shape,
        list: bool,
    ) -> Doc {
        Doc::new(
            tag,
            summary,
            Reply::Own {
                status,
                text,
                shape,
                list,
            },
        )
        .query(Query::NONE)
    }

    /// The body read, in this media type (`multipart/form-data`, `application/octet-stream`).
    pub(crate) fn body_as(mut self, media: &'static str, body: Shape) -> Doc {
        self.body = Some(body);
        self.media = media;
        self
    }

    /// A 400 may also be `shape`.
    pub(crate) fn invalid(mut self, shape: Shape) -> Doc {
        self.invalid = Some(shape);
        self
    }

    /// A list of `shapes` under `key`, paged (`owner=`, `resultStart=`, `resultLimit=`).
    pub(crate) fn list(
        tag: &'static str,
        summary: impl Into<Cow<'static, str>>,
        key: Key,
        shapes: &[Shape],
    ) -> Doc {
        Doc::new(tag, summary, Reply::List(key, shapes.to_vec())).query(Query::PAGED)
    }

    /// One object under `key` (200).
    pub(crate) fn one(
        tag: &'static str,
        summary: impl Into<Cow<'static, str>>,
        key: Key,
        shapes: &[Shape],
    ) -> Doc {
        Doc::new(
            tag,
            summary,
            Reply::One(StatusCode::OK, key, shapes.to_vec()),
        )
    }

    /// One object under `key` with a `resultCount` of 1.
    pub(crate) fn counted(
        tag: &'static str,
        summary: impl Into<Cow<'static, str>>,
        key: Key,
        shape: Shape,
    ) -> Doc {
        Doc::new(tag, summary, Reply::Counted(key, shape))
    }

    /// A creation answered with the new object under `key` (201).
    pub(crate) fn created(
        tag: &'static str,
        summary: impl Into<Cow<'static, str>>,
        key: Key,
        shape: Shape,
        body: Shape,
    ) -> Doc {
        Doc::new(
            tag,
            summary,
            Reply::One(StatusCode::CREATED, key, vec![shape]),
        )
        .body(body)
    }

    /// A change answered with `{"status":"Success"}` and `status`.
    pub(crate) fn done(
        tag: &'static str,
        summary: impl Into<Cow<'static, str>>,
        status: StatusCode,
    ) -> Doc {
        Doc::new(tag, summary, Reply::Done(status))
    }

    /// The query parameters read (`owner=` unless said otherwise).
    pub(crate) fn query(mut self, query: Query) -> Doc {
        self.query = query;
        self
    }

    /// The JSON body read.
    pub(crate) fn body(mut self, body: Shape) -> Doc {
        self.body = Some(body);
        self
    }

    /// The fields of the body this operation requires (a creation: what an update may leave out).
    pub(crate) fn requires(mut self, fields: &'static [&'static str]) -> Doc {
        self.requires = fields;
        self
    }
}

/// The handlers of one path, each with its [`Doc`].
pub(crate) struct Endpoint {
    pub(super) router: MethodRouter<AppState>,
    pub(super) docs: Vec<(Method, Doc)>,
}

impl Endpoint {
    /// Without the server's 1 MiB body limit: the handlers read their bodies within limits of
    /// their own.
    pub(crate) fn own_body_limits(mut self) -> Self {
        self.router = self
            .router
            .layer(axum::extract::DefaultBodyLimit::disable());
        self
    }
}

/// The functions that start an [`Endpoint`] (`get(handler, doc)`, ...).
macro_rules! first_methods {
    ($($name:ident $method:ident),*) => {
        $(
            /// Routes this method to `handler`, documented by `doc`.
            pub(crate) fn $name<H, T>(handler: H, doc: Doc) -> Endpoint
            where
                H: Handler<T, AppState>,
                T: 'static,
            {
                Endpoint {
                    router: axum::routing::$name(handler),
                    docs: vec![(Method::$method, doc)],
                }
            }
        )*
    };
}

/// The methods that add to an [`Endpoint`] (`.put(handler, doc)`, ...).
macro_rules! more_methods {
    ($($name:ident $method:ident),*) => {
        impl Endpoint {
            $(
                /// Also routes this method to `handler`, documented by `doc`.
                pub(crate) fn $name<H, T>(mut self, handler: H, doc: Doc) -> Endpoint
                where
                    H: Handler<T, AppState>,
                    T: 'static,
                {
                    self.router = self.router.$name(handler);
                    self.docs.push((Method::$method, doc));
                    self
                }
            )*
        }
    };
}

first_methods!(get GET, post POST, options OPTIONS);
more_methods!(post POST, put PUT, delete DELETE, options OPTIONS);

/// Tags, in the order the docs page shows them.
pub(crate) mod tags {
    pub const INCIDENTS: &str = "Incidents";
    pub const GROUPS: &str = "Groups";
    pub const INDICATORS: &str = "Indicators";
    pub const VICTIMS: &str = "Victims";
    pub const TASKS: &str = "Tasks";
    pub const ASSOCIATIONS: &str = "Associations";
    pub const TAGS: &str = "Tags";
    pub const LABELS: &str = "Security labels";
    pub const ATTRIBUTES: &str = "Attributes";
    pub const OWNERS: &str = "Owners";
    pub const TYPES: &str = "Types";
    pub const V3_GROUPS: &str = "v3 Groups";
    pub const V3_INDICATORS: &str = "v3 Indicators";
    pub const V3_CATALOGUES: &str = "v3 Catalogues";
    pub const BATCH: &str = "Batch";

    /// Each tag and what it covers.
    pub const ALL: [(&str, &str); 15] = [
        (
            BATCH,
            "The Batch API: a feed of groups, indicators and associations written in the background, deduplicated against what is stored (docs/BATCH.md).",
        ),
        (
            INCIDENTS,
            "Incidents: list (with `filters=`), create, read, change, delete.",
        ),
        (
            GROUPS,
            "Every group of the owner, and the groups of the other types (adversaries, emails, ...).",
        ),
        (
            INDICATORS,
            "Addresses, email addresses, files, hosts and URLs.",
        ),
        (VICTIMS, "Victims."),
        (TASKS, "Tasks."),
        (
            ASSOCIATIONS,
            "What an incident is associated with, from either side. Adding one that exists succeeds and changes nothing.",
        ),
        (
            TAGS,
            "The owner's tags, and the tags of an incident, group or indicator.",
        ),
        (
            LABELS,
            "The security labels usable in the owner, and those of an incident, group, indicator or attribute.",
        ),
        (
            ATTRIBUTES,
            "The attributes of an incident, group or indicator.",
        ),
        (
            OWNERS,
            "The owners the caller is a member of, and the caller.",
        ),
        (TYPES, "The attribute and indicator types."),
        (
            V3_GROUPS,
            "v3: groups of every type with TQL, `fields=`, nested tags, labels, attributes and associations written in one request, bulk changes by TQL, and `OPTIONS` introspection (docs/V3.md).",
        ),
        (
            V3_INDICATORS,
            "v3: indicators, as the v3 groups (docs/V3.md).",
        ),
        (
            V3_CATALOGUES,
            "v3: the owner's tags, the security labels, the caller's owners and the attribute types.",
        ),
    ];
}

const FAILURE: &str = "Failure";
const V3_FAILURE: &str = "V3Failure";
const JSON: &str = threatdb_wire::CONTENT_TYPE_JSON;
const TOKEN: &str = "tcToken";
const HMAC: &str = "tcHmac";

/// The document: every operation of `routes`, with the schemas they refer to.
pub(super) fn document(routes: &Routes) -> OpenApi {
    let mut schemas: Schemas = Vec::new();
    let mut paths = Paths::new();
    for (path, method, doc) in &routes.docs {
        let op = operation(path, method, doc, &mut schemas);
        let Some(method) = http_method(method) else {
            continue;
        };
        match paths.paths.get_mut(path) {
            Some(item) => item.merge_operations(PathItem::new(method, op)),
            None => {
                paths.paths.insert(path.clone(), PathItem::new(method, op));
            }
        }
    }
    let failure = ResponseBuilder::new()
        .description(
            "Failure: `{\"status\":\"Failure\",\"message\":\"...\"}`; the message says what to fix",
        )
        .content(
            JSON,
            ContentBuilder::new()
                .schema(Some(shape::<Bare>().reference(&mut schemas)))
                .build(),
        )
        .build();
    let v3_failure = ResponseBuilder::new()
        .description(
            "Failure: `{\"status\":\"Error\",\"message\":\"...\"}` from the v3 routes, or the v2 envelope from authentication and the limits in front of them",
        )
        .content(
            JSON,
            ContentBuilder::new()
                .schema(Some(v3::failure(&mut schemas)))
                .build(),
        )
        .build();
    schemas.sort_by(|a, b| a.0.cmp(&b.0));
    schemas.dedup_by(|a, b| a.0 == b.0);
    let mut components = ComponentsBuilder::new()
        .schemas_from_iter(schemas)
        .response(FAILURE, failure)
        .response(V3_FAILURE, v3_failure)
        .build();
    components.add_security_scheme(
        TOKEN,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "Authorization",
            "An API token (`threatdb admin token create`): `Authorization: TC-Token <token>`.",
        ))),
    );
    components.add_security_scheme(
        HMAC,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "Authorization",
            "ThreatConnect's HMAC signature: `Authorization: TC <accessId>:<signature>` with a \
             `Timestamp: <unix seconds>` header, the signature being the base64 HMAC-SHA256, \
             keyed by the secret key, of `<path and query>:<METHOD>:<timestamp>`.",
        ))),
    );
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("threatdb: the ThreatConnect REST API v2 and v3")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Every answer is JSON with `Content-Type: application/json`: \
                     `{\"status\":\"Success\",\"data\":{...}}` or \
                     `{\"status\":\"Failure\",\"message\":\"...\"}`. Lists carry `resultCount` \
                     on their first page (`resultStart=0`). The v3 routes (`/api/v3/...`) answer \
                     `{\"data\":...,\"status\":\"Success\"}` or \
                     `{\"status\":\"Error\",\"message\":\"...\"}` (docs/V3.md). Unknown query \
                     parameters and body fields are ignored. The web UI shows this document at \
                     `/docs/api`.",
                ))
                .build(),
        )
        .paths(paths)
        .components(Some(components))
        .security(Some([
            SecurityRequirement::new(TOKEN, Vec::<String>::new()),
            SecurityRequirement::new(HMAC, Vec::<String>::new()),
        ]))
        .tags(Some(tags::ALL.iter().map(|(name, description)| {
            TagBuilder::new()
                .name(*name)
                .description(Some(*description))
                .build()
        })))
        .build()
}

fn http_method(method: &Method) -> Option<HttpMethod> {
    Some(match *method {
        Method::GET => HttpMethod::Get,
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::DELETE => HttpMethod::Delete,
        Method::OPTIONS => HttpMethod::Options,
        _ => return None,
    })
}

/// `getGroupsIncidentsIdTags` for `GET /api/v2/groups/incidents/{id}/tags`.
fn operation_id(path: &str, method: &Method) -> String {
    let mut id = method.as_str().to_ascii_lowercase();
    let rest = match path.strip_prefix("/api/v3/") {
        Some(rest) => {
            id.push_str("V3");
            rest
        }
        None => path.trim_start_matches("/api/v2/"),
    };
    for segment in rest.split('/') {
        let word = segment.trim_matches(['{', '}']);
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.extend(first.to_uppercase());
            id.push_str(chars.as_str());
        }
    }
    id
}

fn operation(path: &str, method: &Method, doc: &Doc, schemas: &mut Schemas) -> Operation {
    let mut op = OperationBuilder::new()
        .tag(doc.tag)
        .summary(Some(doc.summary.as_ref()))
        .operation_id(Some(operation_id(path, method)));
    for name in path_parameters(path) {
        op = op.parameter(path_parameter(path, name));
    }
    let query = match doc.v3 {
        Some(q) => v3::query_parameters(q),
        None => query_parameters(doc.query),
    };
    for p in query {
        op = op.parameter(p);
    }
    if let Some(body) = doc.body {
        let description = match doc.media {
            JSON => format!("A JSON object: {}", (body.name)()),
            media => format!("{media}: {}", (body.name)()),
        };
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .description(Some(description))
                .content(
                    doc.media,
                    ContentBuilder::new()
                        .schema(Some(body_schema(body, doc.requires, schemas)))
                        .build(),
                )
                .required(Some(Required::True))
                .build(),
        ));
    }
    let (status, description, schema) = success(&doc.reply, schemas);
    op = op.response(
        status.as_u16().to_string(),
        ResponseBuilder::new()
            .description(description)
            .content(JSON, ContentBuilder::new().schema(Some(schema)).build())
            .build(),
    );
    let writes = !matches!(*method, Method::GET | Method::OPTIONS);
    let failures: &[u16] = match (writes, doc.body.is_some()) {
        (false, _) => &[400, 401, 403, 404, 429],
        (true, false) => &[400, 401, 403, 404, 409, 429],
        (true, true) => &[400, 401, 403, 404, 408, 409, 413, 429],
    };
    let failure = if doc.v3.is_some() {
        V3_FAILURE
    } else {
        FAILURE
    };
    for code in failures {
        let response = match (code, doc.invalid) {
            (400, Some(invalid)) => RefOr::T(
                ResponseBuilder::new()
                    .description(
                        "Failure: the failure envelope, or `{\"status\":\"Invalid\",\"description\":\"...\"}`",
                    )
                    .content(
                        JSON,
                        ContentBuilder::new()
                            .schema(Some(RefOr::T(
                                AnyOfBuilder::new()
                                    .item(shape::<Bare>().reference(schemas))
                                    .item(invalid.reference(schemas))
                                    .build()
                                    .into(),
                            )))
                            .build(),
                    )
                    .build(),
            ),
            _ => RefOr::Ref(Ref::from_response_name(failure)),
        };
        op = op.response(code.to_string(), response);
    }
    op.build()
}

/// A body: its type's schema, with the fields this operation requires.
fn body_schema(body: Shape, requires: &[&str], schemas: &mut Schemas) -> RefOr<Schema> {
    let reference = body.reference(schemas);
    if requires.is_empty() {
        return reference;
    }
    let mut required = ObjectBuilder::new();
    for field in requires {
        required = required.required(*field);
    }
    RefOr::T(
        AllOfBuilder::new()
            .item(reference)
            .item(required)
            .build()
            .into(),
    )
}

/// The `{parameters}` of a path template, in order.
fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

fn string_enum<'a>(values: impl IntoIterator<Item = &'a str>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
}

/// A path parameter, described by its name and where it stands, with an example.
fn path_parameter(path: &str, name: &str) -> Parameter {
    use serde_json::json;
    let before = path
        .split_once(&format!("/{{{name}}}"))
        .map_or("", |(head, _)| head);
    let text = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
    };
    let (schema, description, example): (ObjectBuilder, &str, _) = match name {
        "id" if path.starts_with("/api/v3/groups/") => (
            text(),
            "The group's id, or its external id (xid) in the owner `owner=` names",
            json!("1"),
        ),
        "id" if path.starts_with("/api/v3/indicators/") => (
            text(),
            "The indicator's id, or its value in the owner `owner=` names",
            json!("example.com"),
        ),
        "id" if path.starts_with("/api/v3/securityLabels/") => {
            (text(), "The label's id or name", json!("TLP:GREEN"))
        }
        "id" if path.starts_with("/api/v3/") => (
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))),
            "The id",
            json!(1),
        ),
        "id" | "gid" | "vid" | "aid" | "incident" => (
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))),
            match name {
                "aid" => "The attribute's id",
                "incident" => "The incident's id",
                _ => "The id (anything but an integer names nothing: 404)",
            },
            json!(1),
        ),
        "type" if before.ends_with("/indicators") => (
            string_enum(INDICATOR_TYPES.iter().map(|(branch, _, _)| *branch)),
            "The indicator type",
            json!("hosts"),
        ),
        "type" => {
            // Incidents have their own routes beside `/v2/groups/{type}`.
            let top = before == "/api/v2/groups";
            (
                string_enum(
                    GROUP_TYPES
                        .iter()
                        .filter(|g| !(top && *g == &INCIDENTS))
                        .map(|g| g.branch),
                ),
                "The group type",
                json!("adversaries"),
            )
        }
        "value" => (
            text(),
            "The indicator's value, percent-encoded (an invalid value names nothing: 404)",
            json!("example.com"),
        ),
        "label" => (
            text(),
            "The security label's name, any case",
            json!("TLP:GREEN"),
        ),
        _ if path.contains("/attributeTypes/") => {
            (text(), "The attribute type's name", json!("Description"))
        }
        _ => (text(), "The tag's name", json!("Phishing")),
    };
    Parameter::builder()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(schema))
        .example(Some(example))
        .build()
}

fn query_parameter(name: &str, description: &str, schema: ObjectBuilder) -> Parameter {
    Parameter::builder()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// An `include...=` switch: `true` or `1` (any case, around white space) turns it on, anything
/// else leaves it off (`crate::params`).
fn switch() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .examples(["true"])
}

fn query_parameters(q: Query) -> Vec<Parameter> {
    let mut out = Vec::new();
    if q.owner {
        out.push(query_parameter(
            "owner",
            "The owner (organization, community or source) by name; the caller's organization \
             when absent. An owner the caller cannot use (an empty name too) is a 403.",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .examples(["Example Organization"]),
        ));
    }
    if q.paging {
        let limits = threatdb_core::Paging::MAX_LIMIT;
        out.push(query_parameter(
            "resultStart",
            "The index of the first result (0 when absent)",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(i64::MAX)),
        ));
        out.push(query_parameter(
            "resultLimit",
            &format!(
                "How many results at most ({} when absent, at most {limits})",
                threatdb_core::Paging::DEFAULT_LIMIT
            ),
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(limits)),
        ));
    }
    if q.filters {
        out.push(query_parameter(
            "filters",
            "Conditions joined by `,` (and): `name=X`, `name^X` (starts with), \
             `dateAdded>D`, `dateAdded<D`, `eventDate>D`, `eventDate<D`, dates in ISO-8601",
            ObjectBuilder::new().schema_type(Type::String),
        ));
    }
    if q.includes {
        for (name, what) in [
            ("includeAdditional", "`status`, `createdBy` and `xid`"),
            ("includeTags", "the tags"),
            ("includeAttributes", "the attributes"),
            ("includeLabels", "the security labels"),
        ] {
            out.push(query_parameter(
                name,
                &format!("`true` (or `1`) to show {what}; any other value leaves them out"),
                switch(),
            ));
        }
        out.push(query_parameter(
            "includes",
            "The same as a comma-separated list: `additional`, `tags`, `attributes`, `labels`",
            ObjectBuilder::new().schema_type(Type::String),
        ));
    }
    out
}

fn payload(shapes: &[Shape], schemas: &mut Schemas) -> RefOr<Schema> {
    match shapes {
        [one] => one.reference(schemas),
        many => {
            let mut any = AnyOfBuilder::new();
            for s in many {
                any = any.item(s.reference(schemas));
            }
            RefOr::T(any.build().into())
        }
    }
}

fn names(shapes: &[Shape]) -> String {
    shapes
        .iter()
        .map(|s| (s.name)().into_owned())
        .collect::<Vec<_>>()
        .join(" | ")
}

fn result_count() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .description(Some("How many there are in all (on first pages)"))
}

/// `data`: the payload under its key, and `resultCount` when `counted` is `Some(required)`.
fn data(key: Key, value: RefOr<Schema>, counted: Option<bool>) -> ObjectBuilder {
    let mut data = ObjectBuilder::new().schema_type(Type::Object);
    if let Some(required) = counted {
        data = data.property("resultCount", result_count());
        if required {
            data = data.required("resultCount");
        }
    }
    match key {
        Key::Fixed(k) => data.property(k, value).required(k),
        Key::OfType => data
            .additional_properties(Some(value))
            .min_properties(Some(if counted == Some(true) { 2 } else { 1 })),
    }
}

/// The success status, its description and its schema.
fn success(reply: &Reply, schemas: &mut Schemas) -> (StatusCode, String, RefOr<Schema>) {
    let (status, text, data) = match reply {
        Reply::V3(reply) => return v3::success(reply, schemas),
        Reply::Own {
            status,
            text,
            shape,
            list,
        } => {
            let one = shape.reference(schemas);
            let schema = match list {
                true => RefOr::T(ArrayBuilder::new().items(one).build().into()),
                false => one,
            };
            return (*status, (*text).to_string(), schema);
        }
        Reply::Done(status) => {
            return (
                *status,
                "Success: `{\"status\":\"Success\"}`".to_string(),
                shape::<Bare>().reference(schemas),
            );
        }
        Reply::List(key, shapes) => (
            StatusCode::OK,
            format!(
                "Success: data {{resultCount, {}: [{}]}}",
                key.text(),
                names(shapes)
            ),
            data(
                *key,
                RefOr::T(
                    ArrayBuilder::new()
                        .items(payload(shapes, schemas))
                        .build()
                        .into(),
                ),
                Some(false),
            ),
        ),
        Reply::One(status, key, shapes) => (
            *status,
            format!("Success: data {{{}: {}}}", key.text(), names(shapes)),
            data(*key, payload(shapes, schemas), None),
        ),
        Reply::Counted(key, shape) => (
            StatusCode::OK,
            format!(
                "Success: data {{resultCount: 1, {}: {}}}",
                key.text(),
                (shape.name)()
            ),
            data(*key, shape.reference(schemas), Some(true)),
        ),
    };
    let envelope = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("status", string_enum(["Success"]))
        .required("status")
        .property("data", data)
        .required("data");
    (status, text, RefOr::T(envelope.build().into()))
}
