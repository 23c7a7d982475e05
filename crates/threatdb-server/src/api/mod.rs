//! The v2 routes, one module per resource.

mod all_groups;
mod associations;
mod batch;
mod catalogue;
mod doc;
mod incidents;
mod indicators;
mod items;
mod owners;
mod reverse;
mod subject;
mod types;
pub mod v3;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use axum::Router;
use axum::http::{Method, StatusCode};
use doc::{Doc, Endpoint, Key, Query, Shape, get, post, shape, tags};
use threatdb_wire::assoc::{IndicatorBody, IndicatorDto, ItemBody, ItemDto};
use threatdb_wire::dto::{
    AttributeTypeDto, IncidentBody, IncidentDto, OwnerDto, SecurityLabelDto, TagDto,
};

/// A router that remembers its paths and their documentation, so tests can enumerate every
/// route (a route added without its place in the authorization matrix cannot pass unnoticed)
/// and the OpenAPI document describes every one.
pub(crate) struct Routes {
    router: Router<AppState>,
    paths: Vec<String>,
    docs: Vec<(String, Method, Doc)>,
}

impl Routes {
    fn new() -> Self {
        Routes {
            router: Router::new(),
            paths: Vec::new(),
            docs: Vec::new(),
        }
    }

    /// Adds a route, as [`Router::route`], with the documentation of each of its methods.
    pub(crate) fn route(mut self, path: &str, endpoint: Endpoint) -> Self {
        self.paths.push(path.to_string());
        self.router = self.router.route(path, endpoint.router);
        self.docs.extend(
            endpoint
                .docs
                .into_iter()
                .map(|(method, doc)| (path.to_string(), method, doc)),
        );
        self
    }
}

impl Routes {
    /// These routes and `other`'s.
    fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self.docs.extend(other.docs);
        self
    }
}

/// Every `/api/v2` route. Authentication is layered on by the caller.
pub fn routes() -> Router<AppState> {
    table().router.merge(v3::routes())
}

/// The path of every `/api/v2` route, with its `{parameters}`.
pub fn paths() -> Vec<String> {
    table().paths
}

/// The OpenAPI 3.1 document of every `/api/v2` and `/api/v3` route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    doc::document(&table().merge(v3::table()))
}

fn incident() -> Shape {
    shape::<IncidentDto>()
}

fn item() -> Shape {
    shape::<ItemDto>()
}

fn indicator() -> Shape {
    shape::<IndicatorDto>()
}

const CREATED: StatusCode = StatusCode::CREATED;
const OK: StatusCode = StatusCode::OK;

/// The incidents associated with something: an incident list, with its query parameters.
fn incidents_of(tag: &'static str, summary: &'static str) -> Doc {
    Doc::list(tag, summary, Key::Fixed("incident"), &[incident()]).query(Query::INCIDENTS)
}

/// `.../groups/incidents/{id}/victims[/{vid}]` or `.../tasks[/{vid}]`: `$branch` of an incident.
macro_rules! incident_links {
    ($router:expr, $branch:literal, $key:literal, $handlers:path) => {{
        use $handlers as h;
        $router
            .route(
                concat!("/api/v2/groups/incidents/{id}/", $branch),
                get(
                    h::list,
                    Doc::list(
                        tags::ASSOCIATIONS,
                        concat!("List the ", $branch, " associated with an incident"),
                        Key::Fixed($key),
                        &[item()],
                    ),
                ),
            )
            .route(
                concat!("/api/v2/groups/incidents/{id}/", $branch, "/{vid}"),
                get(
                    h::get,
                    Doc::one(
                        tags::ASSOCIATIONS,
                        concat!("Read a ", $key, " associated with an incident"),
                        Key::Fixed($key),
                        &[item()],
                    ),
                )
                .post(
                    h::add,
                    Doc::done(
                        tags::ASSOCIATIONS,
                        concat!("Associate a ", $key, " with an incident"),
                        CREATED,
                    ),
                )
                .delete(
                    h::remove,
                    Doc::done(
                        tags::ASSOCIATIONS,
                        concat!("Dissociate a ", $key, " from an incident"),
                        OK,
                    ),
                ),
            )
    }};
}

