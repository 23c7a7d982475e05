//! `threatdb export`: an administrator's export of the data directory's owners as one STIX 2.1
//! bundle (or one owner as a ThreatConnect Batch file, `tc-json`: `export_tc.rs`), streamed
//! (each object is written as soon as it is read; memory does not grow with the export), to a
//! file that appears only once it is complete, or to standard output.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use serde_json::Value;
use threatdb_core::{Actor, Membership, Owner, Role};
use threatdb_stix::{Exporter, Sink, Summary};

use crate::config::DataArgs;

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// The format written.
    #[arg(long, value_enum, default_value = "stix21")]
    format: Format,
    /// An owner to export (repeat for several); default: every owner.
    #[arg(long = "owner", value_name = "NAME")]
    pub(crate) owners: Vec<String>,
    /// Only objects changed at or after this date (ISO 8601, as the API takes dates); owners'
    /// identities and the markings used are always written.
    #[arg(long, value_name = "DATE")]
    pub(crate) since: Option<String>,
    /// Where to write: a file (written beside it and renamed when complete), or `-` for
    /// standard output.
    #[arg(long, short, value_name = "FILE|-", default_value = "-")]
    pub(crate) output: String,
    /// Export through a running server instead of the data directory: its TAXII collections,
    /// with the rights of the API user or token given as for `threatdb api` (--base-url,
    /// --access-id and --secret-key, or --token; the TC_API_* variables; --credentials).
    #[arg(long)]
    pub(crate) via_api: bool,
    /// With --via-api: an API token instead of the access id and secret key.
    #[arg(long, env = "TC_TOKEN", hide_env_values = true)]
    pub(crate) token: Option<String>,
    #[command(flatten)]
    pub(crate) endpoint: crate::client::EndpointArgs,
}

