//! `threatdb import`: an administrator's import of a STIX 2.1 bundle (or a TAXII envelope, or
//! a JSON list of objects) into the data directory's store (a tc-json file goes to
//! `import_tc.rs`). The file is read three times,
//! one object at a time on a thread of its own, so it is never held whole; a terminal shows a
//! progress bar per pass and the end a table of what was created, updated, left alone and
//! refused.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::Value;
use threatdb_core::{Actor, Owner, Role};
use threatdb_stix::{ImportSummary, Importer};
use tokio::sync::mpsc;

use crate::config::DataArgs;

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// The file to read: a STIX 2.1 bundle, a TAXII envelope or a JSON list of objects, or a
    /// tc-json file (a ThreatConnect Batch file, `{"group":[…],"indicator":[…]}`, imported as
    /// one Batch job into --owner); `-` for standard input.
    #[arg(value_name = "FILE|-", default_value = "-")]
    input: String,
    /// The owner objects go to when the identity they are created by is not an owner here
    /// (a bundle from another platform); objects exported by threatdb go to their own owners,
    /// which are created when missing. With --via-api: the owner whose collection takes them.
    #[arg(long, value_name = "NAME")]
    pub(crate) owner: Option<String>,
    /// Write nothing when any object is refused (everything is checked first).
    #[arg(long, conflicts_with = "via_api")]
    pub(crate) atomic: bool,
    /// Import through a running server instead of the data directory: the bundle is posted to
    /// the TAXII collection of --owner (or of the only owner the user may write to), with the
    /// rights of the API user or token given as for `threatdb api` (--base-url, --access-id
    /// and --secret-key, or --token; the TC_API_* variables; --credentials).
    #[arg(long)]
    pub(crate) via_api: bool,
    /// With --via-api: an API token instead of the access id and secret key.
    #[arg(long, env = "TC_TOKEN", hide_env_values = true)]
    pub(crate) token: Option<String>,
    #[command(flatten)]
    pub(crate) endpoint: crate::client::EndpointArgs,
}

pub async fn run(args: ImportArgs) -> Result<()> {
    // Standard input is read once into a file beside the system's temporary files: the import
    // reads its input three times.
    let mut spooled = None;
    if args.input == "-" && std::io::stdin().is_terminal() {
        bail!("give the file to import, or - with a bundle piped to standard input");
    }
    let path: PathBuf = if args.input == "-" {
        let mut file = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
        std::io::copy(&mut std::io::stdin().lock(), &mut file).context("reading standard input")?;
        let path = file.path().to_path_buf();
        spooled = Some(file);
        path
    } else {
        let path = PathBuf::from(&args.input);
        if !path.is_file() {
            bail!("{} is not a file", path.display());
        }
        path
    };
    if crate::import_tc::is_tc_json(&path)? {
        let done = crate::import_tc::run(&args, &path).await;
        drop(spooled);
        return done;
    }
    if args.via_api {
        let done = via_api(&args, &path).await;
        drop(spooled);
        return done;
    }
    if args.data.database_url.is_none() {
        // Importing into a new data directory is how a server is filled from another's export.
        std::fs::create_dir_all(&args.data.data_dir)
            .with_context(|| format!("cannot create {}", args.data.data_dir.display()))?;
    }
    let opened = args.data.open_store().await?;
    // What the import writes is recorded in the history as made through `import`.
    let done = threatdb_core::context::within(
        Some(crate::import_tc::through_import()),
        import(&args, &path, &opened),
    )
    .await;
    let outcome = done
        .as_ref()
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("{e:#}"));
    let target = format!("stix from {}", args.input);
    crate::audit::record(opened.store().as_ref(), "cli", "import", &target, &outcome).await;
    opened.close().await;
    drop(spooled);
    let summary = done?;
    report(&summary);
    match summary.rejected_total() {
        0 => Ok(()),
        n => bail!("{n} objects were refused (listed above); everything else was imported"),
    }
}

