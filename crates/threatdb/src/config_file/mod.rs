//! The configuration file, `threatdb.toml`: named by `--config FILE`, else by `THREATDB_CONFIG`,
//! else `./threatdb.toml` when it exists. Its keys are the settings of `threatdb serve`, named
//! as the flags are, `_` for `-` (`listen`, `data_dir`, `database`, `header_read_timeout`;
//! `trusted_proxies` for the repeatable `--trusted-proxy`). Each value is checked by its flag's
//! own parser and then becomes that flag's default, so a flag or a `THREATDB_*` variable still
//! wins: flags > environment > file > defaults. The commands that take `--config` (`serve`,
//! `config show`, `admin`) read it; `admin` uses the keys it has flags for.

use anyhow::{Context, Result, anyhow};
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Args, Command, CommandFactory, FromArgMatches};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The file read when neither `--config` nor `THREATDB_CONFIG` names one (absent is fine).
pub const DEFAULT_PATH: &str = "threatdb.toml";

/// The argument naming the file: not a setting the file itself can hold.
pub const CONFIG_ARG: &str = "config";

/// How the file was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// `--config FILE`.
    Flag,
    /// `THREATDB_CONFIG`.
    Env,
    /// `./threatdb.toml`.
    WorkingDir,
}

/// A configuration file, read and checked.
#[derive(Debug)]
pub struct ConfigFile {
    /// Where it was read.
    pub path: PathBuf,
    /// How it was found.
    pub found: Found,
    /// Each setting's values, as its flag would take them.
    values: BTreeMap<String, Vec<String>>,
}

/// The command line, parsed with the configuration file's values as defaults.
pub struct Parsed<C> {
    /// The parsed command line.
    pub cli: C,
    /// The file, when the command takes `--config` and a file was found.
    pub file: Option<ConfigFile>,
    /// The matches of the (sub)command that takes `--config`, when one does.
    pub matches: Option<ArgMatches>,
}

/// The settings a file may hold: the arguments of `threatdb serve` but `--config`.
pub fn settings() -> Command {
    crate::config::ServeArgs::augment_args(Command::new("serve"))
}

/// The arguments of `settings` that are settings (not `--config`).
pub fn setting_args(settings: &Command) -> impl Iterator<Item = &Arg> {
    settings
        .get_arguments()
        .filter(|a| a.get_id() != CONFIG_ARG)
}

/// Parses `argv` as `C`; when the subcommand takes `--config`, reads the file and parses again
/// with its values as defaults. Usage errors and `--help` exit the process, as clap does.
pub fn parse<C: CommandFactory + FromArgMatches>(argv: Vec<OsString>) -> Result<Parsed<C>> {
    let command = C::command();
    let first = command.clone().get_matches_from(&argv);
    let Some((names, matches)) = find_config_arg(&first) else {
        let cli = C::from_arg_matches(&first).map_err(|e| e.exit())?;
        return Ok(Parsed {
            cli,
            file: None,
            matches: None,
        });
    };
    let file = match locate(matches) {
        Some((path, found)) => Some(ConfigFile::read(&path, found)?),
        None => None,
    };
    let all = match &file {
        Some(file) => apply_at(command, &names, file).get_matches_from(&argv),
        None => first,
    };
    let cli = C::from_arg_matches(&all).map_err(|e| e.exit())?;
    let mut leaf = &all;
    for name in &names {
        leaf = leaf.subcommand_matches(name).unwrap_or(leaf);
    }
    Ok(Parsed {
        cli,
        file,
        matches: Some(leaf.clone()),
    })
}

/// The subcommand names down to the matches that have `--config`, and those matches.
fn find_config_arg(m: &ArgMatches) -> Option<(Vec<String>, &ArgMatches)> {
    if m.try_get_one::<PathBuf>(CONFIG_ARG).is_ok() {
        return Some((Vec::new(), m));
    }
    let (name, sub) = m.subcommand()?;
    let (mut names, found) = find_config_arg(sub)?;
    names.insert(0, name.to_string());
    Some((names, found))
}

fn apply_at(command: Command, names: &[String], file: &ConfigFile) -> Command {
    match names.split_first() {
        None => file.apply(command),
        Some((first, rest)) => command.mut_subcommand(first, |sub| apply_at(sub, rest, file)),
    }
}

