//! What the renderer and the resolver both know of the trigram index.

/// Substrings shorter than this cannot use a trigram index: they are checked row by row.
pub const MIN_TRIGRAM_CHARS: usize = 3;

/// An FTS5 phrase for `text`: quoted, inner quotes doubled.
pub fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Names sampled to tell common trigrams from selective ones.
pub const SAMPLE_NAMES: usize = 256;

/// Each trigram of `text` as written, position by position, with how many of `sample`
/// (lower-cased names) contain it lower-cased; and the count from which a trigram is common (in
/// 1 in 32 of the sample, at least 2). The trigrams stay as written so that the index folds
/// them exactly as it folded the names; lower-casing only judges how common they are.
fn trigram_hits(text: &str, sample: &[String]) -> (Vec<(String, usize)>, usize) {
    let chars: Vec<char> = text.chars().collect();
    let hits = chars
        .windows(3)
        .map(|w| {
            let t: String = w.iter().collect();
            let lower = t.to_lowercase();
            let n = sample.iter().filter(|name| name.contains(&lower)).count();
            (t, n)
        })
        .collect();
    (hits, (sample.len() / 32).max(2))
}

/// The longest part of `text` whose trigrams are all selective (see [`fts_selective`]), as
/// written, for a pg_trgm `ILIKE '%part%'`: pg_trgm reads the posting list of every trigram of
/// the pattern, and a common one costs a read of most of the index. `None` when no trigram is
/// selective.
pub fn selective_part(text: &str, sample: &[String]) -> Option<String> {
    let (hits, common_from) = trigram_hits(text, sample);
    let (mut best, mut run_start) = (None::<(usize, usize)>, None::<usize>);
    for (i, (_, n)) in hits.iter().enumerate() {
        if *n < common_from {
            let start = *run_start.get_or_insert(i);
            if best.is_none_or(|(s, e)| i.saturating_sub(start) > e.saturating_sub(s)) {
                best = Some((start, i));
            }
        } else {
            run_start = None;
        }
    }
    let (start, end) = best?;
    // Trigram i covers characters i..i+3.
    Some(
        text.chars()
            .skip(start)
            .take(end.saturating_sub(start).saturating_add(3))
            .collect(),
    )
}

/// The FTS5 query that finds every name containing `text` through its selective trigrams only:
/// FTS5 reads the whole doclist of each term of a query, and a trigram in most names ("sit",
/// "ing") costs a read of the whole index (16 ms a query at 1 M names), where a rare one costs
/// next to nothing. A trigram is common when it is in at least 1 in 32 of `sample` (lower-cased
/// names); the query ANDs the (at most three) rarest of the others. The rows it finds are a
/// superset of those that contain `text`, which the caller checks exactly. `None` when every
/// trigram is common (or `text` has none): the index cannot narrow the search.
pub fn fts_selective(text: &str, sample: &[String]) -> Option<String> {
    let (hits, common_from) = trigram_hits(text, sample);
    let mut ranked: Vec<(usize, String)> = Vec::new();
    for (t, n) in hits {
        if n < common_from && !ranked.iter().any(|(_, seen)| *seen == t) {
            ranked.push((n, t));
        }
    }
    ranked.sort_by_key(|(n, _)| *n);
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
        // pg_trgm: the longest run of selective trigrams, as written.
        assert_eq!(
            selective_part("Site 7077", &sample).as_deref(),
            Some("e 7077")
        );
        // As written: the index folds case as it folded the names.
        assert_eq!(
            selective_part("SITE 7077", &sample).as_deref(),
            Some("E 7077")
        );
        assert_eq!(selective_part("activity", &sample), None);
        assert_eq!(selective_part("ab", &sample), None);
        // Repeated trigrams are searched once; an empty sample (an empty table): every trigram
        // counts as selective.
        assert_eq!(
            fts_selective("AbAbA", &[]).as_deref(),
            Some(r#""AbA" AND "bAb""#)
        );
        assert_eq!(
            fts_selective("a\"bc", &[]).as_deref(),
            Some(r#""a""b" AND """bc""#)
        );
    }
}
