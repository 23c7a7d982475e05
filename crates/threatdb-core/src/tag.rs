//! Tags: free-form labels whose identity is their name compared case-insensitively.

use crate::Invalid;

/// A tag name: trimmed, 1 to 128 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagName(String);

impl TagName {
    /// The longest tag accepted, in characters.
    pub const MAX_CHARS: usize = 128;

    /// Trims and checks a tag name.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let name = s.trim();
        if name.is_empty() {
            return Err(Invalid::new("a tag name must not be empty"));
        }
        crate::reject_control("a tag name", name)?;
        let len = name.chars().count();
        if len > Self::MAX_CHARS {
            return Err(Invalid::new(format!(
                "tag is {len} characters long: the limit is {}",
                Self::MAX_CHARS
            )));
        }
        Ok(TagName(name.to_string()))
    }

    /// The name as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identity of the tag: its lower-cased name.
    pub fn key(&self) -> String {
        tag_key(&self.0)
    }
}

/// The identity of a tag name: trimmed and lower-cased (Unicode-aware).
pub fn tag_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// A tag as stored in an owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Its id (per owner: the same name in two owners is two tags).
    pub id: i64,
    /// The first spelling the tag was created with.
    pub name: String,
}
