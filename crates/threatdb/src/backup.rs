//! `threatdb admin backup` and `threatdb admin restore`: a consistent online backup of the
//! SQLite store with the data directory's other files, in one file; and its restore, checked
//! before anything is replaced. PostgreSQL is backed up with `pg_dump` (see the README).
//!
//! Crash safety: both write under a hidden temporary name beside the destination and rename
//! when complete, so a crash leaves at most a `.NAME.partial-PID` file, never something that
//! looks like a finished backup or a half-restored database.

use crate::config::{DataArgs, redact};
use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;
use threatdb_server::secrets::write_private;
use threatdb_store_sqlite::backup::{self as sqlite_backup, BundleFile};

/// The data directory's files besides the database that a working server needs: the master key
/// (API secrets and web sessions are sealed with it) and the credentials the first start wrote.
pub const DATA_FILES: &[&str] = &["master.key", "credentials.env", "web-credentials.txt"];

/// `threatdb admin backup`.
#[derive(Args, Debug)]
pub struct BackupArgs {
    /// The backup file to write (one file: the database and the data directory's master key and
    /// credentials; keep it as secret as the master key).
    pub file: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
    /// The data directory to back up (default: admin's --data-dir).
    #[arg(long = "data-dir", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// `threatdb admin restore`.
#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// A backup made by `threatdb admin backup`.
    pub file: PathBuf,
    /// Restore into a data directory that is not empty, replacing threatdb's files in it.
    #[arg(long)]
    pub force: bool,
    /// The data directory to restore into (default: admin's --data-dir).
    #[arg(long = "data-dir", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// Where the database is.
enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

fn database(data: &DataArgs, dir: &Path) -> Result<Database> {
    Ok(match &data.database_url {
        None => Database::Sqlite(dir.join("threatdb.db")),
        Some(url) if url.starts_with("sqlite:") => {
            Database::Sqlite(threatdb_store_sqlite::path_of_url(url)?)
        }
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Database::Postgres(redact(url))
        }
        Some(url) => bail!("unsupported database URL '{}'", redact(url)),
    })
}

