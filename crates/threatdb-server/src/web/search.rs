//! `GET /search?q=`: one box on every page. Searches group names, indicator values, tags and
//! attribute values of every owner the person reads ([`threatdb_core::search`]), best first,
//! with the matched text marked; an indicator-looking query found exactly once goes straight
//! to that indicator's page.

use super::error::WebError;
use super::session::WebUser;
use super::views::{Nav, html, tag_href};
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use threatdb_core::search::{Found, Hit, Matched, words};

/// Characters of an attribute value shown before its first match.
const BEFORE: usize = 60;
/// Characters shown in all of an attribute value's excerpt.
const EXCERPT: usize = 220;

/// A piece of shown text: marked when it is what matched.
pub struct Piece {
    pub text: String,
    pub marked: bool,
}

/// One hit as shown.
pub struct HitView {
    pub kind: String,
    pub title: Vec<Piece>,
    pub href: String,
    pub owner: String,
    /// Where it matched, said in words.
    pub how: String,
    /// An attribute value's excerpt, marked.
    pub excerpt: Vec<Piece>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: Option<Nav>,
    query: String,
    hits: Vec<HitView>,
    /// The normalised indicator the query looks like, when it does.
    looks_like: Option<String>,
    short: bool,
}

/// The page of a hit.
pub fn href(hit: &Hit) -> String {
    match hit.found {
        Found::Incident => format!("/incidents/{}", hit.id),
        Found::Item(kind) => format!("/{}/{}", kind.url_name(), hit.id),
        Found::Indicator(kind) => format!(
            "/indicators/{}/{}",
            kind.url_name(),
            threatdb_wire::paths::encode_segment(&hit.title)
        ),
        Found::Tag => tag_href(&hit.title),
    }
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// `text` cut into pieces, those equal (case folded) to one of `needles` marked.
pub fn mark(text: &str, needles: &[String]) -> Vec<Piece> {
    let chars: Vec<char> = text.chars().collect();
    let needles: Vec<Vec<char>> = needles
        .iter()
        .map(|n| n.chars().map(fold).collect::<Vec<char>>())
        .filter(|n| !n.is_empty())
        .collect();
    let mut marked = vec![false; chars.len()];
    for start in 0..chars.len() {
        for n in &needles {
            let end = start.saturating_add(n.len());
            let Some(window) = chars.get(start..end) else {
                continue;
            };
            if window.iter().map(|c| fold(*c)).eq(n.iter().copied()) {
                for m in marked.iter_mut().take(end).skip(start) {
                    *m = true;
                }
            }
        }
    }
    let mut out: Vec<Piece> = Vec::new();
    for (c, m) in chars.into_iter().zip(marked) {
        match out.last_mut() {
            Some(last) if last.marked == m => last.text.push(c),
            _ => out.push(Piece {
                text: c.to_string(),
                marked: m,
            }),
        }
    }
    out
}

/// The part of a long value around its first match: [`BEFORE`] characters before it, up to
/// [`EXCERPT`] in all, with an ellipsis where it was cut.
pub fn excerpt(value: &str, needles: &[String]) -> String {
    let lower: Vec<char> = value.chars().map(fold).collect();
    let first = needles
        .iter()
        .filter_map(|n| {
            let n: Vec<char> = n.chars().map(fold).collect();
            (!n.is_empty())
                .then(|| lower.windows(n.len()).position(|w| w == n.as_slice()))
                .flatten()
        })
        .min()
        .unwrap_or(0);
    let mut start = first.saturating_sub(BEFORE);
    // From the start of a word: past the first space after the cut, if it is before the match.
    if start > 0
        && let Some(space) = value
            .chars()
            .skip(start)
            .take(first.saturating_sub(start))
            .position(char::is_whitespace)
    {
        start = start.saturating_add(space).saturating_add(1);
    }
    let mut out: String = value.chars().skip(start).take(EXCERPT).collect();
    if start > 0 {
        out.insert(0, '…');
    }
    if value.chars().count() > start.saturating_add(EXCERPT) {
        out.push('…');
    }
    out
}

fn view(hit: &Hit, query: &str) -> HitView {
    let whole = vec![query.to_string()];
    let kind = match hit.found {
        Found::Incident => "Incident".to_string(),
        Found::Item(k) => k.type_name().to_string(),
        Found::Indicator(k) => k.type_name().to_string(),
        Found::Tag => "Tag".to_string(),
    };
    let (how, title, excerpt_pieces) = match &hit.matched {
        Matched::Exactly => ("exact match".to_string(), mark(&hit.title, &whole), vec![]),
        Matched::Prefix => (
            "name starts with it".to_string(),
            mark(&hit.title, &whole),
            vec![],
        ),
        Matched::Name => (
            "name contains it".to_string(),
            mark(&hit.title, &whole),
            vec![],
        ),
        Matched::Attribute(t) => {
            let w = words(query);
            (
                format!("in its {t} attribute"),
                mark(&hit.title, &[]),
                mark(&excerpt(&hit.text, &w), &w),
            )
        }
    };
    HitView {
        kind,
        title,
        href: href(hit),
        owner: hit.owner.clone(),
        how,
        excerpt: excerpt_pieces,
    }
}

/// `GET /search`.
pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let form = super::forms::Form::parse(raw.as_deref().unwrap_or("").as_bytes());
    let q = form.get("q").unwrap_or("").to_string();
    let results = state.store.search(&user.actor, &q).await?;
    if results.indicator.is_some()
        && let Some(the) = results.the_indicator()
    {
        let to = href(the);
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response());
    }
    let hits = results
        .hits
        .iter()
        .map(|h| view(h, &results.query))
        .collect();
    let page = SearchPage {
        nav: user.nav(),
        short: !results.query.is_empty()
            && results.query.chars().count() < threatdb_core::search::MIN_NAME_CHARS,
        looks_like: results
            .indicator
            .as_ref()
            .map(|(k, v)| format!("{} {v}", k.type_name())),
        query: results.query,
        hits,
    };
    Ok(html(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| {
                if p.marked {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn matches_are_marked_in_any_case() {
        let n = vec!["phish".to_string(), "WAVE".to_string()];
        assert_eq!(
            shown(&mark("Spear-Phishing wave", &n)),
            "Spear-[Phish]ing [wave]"
        );
        assert_eq!(shown(&mark("nothing here", &n)), "nothing here");
        assert_eq!(shown(&mark("", &n)), "");
        assert_eq!(shown(&mark("ÉTÉ été", &["été".to_string()])), "[ÉTÉ] [été]");
    }

    #[test]
    fn long_values_are_cut_around_the_first_match() {
        let value = format!("{} needle {}", "a".repeat(500), "b".repeat(500));
        let e = excerpt(&value, &["needle".to_string()]);
        assert!(e.starts_with('…') && e.ends_with('…'), "{e}");
        assert!(e.contains("needle"));
        assert!(e.chars().count() <= EXCERPT + 2);
        let words = format!("{} the needle", "word ".repeat(40));
        let e = excerpt(&words, &["needle".to_string()]);
        assert!(e.starts_with("…word "), "cut at a word: {e}");
        assert_eq!(excerpt("short", &["x".to_string()]), "short");
    }
}
