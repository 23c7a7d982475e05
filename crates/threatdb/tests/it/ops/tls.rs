//! `serve --tls-cert --tls-key`: HTTPS for the SDK and `threatdb api` (trusting the test's own
//! CA), a handshake that never finishes is dropped, and SIGHUP swaps the certificate for new
//! connections while an open keep-alive connection goes on with the old one.

use super::{KEY, command, spawn};
use crate::node::{Node, credentials};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

/// A certificate authority: its PEM certificate, and a server certificate for 127.0.0.1 and
/// localhost that it signed (PEM certificate and key).
struct Issued {
    ca: String,
    cert: String,
    key: String,
}

fn issue(name: &str) -> Issued {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, name);
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca.self_signed(&ca_key).unwrap();
    let leaf =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&key, &ca, &ca_key).unwrap();
    Issued {
        ca: ca.pem(),
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

/// Puts `issued`'s certificate and key where the server reads them, and its CA in `ca_file`.
fn install(dir: &Path, issued: &Issued, ca_file: &str) {
    std::fs::write(dir.join(ca_file), &issued.ca).unwrap();
    std::fs::write(dir.join("cert.pem"), &issued.cert).unwrap();
    std::fs::write(dir.join("key.pem"), &issued.key).unwrap();
}

/// A client trusting only the CA in `ca_file` (not the system's roots).
fn client(dir: &Path, ca_file: &str) -> reqwest::Client {
    let pem = std::fs::read(dir.join(ca_file)).unwrap();
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn healthz(client: &reqwest::Client, node: &Node) -> Result<u16, reqwest::Error> {
    let resp = client
        .get(format!("{}/healthz", node.origin))
        .send()
        .await?;
    Ok(resp.status().as_u16())
}

fn api(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = command(dir, &["api", "GET", "/v2/owners/mine"])
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[tokio::test]
async fn https_with_a_certificate_reloaded_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    install(d, &issue("threatdb test CA one"), "ca-one.pem");
    let mut serve = command(
        d,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--header-read-timeout",
            "2",
        ],
    );
    serve
        .env("THREATDB_MASTER_KEY", KEY)
        .env("THREATDB_TLS_CERT", "cert.pem")
        .env("THREATDB_TLS_KEY", "key.pem");
    let (node, _log) = spawn(serve);
    assert!(
        node.origin.starts_with("https://127.0.0.1:"),
        "{}",
        node.origin
    );
    let creds = credentials(&d.join("data"));
    let env_file = std::fs::read_to_string(d.join("data/credentials.env")).unwrap();
    assert!(env_file.contains(&format!("TC_API_BASE_URL={}/api", node.origin)));

    // The SDK, trusting the CA.
    let base = format!("{}/api", node.origin);
    let mut tc = threatdb_sdk::ThreatConnect::new(
        &creds.access_id,
        &creds.secret,
        "Example Organization",
        &base,
    )
    .unwrap();
    tc.set_api_retries(0);
    assert!(
        tc.owners().await.is_err(),
        "an unknown CA must not be trusted"
    );
    tc.set_api_ca_cert(d.join("ca-one.pem")).unwrap();
    let owners = tc.owners().await.unwrap();
    assert!(owners.iter().any(|o| o.name == "Example Community"));

    // threatdb api: the CA from TC_API_CA_CERT or --ca-cert; without it, a clear refusal.
    let (ok, out, err) = api(d, &[], &[("TC_API_CA_CERT", "ca-one.pem")]);
    assert!(ok, "{err}");
    assert!(out.contains("Example Organization"), "{out}");
    let (ok, _, err) = api(d, &[], &[]);
    assert!(!ok && err.contains("certificate"), "{err}");

    // A client that opens a socket and never finishes the handshake is dropped.
    let mut silent = tokio::net::TcpStream::connect(node.origin.trim_start_matches("https://"))
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(10), silent.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "still open: {read:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(6));

    // An open keep-alive connection made with the first certificate...
    let old = client(d, "ca-one.pem");
    assert_eq!(healthz(&old, &node).await.unwrap(), 200);

    // ...then a new certificate from another CA, and SIGHUP.
    install(d, &issue("threatdb test CA two"), "ca-two.pem");
    hangup(&node);
    let new = client(d, "ca-two.pem");
    let deadline = Instant::now() + Duration::from_secs(10);
    while healthz(&new, &node).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "the new certificate was not served"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // New connections present the new certificate only...
    assert!(healthz(&client(d, "ca-one.pem"), &node).await.is_err());
    let (ok, _, err) = api(d, &["--ca-cert", "ca-two.pem"], &[]);
    assert!(ok, "{err}");
    // ...while the old connection still works: a new one would fail, trusting only CA one.
    assert_eq!(healthz(&old, &node).await.unwrap(), 200);

    // A certificate that cannot be used is refused on SIGHUP: the one in force stays.
    std::fs::write(d.join("cert.pem"), "-----BEGIN CERTIFICATE-----\nbroken\n").unwrap();
    hangup(&node);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(healthz(&client(d, "ca-two.pem"), &node).await.unwrap(), 200);
}

fn hangup(node: &Node) {
    let status = std::process::Command::new("kill")
        .arg("-HUP")
        .arg(node.child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}
