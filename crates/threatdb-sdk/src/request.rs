//! One API request as the SDK sends it: method, encoded path, query parameters, body; and the
//! request target that is signed.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// An HTTP method of the v2 API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method's name, upper case, as signed.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Whether sending it twice does no more than sending it once.
    pub(crate) fn idempotent(self) -> bool {
        !matches!(self, Method::Post)
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request before signing: `path` is relative to the base URL (`/v2/...`) with its segments
/// already encoded; `params` are unencoded and are form-encoded in name order when the target
/// is built (that order reproduces the spec's signature vectors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiRequest {
    pub method: Method,
    pub path: String,
    pub params: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl ApiRequest {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        ApiRequest {
            method,
            path: path.into(),
            params: Vec::new(),
            body: None,
        }
    }

    pub fn param(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.params.retain(|(n, _)| *n != name);
        self.params.push((name, value.into()));
        self
    }

    pub fn owner(self, owner: Option<&str>) -> Self {
        match owner {
            Some(o) => self.param("owner", o),
            None => self,
        }
    }

    pub fn body(mut self, body: String) -> Self {
        self.body = Some(body);
        self
    }

    /// The query string (without `?`): `name=value` pairs sorted by name, values form-encoded.
    pub fn query(&self) -> String {
        let mut params: Vec<&(&'static str, String)> = self.params.iter().collect();
        params.sort_by_key(|(n, _)| *n);
        params
            .iter()
            .map(|(n, v)| format!("{n}={}", encode_query_value(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The request target that is sent and signed: `{prefix}{path}?{query}`.
    pub fn target(&self, prefix: &str) -> String {
        let query = self.query();
        if query.is_empty() {
            format!("{prefix}{}", self.path)
        } else {
            format!("{prefix}{}?{query}", self.path)
        }
    }
}

/// Python's `quote_plus(v)` (what `urlencode` does to values): everything but letters, digits
/// and `_.-~` is percent-encoded, and a space becomes `+`.
pub fn encode_query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE)
        .to_string()
        .replace("%20", "+")
}

const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_form_encoded_in_name_order() {
        let r = ApiRequest::new(Method::Get, "/v2/tags/Nation%20State/groups/incidents")
            .param("resultStart", "0")
            .param("owner", "Example Community")
            .param("createActivityLog", "false")
            .param("resultLimit", "200");
        assert_eq!(
            r.target("/api"),
            "/api/v2/tags/Nation%20State/groups/incidents?createActivityLog=false&owner=Example+Community&resultLimit=200&resultStart=0"
        );
        assert_eq!(
            encode_query_value("a:b c+d/é~*"),
            "a%3Ab+c%2Bd%2F%C3%A9~%2A"
        );
        assert_eq!(
            ApiRequest::new(Method::Get, "/v2/owners").target(""),
            "/v2/owners"
        );
    }
}
