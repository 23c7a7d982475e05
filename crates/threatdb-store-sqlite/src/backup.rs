//! Online backups of the SQLite store, and their checks before a restore.
//!
//! A backup is one SQLite file (a *bundle*): a page-by-page copy of the database made with
//! SQLite's online backup API, plus two tables the copy gains afterwards:
//! `threatdb_backup_files` (the data directory's other files: the master key, the credentials
//! files) and `threatdb_backup_info` (format, when, which threatdb). One file is one thing to
//! move, and `PRAGMA integrity_check` covers all of it.
//!
//! Consistency: the copy reads inside one read transaction held from the first page to the
//! last, so every page comes from one commit: everything committed before the backup began is in
//! it, nothing half-done is. In WAL mode a reader never blocks the writer (the running server's
//! group commit goes on; only the WAL cannot be checkpointed past the snapshot until the copy
//! ends), and because the snapshot is held, commits in between steps never restart the copy.

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// The bundle's table of files.
pub const FILES_TABLE: &str = "threatdb_backup_files";
/// The bundle's table of facts about it.
pub const INFO_TABLE: &str = "threatdb_backup_info";
/// The bundle format written (and the newest read).
pub const FORMAT: i64 = 1;

/// Pages copied per step of the backup (between two progress reports): 16 MiB of 4 KiB pages.
const PAGES_PER_STEP: i32 = 4096;
/// Tries of a step SQLite answers "busy" before giving up (10 ms apart).
const BUSY_TRIES: u32 = 1000;

/// A backup or restore that cannot go on; the message says why and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupError(pub String);

impl fmt::Display for BackupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BackupError {}

/// A result of this module.
pub type BackupResult<T> = Result<T, BackupError>;

fn sqlite(what: &str) -> impl Fn(rusqlite::Error) -> BackupError + '_ {
    move |e| BackupError(format!("{what}: {e}"))
}

/// A file of the data directory carried in a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    /// Its name in the data directory (no directories).
    pub name: String,
    /// Its Unix permission bits.
    pub mode: u32,
    /// Its bytes.
    pub contents: Vec<u8>,
}

/// What a backup copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// Pages of the database copied.
    pub pages: u64,
    /// Bytes per page.
    pub page_size: u64,
    /// The database's schema (migration) version.
    pub schema_version: i64,
}

/// Copies the database at `source` (a threatdb SQLite file, possibly in use by a running server)
/// into `dest`, an empty file made for it, as one consistent snapshot; then stores `files` and
/// `info` (key, value) in the copy. `progress(done, total)` is called in pages after every step.
/// The caller makes `dest` durable (fsync) and gives it its final name.
pub fn backup_to(
    source: &Path,
    dest: &Path,
    files: &[BundleFile],
    info: &[(&str, String)],
    progress: impl FnMut(u64, u64),
) -> BackupResult<BackupReport> {
    backup_in_steps(source, dest, files, info, PAGES_PER_STEP, progress)
}

