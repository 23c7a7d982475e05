//! HTTPS: the certificate chain and private key a server presents, read from PEM files and
//! re-read on demand ([`TlsFiles::reload`], which `threatdb serve` calls on SIGHUP). Every new
//! connection takes the pair in force when it is accepted; connections already open keep theirs.
//! A new pair that cannot be used is refused and the old one stays in force.

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio_rustls::TlsAcceptor;

/// Why a certificate or key could not be used; says which file and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsError(String);

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

/// The certificate and key files of an HTTPS listener and the configuration made from them.
pub struct TlsFiles {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<Arc<ServerConfig>>,
}

impl fmt::Debug for TlsFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsFiles")
            .field("cert", &self.cert)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl TlsFiles {
    /// Reads the PEM certificate chain (the server's certificate first) and the PEM private key
    /// (PKCS#8, PKCS#1 or SEC1), and checks that they belong together.
    pub fn load(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let config = server_config(cert, key)?;
        Ok(TlsFiles {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            current: RwLock::new(Arc::new(config)),
        })
    }

    /// Reads both files again; new connections use the new pair. On an error the pair in force
    /// stays.
    pub fn reload(&self) -> Result<(), TlsError> {
        let config = Arc::new(server_config(&self.cert, &self.key)?);
        // A poisoned lock only means a panic elsewhere while it was held: the value is whole.
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = config;
        Ok(())
    }

    /// The certificate file.
    pub fn cert_path(&self) -> &Path {
        &self.cert
    }

    /// An acceptor with the pair in force now.
    pub(crate) fn acceptor(&self) -> TlsAcceptor {
        let config = self
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        TlsAcceptor::from(config)
    }
}

fn server_config(cert: &Path, key: &Path) -> Result<ServerConfig, TlsError> {
    let bad = |file: &Path, what: &str, e: &dyn fmt::Display| {
        TlsError(format!("the TLS {what} {}: {e}", file.display()))
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| bad(cert, "certificate", &e))?;
    if chain.is_empty() {
        return Err(bad(
            cert,
            "certificate",
            &"no CERTIFICATE block in the file",
        ));
    }
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, "key", &e))?;
    // Named explicitly: the process-wide default provider is unset when several are compiled in.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(format!("TLS set-up: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| {
            TlsError(format!(
                "the TLS certificate {} and key {} cannot be used together: {e}",
                cert.display(),
                key.display()
            ))
        })?;
    // The server speaks HTTP/1.1 only: say so, so no client tries HTTP/2.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_empty_files_are_named() {
        let dir = tempfile::tempdir().expect("dir");
        let cert = dir.path().join("cert.pem");
        let key = dir.path().join("key.pem");
        let e = TlsFiles::load(&cert, &key).expect_err("missing");
        assert!(e.to_string().contains("cert.pem"), "{e}");
        std::fs::write(&cert, "not a certificate\n").expect("write");
        let e = TlsFiles::load(&cert, &key).expect_err("empty");
        assert!(e.to_string().contains("no CERTIFICATE"), "{e}");
    }
}
