//! Reading an import's input object by object without holding it: the elements of a top-level
//! JSON list, or of the `objects` list of a top-level object (a bundle or an envelope), cut out
//! of 1 MiB blocks by a scanner that only follows strings and nesting, each element then parsed
//! from its bytes by serde_json. (serde_json reading from a stream goes a byte at a time:
//! reading a 69 MB bundle three times took 6 s of the import's 11 s; parsing slices is several
//! times faster.)

use std::io::Read;

/// Where the scanner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// Before the top-level value.
    Start,
    /// Inside a top-level object: reading keys and skipping their values.
    Outer,
    /// Inside the list of objects (`depth` is its own).
    List,
    /// After the list of objects, inside the top-level object.
    After,
    /// After the top-level value.
    End,
}

/// The elements of an import's input, one at a time.
pub struct Elements<R: Read> {
    r: R,
    block: Vec<u8>,
    pos: usize,
    len: usize,
    at: At,
    depth: u32,
    /// In the top-level object: whether a key comes next, and the last key read.
    expecting_key: bool,
    key: Vec<u8>,
    /// The top-level `type`'s value.
    kind: Vec<u8>,
}

impl<R: Read> Elements<R> {
    pub fn new(r: R) -> Self {
        Elements {
            r,
            block: vec![0; 1 << 20],
            pos: 0,
            len: 0,
            at: At::Start,
            depth: 0,
            expecting_key: true,
            key: Vec::new(),
            kind: Vec::new(),
        }
    }

    fn byte(&mut self) -> std::io::Result<Option<u8>> {
        if self.pos == self.len {
            self.len = self.r.read(&mut self.block)?;
            self.pos = 0;
            if self.len == 0 {
                return Ok(None);
            }
        }
        let b = self.block.get(self.pos).copied();
        self.pos = self.pos.saturating_add(1);
        Ok(b)
    }

    /// The bytes of a string whose opening quote was read, closing quote included, appended to
    /// `into` (when given). The block is searched for the next quote or backslash at once.
    fn string(&mut self, mut into: Option<&mut Vec<u8>>) -> Result<(), String> {
        loop {
            if self.pos == self.len {
                self.len = self.r.read(&mut self.block).map_err(|e| e.to_string())?;
                self.pos = 0;
                if self.len == 0 {
                    return Err("the input ends inside a string".into());
                }
            }
            let rest = self.block.get(self.pos..self.len).unwrap_or_default();
            let Some(at) = memchr::memchr2(b'"', b'\\', rest) else {
                if let Some(v) = into.as_deref_mut() {
                    v.extend_from_slice(rest);
                }
                self.pos = self.len;
                continue;
            };
            let found = rest.get(at).copied();
            if let Some(v) = into.as_deref_mut() {
                v.extend_from_slice(rest.get(..=at).unwrap_or_default());
            }
            self.pos = self.pos.saturating_add(at).saturating_add(1);
            if found == Some(b'"') {
                return Ok(());
            }
            // A backslash: the byte after it is taken as it is.
            let escaped = self
                .byte()
                .map_err(|e| e.to_string())?
                .ok_or("the input ends inside a string")?;
            if let Some(v) = into.as_deref_mut() {
                v.push(escaped);
            }
        }
    }

    /// The next element of the list of objects, as its bytes; `None` at the end of the input.
    pub fn next_element(&mut self) -> Result<Option<Vec<u8>>, String> {
        loop {
            let Some(b) = self.byte().map_err(|e| e.to_string())? else {
                return match self.at {
                    At::End => Ok(None),
                    At::Start => Err("the input is empty".into()),
                    _ => Err("the input ends before its JSON value does".into()),
                };
            };
            if b.is_ascii_whitespace() {
                continue;
            }
            match self.at {
                At::Start => match b {
                    b'[' => {
                        self.at = At::List;
                        self.depth = 1;
                    }
                    b'{' => {
                        self.at = At::Outer;
                        self.depth = 1;
                    }
                    _ => return Err("the input is neither a JSON object nor a list".into()),
                },
                At::End => return Err("there is more after the input's JSON value".into()),
                At::Outer | At::After => self.outer(b)?,
                At::List => match b {
                    b',' => {}
                    b']' => self.close_list(),
                    _ => return self.element(b).map(Some),
                },
            }
        }
    }

