//! The tests' Python: a virtual environment with `tests/python/requirements.txt` installed,
//! made once under the target directory (`target/tmp/python/venv-<hash>`, the hash of the
//! requirements and of the Python version) and reused by every later run until the requirements
//! change. Test processes that need it at the same time take turns through a lock directory.
//!
//! The tests that use it are ignored unless asked for (`--include-ignored`, as CI does); asked
//! for, a missing Python 3 or an unreachable package index fails them with what is missing.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The interpreter the environment is made from: `THREATDB_TEST_PYTHON`, or `python3`.
fn interpreter() -> String {
    std::env::var("THREATDB_TEST_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// The `bin` directory of the tests' virtual environment, made (or brought up to date) first.
pub fn venv_bin() -> PathBuf {
    static MADE: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(bin) = made.as_ref() {
        return bin.clone();
    }
    let bin = make();
    *made = Some(bin.clone());
    bin
}

fn run(what: &str, cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!(
            "{what}: could not run {cmd:?}: {e} (the Python tests need Python 3 with venv and pip)"
        )
    });
    assert!(
        out.status.success(),
        "{what} failed ({}): {cmd:?}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn make() -> PathBuf {
    let requirements = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).unwrap();
    let python = interpreter();
    let version = Command::new(&python)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| {
            panic!(
                "no Python 3 ({python}): the Python tests need it with venv and pip, and PyPI \
                 (README, Tests)"
            )
        });
    let mut h = DefaultHasher::new();
    (&wanted, &version).hash(&mut h);
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("python");
    std::fs::create_dir_all(&root).unwrap();
    let dir = root.join(format!("venv-{:016x}", h.finish()));
    let ready = dir.join("threatdb-requirements.txt");
    let bin = dir.join("bin");
    let _lock = DirLock::take(&root.join("lock"));
    if std::fs::read_to_string(&ready).is_ok_and(|r| r == wanted) {
        return bin;
    }
    // A half-made environment (an interrupted run) is made again.
    let _ = std::fs::remove_dir_all(&dir);
    run(
        "python3 -m venv",
        Command::new(&python).args(["-m", "venv"]).arg(&dir),
    );
    run(
        "pip install -r tests/python/requirements.txt",
        Command::new(bin.join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--quiet",
                "-r",
            ])
            .arg(&requirements),
    );
    std::fs::write(&ready, &wanted).unwrap();
    bin
}

/// A lock held while a directory exists: made atomically, removed on drop; one left behind by
/// a process that is gone is taken over.
struct DirLock(PathBuf);

impl DirLock {
    fn take(path: &Path) -> DirLock {
        let start = Instant::now();
        loop {
            match std::fs::create_dir(path) {
                Ok(()) => {
                    std::fs::write(path.join("pid"), std::process::id().to_string()).unwrap();
                    return DirLock(path.to_path_buf());
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(path.join("pid")).ok();
                    let gone = holder
                        .as_deref()
                        .is_some_and(|pid| !Path::new(&format!("/proc/{}", pid.trim())).exists());
                    if gone {
                        let _ = std::fs::remove_dir_all(path);
                        continue;
                    }
                    assert!(
                        start.elapsed() < Duration::from_secs(900),
                        "{} is still held by {holder:?} after 15 minutes",
                        path.display()
                    );
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("cannot make {}: {e}", path.display()),
            }
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