/// A hidden name beside `path` for writing it: `.NAME.partial-PID`.
fn partial(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

/// Removes the files it holds when dropped (temporary files of a step that failed).
struct Cleanup(Vec<PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn sync_dir(dir: &Path) {
    // Makes renames durable; not every platform can open a directory, which is fine.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Bytes for people: `812 KiB`, `1.4 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

fn pg_backup_help(url: &str, dir: &Path) -> anyhow::Error {
    anyhow!(
        "the database is PostgreSQL ({url}): threatdb backs up only its SQLite store. Use pg_dump:\n\
         \n    pg_dump --format=custom --file=threatdb.dump '{url}'\n\n\
         and keep the master key ({}, or THREATDB_MASTER_KEY) with the dump: API secrets and web \
         sessions are sealed with it. The README's \"Backups\" section has the restore.",
        dir.join("master.key").display()
    )
}

/// `threatdb admin backup FILE`.
pub async fn backup(data: &DataArgs, args: BackupArgs) -> Result<()> {
    let started = Instant::now();
    let dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| data.data_dir.clone());
    let source = match database(data, &dir)? {
        Database::Sqlite(path) => path,
        Database::Postgres(url) => return Err(pg_backup_help(&url, &dir)),
    };
    if !source.is_file() {
        bail!(
            "there is no database at {}: nothing to back up (is --data-dir right?)",
            source.display()
        );
    }
    let file = args.file;
    if file.is_dir() {
        bail!("{} is a directory: name the backup file", file.display());
    }
    if file.exists() && !args.force {
        bail!(
            "{} exists: give another name, or --force to replace it",
            file.display()
        );
    }
    let mut files = Vec::new();
    for name in DATA_FILES {
        let path = dir.join(name);
        match std::fs::read(&path) {
            Ok(contents) => files.push(BundleFile {
                name: (*name).to_string(),
                mode: file_mode(&path),
                contents,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
    if !files.iter().any(|f| f.name == "master.key") {
        eprintln!(
            "warning: there is no {} (is the key in THREATDB_MASTER_KEY?): the backup holds no \
             master key. Keep the key with the backup: without it API secrets and web sessions \
             cannot be opened.",
            dir.join("master.key").display()
        );
    }

    let tmp = partial(&file);
    let mut cleanup = Cleanup(vec![tmp.clone(), journal_of(&tmp)]);
    create_private(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let bar = progress_bar();
    let info = vec![
        ("threatdb_version", env!("CARGO_PKG_VERSION").to_string()),
        ("created_at", threatdb_core::date::now().to_string()),
        ("source", source.display().to_string()),
    ];
    let report = {
        let (source, tmp, bar) = (source.clone(), tmp.clone(), bar.clone());
        tokio::task::spawn_blocking(move || {
            sqlite_backup::backup_to(&source, &tmp, &files, &info, |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .map(|report| (report, files))
        })
        .await
        .map_err(|e| anyhow!("the backup stopped: {e}"))?
    };
    bar.finish_and_clear();
    let (report, files) = report.map_err(|e| anyhow!("{e}; no backup was written"))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    place(&tmp, &file, args.force)?;
    sync_dir(&parent_of(&file));
    cleanup.0.clear();

    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    println!(
        "backed up {} to {}: {} ({} pages of the database at schema version {}{}{}) in {:.2} s",
        dir.display(),
        file.display(),
        human_bytes(size),
        report.pages,
        report.schema_version,
        if names.is_empty() { "" } else { "; " },
        names.join(", "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Gives `tmp` the name `file`: without `force` only if nothing has that name (a hard link
/// refuses an existing name atomically; where links are not supported, a check and a rename).
fn place(tmp: &Path, file: &Path, force: bool) -> Result<()> {
    if force {
        return std::fs::rename(tmp, file)
            .with_context(|| format!("cannot rename {} to {}", tmp.display(), file.display()));
    }
    match std::fs::hard_link(tmp, file) {
        Ok(()) => {
            let _ = std::fs::remove_file(tmp);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
            "{} appeared while the backup ran: give another name, or --force to replace it",
            file.display()
        ),
        Err(_) if file.exists() => bail!(
            "{} appeared while the backup ran: give another name, or --force to replace it",
            file.display()
        ),
        Err(_) => std::fs::rename(tmp, file)
            .with_context(|| format!("cannot rename {} to {}", tmp.display(), file.display())),
    }
}

fn journal_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// An empty file only its owner can read (the backup holds the master key).
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    drop(file);
    Ok(())
}

fn file_mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0o600)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0o600
    }
}

/// The copy's progress on a terminal (bytes, rate, time left); nothing otherwise.
fn progress_bar() -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "backing up {bar:40} {pos}/{len} pages ({per_sec}, {eta} left)",
    ) {
        bar.set_style(style);
    }
    bar
}

/// A spinner saying what is going on, on a terminal; nothing otherwise.
fn spinner(message: &'static str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

fn pg_restore_help(url: &str) -> anyhow::Error {
    anyhow!(
        "the database is PostgreSQL ({url}): threatdb restores only SQLite backups. Restore a \
         pg_dump into a new, empty database with pg_restore:\n\
         \n    createdb threatdb_restored\n    pg_restore --no-owner --dbname='postgres://…/threatdb_restored' threatdb.dump\n\n\
         and start the nodes on it with the master key the dump was made with. The README's \
         \"Backups\" section has the details."
    )
}

/// `threatdb admin restore FILE`.
pub async fn restore(data: &DataArgs, args: RestoreArgs) -> Result<()> {
    let started = Instant::now();
    let dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| data.data_dir.clone());
    let target = match database(data, &dir)? {
        Database::Sqlite(path) => path,
        Database::Postgres(url) => return Err(pg_restore_help(&url)),
    };
    let unchanged = "nothing was changed";

    // 1. The target: empty (or new), unless --force.
    let present = match std::fs::read_dir(&dir) {
        Ok(entries) => {
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read the directory {}", dir.display()));
        }
    };
    if !args.force {
        if !present.is_empty() {
            bail!(
                "{} is not empty ({}): restore into a new or empty directory, or give --force to \
                 replace threatdb's files in it; {unchanged}",
                dir.display(),
                present.join(", ")
            );
        }
        if target.exists() {
            bail!(
                "{} exists: give --force to replace it; {unchanged}",
                target.display()
            );
        }
    }

    // 2. The backup: whole, sound, of a schema this threatdb knows.
    let checking = spinner("checking the backup (integrity_check)");
    let verified = {
        let file = args.file.clone();
        tokio::task::spawn_blocking(move || {
            sqlite_backup::verify(&file, threatdb_store_sqlite::known_schema_version())
        })
        .await
        .map_err(|e| anyhow!("the check stopped: {e}"))?
    };
    checking.finish_and_clear();
    let verified = verified.map_err(|e| anyhow!("{e}; {unchanged}"))?;

    // 3. Nobody is using the target database, and nobody can open it until the new one is in
    //    place: the lock is held across the swap.
    let lock = {
        let target = target.clone();
        tokio::task::spawn_blocking(move || sqlite_backup::lock_unused(&target))
            .await
            .map_err(|e| anyhow!("the check stopped: {e}"))?
            .map_err(|e| anyhow!("{e}; {unchanged}"))?
    };
    let Some(lock) = lock else {
        bail!(
            "{} is open in another process (a running threatdb serve?): stop it first; {unchanged}",
            target.display()
        );
    };

    // 4. Everything written beside its place first, then renamed into place.
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
    }
    let target_dir = parent_of(&target);
    std::fs::create_dir_all(&target_dir)
        .with_context(|| format!("cannot create {}", target_dir.display()))?;
    let tmp_db = partial(&target);
    let mut cleanup = Cleanup(vec![tmp_db.clone(), journal_of(&tmp_db)]);
    let unpacking = spinner("copying the database");
    let unpacked = {
        let (file, tmp_db) = (args.file.clone(), tmp_db.clone());
        tokio::task::spawn_blocking(move || -> Result<()> {
            create_private(&tmp_db)?;
            std::fs::copy(&file, &tmp_db).with_context(|| {
                format!("cannot copy {} to {}", file.display(), tmp_db.display())
            })?;
            sqlite_backup::unbundle(&tmp_db)?;
            std::fs::File::open(&tmp_db).and_then(|f| f.sync_all())?;
            Ok(())
        })
        .await
        .map_err(|e| anyhow!("the restore stopped: {e}"))?
    };
    unpacking.finish_and_clear();
    unpacked.map_err(|e| anyhow!("{e:#}; {unchanged}"))?;
    let mut restored_files = Vec::new();
    for f in &verified.files {
        if !DATA_FILES.contains(&f.name.as_str()) {
            eprintln!(
                "warning: the backup holds a file this threatdb does not know, left out: {}",
                f.name
            );
            continue;
        }
        let tmp = partial(&dir.join(&f.name));
        cleanup.0.push(tmp.clone());
        let text = String::from_utf8(f.contents.clone())
            .map_err(|_| anyhow!("the backup's {} is not text; {unchanged}", f.name))?;
        write_private(&tmp, &text).with_context(|| format!("cannot write {}", tmp.display()))?;
        restored_files.push((tmp, dir.join(&f.name), f.name.clone()));
    }

    // The old database's WAL must never meet the new file: removed first.
    for suffix in ["-wal", "-shm", "-journal"] {
        remove_if_present(&sidecar(&target, suffix))?;
    }
    std::fs::rename(&tmp_db, &target)
        .with_context(|| format!("cannot rename {} to {}", tmp_db.display(), target.display()))?;
    // The new file is in place: a server may open it from now on.
    drop(lock);
    for (tmp, path, _) in &restored_files {
        std::fs::rename(tmp, path)
            .with_context(|| format!("cannot rename {} to {}", tmp.display(), path.display()))?;
    }
    // threatdb's files the backup does not hold would not match the restored database.
    let mut removed = Vec::new();
    for name in DATA_FILES {
        if !verified.files.iter().any(|f| f.name == *name) && dir.join(name).exists() {
            remove_if_present(&dir.join(name))?;
            removed.push(*name);
        }
    }
    sync_dir(&target_dir);
    sync_dir(&dir);
    cleanup.0.clear();

    let made = |key: &str| {
        verified
            .info
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "?".into())
    };
    let names: Vec<&str> = restored_files.iter().map(|f| f.2.as_str()).collect();
    println!(
        "restored {} (made {} by threatdb {}) into {}: the database ({}, schema version {}){}{} in {:.2} s",
        args.file.display(),
        made("created_at"),
        made("threatdb_version"),
        dir.display(),
        human_bytes(verified.bytes),
        verified.schema_version,
        if names.is_empty() { "" } else { ", " },
        names.join(", "),
        started.elapsed().as_secs_f64()
    );
    if !removed.is_empty() {
        println!(
            "removed {} (not in the backup, so not matching it)",
            removed.join(", ")
        );
    }
    if !names.contains(&"master.key") {
        eprintln!(
            "warning: the backup holds no master key: start the server with the key it was made \
             with (THREATDB_MASTER_KEY), or API secrets and web sessions cannot be opened"
        );
    }
    println!("start it with: threatdb serve --data-dir {}", dir.display());
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_well() {
        assert_eq!(super::human_bytes(12), "12 bytes");
        assert_eq!(super::human_bytes(2048), "2.0 KiB");
        assert_eq!(super::human_bytes(5 * 1024 * 1024 + 512 * 1024), "5.5 MiB");
    }
}