    /// One byte of the top-level object outside the list of objects: keys, `:`, `,`, and
    /// values skipped (the `type`'s kept, the `objects` list entered).
    fn outer(&mut self, b: u8) -> Result<(), String> {
        match b {
            b'"' if self.depth == 1 && self.expecting_key => {
                let mut text = Vec::new();
                self.string(Some(&mut text))?;
                text.pop();
                self.key = text;
                self.expecting_key = false;
            }
            b'"' if self.depth == 1 && self.key == b"type" => {
                let mut text = Vec::new();
                self.string(Some(&mut text))?;
                text.pop();
                self.kind = text;
            }
            b'"' => self.string(None)?,
            b':' if self.depth == 1 && self.key == b"objects" && self.at == At::Outer => loop {
                // The list follows (after any whitespace).
                match self.byte().map_err(|e| e.to_string())? {
                    Some(w) if w.is_ascii_whitespace() => continue,
                    Some(b'[') => {
                        self.depth = 2;
                        self.at = At::List;
                        return Ok(());
                    }
                    _ => return Err("`objects` is not a list".into()),
                }
            },
            b',' if self.depth == 1 => {
                self.expecting_key = true;
                self.key.clear();
            }
            b'{' | b'[' => self.depth = self.depth.saturating_add(1),
            b'}' | b']' => {
                self.depth = self.depth.saturating_sub(1);
                if self.depth == 0 {
                    self.check_kind()?;
                    self.at = At::End;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A top-level object must be a bundle, or have no `type` (an envelope).
    fn check_kind(&self) -> Result<(), String> {
        if self.kind.is_empty() || self.kind == b"bundle" {
            return Ok(());
        }
        Err(format!(
            "a top-level object of type '{}' (a bundle, an envelope or a list is read)",
            String::from_utf8_lossy(&self.kind)
        ))
    }

    /// The bytes of one element of the list, whose first byte is `first`.
    fn element(&mut self, first: u8) -> Result<Vec<u8>, String> {
        let mut out = vec![first];
        match first {
            b'{' | b'[' => {}
            b'"' => {
                self.string(Some(&mut out))?;
                return Ok(out);
            }
            _ => {
                // A number or a literal: it ends at `,` or `]` (the latter ends the list too).
                loop {
                    match self.byte().map_err(|e| e.to_string())? {
                        None => return Err("the input ends inside the list".into()),
                        Some(b',') => return Ok(out),
                        Some(b']') => {
                            self.close_list();
                            return Ok(out);
                        }
                        Some(w) if w.is_ascii_whitespace() => {}
                        Some(b) => out.push(b),
                    }
                }
            }
        }
        let mut depth = 1u32;
        loop {
            let b = self
                .byte()
                .map_err(|e| e.to_string())?
                .ok_or("the input ends inside an object")?;
            out.push(b);
            match b {
                b'"' => self.string(Some(&mut out))?,
                b'{' | b'[' => depth = depth.saturating_add(1),
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(out);
                    }
                }
                _ => {}
            }
        }
    }

    /// The list of objects ended.
    fn close_list(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.at = if self.depth == 0 { At::End } else { At::After };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &str) -> Result<Vec<String>, String> {
        let mut e = Elements::new(input.as_bytes());
        let mut out = Vec::new();
        while let Some(el) = e.next_element()? {
            out.push(String::from_utf8(el).unwrap());
        }
        Ok(out)
    }

    #[test]
    fn bundles_envelopes_and_lists_give_their_objects() {
        let bundle = r#"{"type": "bundle", "id": "bundle--1", "objects": [{"a": "x]}\"{"}, {"b": [1, {"c": 2}]}]}"#;
        assert_eq!(
            all(bundle).unwrap(),
            vec![r#"{"a": "x]}\"{"}"#, r#"{"b": [1, {"c": 2}]}"#]
        );
        let envelope = r#"{"more": false, "objects": [{"x": 1}], "next": "a,b"}"#;
        assert_eq!(all(envelope).unwrap(), vec![r#"{"x": 1}"#]);
        assert_eq!(
            all(r#" [ {"x": 1} , 7 , "s" ] "#).unwrap(),
            vec![r#"{"x": 1}"#, "7", "\"s\""]
        );
        assert_eq!(all(r#"{"objects": []}"#).unwrap(), Vec::<String>::new());
        // Keys and values before the list, with nesting and escapes, are skipped.
        let before = r#"{"x": {"objects": [1]}, "y": "objects\":[", "objects": [{"z": 0}]}"#;
        assert_eq!(all(before).unwrap(), vec![r#"{"z": 0}"#]);
    }

    #[test]
    fn what_is_not_an_input_says_so() {
        assert!(all("").is_err());
        assert!(all("7").is_err());
        assert!(all(r#"{"type": "bundle", "objects": [{"type": "incident""#).is_err());
        assert!(all(r#"[{"a": 1}] [2]"#).is_err());
        let e = all(r#"{"type": "identity", "name": "x"}"#).unwrap_err();
        assert!(e.contains("a top-level object of type 'identity'"), "{e}");
        assert!(all(r#"{"objects": 5}"#).is_err());
    }
}
