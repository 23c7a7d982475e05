//! `threatdb bench seed`: fills a fresh data directory through the store's bulk path, and
//! measures in the same run the storage ceiling (the same rows, the simplest code).

use super::data::{self, Generator, LABELS, TAGS};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::{Duration, Instant};
use threatdb_core::{AdminStore, BulkLinks, BulkLoad, IndicatorKind, OwnerKind, Role};

enum Opened {
    Sqlite(SqliteStore),
    Pg(PgStore),
}

impl Opened {
    fn admin(&self) -> &dyn AdminStore {
        match self {
            Opened::Sqlite(s) => s,
            Opened::Pg(s) => s,
        }
    }

    fn bulk(&self) -> &dyn BulkLoad {
        match self {
            Opened::Sqlite(s) => s,
            Opened::Pg(s) => s,
        }
    }

    fn links(&self) -> &dyn BulkLinks {
        match self {
            Opened::Sqlite(s) => s,
            Opened::Pg(s) => s,
        }
    }

    async fn close(&self) {
        match self {
            Opened::Sqlite(s) => s.close().await,
            Opened::Pg(s) => s.close().await,
        }
    }
}
use threatdb_server::MasterKey;
use threatdb_server::provision::create_api_user;
use threatdb_store_pg::{PgSettings, PgStore};
use threatdb_store_sqlite::{Ceiling, SqliteStore};

/// What the load generator needs to know of a seeded data directory (`bench.json`).
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct BenchInfo {
    pub incidents: u64,
    pub owners: Vec<String>,
    pub tags: Vec<String>,
    pub admin: Credentials,
    pub member: Credentials,
    /// The owners `member` reads (40 of the 50).
    pub member_owners: Vec<String>,
    /// Indicators seeded (`--indicators-per-incident`), ids 1 to this.
    #[serde(default)]
    pub indicators: u64,
    /// Seeded indicators with the owner that holds them, for the `reverse` scenario (up to
    /// [`REVERSE_SAMPLES`], spread over the whole seed).
    #[serde(default)]
    pub reverse: Vec<ReverseSample>,
}

/// One seeded indicator: where it is and how a URL names it.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct ReverseSample {
    pub owner: String,
    /// The type's URL name (`addresses`).
    pub kind: String,
    pub value: String,
}

/// How many indicators `bench.json` names for the `reverse` scenario.
pub const REVERSE_SAMPLES: usize = 2_000;

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Credentials {
    pub access_id: String,
    pub secret_key: String,
}

/// The seed's measurements.
#[derive(Serialize, Clone, Debug)]
pub struct SeedReport {
    pub incidents: u64,
    pub store_rows_per_s: f64,
    pub ceiling_rows_per_s: f64,
    pub ratio: f64,
    pub seconds: f64,
}

const BATCH: usize = 5_000;
const SEED: u64 = 0x7468_7265_6174_6462; // "threatdb"

pub fn info_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("bench.json")
}

