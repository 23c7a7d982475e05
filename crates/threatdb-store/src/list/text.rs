//! What the renderer and the resolver both know of the trigram index.

/// Substrings shorter than this cannot use a trigram index: they are checked row by row.
pub const MIN_TRIGRAM_CHARS: usize = 3;

/// An FTS5 phrase for `text`: quoted, inner quotes doubled.
pub fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Names sampled to tell common trigrams from selective ones.
pub const SAMPLE_NAMES: usize = 256;

/// The distinct trigrams of `text` as the trigram tokenizer sees them (lower-cased), in order
/// of first appearance.
pub fn trigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    let mut out: Vec<String> = Vec::new();
    for window in chars.windows(3) {
        let t: String = window.iter().collect();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The FTS5 query that finds every name containing `text` through its selective trigrams only:
/// FTS5 reads the whole doclist of each term of a query, and a trigram in most names ("sit",
/// "ing") costs a read of the whole index (16 ms a query at 1 M names), where a rare one costs
/// next to nothing. A trigram is common when it is in at least 1 in 32 of `sample` (lower-cased
/// names); the query ANDs the (at most three) rarest of the others. The rows it finds are a
/// superset of those that contain `text`, which the caller checks exactly. `None` when every
/// trigram is common (or `text` has none): the index cannot narrow the search.
pub fn fts_selective(text: &str, sample: &[String]) -> Option<String> {
    let common_from = (sample.len() / 32).max(2);
    let mut ranked: Vec<(usize, String)> = trigrams(text)
        .into_iter()
        .map(|t| (sample.iter().filter(|name| name.contains(&t)).count(), t))
        .filter(|(hits, _)| *hits < common_from)
        .collect();
    ranked.sort_by_key(|(hits, _)| *hits);
    let terms: Vec<String> = ranked
        .into_iter()
        .take(3)
        .map(|(_, t)| fts_phrase(&t))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigrams_are_lower_cased_and_distinct() {
        assert_eq!(trigrams("AbAbA"), ["aba", "bab"]);
        assert_eq!(trigrams("ab"), Vec::<String>::new());
        assert_eq!(trigrams("ÉtÉ"), ["été"]);
    }

    #[test]
    fn only_selective_trigrams_are_searched() {
        let sample: Vec<String> = (0..256)
            .map(|i| format!("incident {i}: suspicious activity at site {}", 1000 + i))
            .collect();
        // "sit", "ite", "te " are in every sampled name; the digits are not.
        let q = fts_selective("site 7077", &sample).expect("selective");
        assert!(!q.contains("\"sit\"") && !q.contains("\"ite\""), "{q}");
        // The rarest three: those in no sampled name ("077" is in "site 1077").
        assert!(
            q.contains("\"707\"") && q.contains("\"e 7\"") && !q.contains("\"077\""),
            "{q}"
        );
        assert_eq!(q.matches(" AND ").count(), 2, "{q}");
        assert_eq!(fts_selective("activity", &sample), None);
        // An empty sample (an empty table): every trigram counts as selective.
        assert_eq!(
            fts_selective("a\"bc", &[]).as_deref(),
            Some(r#""a""b" AND """bc""#)
        );
    }
}