async fn import(
    args: &ImportArgs,
    path: &Path,
    opened: &crate::config::OpenStore,
) -> Result<ImportSummary> {
    let admin = opened.admin();
    let store = opened.store();
    let mut owners = admin.all_owners().await?;
    let actor = administrator(&owners);
    let fallback = match &args.owner {
        None => None,
        Some(name) => Some(
            owners
                .iter()
                .find(|o| &o.name == name)
                .cloned()
                .with_context(|| format!("there is no owner '{name}'"))?,
        ),
    };
    let mut importer = Importer::new(store.clone(), actor, &owners, fallback, args.atomic)
        .await
        .map_err(anyhow::Error::msg)?;
    // Pass 1: owners, markings and authors.
    let mut pass = Pass::start(path, "reading", None, definitions)?;
    while let Some(v) = pass.next().await {
        importer.survey(&v);
    }
    let total = pass.end().await?;
    let missing = importer.missing_owners();
    if args.atomic {
        // Everything is checked before anything is written, the owners the input names too.
        importer.plan_owners(missing.clone());
        let mut pass = Pass::start(path, "checking", Some(total), all)?;
        while let Some(v) = pass.next().await {
            importer.check(&v).await.map_err(anyhow::Error::msg)?;
        }
        pass.end().await?;
        if let Err(e) = importer.refused() {
            report(&importer.summary);
            bail!("{e}");
        }
        importer.summary = ImportSummary::default();
    }
    for (name, kind) in &missing {
        let made = admin
            .create_owner(name, *kind)
            .await
            .with_context(|| format!("creating owner '{name}'"))?;
        eprintln!("created owner '{}' ({})", made.name, made.kind.as_str());
        owners.push(made.clone());
        importer.set_actor(administrator(&owners));
        importer.add_owner(made).await.map_err(anyhow::Error::msg)?;
    }
    importer.begin().await.map_err(anyhow::Error::msg)?;
    let mut pass = Pass::start(path, "importing objects", Some(total), objects)?;
    while let Some(v) = pass.next().await {
        importer.object(&v).await.map_err(anyhow::Error::msg)?;
    }
    pass.end().await?;
    importer.flush().await.map_err(anyhow::Error::msg)?;
    let mut pass = Pass::start(path, "importing relationships", Some(total), relationships)?;
    while let Some(v) = pass.next().await {
        importer
            .relationship(&v)
            .await
            .map_err(anyhow::Error::msg)?;
    }
    pass.end().await?;
    importer.finish().await.map_err(anyhow::Error::msg)?;
    Ok(importer.summary)
}

/// The bundle posted through a running server's TAXII collection.
async fn via_api(args: &ImportArgs, path: &Path) -> Result<()> {
    let mut count = Pass::start(path, "reading", None, |_| false)?;
    while count.next().await.is_some() {}
    let total = count.end().await?;
    let target = crate::import_api::Target {
        endpoint: &args.endpoint,
        token: args.token.as_deref(),
        owner: args.owner.as_deref(),
    };
    let tally = crate::import_api::post(target, path, total).await?;
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::ASCII_MARKDOWN);
    table.set_header(["STIX type", "accepted", "refused"]);
    let mut types: Vec<&String> = tally.accepted.keys().chain(tally.refused.keys()).collect();
    types.sort();
    types.dedup();
    for t in types {
        let n = |m: &std::collections::BTreeMap<String, u64>| m.get(t).copied().unwrap_or(0);
        table.add_row([
            t.clone(),
            n(&tally.accepted).to_string(),
            n(&tally.refused).to_string(),
        ]);
    }
    eprintln!("posted to the collection of '{}':", tally.collection);
    eprintln!("{table}");
    let refused = tally.refused_total();
    if refused > 0 {
        eprintln!("refused ({refused}):");
        for (id, reason) in tally.failures.iter().take(50) {
            eprintln!("  {id}: {reason}");
        }
        if refused > 50 {
            eprintln!("  ... and {} more", refused - 50);
        }
        bail!("{refused} objects were refused (listed above); everything else was imported");
    }
    Ok(())
}

/// An administrator of every owner (the data directory's operator).
fn administrator(owners: &[Owner]) -> Actor {
    crate::export::operator(owners, Role::Admin, "threatdb import")
}

/// One read of the file: its objects in order, parsed on a blocking thread a bounded queue
/// ahead of the reader.
pub(crate) struct Pass {
    rx: mpsc::Receiver<Value>,
    parser: tokio::task::JoinHandle<Result<()>>,
    bar: indicatif::ProgressBar,
    read: u64,
    what: String,
    started: std::time::Instant,
}

/// Which objects a pass reads whole, by STIX type; the others come as their head only
/// (`type`, `id`, `created_by_ref`), which is all a pass that skips them looks at.
pub(crate) type Wanted = fn(&str) -> bool;

/// Every object whole.
pub(crate) fn all(_: &str) -> bool {
    true
}

/// Owners' identities and markings (what the first pass reads).
pub(crate) fn definitions(t: &str) -> bool {
    matches!(t, "identity" | "marking-definition")
}

/// Everything but relationships.
pub(crate) fn objects(t: &str) -> bool {
    t != "relationship"
}

/// Relationships.
pub(crate) fn relationships(t: &str) -> bool {
    t == "relationship"
}