/// Seeds `incidents` into the data directory's SQLite file, or into `database` (a fresh,
/// empty PostgreSQL database) when given. The storage ceiling is measured for SQLite only, and
/// only when `ceiling` (its rate is then 0).
pub async fn seed(
    data_dir: &Path,
    database: Option<&str>,
    incidents: u64,
    quiet: bool,
    ceiling: bool,
    indicators_per_incident: usize,
) -> Result<SeedReport> {
    if indicators_per_incident > INDICATOR_KINDS.len() {
        bail!(
            "--indicators-per-incident is at most {}",
            INDICATOR_KINDS.len()
        );
    }
    let db_path = data_dir.join("threatdb.db");
    if database.is_none() && db_path.exists() {
        bail!(
            "{} exists: bench seed fills a fresh data directory (give another --data-dir)",
            db_path.display()
        );
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let keys = MasterKey::load_or_create(&data_dir.join("master.key"))?;
    let opened = match database {
        Some(url) => Opened::Pg(PgStore::connect(url, PgSettings::default()).await?),
        None => Opened::Sqlite(SqliteStore::open(&db_path).await?),
    };
    if opened.admin().api_user_count().await? > 0 {
        bail!("the database is not empty: bench seed fills a fresh one");
    }
    let store = opened.admin();
    let bulk = opened.bulk();

    let owners = data::owners();
    let mut owner_ids = Vec::new();
    for (name, kind) in &owners {
        owner_ids.push(store.create_owner(name, OwnerKind::parse(kind)?).await?.id);
    }
    let (admin_id, admin_secret) =
        create_api_user(store, &keys, "Bench Admin", owner_ids[0], Role::Admin).await?;
    let (member_id, member_secret) =
        create_api_user(store, &keys, "Bench Member", owner_ids[1], Role::Write).await?;
    for (i, id) in owner_ids.iter().enumerate() {
        store.set_membership(&admin_id, *id, Role::Admin).await?;
        if (1..=40).contains(&i) {
            store
                .set_membership(
                    &member_id,
                    *id,
                    if i == 1 { Role::Write } else { Role::Read },
                )
                .await?;
        }
    }
    let tag_names: Vec<String> = (0..TAGS).map(data::tag_name).collect();
    let mut tag_ids = Vec::new();
    let mut ceiling_tags = Vec::new();
    for id in &owner_ids {
        tag_ids.push(bulk.bulk_tags(*id, tag_names.clone()).await?);
        ceiling_tags.extend(tag_names.iter().map(|n| (*id, n.clone())));
    }
    let mut label_ids = Vec::new();
    for l in LABELS {
        label_ids.push(bulk.label_id(l).await?);
    }

    let scratch = match database {
        None if ceiling => Some(tempfile_dir(data_dir)?),
        _ => None,
    };
    let mut ceiling = match &scratch {
        Some(scratch) => Some(Ceiling::create(
            &scratch.join("ceiling.db"),
            &owners,
            &ceiling_tags,
        )?),
        None => None,
    };
    // Written now and after every batch with the incidents loaded so far, so a seed stopped
    // half-way still leaves a data directory the other benchmarks can use.
    let mut info = BenchInfo {
        incidents: 0,
        owners: owners.iter().map(|o| o.0.clone()).collect(),
        tags: tag_names,
        admin: Credentials {
            access_id: admin_id,
            secret_key: admin_secret,
        },
        member: Credentials {
            access_id: member_id,
            secret_key: member_secret,
        },
        member_owners: owners[1..=40].iter().map(|o| o.0.clone()).collect(),
        indicators: 0,
        reverse: Vec::new(),
    };
    write_info(data_dir, &info)?;
    let now = threatdb_core::date::now().unix_timestamp();
    let mut generator = Generator::new(SEED, &owner_ids, &tag_ids, &label_ids, now);
    let progress = (!quiet).then(|| super::progress(incidents, "incidents"));
    let (mut store_time, mut ceiling_time) = (Duration::ZERO, Duration::ZERO);
    let started = Instant::now();
    let mut done = 0u64;
    while done < incidents {
        let n = BATCH.min((incidents - done) as usize);
        let mut batch = generator.batch(n);
        // In owner order: a store may give one owner's incidents their ids first, so in this
        // order the batch's ids are done+1.. in turn (a fresh database), which the indicator
        // links below rely on.
        batch.sort_by_key(|i| i.owner_id);
        let owners_of: Vec<i64> = batch.iter().map(|i| i.owner_id).collect();
        // Alternate the two so machine noise falls on both alike.
        if let Some(ceiling) = ceiling.as_mut() {
            let t = Instant::now();
            ceiling.insert(&batch)?;
            ceiling_time += t.elapsed();
        }
        let t = Instant::now();
        bulk.bulk_incidents(batch).await?;
        store_time += t.elapsed();
        // The samples so far may be this share of the seed's, so they spread over its ids.
        let quota = (REVERSE_SAMPLES as u64 * (done + n as u64) / incidents.max(1)) as usize;
        for kind in &INDICATOR_KINDS[..indicators_per_incident] {
            let mut by_owner: std::collections::BTreeMap<i64, Vec<(String, i64)>> =
                Default::default();
            for (k, owner) in owners_of.iter().enumerate() {
                let id = (done + 1 + k as u64) as i64;
                by_owner
                    .entry(*owner)
                    .or_default()
                    .push((indicator_value(*kind, id), id));
            }
            for (owner, links) in by_owner {
                // The first of each owner in each batch, within the quota.
                if info.reverse.len() < quota
                    && let (Some((value, _)), Some(k)) =
                        (links.first(), owner_ids.iter().position(|o| *o == owner))
                {
                    info.reverse.push(ReverseSample {
                        owner: owners[k].0.clone(),
                        kind: kind.url_name().to_string(),
                        value: value.clone(),
                    });
                }
                opened
                    .links()
                    .bulk_indicator_links(owner, *kind, links)
                    .await?;
            }
        }
        info.indicators += (n * indicators_per_incident) as u64;
        done += n as u64;
        info.incidents = done;
        write_info(data_dir, &info)?;
        if let Some(p) = &progress {
            p.set_position(done);
        }
    }
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    drop(ceiling);
    if let Some(scratch) = scratch {
        let _ = std::fs::remove_dir_all(scratch);
    }
    bulk.bulk_done().await?;
    if indicators_per_incident > 0 {
        opened.links().links_done().await?;
    }
    opened.close().await;

    info.incidents = incidents;
    write_info(data_dir, &info)?;
    let rate = |d: Duration| {
        if d.is_zero() {
            0.0
        } else {
            incidents as f64 / d.as_secs_f64()
        }
    };
    Ok(SeedReport {
        incidents,
        store_rows_per_s: rate(store_time),
        ceiling_rows_per_s: rate(ceiling_time),
        ratio: ceiling_time.as_secs_f64() / store_time.as_secs_f64().max(1e-9),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The types of the seeded indicators, in the order `--indicators-per-incident` takes them.
const INDICATOR_KINDS: [IndicatorKind; 3] = [
    IndicatorKind::Host,
    IndicatorKind::Address,
    IndicatorKind::File,
];

/// The normalised value of the seeded indicator of `kind` for incident `id` (unique per id).
fn indicator_value(kind: IndicatorKind, id: i64) -> String {
    match kind {
        IndicatorKind::Address => {
            format!("10.{}.{}.{}", (id >> 16) & 255, (id >> 8) & 255, id & 255)
        }
        IndicatorKind::File => format!("{id:032x}"),
        _ => format!("i{id}.example"),
    }
}

fn write_info(data_dir: &Path, info: &BenchInfo) -> Result<()> {
    threatdb_server::secrets::write_private(
        &info_path(data_dir),
        &serde_json::to_string_pretty(info)?,
    )?;
    Ok(())
}

fn tempfile_dir(beside: &Path) -> Result<std::path::PathBuf> {
    let dir = beside.join(format!(".ceiling-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
