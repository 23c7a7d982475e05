//! Output: a table by default, `--json` or `--csv`; listings are written as they arrive.

use anyhow::Result;
use clap::Args;
use comfy_table::{Table, presets};
use serde::Serialize;
use std::io::{self, Write};

/// Output format flags.
#[derive(Args, Clone, Copy, Debug, Default)]
pub struct FormatArgs {
    /// Print JSON (the API's field names).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV with a header line.
    #[arg(long)]
    pub csv: bool,
}

/// The chosen format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

impl FormatArgs {
    pub fn format(self) -> Format {
        if self.json {
            Format::Json
        } else if self.csv {
            Format::Csv
        } else {
            Format::Table
        }
    }
}

/// Text from a server made safe for a terminal: control characters (escape sequences, bells,
/// carriage returns) and the bidirectional overrides that reorder what a reader sees are shown
/// as `\u{..}` escapes (tab and line feed as `\t`, `\n` unless `keep_lines`).
pub fn terminal_safe(text: &str, keep_lines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' if keep_lines => out.push(c),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// The invisible characters that change the display order of text (Trojan Source, CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// One CSV field, quoted when needed (RFC 4180); line breaks are kept (quoted), other control
/// characters escaped.
pub fn csv_field(v: &str) -> String {
    let v = terminal_safe(v, true);
    if v.contains([',', '"', '\n', '\r']) || v.starts_with(' ') || v.ends_with(' ') {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// A CSV line.
pub fn csv_line(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",")
}

/// A table with a header.
pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    t.set_header(header.to_vec());
    for r in rows {
        t.add_row(r.iter().map(|cell| terminal_safe(cell, false)));
    }
    t
}

/// Writes rows of one record type as they come: a table at the end (column widths need every
/// row), JSON as an array whose items are written as they arrive, CSV line by line.
pub struct RowWriter<'a> {
    format: Format,
    header: &'a [&'a str],
    rows: Vec<Vec<String>>,
    written: usize,
    out: io::StdoutLock<'static>,
}

impl<'a> RowWriter<'a> {
    pub fn new(format: Format, header: &'a [&'a str]) -> Result<Self> {
        let mut w = RowWriter {
            format,
            header,
            rows: Vec::new(),
            written: 0,
            out: io::stdout().lock(),
        };
        match format {
            Format::Csv => {
                let line = csv_line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
                w.line(&line)?;
            }
            Format::Json => w.raw("[")?,
            Format::Table => {}
        }
        Ok(w)
    }

    fn raw(&mut self, text: &str) -> Result<()> {
        quiet_pipe(self.out.write_all(text.as_bytes()))
    }

    fn line(&mut self, text: &str) -> Result<()> {
        quiet_pipe(writeln!(self.out, "{text}"))?;
        quiet_pipe(self.out.flush())
    }

    /// One record: its table/CSV cells and its JSON.
    /// A row of text from the server: each cell made safe for a terminal first.
    pub fn safe_row(
        &mut self,
        cells: impl IntoIterator<Item = String>,
        json: &impl Serialize,
    ) -> Result<()> {
        let cells = cells
            .into_iter()
            .map(|s| terminal_safe(&s, false))
            .collect();
        self.row(cells, json)
    }

    pub fn row(&mut self, cells: Vec<String>, json: &impl Serialize) -> Result<()> {
        match self.format {
            Format::Table => self.rows.push(cells),
            Format::Csv => self.line(&csv_line(&cells))?,
            Format::Json => {
                let sep = if self.written == 0 { "\n" } else { ",\n" };
                let text = format!("{sep}  {}", serde_json::to_string(json)?);
                self.raw(&text)?;
                quiet_pipe(self.out.flush())?;
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Ends the output.
    pub fn finish(mut self) -> Result<usize> {
        match self.format {
            Format::Table => {
                if self.rows.is_empty() {
                    eprintln!("(none)");
                } else {
                    let t = table(self.header, std::mem::take(&mut self.rows));
                    self.line(&t.to_string())?;
                }
            }
            Format::Json => {
                let end = if self.written == 0 { "]" } else { "\n]" };
                self.line(end)?;
            }
            Format::Csv => {}
        }
        Ok(self.written)
    }
}

/// A closed pipe (`| head`) ends the output quietly.
fn quiet_pipe(r: io::Result<()>) -> Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}

/// Prints one JSON value, pretty.
pub fn print_json(v: &impl Serialize) -> Result<()> {
    let mut out = io::stdout().lock();
    quiet_pipe(writeln!(out, "{}", serde_json::to_string_pretty(v)?))
}

/// Prints a line.
pub fn print_line(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    quiet_pipe(writeln!(out, "{text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(
            csv_line(&["1".into(), "x, y".into()]),
            "1,\"x, y\"".to_string()
        );
        assert_eq!(csv_field("esc\u{1b}[31m"), "esc\\u{1b}[31m");
    }

    #[test]
    fn tables_show_no_control_or_reordering_characters() {
        let t = table(
            &["Name"],
            vec![vec![
                "red\u{1b}[31m\u{7}\r bell\tand\nlines \u{202e}evil\u{202c}".into(),
            ]],
        )
        .to_string();
        assert!(
            !t.chars()
                .any(|c| (c.is_control() && c != '\n') || is_bidi_control(c)),
            "{t:?}"
        );
        assert!(
            t.contains("red\\u{1b}[31m\\u{7}\\u{d} bell\\tand\\nlines \\u{202e}evil\\u{202c}"),
            "{t}"
        );
    }
}
