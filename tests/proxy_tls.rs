//! wss:// upstreams (issue 13 §3): a PyPI `websockets` server with a certificate the test
//! makes with openssl (a CA and a leaf for 127.0.0.1). Trusted with `--ca`, the messages
//! round trip; untrusted, the client gets a 502 naming the reason; `--insecure` relays.
#![cfg(not(target_arch = "wasm32"))]

#[path = "proxy_support/mod.rs"]
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;

/// A CA and a leaf certificate for IP 127.0.0.1 it signed, in a fresh directory:
/// (directory, ca.pem, leaf.pem, leaf.key).
fn certificates(name: &str) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    let dir =
        std::env::temp_dir().join(format!("wsinspect-proxy-tls-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=wsinspect test CA",
        ],
    ]
    .concat());
    run(&[
        &["req"][..],
        &ec,
        &[
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    ]
    .concat());
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        "leaf.ext",
    ]);
    let p = |f: &str| dir.join(f);
    (p(""), p("ca.pem"), p("leaf.pem"), p("leaf.key"))
}

fn wss_server(cert: &Path, key: &Path) -> (Running, u16) {
    peer_server(
        "python3",
        "proxy_websockets.py",
        &[
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
    )
}

fn round_trip(proxy: &Proxy) {
    let (ok, summary) = peer_client(
        "python3",
        "proxy_websockets.py",
        &["--url", &proxy.url("/"), "--messages", "10"],
    );
    assert!(ok, "{summary}");
    assert_eq!(summary["messages"], 10);
}

#[test]
fn a_ca_given_with_ca_is_trusted_and_others_are_refused_with_502() {
    let (dir, ca, leaf, key) = certificates("ca");
    let (_server, port) = wss_server(&leaf, &key);
    let upstream = format!("wss://127.0.0.1:{port}/");

    let trusted = Proxy::start(&["--ca", ca.to_str().unwrap(), "--upstream", &upstream]);
    round_trip(&trusted);
    let list = trusted.wait_all_closed();
    assert_eq!(
        list["connections"][0]["upstream"],
        format!("wss://127.0.0.1:{port}/")
    );
    let t = trusted.transcript(1);
    let decoded = wsinspect::decode_transcript(&t, &Default::default());
    assert!(decoded.violations.is_empty(), "{:?}", decoded.violations);
    assert!(
        decoded.frames.iter().any(|f| f.item.rsv1),
        "compressed frames inside TLS"
    );

    let untrusted = Proxy::start(&["--upstream", &upstream]);
    let mut client = std::net::TcpStream::connect(untrusted.addr).unwrap();
    client.write_all(&client_head("/", None)).unwrap();
    let answer = String::from_utf8(read_to_close(&mut client)).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 502 Bad Gateway\r\n"),
        "{answer}"
    );
    assert!(answer.contains("TLS handshake with 127.0.0.1:"), "{answer}");
    assert!(
        answer.contains("certificate"),
        "the reason names the certificate: {answer}"
    );
    let list = untrusted.wait_all_closed();
    let reason = list["connections"][0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("502 Bad Gateway: TLS handshake"),
        "{reason}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn insecure_relays_to_an_untrusted_certificate() {
    let (dir, _ca, leaf, key) = certificates("insecure");
    let (_server, port) = wss_server(&leaf, &key);
    let proxy = Proxy::start(&[
        "--insecure",
        "--upstream",
        &format!("wss://127.0.0.1:{port}/"),
    ]);
    round_trip(&proxy);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_ca_file_without_certificates_is_refused_at_start() {
    let file = std::env::temp_dir().join(format!("wsinspect-empty-ca-{}", std::process::id()));
    std::fs::write(&file, "not a certificate\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wsinspect"))
        .args([
            "proxy",
            "--upstream",
            "wss://127.0.0.1:1/",
            "--ca",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--ca") && stderr.contains("no PEM certificate"),
        "{stderr}"
    );
    let _ = std::fs::remove_file(file);
}
