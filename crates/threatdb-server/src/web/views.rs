//! What the templates show: small view values and the helpers that turn domain values into
//! text, CSS classes and links. Everything a template prints is escaped by askama.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use threatdb_core::{IncidentStatus, SecurityLabel, Timestamp, label_key};

/// The header of every signed-in page: who is signed in, and the token its forms carry.
#[derive(Debug, Clone)]
pub struct Nav {
    /// The login name.
    pub login: String,
    /// The session's CSRF token (the sign-out form needs it).
    pub csrf: String,
}

/// Renders a page as `text/html` with `status`. A template that fails to render is a bare 500.
pub fn html<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => {
            let mut response = (status, body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            let mut response =
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error").into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        }
    }
}

/// `2017-03-21 14:05` (UTC); a time of exactly midnight shows the date alone.
pub fn when(t: Timestamp) -> String {
    let d = date(t);
    if (t.hour(), t.minute(), t.second()) == (0, 0, 0) {
        d
    } else {
        format!("{d} {:02}:{:02}", t.hour(), t.minute())
    }
}

/// `2017-03-21` (UTC).
pub fn date(t: Timestamp) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// The CSS class of a status badge: `status-containment-achieved`.
pub fn status_class(status: IncidentStatus) -> String {
    format!(
        "status-{}",
        status.as_str().to_ascii_lowercase().replace(' ', "-")
    )
}

/// A security label as a badge: its name, its description (as a tooltip) and its TLP colour
/// class (CSS classes, not inline styles: the Content-Security-Policy forbids those).
#[derive(Debug, Clone)]
pub struct Badge {
    /// The label's name.
    pub name: String,
    /// What it means.
    pub description: String,
    /// `tlp-red`, `tlp-amber`, `tlp-green`, `tlp-clear`, or `label-custom`.
    pub class: &'static str,
}

impl Badge {
    /// The badge of a label.
    pub fn of(label: &SecurityLabel) -> Badge {
        let class = match label_key(&label.name).as_str() {
            "TLP:RED" => "tlp-red",
            "TLP:AMBER" | "TLP:AMBER+STRICT" => "tlp-amber",
            "TLP:GREEN" => "tlp-green",
            "TLP:CLEAR" | "TLP:WHITE" => "tlp-clear",
            _ => "label-custom",
        };
        Badge {
            name: label.name.clone(),
            description: label.description.clone(),
            class,
        }
    }
}

/// The link to a tag's page (`/tags/{name}`, percent-encoded as in the API's tag `webLink`).
pub fn tag_href(name: &str) -> String {
    threatdb_wire::dto::tag_link("", name)
}

/// A query string from pairs, form-encoded; empty values are left out.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            q.append_pair(k, v);
        }
    }
    q.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use threatdb_core::parse_timestamp;

    #[test]
    fn dates_statuses_and_labels() {
        let t = parse_timestamp("2017-03-21T14:05:09Z").expect("date");
        assert_eq!(when(t), "2017-03-21 14:05");
        let midnight = parse_timestamp("2017-03-21").expect("date");
        assert_eq!(when(midnight), "2017-03-21");
        assert_eq!(
            status_class(IncidentStatus::ContainmentAchieved),
            "status-containment-achieved"
        );
        let label = |name: &str| SecurityLabel {
            id: 1,
            name: name.into(),
            description: String::new(),
            color: "FFFFFF".into(),
            date_added: t,
        };
        assert_eq!(Badge::of(&label("TLP:AMBER+STRICT")).class, "tlp-amber");
        assert_eq!(Badge::of(&label("TLP:WHITE")).class, "tlp-clear");
        assert_eq!(Badge::of(&label("Internal Only")).class, "label-custom");
        assert_eq!(
            tag_href("Nation State/<x>"),
            "/tags/Nation%20State%2F%3Cx%3E"
        );
        assert_eq!(
            query_string(&[("owner", "A & B"), ("q", ""), ("tag", "x y")]),
            "owner=A+%26+B&tag=x+y"
        );
    }
}