fn backup_in_steps(
    source: &Path,
    dest: &Path,
    files: &[BundleFile],
    info: &[(&str, String)],
    pages_per_step: i32,
    mut progress: impl FnMut(u64, u64),
) -> BackupResult<BackupReport> {
    // Read-write without create: a missing file is an error, not a new empty database; nothing
    // is written to it.
    let src = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite(&format!("cannot open {}", source.display())))?;
    src.busy_timeout(Duration::from_secs(10))
        .map_err(sqlite("cannot configure the source"))?;
    // The snapshot: this read transaction lasts until the last page is copied (the backup API
    // uses an open transaction of its source connection instead of one per step).
    src.execute_batch("BEGIN")
        .map_err(sqlite("cannot begin the snapshot"))?;
    let schema_version = schema_version(&src).map_err(|e| {
        BackupError(format!(
            "{} is not a threatdb database: {}",
            source.display(),
            e.0
        ))
    })?;
    let mut dst = Connection::open(dest).map_err(sqlite(&format!(
        "cannot create the backup file {}",
        dest.display()
    )))?;
    let (pages, page_size) = {
        let backup = Backup::new(&src, &mut dst).map_err(sqlite("cannot start the backup"))?;
        let mut busy = 0u32;
        loop {
            match backup
                .step(pages_per_step)
                .map_err(sqlite("the backup failed"))?
            {
                StepResult::Done => break,
                StepResult::More => busy = 0,
                StepResult::Busy | StepResult::Locked => {
                    busy = busy.saturating_add(1);
                    if busy > BUSY_TRIES {
                        return Err(BackupError(
                            "the backup failed: the database stayed locked for 10 s".into(),
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                // A future variant: treat like busy, bounded as well.
                _ => busy = busy.saturating_add(1),
            }
            let p = backup.progress();
            let total = u64::try_from(p.pagecount).unwrap_or(0);
            let left = u64::try_from(p.remaining).unwrap_or(0);
            progress(total.saturating_sub(left), total);
        }
        let total = u64::try_from(backup.progress().pagecount).unwrap_or(0);
        let page_size: i64 = src
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .map_err(sqlite("cannot read the page size"))?;
        (total, u64::try_from(page_size).unwrap_or(0))
    };
    src.execute_batch("COMMIT")
        .map_err(sqlite("cannot end the snapshot"))?;
    drop(src);

    // The copy carries the source's WAL flag; a bundle is one self-contained file.
    dst.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))
        .map_err(sqlite("cannot set the backup's journal mode"))?;
    let tx = dst
        .transaction()
        .map_err(sqlite("cannot write the backup's files"))?;
    tx.execute_batch(&format!(
        "CREATE TABLE {FILES_TABLE} (name TEXT PRIMARY KEY, mode INTEGER NOT NULL, contents BLOB NOT NULL);
         CREATE TABLE {INFO_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    ))
    .map_err(sqlite("cannot write the backup's files"))?;
    for f in files {
        tx.execute(
            &format!("INSERT INTO {FILES_TABLE} (name, mode, contents) VALUES (?1, ?2, ?3)"),
            rusqlite::params![f.name, f.mode, f.contents],
        )
        .map_err(sqlite("cannot write the backup's files"))?;
    }
    let format = FORMAT.to_string();
    for (key, value) in std::iter::once(&("format", format)).chain(info) {
        tx.execute(
            &format!("INSERT INTO {INFO_TABLE} (key, value) VALUES (?1, ?2)"),
            rusqlite::params![key, value],
        )
        .map_err(sqlite("cannot write the backup's files"))?;
    }
    tx.commit()
        .map_err(sqlite("cannot write the backup's files"))?;
    dst.close()
        .map_err(|(_, e)| sqlite("cannot close the backup file")(e))?;
    Ok(BackupReport {
        pages,
        page_size,
        schema_version,
    })
}

fn schema_version(conn: &Connection) -> BackupResult<i64> {
    conn.query_row("SELECT max(version) FROM threatdb_migrations", [], |r| {
        r.get::<_, Option<i64>>(0)
    })
    .map_err(|e| BackupError(format!("no migration table ({e})")))?
    .ok_or_else(|| BackupError("no migration was ever applied".into()))
}

/// A bundle that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The database's schema (migration) version.
    pub schema_version: i64,
    /// The data directory's files it carries.
    pub files: Vec<BundleFile>,
    /// Facts about it (format, created_at, threatdb_version, ...).
    pub info: Vec<(String, String)>,
    /// Its length in bytes.
    pub bytes: u64,
}

/// The first 100 bytes of a SQLite file: the page size and the page count its header records.
fn header_size(path: &Path) -> BackupResult<(u64, u64)> {
    let damaged =
        |why: String| BackupError(format!("{} is not a usable backup: {why}", path.display()));
    let mut file = std::fs::File::open(path)
        .map_err(|e| BackupError(format!("cannot read {}: {e}", path.display())))?;
    let len = file
        .metadata()
        .map_err(|e| BackupError(format!("cannot read {}: {e}", path.display())))?
        .len();
    let mut header = [0u8; 100];
    if file.read_exact(&mut header).is_err() {
        return Err(damaged(format!(
            "it is {len} bytes long, too short for a SQLite database"
        )));
    }
    if !header.starts_with(b"SQLite format 3\0") {
        return Err(damaged("it is not a SQLite database".into()));
    }
    let be2 = |at: usize| {
        header
            .get(at..at.saturating_add(2))
            .and_then(|b| b.try_into().ok())
            .map(u16::from_be_bytes)
    };
    let be4 = |at: usize| {
        header
            .get(at..at.saturating_add(4))
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
    };
    let page_size = match be2(16) {
        Some(1) => 65536,
        Some(n) => u64::from(n),
        None => 0,
    };
    let (pages, change, valid_for) = (be4(28), be4(24), be4(92));
    let pages = match (pages, change, valid_for) {
        (Some(p), Some(c), Some(v)) if p > 0 && c == v => u64::from(p),
        _ => return Err(damaged("its header records no database size".into())),
    };
    let expected = pages.saturating_mul(page_size);
    if len < expected {
        return Err(damaged(format!(
            "it is truncated: {len} bytes of the {expected} its header records"
        )));
    }
    if len > expected {
        return Err(damaged(format!(
            "it is {len} bytes long, its header records {expected}"
        )));
    }
    Ok((page_size, pages))
}

/// Checks the bundle at `path` without changing it: a whole SQLite file (as long as its header
/// says), passing `PRAGMA integrity_check`, of a threatdb schema no newer than `known_version`,
/// with the bundle's tables. Every refusal says what is wrong.
pub fn verify(path: &Path, known_version: i64) -> BackupResult<Verified> {
    let (page_size, pages) = header_size(path)?;
    let bad =
        |why: String| BackupError(format!("{} is not a usable backup: {why}", path.display()));
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| bad(format!("cannot open it ({e})")))?;
    let problems: Vec<String> = conn
        .prepare("PRAGMA integrity_check(20)")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(|e| bad(format!("it is damaged ({e})")))?;
    if problems != ["ok"] {
        return Err(bad(format!(
            "it is damaged (integrity_check: {})",
            problems.join("; ")
        )));
    }
    let version = schema_version(&conn)
        .map_err(|e| bad(format!("it is not a threatdb database: {}", e.0)))?;
    if version > known_version {
        return Err(bad(format!(
            "its schema version is {version}, newer than this threatdb knows ({known_version}): restore it with a newer threatdb"
        )));
    }
    let info: Vec<(String, String)> = conn
        .prepare(&format!("SELECT key, value FROM {INFO_TABLE} ORDER BY key"))
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(|_| {
            bad("it is a threatdb database but not a backup made by `threatdb admin backup` (it has no threatdb_backup_info table)".into())
        })?;
    let format = info
        .iter()
        .find(|(k, _)| k == "format")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    match format {
        Some(f) if f <= FORMAT => {}
        Some(f) => {
            return Err(bad(format!(
                "its bundle format is {f}, newer than this threatdb reads ({FORMAT})"
            )));
        }
        None => return Err(bad("it records no bundle format".into())),
    }
    let files = conn
        .prepare(&format!(
            "SELECT name, mode, contents FROM {FILES_TABLE} ORDER BY name"
        ))
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok(BundleFile {
                    name: r.get(0)?,
                    mode: r.get(1)?,
                    contents: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(|e| bad(format!("its files cannot be read ({e})")))?;
    Ok(Verified {
        schema_version: version,
        files,
        info,
        bytes: pages.saturating_mul(page_size),
    })
}

/// Checks that `copy` (a copy of a verified bundle) is as long as its header says, then turns it
/// into a plain threatdb database: the bundle's tables dropped, their bytes overwritten (the
/// master key must not stay behind in free pages).
pub fn unbundle(copy: &Path) -> BackupResult<()> {
    header_size(copy)?;
    let conn = Connection::open_with_flags(
        copy,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite(&format!("cannot open {}", copy.display())))?;
    conn.execute_batch(&format!(
        "PRAGMA secure_delete = ON;
         BEGIN IMMEDIATE;
         DROP TABLE IF EXISTS {FILES_TABLE};
         DROP TABLE IF EXISTS {INFO_TABLE};
         COMMIT;"
    ))
    .map_err(sqlite("cannot unpack the backup"))?;
    conn.close()
        .map_err(|(_, e)| sqlite("cannot unpack the backup")(e))
}

/// Whether another connection (a running `threatdb serve`, say) has the database at `path`
/// open. In WAL mode every open connection holds a shared lock on the database file for as long
/// as it is open, so an exclusive lock is refused while one is. A missing file is not in use.
/// Taking the lock may checkpoint a WAL left by a crash into the file (what the next open would
/// do anyway).
pub fn in_use(path: &Path) -> BackupResult<bool> {
    Ok(lock_unused(path)?.is_none())
}

/// The database file held exclusively, so that no server can open it until this is dropped
/// (one that tries is refused with "database is locked"); see [`lock_unused`].
#[derive(Debug)]
pub struct ExclusiveLock {
    _conn: Option<Connection>,
}

/// Takes the database at `path` exclusively, when nobody has it open: `None` while another
/// connection does. The lock is held until the returned guard is dropped, so a restore that
/// replaces the file holds it across the swap and no server can start on the old file in
/// between. A missing file (nothing to lock) gives a guard that holds nothing.
pub fn lock_unused(path: &Path) -> BackupResult<Option<ExclusiveLock>> {
    if !path.exists() {
        return Ok(Some(ExclusiveLock { _conn: None }));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite(&format!("cannot open {}", path.display())))?;
    conn.busy_timeout(Duration::ZERO)
        .map_err(sqlite("cannot configure the check"))?;
    // In EXCLUSIVE locking mode the lock a write transaction takes is kept after it commits,
    // until the connection closes.
    let taken = conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;");
    match taken {
        Ok(()) => Ok(Some(ExclusiveLock { _conn: Some(conn) })),
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::DatabaseBusy
                || f.code == rusqlite::ErrorCode::DatabaseLocked =>
        {
            Ok(None)
        }
        // Not a database we can lock (damaged, say): nobody serves it either.
        Err(_) => Ok(Some(ExclusiveLock { _conn: None })),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

    /// A WAL database shaped like threatdb's (a migration table) with `rows` rows.
    fn database(path: &Path, rows: i64) -> Connection {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE threatdb_migrations (version INTEGER PRIMARY KEY);
             INSERT INTO threatdb_migrations VALUES (1), (2);
             CREATE TABLE t (id INTEGER PRIMARY KEY, pad BLOB NOT NULL);",
        )
        .unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        for i in 1..=rows {
            tx.execute("INSERT INTO t VALUES (?1, zeroblob(2000))", [i])
                .unwrap();
        }
        tx.commit().unwrap();
        conn
    }

    fn key_file() -> Vec<BundleFile> {
        vec![BundleFile {
            name: "master.key".into(),
            mode: 0o600,
            contents: b"c2VjcmV0".to_vec(),
        }]
    }

    fn make_backup(source: &Path, dest: &Path) -> BackupReport {
        std::fs::File::create(dest).unwrap();
        backup_to(
            source,
            dest,
            &key_file(),
            &[("note", "x".into())],
            |_, _| {},
        )
        .unwrap()
    }

    #[test]
    fn a_backup_under_writes_is_one_snapshot_holding_every_earlier_commit() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("db");
        drop(database(&source, 5000));
        // Another connection commits one row at a time, all through the backup.
        let committed = Arc::new(AtomicI64::new(5000));
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (source, committed, stop) = (source.clone(), committed.clone(), stop.clone());
            std::thread::spawn(move || {
                let conn = Connection::open(&source).unwrap();
                conn.busy_timeout(Duration::from_secs(10)).unwrap();
                let mut next = 5001;
                while !stop.load(Ordering::SeqCst) {
                    conn.execute("INSERT INTO t VALUES (?1, zeroblob(2000))", [next])
                        .unwrap();
                    committed.store(next, Ordering::SeqCst);
                    next += 1;
                }
            })
        };
        while committed.load(Ordering::SeqCst) < 5100 {
            std::thread::yield_now();
        }
        let before = committed.load(Ordering::SeqCst);
        let dest = dir.path().join("bundle");
        let mut steps = 0;
        std::fs::File::create(&dest).unwrap();
        let report = backup_in_steps(&source, &dest, &key_file(), &[], 64, |done, total| {
            steps += 1;
            assert!(done <= total);
        })
        .unwrap();
        let after = committed.load(Ordering::SeqCst);
        stop.store(true, Ordering::SeqCst);
        writer.join().unwrap();
        assert!(steps > 1, "progress is reported per step");
        assert_eq!(report.schema_version, 2);

        let verified = verify(&dest, 2).unwrap();
        assert_eq!(verified.files, key_file());
        let copy = Connection::open(&dest).unwrap();
        let (count, max): (i64, i64) = copy
            .query_row("SELECT count(*), max(id) FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(count, max, "no gaps: one snapshot");
        assert!(
            max >= before,
            "a row committed before the backup is missing"
        );
        assert!(max <= after);
        let mode: String = copy
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete", "a bundle is one file");
    }

    #[test]
    fn damaged_foreign_or_newer_files_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("db");
        drop(database(&source, 500));
        let dest = dir.path().join("bundle");
        make_backup(&source, &dest);
        assert!(verify(&dest, 2).is_ok());

        let newer = verify(&dest, 1).unwrap_err().0;
        assert!(newer.contains("schema version is 2, newer"), "{newer}");

        let bytes = std::fs::read(&dest).unwrap();
        let truncated = dir.path().join("truncated");
        std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
        let e = verify(&truncated, 2).unwrap_err().0;
        assert!(e.contains("truncated"), "{e}");

        let short = dir.path().join("short");
        std::fs::write(&short, &bytes[..50]).unwrap();
        let e = verify(&short, 2).unwrap_err().0;
        assert!(e.contains("too short"), "{e}");

        let text = dir.path().join("text");
        std::fs::write(&text, vec![b'x'; 8192]).unwrap();
        let e = verify(&text, 2).unwrap_err().0;
        assert!(e.contains("not a SQLite database"), "{e}");

        // Pages overwritten in the middle: the header is fine, the b-trees are not.
        let mut corrupt = bytes.clone();
        let middle = corrupt.len() / 2;
        corrupt[middle..middle + 8192].fill(0xA5);
        let damaged = dir.path().join("damaged");
        std::fs::write(&damaged, &corrupt).unwrap();
        let e = verify(&damaged, 2).unwrap_err().0;
        assert!(e.contains("damaged"), "{e}");

        // A threatdb database that is no bundle.
        let plain = dir.path().join("plain");
        std::fs::copy(&source, &plain).unwrap();
        Connection::open(&plain)
            .unwrap()
            .execute_batch("PRAGMA journal_mode = DELETE")
            .unwrap();
        let e = verify(&plain, 2).unwrap_err().0;
        assert!(e.contains("not a backup made by"), "{e}");
    }

    #[test]
    fn unbundling_drops_the_files_and_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("db");
        drop(database(&source, 50));
        let dest = dir.path().join("bundle");
        make_backup(&source, &dest);
        unbundle(&dest).unwrap();
        let bytes = std::fs::read(&dest).unwrap();
        assert!(
            !bytes.windows(8).any(|w| w == b"c2VjcmV0"),
            "the key stays behind"
        );
        let conn = Connection::open(&dest).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 50);
    }

    #[test]
    fn an_open_database_is_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        assert!(!in_use(&path).unwrap());
        let conn = database(&path, 1);
        assert!(in_use(&path).unwrap());
        drop(conn);
        assert!(!in_use(&path).unwrap());
    }

    #[test]
    fn a_held_lock_keeps_others_out_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(database(&path, 1));
        let lock = lock_unused(&path).unwrap().expect("nobody has it open");
        // What a starting server does: open and read. Refused while the lock is held.
        let other = Connection::open(&path).unwrap();
        other.busy_timeout(Duration::ZERO).unwrap();
        assert!(
            other
                .query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))
                .is_err()
        );
        assert!(in_use(&path).unwrap());
        drop(lock);
        assert_eq!(
            other
                .query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))
                .unwrap(),
            1
        );
    }
}