/// `/v2/victims[/{id}]` or `/v2/tasks[/{id}]` and their incidents.
macro_rules! item_routes {
    ($router:expr, $tag:expr, $branch:literal, $key:literal, $handlers:path) => {{
        use $handlers as h;
        $router
            .route(
                concat!("/api/v2/", $branch),
                get(
                    h::list,
                    Doc::list(
                        $tag,
                        concat!("List the owner's ", $branch),
                        Key::Fixed($key),
                        &[item()],
                    ),
                )
                .post(
                    h::create,
                    Doc::created(
                        $tag,
                        concat!("Create a ", $key),
                        Key::Fixed($key),
                        item(),
                        shape::<ItemBody>(),
                    )
                    .requires(&["name"]),
                ),
            )
            .route(
                concat!("/api/v2/", $branch, "/{id}"),
                get(
                    h::get,
                    Doc::one($tag, concat!("Read a ", $key), Key::Fixed($key), &[item()]),
                )
                .put(
                    h::update,
                    Doc::one(
                        $tag,
                        concat!(
                            "Change a ",
                            $key,
                            ": its name and the fields the body carries"
                        ),
                        Key::Fixed($key),
                        &[item()],
                    )
                    .body(shape::<ItemBody>()),
                )
                .delete(
                    h::delete,
                    Doc::done(
                        $tag,
                        concat!("Delete a ", $key, " and its associations"),
                        OK,
                    ),
                ),
            )
            .route(
                concat!("/api/v2/", $branch, "/{id}/groups/incidents"),
                get(
                    h::incidents,
                    incidents_of(
                        tags::ASSOCIATIONS,
                        concat!("List the incidents associated with a ", $key),
                    ),
                ),
            )
            .route(
                concat!("/api/v2/", $branch, "/{id}/groups/incidents/{incident}"),
                post(
                    h::link,
                    Doc::done(
                        tags::ASSOCIATIONS,
                        concat!("Associate an incident with a ", $key),
                        CREATED,
                    ),
                )
                .delete(
                    h::unlink,
                    Doc::done(
                        tags::ASSOCIATIONS,
                        concat!("Dissociate an incident from a ", $key),
                        OK,
                    ),
                ),
            )
    }};
}

fn table() -> Routes {
    use tags::{INCIDENTS, LABELS, OWNERS, TAGS, TYPES};
    const INCIDENT: &str = "/api/v2/groups/incidents/{id}";
    let one_incident =
        |summary| Doc::one(INCIDENTS, summary, Key::Fixed("incident"), &[incident()]);
    let router = Routes::new()
        .route(
            "/api/v2/groups",
            get(
                all_groups::list,
                Doc::list(
                    tags::GROUPS,
                    "List every group of the owner: its incidents, then its other groups",
                    Key::Fixed("group"),
                    &[incident(), item()],
                )
                .query(Query::INCIDENTS),
            ),
        )
        .route(
            "/api/v2/groups/incidents",
            get(
                incidents::list,
                incidents_of(INCIDENTS, "List the owner's incidents"),
            )
            .post(
                incidents::create,
                Doc::created(
                    INCIDENTS,
                    "Create an incident (name and eventDate required)",
                    Key::Fixed("incident"),
                    incident(),
                    shape::<IncidentBody>(),
                )
                .requires(&["name", "eventDate"]),
            ),
        )
        .route(
            INCIDENT,
            get(
                incidents::get,
                one_incident("Read an incident").query(Query::INCLUDES),
            )
            .put(
                incidents::update,
                one_incident("Change an incident: the fields the body carries")
                    .body(shape::<IncidentBody>())
                    .query(Query::INCLUDES),
            )
            .delete(
                incidents::delete,
                Doc::done(INCIDENTS, "Delete an incident", OK),
            ),
        )
        .route(
            "/api/v2/tags",
            get(
                catalogue::tags,
                Doc::list(
                    TAGS,
                    "List the owner's tags",
                    Key::Fixed("tag"),
                    &[shape::<TagDto>()],
                ),
            ),
        )
        .route(
            "/api/v2/tags/{name}",
            get(
                catalogue::tag,
                Doc::one(
                    TAGS,
                    "Read one of the owner's tags",
                    Key::Fixed("tag"),
                    &[shape::<TagDto>()],
                ),
            ),
        )
        .route(
            "/api/v2/tags/{name}/groups/incidents",
            get(
                incidents::by_tag,
                incidents_of(TAGS, "List the owner's incidents carrying a tag"),
            ),
        )
        .route(
            "/api/v2/securityLabels",
            get(
                catalogue::labels,
                Doc::list(
                    LABELS,
                    "List the security labels usable in the owner",
                    Key::Fixed("securityLabel"),
                    &[shape::<SecurityLabelDto>()],
                )
                .query(Query::OWNER),
            ),
        )
        .route(
            "/api/v2/securityLabels/{label}",
            get(
                catalogue::label,
                Doc::one(
                    LABELS,
                    "Read a security label usable in the owner",
                    Key::Fixed("securityLabel"),
                    &[shape::<SecurityLabelDto>()],
                ),
            ),
        )
        .route(
            "/api/v2/securityLabels/{label}/groups/incidents",
            get(
                incidents::by_label,
                incidents_of(
                    LABELS,
                    "List the owner's incidents carrying a security label",
                ),
            ),
        );
    let owner = || shape::<OwnerDto>();
    let router = association_routes(router)
        .route(
            "/api/v2/owners",
            get(
                owners::list,
                Doc::list(
                    OWNERS,
                    "List the owners the caller is a member of",
                    Key::Fixed("owner"),
                    &[owner()],
                )
                .query(Query::NONE),
            ),
        )
        .route(
            "/api/v2/owners/mine",
            get(
                owners::mine,
                Doc::counted(
                    OWNERS,
                    "Read the caller's organization",
                    Key::Fixed("owner"),
                    owner(),
                )
                .query(Query::NONE),
            ),
        )
        .route(
            "/api/v2/owners/{id}",
            get(
                owners::get,
                Doc::counted(
                    OWNERS,
                    "Read an owner the caller is a member of",
                    Key::Fixed("owner"),
                    owner(),
                )
                .query(Query::NONE),
            ),
        )
        .route(
            "/api/v2/whoami",
            get(
                owners::whoami,
                Doc::one(
                    OWNERS,
                    "Read the caller",
                    Key::Fixed("user"),
                    &[shape::<owners::User>()],
                )
                .query(Query::NONE),
            ),
        )
        .route(
            "/api/v2/types/attributeTypes",
            get(
                types::attribute_types,
                Doc::list(
                    TYPES,
                    "List the attribute types",
                    Key::Fixed("attributeType"),
                    &[shape::<AttributeTypeDto>()],
                )
                .query(Query::NONE),
            ),
        )
        .route(
            "/api/v2/types/attributeTypes/{name}",
            get(
                types::attribute_type,
                Doc::one(
                    TYPES,
                    "Read an attribute type",
                    Key::Fixed("attributeType"),
                    &[shape::<AttributeTypeDto>()],
                )
                .query(Query::NONE),
            ),
        )
        .route(
            "/api/v2/types/indicatorTypes",
            get(
                types::indicator_types,
                Doc::list(
                    TYPES,
                    "List the indicator types",
                    Key::Fixed("indicatorType"),
                    &[shape::<types::IndicatorType>()],
                )
                .query(Query::NONE),
            ),
        );
    subject::mount(router)
}

