//! Posted forms. Every POST handler of the web UI takes [`Posted`], which only exists once the
//! session is valid and the form carries that session's CSRF token: no handler can forget the
//! check.

use super::error::WebError;
use super::session::{NoSession, WebUser, same_token};
use crate::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};

/// An `application/x-www-form-urlencoded` body as name/value pairs.
#[derive(Debug, Default, Clone)]
pub struct Form(Vec<(String, String)>);

impl Form {
    /// Parses a form-encoded body (or query string).
    pub fn parse(body: &[u8]) -> Form {
        Form(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, if sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or "".
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }
}

/// A form posted by a signed-in person, with its CSRF token checked.
pub struct Posted {
    /// Who posted it.
    pub user: WebUser,
    /// What was posted.
    pub form: Form,
}

/// Why a post was refused.
pub enum Refused {
    /// No valid session: sign in first.
    Session(NoSession),
    /// A bad body or a missing or wrong CSRF token.
    Error(WebError),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Session(s) => s.into_response(),
            Refused::Error(e) => e.into_response(),
        }
    }
}

impl FromRequest<AppState> for Posted {
    type Rejection = Refused;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Refused> {
        let (mut parts, body) = req.into_parts();
        let user = WebUser::from_request_parts(&mut parts, state)
            .await
            .map_err(Refused::Session)?;
        let req = Request::from_parts(parts, body);
        let bytes = crate::reply::body_bytes(req, state)
            .await
            .map_err(|e| Refused::Error(WebError::from(e)))?;
        let form = Form::parse(&bytes);
        match form.get("csrf") {
            Some(token) if same_token(token, &user.csrf) => Ok(Posted { user, form }),
            _ => Err(Refused::Error(WebError::Csrf)),
        }
    }
}
