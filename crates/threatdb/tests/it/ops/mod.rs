//! Running the server as an operator does: the configuration file and `config show`
//! (`config.rs`), HTTPS with a certificate reloaded on SIGHUP (`tls.rs`), request ids and JSON
//! logs (`logs.rs`), Prometheus metrics and `/readyz` (`metrics.rs`).

mod config;
mod logs;
mod metrics;
mod tls;

use crate::node::Node;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;

pub const BIN: &str = env!("CARGO_BIN_EXE_threatdb");
pub const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// `threatdb ARGS` in `cwd`, with none of the test's own THREATDB_* or TC_* settings.
pub fn command(cwd: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(cwd);
    for (k, _) in std::env::vars_os() {
        let name = k.to_string_lossy();
        if name.starts_with("THREATDB_") || name.starts_with("TC_") || name == "RUST_LOG" {
            cmd.env_remove(&k);
        }
    }
    cmd
}

/// Starts `cmd` (a `threatdb serve`), waits for its "listening" line and hands back the node
/// and its stderr, line by line.
pub fn spawn(cmd: Command) -> (Node, mpsc::Receiver<String>) {
    let (node, _, log) = spawn_reporting(cmd);
    (node, log)
}

/// Like [`spawn`], also handing back what it printed before its "listening" line.
pub fn spawn_reporting(mut cmd: Command) -> (Node, Vec<String>, mpsc::Receiver<String>) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut before = Vec::new();
    let origin = loop {
        let Some(Ok(line)) = lines.next() else {
            let log: Vec<String> = rx.try_iter().collect();
            panic!("serve exited before listening: {}", log.join("\n"));
        };
        if let Some(rest) = line.strip_prefix("threatdb listening on ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
        before.push(line);
    };
    // Keep reading stdout, so the server never writes into a closed pipe.
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    (Node { child, origin }, before, rx)
}