impl Pass {
    pub(crate) fn start(
        path: &Path,
        what: &str,
        total: Option<u64>,
        wanted: Wanted,
    ) -> Result<Pass> {
        // Far enough ahead that reading goes on while the store writes a chunk.
        let (tx, rx) = mpsc::channel::<Value>(4096);
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let parser = tokio::task::spawn_blocking(move || parse(file, &tx, wanted));
        Ok(Pass {
            rx,
            parser,
            bar: progress(what, total),
            read: 0,
            what: what.to_string(),
            started: std::time::Instant::now(),
        })
    }

    pub(crate) async fn next(&mut self) -> Option<Value> {
        let v = self.rx.recv().await?;
        self.read = self.read.saturating_add(1);
        self.bar.inc(1);
        Some(v)
    }

    /// How many objects were read; an error when the input is not whole JSON.
    pub(crate) async fn end(self) -> Result<u64> {
        drop(self.rx);
        self.bar.finish_and_clear();
        self.parser.await.context("the reader stopped")??;
        tracing::debug!(
            pass = %self.what,
            objects = self.read,
            seconds = self.started.elapsed().as_secs_f64(),
            "import pass done"
        );
        Ok(self.read)
    }
}

/// Reads a bundle, envelope or list, sending each object (whole when `wanted`).
fn parse(file: std::fs::File, tx: &mpsc::Sender<Value>, wanted: Wanted) -> Result<()> {
    let not_input = |e: String| {
        anyhow::anyhow!("the input is not a STIX bundle, envelope or list of objects: {e}")
    };
    let mut elements = crate::import_read::Elements::new(file);
    while let Some(bytes) = elements.next_element().map_err(not_input)? {
        let v = object(&bytes, wanted).map_err(|e| not_input(e.to_string()))?;
        if tx.blocking_send(v).is_err() {
            // The import stopped reading.
            return Ok(());
        }
    }
    Ok(())
}

/// What a pass needs of an object it skips.
#[derive(serde::Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    created_by_ref: Option<std::borrow::Cow<'a, str>>,
}

/// An object whole when the pass wants its type (or when it is not an object with a type:
/// whoever reads it says why it is refused), else its head.
fn object(bytes: &[u8], wanted: Wanted) -> serde_json::Result<Value> {
    if let Ok(head) = serde_json::from_slice::<Head<'_>>(bytes)
        && let Some(kind) = head.kind.as_deref()
        && !wanted(kind)
    {
        let mut small = serde_json::Map::new();
        small.insert("type".into(), Value::from(kind));
        if let Some(id) = head.id {
            small.insert("id".into(), Value::from(id.into_owned()));
        }
        if let Some(by) = head.created_by_ref {
            small.insert("created_by_ref".into(), Value::from(by.into_owned()));
        }
        return Ok(Value::Object(small));
    }
    serde_json::from_slice(bytes)
}

/// A bar with the rate and time left, on a terminal; nothing otherwise.
fn progress(what: &str, total: Option<u64>) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let (bar, template) = match total {
        Some(n) => (
            indicatif::ProgressBar::new(n),
            "{msg} [{bar:30}] {pos}/{len} objects ({per_sec}, {eta} left)",
        ),
        None => (
            indicatif::ProgressBar::new_spinner(),
            "{msg} {spinner} {pos} objects ({per_sec})",
        ),
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// What the import did, as a table on standard error, then the refusals and remarks.
fn report(summary: &ImportSummary) {
    let mut types: Vec<&String> = summary
        .created
        .keys()
        .chain(summary.updated.keys())
        .chain(summary.unchanged.keys())
        .chain(summary.older.keys())
        .chain(summary.rejected.keys())
        .collect();
    types.sort();
    types.dedup();
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::ASCII_MARKDOWN);
    table.set_header([
        "STIX type",
        "created",
        "updated",
        "unchanged",
        "stored newer",
        "refused",
    ]);
    let cell = |m: &std::collections::BTreeMap<String, u64>, t: &str| {
        m.get(t).copied().unwrap_or(0).to_string()
    };
    for t in types {
        table.add_row([
            t.clone(),
            cell(&summary.created, t),
            cell(&summary.updated, t),
            cell(&summary.unchanged, t),
            cell(&summary.older, t),
            cell(&summary.rejected, t),
        ]);
    }
    eprintln!("{table}");
    eprintln!("read {} objects", summary.total());
    let rejected = summary.rejected_total();
    if rejected > 0 {
        eprintln!("refused ({rejected}):");
        for (id, reason) in summary.rejections.iter().take(50) {
            eprintln!("  {id}: {reason}");
        }
        if rejected > 50 {
            eprintln!("  ... and {} more", rejected - 50);
        }
    }
    if summary.noted > 0 {
        eprintln!("not kept, or kept otherwise ({}):", summary.noted);
        for (id, note) in summary.notes.iter().take(50) {
            eprintln!("  {id}: {note}");
        }
        if summary.noted > 50 {
            eprintln!("  ... and {} more", summary.noted - 50);
        }
    }
}
