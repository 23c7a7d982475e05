//! The queue of metadata calls an incident records and `commit()` sends: each call's request
//! and its description.

use crate::request::{ApiRequest, Method};
use crate::types::{GroupType, IndicatorType};
use threatdb_wire::dto::AttributeBody;
use threatdb_wire::paths::encode_segment;

/// A queued metadata call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    AddAttribute(AttributeBody),
    UpdateAttribute(i64, AttributeBody),
    DeleteAttribute(i64),
    AddTag(String),
    DeleteTag(String),
    AddLabel(String),
    DeleteLabel(String),
    Group(bool, GroupType, i64),
    Indicator(bool, IndicatorType, String),
    Victim(bool, i64),
}

/// The incidents' path; an incident is `{BASE}/{id}`.
pub(super) const BASE: &str = "/v2/groups/incidents";

impl Step {
    fn method_for(add: bool) -> Method {
        if add { Method::Post } else { Method::Delete }
    }

    pub(super) fn request(&self, id: i64) -> ApiRequest {
        let me = format!("{BASE}/{id}");
        let json = |b: &AttributeBody| serde_json::to_string(b).unwrap_or_default();
        match self {
            Step::AddAttribute(b) => {
                ApiRequest::new(Method::Post, format!("{me}/attributes")).body(json(b))
            }
            Step::UpdateAttribute(aid, b) => {
                ApiRequest::new(Method::Put, format!("{me}/attributes/{aid}")).body(json(b))
            }
            Step::DeleteAttribute(aid) => {
                ApiRequest::new(Method::Delete, format!("{me}/attributes/{aid}"))
            }
            Step::AddTag(t) => {
                ApiRequest::new(Method::Post, format!("{me}/tags/{}", encode_segment(t)))
            }
            Step::DeleteTag(t) => {
                ApiRequest::new(Method::Delete, format!("{me}/tags/{}", encode_segment(t)))
            }
            Step::AddLabel(l) => ApiRequest::new(
                Method::Post,
                format!("{me}/securityLabels/{}", encode_segment(l)),
            ),
            Step::DeleteLabel(l) => ApiRequest::new(
                Method::Delete,
                format!("{me}/securityLabels/{}", encode_segment(l)),
            ),
            Step::Group(add, t, gid) => ApiRequest::new(
                Self::method_for(*add),
                format!("{me}/groups/{}/{gid}", t.branch()),
            ),
            // The legacy SDK uses the indicator-side path (§6.5).
            Step::Indicator(add, t, v) => ApiRequest::new(
                Self::method_for(*add),
                format!(
                    "/v2/indicators/{}/{}/groups/incidents/{id}",
                    t.branch(),
                    encode_segment(v)
                ),
            ),
            Step::Victim(add, vid) => {
                ApiRequest::new(Self::method_for(*add), format!("{me}/victims/{vid}"))
            }
        }
    }

    pub(super) fn describe(&self) -> String {
        let verb = |add: bool| if add { "associate" } else { "disassociate" };
        match self {
            Step::AddAttribute(b) => format!(
                "add attribute {} '{}'",
                b.kind.as_deref().unwrap_or(""),
                b.value.as_deref().unwrap_or("")
            ),
            Step::UpdateAttribute(aid, _) => format!("update attribute {aid}"),
            Step::DeleteAttribute(aid) => format!("delete attribute {aid}"),
            Step::AddTag(t) => format!("add tag '{t}'"),
            Step::DeleteTag(t) => format!("delete tag '{t}'"),
            Step::AddLabel(l) => format!("add security label '{l}'"),
            Step::DeleteLabel(l) => format!("delete security label '{l}'"),
            Step::Group(add, t, gid) => format!("{} group {}/{gid}", verb(*add), t.branch()),
            Step::Indicator(add, t, v) => format!("{} indicator {}/{v}", verb(*add), t.branch()),
            Step::Victim(add, vid) => format!("{} victim {vid}", verb(*add)),
        }
    }
}