/// The file to read: `--config` or `THREATDB_CONFIG` (which must exist), else
/// `./threatdb.toml` if it exists.
fn locate(m: &ArgMatches) -> Option<(PathBuf, Found)> {
    if let Ok(Some(path)) = m.try_get_one::<PathBuf>(CONFIG_ARG)
        && !path.as_os_str().is_empty()
    {
        let found = match m.value_source(CONFIG_ARG) {
            Some(ValueSource::EnvVariable) => Found::Env,
            _ => Found::Flag,
        };
        return Some((path.clone(), found));
    }
    let default = PathBuf::from(DEFAULT_PATH);
    default.is_file().then_some((default, Found::WorkingDir))
}

impl ConfigFile {
    /// Reads and checks the file at `path`.
    pub fn read(path: &Path, found: Found) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        Self::parse(path, found, &text)
    }

    /// Checks `text` (the contents of `path`): TOML, known keys, values each flag accepts.
    pub fn parse(path: &Path, found: Found, text: &str) -> Result<Self> {
        let file = path.display();
        let table: BTreeMap<String, toml::Spanned<toml::Value>> =
            toml::from_str(text).map_err(|e| {
                let why = e.to_string();
                anyhow!(
                    "the configuration file {file} is not valid TOML: {}",
                    why.trim_end()
                )
            })?;
        let settings = settings();
        let mut values = BTreeMap::new();
        for (key, value) in table {
            let line = line_of(text, value.span().start);
            let Some(arg) = setting_args(&settings).find(|a| a.get_id() == key.as_str()) else {
                return Err(anyhow!(
                    "the configuration file {file}, line {line}: unknown setting `{key}`{}",
                    suggestion(&key, &settings)
                ));
            };
            let taken = take(arg, value.get_ref()).map_err(|why| {
                anyhow!("the configuration file {file}, line {line}: {key}: {why}")
            })?;
            values.insert(key, taken);
        }
        Ok(ConfigFile {
            path: path.to_path_buf(),
            found,
            values,
        })
    }

    /// Whether the file sets `key`.
    pub fn sets(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// `command` with the file's values as the defaults of the arguments it has.
    pub fn apply(&self, mut command: Command) -> Command {
        for (key, values) in &self.values {
            if command.get_arguments().any(|a| a.get_id() == key.as_str()) {
                command = command.mut_arg(key, |a| a.default_values(values.clone()));
            }
        }
        command
    }
}

/// The 1-based line of the byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |before| before.matches('\n').count())
        .saturating_add(1)
}

fn suggestion(key: &str, settings: &Command) -> String {
    let known: Vec<&str> = setting_args(settings)
        .map(|a| a.get_id().as_str())
        .collect();
    let fixed = key.replace('-', "_");
    if known.contains(&fixed.as_str()) {
        return format!(" (did you mean `{fixed}`?)");
    }
    format!("; the settings are: {}", known.join(", "))
}

/// The values of one setting as its flag would take them, checked by the flag's parser.
fn take(arg: &Arg, value: &toml::Value) -> Result<Vec<String>, String> {
    let switch = matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse);
    let many = matches!(arg.get_action(), ArgAction::Append);
    let values = match value {
        toml::Value::Boolean(b) if switch => return Ok(vec![b.to_string()]),
        _ if switch => return Err(format!("expected true or false, not {}", value.type_str())),
        toml::Value::Array(items) if many => {
            items.iter().map(scalar).collect::<Result<Vec<_>, _>>()?
        }
        one => vec![scalar(one)?],
    };
    let values: Vec<String> = match arg.get_value_delimiter() {
        Some(d) => values
            .iter()
            .flat_map(|v| v.split(d).map(str::to_string))
            .collect(),
        None => values,
    };
    check(arg, &values)?;
    Ok(values)
}

fn scalar(value: &toml::Value) -> Result<String, String> {
    match value {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        other => Err(format!(
            "expected a string or a number, not {}",
            other.type_str()
        )),
    }
}

/// Runs the flag's own parser on `values`, as if they were given on the command line.
fn check(arg: &Arg, values: &[String]) -> Result<(), String> {
    let Some(long) = arg.get_long() else {
        return Ok(());
    };
    Command::new("threatdb")
        .no_binary_name(true)
        .arg(arg.clone())
        .try_get_matches_from(values.iter().map(|v| format!("--{long}={v}")))
        .map(drop)
        .map_err(|e| {
            // clap's message, without its "error: " and its advice to try --help.
            let text = e.to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            let text = text.split("\n\n").next().unwrap_or(text);
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        })
}

#[cfg(test)]
mod tests;
