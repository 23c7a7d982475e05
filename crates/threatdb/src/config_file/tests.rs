use super::*;
use clap::Parser;
use std::collections::BTreeSet;

/// The example at the repository's root.
const EXAMPLE: &str = include_str!("../../../../threatdb.example.toml");

fn parse(text: &str) -> Result<ConfigFile> {
    ConfigFile::parse(Path::new("t.toml"), Found::Flag, text)
}

/// The example's settings: its `# key = value` lines, uncommented.
fn example_settings() -> String {
    EXAMPLE
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|l| {
            l.split_once(" = ").is_some_and(|(key, _)| {
                !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            })
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_example_lists_every_setting_of_serve_with_its_default() {
    let text = example_settings();
    let file = parse(&text).expect("the example's settings load");
    let listed: BTreeSet<&str> = file.values.keys().map(String::as_str).collect();
    let settings = settings();
    let accepted: BTreeSet<&str> = setting_args(&settings)
        .map(|a| a.get_id().as_str())
        .collect();
    assert_eq!(
        listed, accepted,
        "threatdb.example.toml must list exactly the settings `threatdb serve` accepts"
    );
    for arg in setting_args(&settings) {
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        let id = arg.get_id().as_str();
        if !defaults.is_empty() {
            assert_eq!(
                file.values[id], defaults,
                "the example's {id} is not its default"
            );
        }
    }
}

#[test]
fn values_are_checked_by_the_flags_parsers_and_name_the_line() {
    let e = parse("listen = \"x\"\n\nheader_read_timeout = 0\n").expect_err("out of range");
    let e = e.to_string();
    assert!(e.contains("t.toml, line 3: header_read_timeout"), "{e}");
    assert!(e.contains("1..=3600"), "{e}");
    let e = parse("log_format = \"xml\"").expect_err("not a format");
    assert!(e.to_string().contains("human, json"), "{e}");
    let e = parse("reject_replays = \"yes\"").expect_err("not a boolean");
    assert!(e.to_string().contains("true or false"), "{e}");
    let e = parse("listen = [\"a\"]").expect_err("not a list");
    assert!(e.to_string().contains("not array"), "{e}");
    let e = parse("trusted_proxies = [1.5]").expect_err("not a string");
    assert!(e.to_string().contains("line 1: trusted_proxies"), "{e}");
}

#[test]
fn unknown_keys_and_bad_toml_are_errors_naming_the_file() {
    let e = parse("listen = \"x\"\nlisten_port = 1\n").expect_err("unknown");
    let e = e.to_string();
    assert!(
        e.contains("t.toml, line 2: unknown setting `listen_port`"),
        "{e}"
    );
    assert!(
        e.contains("header_read_timeout"),
        "the known settings are listed: {e}"
    );
    let e = parse("idle-timeout = 1").expect_err("dashes");
    assert!(e.to_string().contains("did you mean `idle_timeout`"), "{e}");
    let e = parse("config = \"other.toml\"").expect_err("not a setting");
    assert!(e.to_string().contains("unknown setting `config`"), "{e}");
    let e = parse("[server]\nlisten = \"x\"\n").expect_err("a table");
    assert!(e.to_string().contains("unknown setting `server`"), "{e}");
    let e = parse("listen = \n").expect_err("not TOML");
    let e = e.to_string();
    assert!(e.contains("t.toml is not valid TOML"), "{e}");
    assert!(e.contains("line 1"), "{e}");
}

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    Serve(crate::config::ServeArgs),
}

#[test]
fn the_file_is_below_flags_and_above_defaults() {
    let file = parse("listen = \"0.0.0.0:1\"\nidle_timeout = 5\nreject_replays = true\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n")
        .expect("loads");
    let command = apply_at(Cli::command(), &["serve".to_string()], &file);
    let matches = command
        .try_get_matches_from(["threatdb", "serve", "--idle-timeout", "7"])
        .expect("parses");
    let Sub::Serve(args) = Cli::from_arg_matches(&matches).expect("args").command;
    assert_eq!(args.listen, "0.0.0.0:1");
    assert_eq!(args.limits.idle_timeout, 7);
    assert!(args.limits.reject_replays);
    assert_eq!(args.limits.trusted_proxies, ["10.0.0.0/8", "::1"]);
    assert_eq!(args.limits.body_timeout, 60);
    let serve = matches.subcommand_matches("serve").expect("serve");
    assert_eq!(
        serve.value_source("idle_timeout"),
        Some(ValueSource::CommandLine)
    );
    assert_eq!(
        serve.value_source("listen"),
        Some(ValueSource::DefaultValue)
    );
    assert!(file.sets("listen") && !file.sets("body_timeout"));
}

#[test]
fn lines_are_counted_from_one() {
    assert_eq!(line_of("a\nb\nc", 0), 1);
    assert_eq!(line_of("a\nb\nc", 2), 2);
}
