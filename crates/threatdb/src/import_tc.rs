//! `threatdb import` of a tc-json file (a ThreatConnect Batch file,
//! `{"group":[…],"indicator":[…]}`): run as one Batch job in `--owner`, the same job a tcex
//! app's upload makes, so it writes what `POST /v2/batch` writes and finds again what it wrote
//! before (groups by xid, indicators by value). Into a data directory its chunks are written in
//! this process by the directory's operator (no API user, so no job row: the same phases and
//! chunks, `threatdb_server::batch::apply_file`); with `--via-api` it is a job created and
//! uploaded through the server's Batch API with the caller's rights. A terminal shows the items written; the end is a table of succeeded and
//! failed items, then each failure with its reason.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use crate::export_api::call;
use anyhow::{Context, Result, anyhow, bail};
use reqwest::Method;
use serde_json::{Value, json};
use threatdb_core::batch::{BatchError, BatchSettings, BatchState, BatchStatus};
use threatdb_core::{OwnerKind, Role};

use crate::import::ImportArgs;

/// Whether the file is a Batch file: a JSON object whose first key is one a Batch file has.
pub fn is_tc_json(path: &Path) -> Result<bool> {
    let mut head = vec![0u8; 4096];
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let n = file.read(&mut head)?;
    head.truncate(n);
    let text = String::from_utf8_lossy(&head);
    let rest = text.trim_start_matches('\u{feff}').trim_start();
    let Some(rest) = rest.strip_prefix('{') else {
        return Ok(false);
    };
    let rest = rest.trim_start();
    Ok(["\"group\"", "\"indicator\"", "\"association\""]
        .iter()
        .any(|k| rest.starts_with(k)))
}

