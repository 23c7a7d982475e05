//! `threatdb config show`: the settings `threatdb serve` would run with (given the same flags,
//! environment and configuration file), one a line with where its value comes from. The
//! database URL's password is shown as `***`; the master key never.

use crate::config::ServeArgs;
use crate::config_file::{ConfigFile, Found, setting_args, settings};
use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Subcommand};
use std::fmt::Write as _;

/// `threatdb config`.
#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration of `threatdb serve`, each setting with its source
    /// (flag, env THREATDB_X, file PATH or default). Takes the flags `serve` takes.
    Show(Box<ServeArgs>),
}

/// The report `config show` prints.
pub fn report(file: Option<&ConfigFile>, matches: &ArgMatches) -> String {
    let mut lines: Vec<(String, String)> = Vec::new();
    let settings = settings();
    for arg in setting_args(&settings) {
        let id = arg.get_id().as_str();
        let source = match matches.value_source(id) {
            Some(ValueSource::CommandLine) => "flag".to_string(),
            Some(ValueSource::EnvVariable) => match arg.get_env() {
                Some(name) => format!("env {}", name.to_string_lossy()),
                None => "env".to_string(),
            },
            Some(ValueSource::DefaultValue) if file.is_some_and(|f| f.sets(id)) => {
                let path = file.map(|f| f.path.display().to_string());
                format!("file {}", path.unwrap_or_default())
            }
            _ => "default".to_string(),
        };
        let raw: Vec<String> = matches
            .get_raw(id)
            .map(|values| values.map(|v| v.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        let value = match arg.get_action() {
            ArgAction::SetTrue | ArgAction::SetFalse => Some(matches.get_flag(id).to_string()),
            ArgAction::Append => Some(format!(
                "[{}]",
                raw.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ")
            )),
            _ if id == "database" => raw.first().map(|url| quote(&crate::config::redact(url))),
            _ => raw.first().map(|v| quote(v)),
        };
        let left = match value {
            Some(value) => format!("{id} = {value}"),
            None => format!("# {id} is not set"),
        };
        lines.push((left, source));
    }
    lines.push(master_key(matches));
    let width = lines.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(out, "{}", describe(file));
    for (left, source) in &lines {
        let _ = writeln!(out, "{left:width$}  # {source}");
    }
    out
}

fn describe(file: Option<&ConfigFile>) -> String {
    match file {
        Some(f) => {
            let how = match f.found {
                Found::Flag => "--config",
                Found::Env => "env THREATDB_CONFIG",
                Found::WorkingDir => "found in the working directory",
            };
            format!("# configuration file: {} ({how})", f.path.display())
        }
        None => format!(
            "# no configuration file (no --config or THREATDB_CONFIG, no ./{})",
            crate::config_file::DEFAULT_PATH
        ),
    }
}

/// Where the master key comes from; the key itself is never shown.
fn master_key(matches: &ArgMatches) -> (String, String) {
    let left = "# master key: not shown".to_string();
    if std::env::var_os("THREATDB_MASTER_KEY").is_some() {
        return (left, "env THREATDB_MASTER_KEY".to_string());
    }
    let path = matches
        .get_raw("data_dir")
        .and_then(|mut v| v.next())
        .map(|v| std::path::Path::new(v).join("master.key"));
    let path = path.map(|p| p.display().to_string()).unwrap_or_default();
    (left, format!("file {path} (made on first start if absent)"))
}

/// A TOML value for `v`: a bare number for digits, else a quoted string.
fn quote(v: &str) -> String {
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.to_string();
    }
    // A JSON string is a TOML basic string: the same quotes and escapes.
    serde_json::to_string(v).unwrap_or_else(|_| format!("\"{v}\""))
}
