//! The TLS client configuration for wss:// upstreams: rustls with webpki-roots (Mozilla's
//! roots, compiled in), the `--ca` files' certificates added, or no verification at all
//! with `--insecure`; ALPN offers `http/1.1` only.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// The client configuration, or a message naming the `--ca` file that could not be used.
pub fn client_config(ca: &[PathBuf], insecure: bool) -> Result<Arc<ClientConfig>, String> {
    // rustls 0.23.48 deprecates the ring provider for having no post-quantum key exchange;
    // it is kept for now because aws-lc-rs, the provider that has it, needs a C toolchain
    // build several times longer than ring's. The upstream still gets X25519, as from
    // most clients today.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("wsinspect: TLS set-up: {e}"))?;
    let mut config = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
            .with_no_client_auth()
    } else {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for file in ca {
            let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(file)
                .and_then(|certs| certs.collect())
                .map_err(|e| format!("wsinspect: --ca {}: {e}", file.display()))?;
            if certs.is_empty() {
                return Err(format!(
                    "wsinspect: --ca {}: no PEM certificate in it",
                    file.display()
                ));
            }
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| format!("wsinspect: --ca {}: {e}", file.display()))?;
            }
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    // RFC 7301 §3.1: the client offers protocols in ALPN; offering only "http/1.1" keeps an
    // upstream that also speaks HTTP/2 from choosing it (RFC 8441's WebSocket over HTTP/2
    // would change the bytes on the wire).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// `--insecure`: accepts any certificate; signatures are still checked to be well formed
/// by the provider, so the handshake itself completes as usual.
#[derive(Debug)]
struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