/// Reads the file whole (a Batch job's file is at most `limit` bytes) and checks that it is
/// a Batch file.
fn read(path: &Path, limit: usize) -> Result<Vec<u8>> {
    let size = std::fs::metadata(path)?.len();
    if size > u64::try_from(limit).unwrap_or(u64::MAX) {
        bail!(
            "{} is {size} bytes: a tc-json file is imported as one Batch job, at most {limit} bytes (the server's --batch-file-bytes); split it, or export and import STIX 2.1 instead",
            path.display()
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    threatdb_wire::batch::BatchFile::parse(&bytes)
        .map_err(|e| anyhow!("{} is not a tc-json (Batch) file: {e}", path.display()))?;
    Ok(bytes)
}

pub async fn run(args: &ImportArgs, path: &Path) -> Result<()> {
    if args.atomic {
        bail!(
            "--atomic is for STIX bundles: a tc-json file runs as a Batch job, which writes each item that is valid"
        );
    }
    let Some(owner) = args.owner.as_deref() else {
        bail!("a tc-json file does not say whose it is: name the owner with --owner");
    };
    let limit = threatdb_server::Limits::default().batch_file_bytes;
    let bytes = read(path, limit)?;
    let (status, errors) = if args.via_api {
        through_api(args, owner, bytes).await?
    } else {
        into_store(args, owner, bytes).await?
    };
    report(&status, &errors);
    match status.errors {
        0 => Ok(()),
        n => bail!("{n} items failed (listed above); everything else was imported"),
    }
}

/// What an import into a data directory writes is recorded in the history as made through
/// `import`.
pub fn through_import() -> std::sync::Arc<threatdb_core::context::ChangeContext> {
    std::sync::Arc::new(threatdb_core::context::ChangeContext {
        via: "import".into(),
        request_id: None,
    })
}

/// The job run in this process on the data directory's store, as its operator.
async fn into_store(
    args: &ImportArgs,
    owner: &str,
    bytes: Vec<u8>,
) -> Result<(BatchStatus, Vec<BatchError>)> {
    if args.data.database_url.is_none() {
        std::fs::create_dir_all(&args.data.data_dir)
            .with_context(|| format!("cannot create {}", args.data.data_dir.display()))?;
    }
    let opened = args.data.open_store().await?;
    let done = async {
        let admin = opened.admin();
        let store = opened.store();
        let mut owners = admin.all_owners().await?;
        let target = match owners.iter().find(|o| o.name == owner) {
            Some(o) => o.clone(),
            None => {
                let made = admin
                    .create_owner(owner, OwnerKind::Organization)
                    .await
                    .with_context(|| format!("creating owner '{owner}'"))?;
                eprintln!("created owner '{}' ({})", made.name, made.kind.as_str());
                owners.push(made.clone());
                made
            }
        };
        let actor = crate::export::operator(&owners, Role::Admin, "threatdb import");
        // A Batch job takes the labels its owner has; an administrator's import makes the
        // owner's own labels the file names first (as a STIX import makes its markings).
        let known: std::collections::HashSet<String> = store
            .list_labels(&actor, &target)
            .await?
            .into_iter()
            .map(|l| threatdb_core::label_key(&l.name))
            .collect();
        for name in label_names(&bytes)? {
            if !known.contains(&threatdb_core::label_key(&name)) {
                admin
                    .create_label(target.id, &name, "", "FFFFFF")
                    .await
                    .with_context(|| format!("creating security label '{name}'"))?;
                eprintln!("created security label '{name}' in '{}'", target.name);
            }
        }
        let bar = progress();
        let written = threatdb_core::context::within(
            Some(through_import()),
            threatdb_server::batch::apply_file(
                store.as_ref(),
                &actor,
                &target,
                BatchSettings::create_replacing(),
                &bytes,
                |n| bar.set_position(n),
            ),
        )
        .await;
        bar.finish_and_clear();
        let (status, errors) = written?;
        anyhow::Ok((status, errors))
    }
    .await;
    let outcome = done
        .as_ref()
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("{e:#}"));
    let target = format!("tc-json into owner {owner}");
    crate::audit::record(opened.store().as_ref(), "cli", "import", &target, &outcome).await;
    opened.close().await;
    done
}

/// Every security label name the file's groups and indicators carry, once each.
fn label_names(bytes: &[u8]) -> Result<std::collections::BTreeSet<String>> {
    let file = threatdb_wire::batch::BatchFile::parse(bytes).map_err(anyhow::Error::msg)?;
    let mut names = std::collections::BTreeSet::new();
    for raw in file.groups.iter().chain(&file.indicators) {
        let item: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
        for label in item["securityLabel"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if let Some(name) = label["name"].as_str().filter(|n| !n.trim().is_empty()) {
                names.insert(name.to_string());
            }
        }
    }
    Ok(names)
}

/// The job created and uploaded through a server's Batch API, then polled.
async fn through_api(
    args: &ImportArgs,
    owner: &str,
    bytes: Vec<u8>,
) -> Result<(BatchStatus, Vec<BatchError>)> {
    let (client, root) = crate::export_api::api_client(&args.endpoint, args.token.as_deref())?;
    let config = json!({
        "action": "Create", "owner": owner, "attributeWriteType": "Replace",
        "tagWriteType": "Replace", "securityLabelWriteType": "Replace",
        "haltOnError": "false", "version": "V2",
    });
    let made = call(
        &client,
        Method::POST,
        root.join("v2/batch")?,
        Some(&serde_json::to_vec(&config)?),
    )
    .await?;
    let id = made["data"]["batchId"]
        .as_i64()
        .context("the server did not give the job's batchId")?;
    call(
        &client,
        Method::POST,
        root.join(&format!("v2/batch/{id}"))?,
        Some(&bytes),
    )
    .await?;
    let bar = progress();
    let status = loop {
        let got = call(
            &client,
            Method::GET,
            root.join(&format!("v2/batch/{id}"))?,
            None,
        )
        .await?;
        let s = &got["data"]["batchStatus"];
        let n = |k: &str| s[k].as_u64().unwrap_or(0);
        bar.set_position(n("successCount").saturating_add(n("errorCount")));
        if s["status"] == "Completed" {
            break BatchStatus {
                id,
                state: BatchState::Completed,
                errors: n("errorCount"),
                unprocessed: n("unprocessCount"),
                success_groups: n("successGroupCount"),
                error_groups: n("errorGroupCount"),
                success_indicators: n("successIndicatorCount"),
                error_indicators: n("errorIndicatorCount"),
            };
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    bar.finish_and_clear();
    let mut errors = Vec::new();
    if status.errors > 0 {
        let got = call(
            &client,
            Method::GET,
            root.join(&format!("v2/batch/{id}/errors"))?,
            None,
        )
        .await?;
        for e in got.as_array().map(Vec::as_slice).unwrap_or_default() {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            errors.push(BatchError {
                code: text("errorCode"),
                reason: text("errorReason"),
                source: text("errorSource"),
            });
        }
    }
    Ok((status, errors))
}

/// Items written so far, on a terminal; nothing otherwise.
fn progress() -> indicatif::ProgressBar {
    crate::export::spinner("importing {spinner} {pos} items ({per_sec})")
}

/// The table of what the job wrote, then each failure, on standard error.
fn report(status: &BatchStatus, errors: &[BatchError]) {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(["tc-json", "written", "failed"]);
    table.add_row([
        "groups".to_string(),
        status.success_groups.to_string(),
        status.error_groups.to_string(),
    ]);
    table.add_row([
        "indicators".to_string(),
        status.success_indicators.to_string(),
        status.error_indicators.to_string(),
    ]);
    eprintln!("{table}");
    if status.unprocessed > 0 {
        eprintln!("{} items were not processed", status.unprocessed);
    }
    for e in errors {
        eprintln!("failed ({}): {} [{}]", e.code, e.reason, e.source);
    }
}
