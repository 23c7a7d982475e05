//! `GET /docs/api`: the API reference, rendered from the OpenAPI document the server serves at
//! `/api/openapi.json` (the same JSON, read back): the operations grouped by tag with their
//! parameters, request and response shapes, then the schemas. Public, like the document.

use super::session::{NoSession, WebUser};
use super::views::{Nav, html};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// A piece of text: plain, or code (between backticks in the document's descriptions).
pub struct Span {
    pub code: bool,
    pub text: String,
}

/// Text with its `code` spans.
pub type Rich = Vec<Span>;

/// Splits a description at its backticks.
pub fn rich(s: &str) -> Rich {
    s.split('`')
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .map(|(i, t)| Span {
            code: i % 2 == 1,
            text: t.to_string(),
        })
        .collect()
}

/// One parameter of an operation.
pub struct Param {
    pub name: String,
    pub place: String,
    pub kind: String,
    pub required: bool,
    pub description: Rich,
}

/// What one status answers.
pub struct Answer {
    pub status: String,
    pub description: Rich,
}

/// One operation.
pub struct Operation {
    pub anchor: String,
    pub method: String,
    pub method_class: String,
    pub path: String,
    pub summary: String,
    pub params: Vec<Param>,
    /// The request body's schema name.
    pub body: Option<String>,
    /// The body fields this operation requires.
    pub body_requires: String,
    pub answers: Vec<Answer>,
    /// The failure statuses (all answered with the failure envelope).
    pub failures: String,
}

/// The operations of one tag.
pub struct Section {
    pub anchor: String,
    pub name: String,
    pub description: Rich,
    pub operations: Vec<Operation>,
}

/// One property of a schema.
pub struct Property {
    pub name: String,
    pub kind: String,
    pub required: bool,
    pub description: Rich,
}

/// One schema of `components`.
pub struct SchemaView {
    pub name: String,
    pub description: Rich,
    pub properties: Vec<Property>,
    /// What an object allows besides its properties, or what a non-object is.
    pub note: String,
}

/// One way to authenticate.
pub struct Scheme {
    pub name: String,
    pub description: Rich,
}

/// The whole reference.
pub struct Reference {
    pub title: String,
    pub version: String,
    pub description: Rich,
    pub schemes: Vec<Scheme>,
    pub sections: Vec<Section>,
    pub schemas: Vec<SchemaView>,
    pub operations: usize,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage<'a> {
    nav: Option<Nav>,
    doc: &'a Reference,
}

static REFERENCE: LazyLock<Reference> = LazyLock::new(|| {
    let doc = serde_json::from_str(crate::openapi_json()).unwrap_or(Value::Null);
    Reference::of(&doc)
});

/// `GET /docs/api`: for everyone; a signed-in person sees the usual header.
pub async fn page(user: Result<WebUser, NoSession>) -> Response {
    let nav = user.ok().and_then(|u| u.nav());
    html(
        StatusCode::OK,
        &ApiDocsPage {
            nav,
            doc: &REFERENCE,
        },
    )
}

static NULL: Value = Value::Null;

/// `v[a][b]...`, or null (without indexing, which the crate's lints forbid).
fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, key| v.get(*key).unwrap_or(&NULL))
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn object(v: &Value) -> Option<&Map<String, Value>> {
    v.as_object()
}