/// Groups of the other types, indicators, victims, tasks and the associations, both ways.
fn association_routes(router: Routes) -> Routes {
    use associations as a;
    use tags::{ASSOCIATIONS, GROUPS, INDICATORS, TASKS, VICTIMS};
    const INCIDENT: &str = "/api/v2/groups/incidents/{id}";
    const GROUP: &str = "/api/v2/groups/{type}/{id}";
    const INDICATOR: &str = "/api/v2/indicators/{type}/{value}";
    let link = |summary| Doc::done(ASSOCIATIONS, summary, CREATED);
    let unlink = |summary| Doc::done(ASSOCIATIONS, summary, OK);
    let router = router
        .route(
            &format!("{INCIDENT}/groups"),
            get(
                a::groups,
                Doc::list(
                    ASSOCIATIONS,
                    "List the groups associated with an incident",
                    Key::Fixed("group"),
                    &[incident(), item()],
                ),
            ),
        )
        .route(
            &format!("{INCIDENT}/groups/{{type}}"),
            get(
                a::groups_of_type,
                Doc::list(
                    ASSOCIATIONS,
                    "List the groups of a type associated with an incident",
                    Key::OfType,
                    &[incident(), item()],
                )
                .query(Query::INCIDENTS),
            ),
        )
        .route(
            &format!("{INCIDENT}/groups/{{type}}/{{gid}}"),
            get(
                a::group,
                Doc::one(
                    ASSOCIATIONS,
                    "Read a group associated with an incident",
                    Key::OfType,
                    &[incident(), item()],
                ),
            )
            .post(a::add_group, link("Associate a group with an incident"))
            .delete(
                a::remove_group,
                unlink("Dissociate a group from an incident"),
            ),
        )
        .route(
            &format!("{INCIDENT}/indicators"),
            get(
                a::indicators_all,
                Doc::list(
                    ASSOCIATIONS,
                    "List the indicators associated with an incident",
                    Key::Fixed("indicator"),
                    &[indicator()],
                ),
            ),
        )
        .route(
            &format!("{INCIDENT}/indicators/{{type}}"),
            get(
                a::indicators_of_type,
                Doc::list(
                    ASSOCIATIONS,
                    "List the indicators of a type associated with an incident",
                    Key::OfType,
                    &[indicator()],
                ),
            ),
        )
        .route(
            &format!("{INCIDENT}/indicators/{{type}}/{{value}}"),
            post(
                a::add_indicator,
                link("Associate an indicator with an incident"),
            )
            .delete(
                a::remove_indicator,
                unlink("Dissociate an indicator from an incident"),
            ),
        );
    let router = incident_links!(router, "victims", "victim", a::victims);
    let router = incident_links!(router, "tasks", "task", a::tasks);
    let router = router
        .route(
            "/api/v2/groups/{type}",
            get(
                items::list_groups,
                Doc::list(
                    GROUPS,
                    "List the owner's groups of a type",
                    Key::OfType,
                    &[item()],
                ),
            )
            .post(
                items::create_group,
                Doc::created(
                    GROUPS,
                    "Create a group (documents need fileName; emails subject, header and body; \
                     signatures fileName, fileType and fileText)",
                    Key::OfType,
                    item(),
                    shape::<ItemBody>(),
                )
                .requires(&["name"]),
            ),
        )
        .route(
            GROUP,
            get(
                items::get_group,
                Doc::one(GROUPS, "Read a group", Key::OfType, &[item()]),
            )
            .put(
                items::update_group,
                Doc::one(
                    GROUPS,
                    "Change a group: its name and the fields the body carries",
                    Key::OfType,
                    &[item()],
                )
                .body(shape::<ItemBody>()),
            )
            .delete(
                items::delete_group,
                Doc::done(GROUPS, "Delete a group and its associations", OK),
            ),
        )
        .route(
            &format!("{GROUP}/groups/incidents"),
            get(
                items::group_incidents,
                incidents_of(ASSOCIATIONS, "List the incidents associated with a group"),
            ),
        )
        .route(
            &format!("{GROUP}/groups/incidents/{{incident}}"),
            post(
                items::group_link,
                link("Associate an incident with a group"),
            )
            .delete(
                items::group_unlink,
                unlink("Dissociate an incident from a group"),
            ),
        )
        .route(
            "/api/v2/indicators",
            get(
                indicators::list_all,
                Doc::list(
                    INDICATORS,
                    "List the owner's indicators of every type",
                    Key::Fixed("indicator"),
                    &[indicator()],
                ),
            ),
        )
        .route(
            "/api/v2/indicators/{type}",
            get(
                indicators::list,
                Doc::list(
                    INDICATORS,
                    "List the owner's indicators of a type",
                    Key::OfType,
                    &[indicator()],
                ),
            )
            .post(
                indicators::create,
                Doc::created(
                    INDICATORS,
                    "Create an indicator: its value under its type's key (or summary)",
                    Key::OfType,
                    indicator(),
                    shape::<IndicatorBody>(),
                ),
            ),
        )
        .route(
            INDICATOR,
            get(
                indicators::get,
                Doc::one(INDICATORS, "Read an indicator", Key::OfType, &[indicator()]),
            )
            .delete(
                indicators::delete,
                Doc::done(INDICATORS, "Delete an indicator and its associations", OK),
            ),
        )
        .route(
            &format!("{INDICATOR}/groups/incidents"),
            get(
                indicators::incidents,
                incidents_of(
                    ASSOCIATIONS,
                    "List the owner's incidents associated with an indicator",
                ),
            ),
        )
        .route(
            &format!("{INDICATOR}/groups/incidents/{{incident}}"),
            post(
                indicators::associate,
                link("Associate an incident with an indicator"),
            )
            .delete(
                indicators::disassociate,
                unlink("Dissociate an incident from an indicator"),
            ),
        );
    let router = item_routes!(router, VICTIMS, "victims", "victim", items::victims);
    item_routes!(router, TASKS, "tasks", "task", items::tasks).merge(batch::table())
}
/// Parses an id from a path: anything but a 64-bit integer is a 404 (DECISIONS.md #16).
pub(crate) fn parse_id(raw: &str) -> ApiResult<i64> {
    raw.parse::<i64>().map_err(|_| ApiError::NotFound)
}

/// The group type named in a URL (not incidents, which have their own routes).
pub(crate) fn group_kind(raw: &str) -> ApiResult<threatdb_core::ItemKind> {
    threatdb_core::ItemKind::from_url(raw)
        .filter(|k| k.is_group())
        .ok_or(ApiError::NotFound)
}

/// The indicator type named in a URL.
pub(crate) fn indicator_kind(raw: &str) -> ApiResult<threatdb_core::IndicatorKind> {
    threatdb_core::IndicatorKind::from_url(raw).ok_or(ApiError::NotFound)
}

/// The indicator a path names: an invalid value names nothing (404).
pub(crate) fn indicator_value(
    kind_raw: &str,
    raw: &str,
) -> ApiResult<threatdb_core::IndicatorValue> {
    threatdb_core::IndicatorValue::parse(indicator_kind(kind_raw)?, raw)
        .map_err(|_| ApiError::NotFound)
}