impl ExportArgs {
    /// `--since`, read.
    pub(crate) fn since(&self) -> Result<Option<threatdb_core::Timestamp>> {
        self.since
            .as_deref()
            .map(threatdb_core::parse_timestamp)
            .transpose()
            .context("--since")
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Format {
    /// One STIX 2.1 bundle (docs/STIX.md).
    Stix21,
    /// One owner's groups and indicators as a ThreatConnect Batch file (docs/STIX.md, tc-json).
    TcJson,
}

/// Objects written as one JSON bundle, one object per line.
struct Bundle<W: Write> {
    out: W,
    first: bool,
    bar: indicatif::ProgressBar,
}

impl<W: Write> Sink for Bundle<W> {
    fn object(&mut self, object: &Value) -> std::io::Result<()> {
        self.out
            .write_all(if self.first { b"\n" } else { b",\n" })?;
        self.first = false;
        serde_json::to_writer(&mut self.out, object)?;
        self.bar.inc(1);
        Ok(())
    }
}

pub async fn run(args: ExportArgs) -> Result<()> {
    if let Format::TcJson = args.format {
        return crate::export_tc::run(&args).await;
    }
    let since = args.since()?;
    let (file, partial, out) = output(&args.output)?;
    let mut bundle = Bundle {
        out: std::io::BufWriter::with_capacity(1 << 16, out),
        first: true,
        bar: progress(),
    };
    let mut summary = Summary::default();
    let written = async {
        let id = format!("bundle--{}", uuid::Uuid::new_v4());
        write!(bundle.out, "{{\"id\":\"{id}\",\"objects\":[")?;
        bundle.object(&threatdb_stix::fixed::software_identity())?;
        bundle.object(&threatdb_stix::fixed::extension_definition())?;
        if args.via_api {
            let from = crate::export_api::Source {
                endpoint: &args.endpoint,
                token: args.token.as_deref(),
                owners: &args.owners,
                since,
            };
            crate::export_api::write(from, &mut bundle, &mut summary).await?;
        } else {
            from_store(&args, since, &mut bundle, &mut summary).await?;
        }
        bundle.out.write_all(b"\n],\"type\":\"bundle\"}\n")?;
        bundle.out.flush()?;
        anyhow::Ok(())
    }
    .await;
    bundle.bar.finish_and_clear();
    finish(written, file.as_deref(), partial.as_deref())?;
    report(&summary);
    Ok(())
}

/// The file in place once the export is written (the partial file removed when it failed).
pub(crate) fn finish(
    written: Result<()>,
    file: Option<&std::path::Path>,
    partial: Option<&std::path::Path>,
) -> Result<()> {
    if let Err(e) = written {
        if let Some(p) = partial {
            let _ = std::fs::remove_file(p);
        }
        return Err(e);
    }
    if let (Some(partial), Some(file)) = (partial, file) {
        std::fs::rename(partial, file).with_context(|| {
            format!("cannot rename {} to {}", partial.display(), file.display())
        })?;
    }
    Ok(())
}

/// The file to write (none for standard output), the partial file beside it, and the writer.
pub(crate) type Output = (Option<PathBuf>, Option<PathBuf>, Box<dyn Write>);

pub(crate) fn output(output: &str) -> Result<Output> {
    let (file, partial) = match output {
        "-" => (None, None),
        path => {
            let path = PathBuf::from(path);
            let mut name = path.file_name().unwrap_or_default().to_os_string();
            name.push(".partial");
            let partial = path.with_file_name(name);
            (Some(path), Some(partial))
        }
    };
    let out: Box<dyn Write> = match &partial {
        None => Box::new(std::io::stdout()),
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ),
    };
    Ok((file, partial, out))
}

/// The owners' objects read from the data directory's store.
async fn from_store<W: Write>(
    args: &ExportArgs,
    since: Option<threatdb_core::Timestamp>,
    bundle: &mut Bundle<W>,
    summary: &mut Summary,
) -> Result<()> {
    let opened = args.data.open_store().await?;
    let all = opened.admin().all_owners().await?;
    let mut names = Vec::new();
    let exported = async {
        let owners: Vec<Owner> =
            crate::export_api::choose(&all, &args.owners, |o: &Owner| o.name.as_str())
                .map_err(|name| anyhow::anyhow!("there is no owner '{name}'"))?;
        names = owners.iter().map(|o| o.name.clone()).collect();
        let actor = operator(&owners, Role::Read, "threatdb export");
        for owner in &owners {
            Exporter::new(
                opened.store().as_ref(),
                &actor,
                owner,
                since,
                bundle,
                summary,
            )
            .run()
            .await?;
        }
        anyhow::Ok(())
    }
    .await;
    let target = format!("stix of {}", names.join(", "));
    crate::audit::record(opened.store().as_ref(), "cli", "export", &target, &exported).await;
    opened.close().await;
    exported
}

/// The data directory's operator acting on `owners` with `role` in each, under `name`.
pub fn operator(owners: &[Owner], role: Role, name: &str) -> Actor {
    let default_owner = owners.first().cloned().unwrap_or_else(|| Owner {
        id: 0,
        name: String::new(),
        kind: threatdb_core::OwnerKind::Organization,
    });
    Actor {
        user_id: 0,
        name: name.to_string(),
        default_owner,
        memberships: owners
            .iter()
            .map(|owner| Membership {
                owner: owner.clone(),
                role,
            })
            .collect(),
    }
}

/// What was written and left out, on standard error.
fn report(summary: &Summary) {
    let written: Vec<String> = summary
        .written
        .iter()
        .map(|(t, n)| format!("{n} {t}"))
        .collect();
    eprintln!(
        "exported {} STIX objects: {}",
        summary.total(),
        written.join(", ")
    );
    if !summary.left_out.is_empty() {
        let left: Vec<String> = summary
            .left_out
            .iter()
            .map(|(t, n)| format!("{n} {t}"))
            .collect();
        eprintln!(
            "left out (no STIX 2.1 object for them, or a report that refers to nothing): {}",
            left.join(", ")
        );
    }
}

/// Objects written so far, on a terminal; nothing otherwise.
pub(crate) fn progress() -> indicatif::ProgressBar {
    spinner("exporting {spinner} {pos} objects ({per_sec})")
}

/// A spinner drawn with `template` on a terminal; nothing otherwise.
pub(crate) fn spinner(template: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