/// `Security labels` → `security-labels`.
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// A schema in a few words: `IncidentDto`, `[TagDto]`, `string (date-time)`, `one of: a, b`.
pub fn kind_of(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect();
        return format!("one of: {}", values.join(", "));
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(items) = schema.get(combinator).and_then(Value::as_array) {
            let kinds: Vec<String> = items.iter().map(kind_of).collect();
            return kinds.join(" | ");
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let kinds: Vec<String> = types
        .iter()
        .map(|t| match *t {
            "array" => format!("[{}]", kind_of(schema.get("items").unwrap_or(&Value::Null))),
            other => match schema.get("format").and_then(Value::as_str) {
                Some(f) if other != "null" => format!("{other} ({f})"),
                _ => other.to_string(),
            },
        })
        .collect();
    if kinds.is_empty() {
        "any".to_string()
    } else {
        kinds.join(" | ")
    }
}

impl Reference {
    /// Reads an OpenAPI document.
    pub fn of(doc: &Value) -> Reference {
        let mut sections: Vec<Section> = at(doc, &["tags"])
            .as_array()
            .map(|tags| {
                tags.iter()
                    .map(|t| Section {
                        anchor: format!("tag-{}", slug(&text(at(t, &["name"])))),
                        name: text(at(t, &["name"])),
                        description: rich(&text(at(t, &["description"]))),
                        operations: Vec::new(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut operations: usize = 0;
        for (path, item) in object(at(doc, &["paths"])).into_iter().flatten() {
            for method in ["get", "post", "put", "delete", "options"] {
                let Some(op) = item.get(method) else {
                    continue;
                };
                let tag = op
                    .get("tags")
                    .and_then(|t| t.get(0))
                    .and_then(Value::as_str)
                    .unwrap_or("Other");
                let section = match sections.iter().position(|s| s.name == tag) {
                    Some(i) => i,
                    None => {
                        sections.push(Section {
                            anchor: format!("tag-{}", slug(tag)),
                            name: tag.to_string(),
                            description: Vec::new(),
                            operations: Vec::new(),
                        });
                        sections.len().saturating_sub(1)
                    }
                };
                if let Some(s) = sections.get_mut(section) {
                    s.operations.push(Operation::of(path, method, op));
                    operations = operations.saturating_add(1);
                }
            }
        }
        sections.retain(|s| !s.operations.is_empty());
        let schemes = object(at(doc, &["components", "securitySchemes"]))
            .into_iter()
            .flatten()
            .map(|(name, s)| Scheme {
                name: name.clone(),
                description: rich(&text(at(s, &["description"]))),
            })
            .collect();
        let schemas = object(at(doc, &["components", "schemas"]))
            .into_iter()
            .flatten()
            .map(|(name, s)| SchemaView::of(name, s))
            .collect();
        Reference {
            title: text(at(doc, &["info", "title"])),
            version: text(at(doc, &["info", "version"])),
            description: rich(&text(at(doc, &["info", "description"]))),
            schemes,
            sections,
            schemas,
            operations,
        }
    }
}

impl Operation {
    fn of(path: &str, method: &str, op: &Value) -> Operation {
        let params = at(op, &["parameters"])
            .as_array()
            .map(|ps| {
                ps.iter()
                    .map(|p| Param {
                        name: text(at(p, &["name"])),
                        place: text(at(p, &["in"])),
                        kind: kind_of(at(p, &["schema"])),
                        required: at(p, &["required"]).as_bool().unwrap_or(false),
                        description: rich(&text(at(p, &["description"]))),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let body_schema = at(op, &["requestBody", "content"])
            .as_object()
            .and_then(|c| c.values().next())
            .map(|c| at(c, &["schema"]));
        // A body is its type's schema, or that and the fields required (`allOf`).
        let parts: Vec<&Value> = match body_schema.and_then(|b| b.get("allOf")) {
            Some(Value::Array(items)) => items.iter().collect(),
            _ => body_schema.into_iter().collect(),
        };
        let body = parts
            .iter()
            .find(|p| p.get("$ref").is_some())
            .map(|p| kind_of(p));
        let body_requires = parts
            .iter()
            .filter(|p| p.get("$ref").is_none())
            .filter_map(|p| p.get("required").and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        let mut answers = Vec::new();
        let mut failures = Vec::new();
        for (status, response) in object(at(op, &["responses"])).into_iter().flatten() {
            if response.get("$ref").is_some() {
                failures.push(status.clone());
            } else {
                answers.push(Answer {
                    status: status.clone(),
                    description: rich(&text(at(response, &["description"]))),
                });
            }
        }
        Operation {
            anchor: text(at(op, &["operationId"])),
            method: method.to_ascii_uppercase(),
            method_class: format!("method-{method}"),
            path: path.to_string(),
            summary: text(at(op, &["summary"])),
            params,
            body,
            body_requires,
            answers,
            failures: failures.join(", "),
        }
    }
}

impl SchemaView {
    fn of(name: &str, schema: &Value) -> SchemaView {
        let required: Vec<&str> = at(schema, &["required"])
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let properties = object(at(schema, &["properties"]))
            .into_iter()
            .flatten()
            .map(|(p, s)| Property {
                name: p.clone(),
                kind: kind_of(s),
                required: required.contains(&p.as_str()),
                description: rich(&s.get("description").map(text).unwrap_or_else(|| {
                    text(
                        s.get("oneOf")
                            .and_then(|o| o.get(1))
                            .map_or(&NULL, |o| at(o, &["description"])),
                    )
                })),
            })
            .collect();
        let note = match schema.get("additionalProperties") {
            Some(Value::Bool(false)) | None if schema.get("properties").is_some() => String::new(),
            Some(extra) if extra.is_object() => format!(
                "Other fields: {}",
                extra
                    .get("description")
                    .map(text)
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| kind_of(extra))
            ),
            _ => kind_of(schema),
        };
        SchemaView {
            name: name.to_string(),
            description: rich(&text(at(schema, &["description"]))),
            properties,
            note,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_as_words() {
        let k = |v: Value| kind_of(&v);
        assert_eq!(
            k(serde_json::json!({"$ref": "#/components/schemas/TagDto"})),
            "TagDto"
        );
        assert_eq!(
            k(serde_json::json!({"type": ["string", "null"], "format": "date-time"})),
            "string (date-time) | null"
        );
        assert_eq!(
            k(serde_json::json!({"type": "array", "items": {"$ref": "#/x/IncidentDto"}})),
            "[IncidentDto]"
        );
        assert_eq!(
            k(serde_json::json!({"type": "string", "enum": ["true", "false"]})),
            "one of: true, false"
        );
        assert_eq!(k(serde_json::json!({})), "any");
        let r = rich("`a` b `c`");
        let parts: Vec<(bool, &str)> = r.iter().map(|s| (s.code, s.text.as_str())).collect();
        assert_eq!(parts, [(true, "a"), (false, " b "), (true, "c")]);
    }

    #[test]
    fn the_reference_covers_every_operation() {
        let doc: Value = serde_json::from_str(crate::openapi_json()).unwrap_or(Value::Null);
        let r = Reference::of(&doc);
        let listed: usize = r.sections.iter().map(|s| s.operations.len()).sum();
        assert_eq!(listed, r.operations);
        assert!(r.operations > 100, "{}", r.operations);
        assert!(r.schemas.iter().any(|s| s.name == "IncidentDto"));
        assert_eq!(r.schemes.len(), 2);
        let create = r
            .sections
            .iter()
            .flat_map(|s| &s.operations)
            .find(|o| o.method == "POST" && o.path == "/api/v2/groups/incidents");
        let create = create.map(|o| (o.body.as_deref(), o.body_requires.as_str()));
        assert_eq!(create, Some((Some("IncidentBody"), "name, eventDate")));
    }
}
