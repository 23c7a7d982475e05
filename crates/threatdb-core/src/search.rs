//! The web UI's search: one query across group names, indicator values, tags and attribute
//! values of every owner the person reads, ranked. What a query may be, how it is read (an
//! indicator-looking one is normalised as the API normalises values), and what it finds.

use crate::{IndicatorKind, ItemKind};

/// The longest query searched, in characters (a longer one is cut there).
pub const MAX_QUERY_CHARS: usize = 200;

/// The most words of a query searched in attribute values (the rest are ignored).
pub const MAX_WORDS: usize = 8;

/// The shortest query searched in names (names are found through trigram indexes): a shorter
/// one finds tags and indicators only.
pub const MIN_NAME_CHARS: usize = 3;

/// Hits read from each index of each owner before ranking: every part of a search is bounded,
/// whatever the query and however many rows match it.
pub const PER_PART: usize = 25;

/// The hits shown.
pub const MAX_HITS: usize = 50;

/// What a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Found {
    /// An incident.
    Incident,
    /// A group of another type, a victim or a task.
    Item(ItemKind),
    /// An indicator.
    Indicator(IndicatorKind),
    /// A tag (its id is the tag's, its page lists the incidents carrying it).
    Tag,
}

/// Where the query matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matched {
    /// The whole value equals the query (an indicator value, a tag, a name).
    Exactly,
    /// The name or value starts with the query.
    Prefix,
    /// The name contains the query.
    Name,
    /// An attribute of that type holds the query's words; its value is the hit's `text`.
    Attribute(String),
}

impl Matched {
    /// The rank of the match: lower is better.
    pub fn rank(&self) -> u8 {
        match self {
            Matched::Exactly => 0,
            Matched::Prefix => 1,
            Matched::Name => 2,
            Matched::Attribute(_) => 3,
        }
    }
}

/// One thing found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// What it is.
    pub found: Found,
    /// Its id (an indicator's, an incident's, a tag's).
    pub id: i64,
    /// Its owner's name.
    pub owner: String,
    /// Its name (an indicator's value, a tag's name).
    pub title: String,
    /// How the query matched it.
    pub matched: Matched,
    /// The text that matched: the title, or an attribute's value.
    pub text: String,
}

/// What a search found: the best first (exact matches, then prefixes, then names containing the
/// query, then attribute values; newer first within each), at most [`MAX_HITS`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchResults {
    /// The query as searched (trimmed, cut at [`MAX_QUERY_CHARS`]).
    pub query: String,
    /// The indicator the query looks like, normalised, when it looks like one.
    pub indicator: Option<(IndicatorKind, String)>,
    /// The hits.
    pub hits: Vec<Hit>,
}

impl SearchResults {
    /// The one indicator a search found exactly, if it found exactly one and nothing else
    /// exactly: the web UI goes straight to it.
    pub fn the_indicator(&self) -> Option<&Hit> {
        let mut exact = self
            .hits
            .iter()
            .filter(|h| h.matched == Matched::Exactly && matches!(h.found, Found::Indicator(_)));
        let first = exact.next()?;
        exact.next().is_none().then_some(first)
    }
}

/// The query as searched: trimmed, control characters dropped, at most [`MAX_QUERY_CHARS`].
pub fn clean(raw: &str) -> String {
    raw.trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_QUERY_CHARS)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The indicator a query looks like, normalised as the API normalises a value of that type:
/// an IP address, an email address, an md5/sha1/sha256 hash, a URL (with `://`), or a host
/// name with at least one dot (a single word is a word, not a host).
pub fn indicator_looking(query: &str) -> Option<(IndicatorKind, String)> {
    let q = query.trim();
    if q.is_empty() || q.chars().any(char::is_whitespace) {
        return None;
    }
    let kind = if q.contains("://") {
        IndicatorKind::Url
    } else if q.contains('@') {
        IndicatorKind::EmailAddress
    } else if q.parse::<std::net::IpAddr>().is_ok() {
        IndicatorKind::Address
    } else if matches!(q.len(), 32 | 40 | 64) && q.bytes().all(|b| b.is_ascii_hexdigit()) {
        IndicatorKind::File
    } else if q.trim_end_matches('.').contains('.') {
        IndicatorKind::Host
    } else {
        return None;
    };
    kind.normalize(q).ok().map(|v| (kind, v))
}

/// The words of a query searched in attribute values: runs of letters and digits, lower-cased,
/// at most [`MAX_WORDS`].
pub fn words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .take(MAX_WORDS)
        .collect()
}

/// Sorts hits best first (see [`SearchResults`]), drops repeats of one object (its best match
/// stays) and keeps at most [`MAX_HITS`]. Within a rank, the higher id (the newer) comes first.
pub fn rank(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by(|a, b| {
        a.matched
            .rank()
            .cmp(&b.matched.rank())
            .then_with(|| b.id.cmp(&a.id))
    });
    let mut seen = std::collections::HashSet::new();
    hits.retain(|h| seen.insert((h.found, h.id)));
    hits.truncate(MAX_HITS);
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicator_looking_queries_are_normalised() {
        assert_eq!(
            indicator_looking("10.0.0.1"),
            Some((IndicatorKind::Address, "10.0.0.1".into()))
        );
        assert_eq!(
            indicator_looking("::ffff:10.0.0.1"),
            Some((IndicatorKind::Address, "10.0.0.1".into()))
        );
        assert_eq!(
            indicator_looking("Evil.Example.COM."),
            Some((IndicatorKind::Host, "evil.example.com".into()))
        );
        assert_eq!(
            indicator_looking(&"AB".repeat(16)),
            Some((IndicatorKind::File, "ab".repeat(16)))
        );
        assert_eq!(
            indicator_looking("Bob@Example.com").map(|x| x.1),
            Some("Bob@example.com".into())
        );
        assert_eq!(
            indicator_looking("http://x.example/a").map(|x| x.0),
            Some(IndicatorKind::Url)
        );
        assert_eq!(indicator_looking("phishing"), None);
        assert_eq!(indicator_looking("two words.com"), None);
        assert_eq!(indicator_looking(""), None);
    }

    #[test]
    fn queries_are_bounded_and_split_into_words() {
        assert_eq!(clean("  a\u{0}b\n "), "ab");
        assert_eq!(clean(&"x".repeat(1000)).chars().count(), MAX_QUERY_CHARS);
        assert_eq!(
            words("Spear-phishing, \"DROP\" *"),
            ["spear", "phishing", "drop"]
        );
        assert_eq!(words(&"a ".repeat(50)).len(), MAX_WORDS);
        assert!(words("\" * ( ) NEAR").iter().all(|w| w == "near"));
    }

    #[test]
    fn hits_rank_exact_first_and_each_object_once() {
        let hit = |id, matched| Hit {
            found: Found::Incident,
            id,
            owner: "o".into(),
            title: "t".into(),
            matched,
            text: "t".into(),
        };
        let ranked = rank(vec![
            hit(1, Matched::Name),
            hit(2, Matched::Attribute("Description".into())),
            hit(3, Matched::Exactly),
            hit(1, Matched::Prefix),
            hit(4, Matched::Name),
        ]);
        let order: Vec<i64> = ranked.iter().map(|h| h.id).collect();
        assert_eq!(order, [3, 1, 4, 2]);
        assert_eq!(ranked[1].matched, Matched::Prefix);
    }
}
