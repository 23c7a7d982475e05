//! What the renderer and the resolver both know of the trigram index.

/// Substrings shorter than this cannot use a trigram index: they are checked row by row.
pub const MIN_TRIGRAM_CHARS: usize = 3;

/// An FTS5 phrase for `text`: quoted, inner quotes doubled.
pub fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}
