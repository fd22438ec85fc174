//! The upstream client speaks TLS and verifies certificates against the Mozilla roots: an
//! endpoint with a certificate nobody trusts is a 502 with the reason, and the handshake fails
//! before a single byte of the request (so no signature or security token) is sent.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tower::ServiceExt as _;
use trailview_proxy::config::Config;
use trailview_proxy::{app, Mode};

#[tokio::test]
async fn https_upstream_with_an_untrusted_certificate_is_refused() {
    let cert =
        CertificateDer::from_pem_slice(include_bytes!("fixtures/untrusted-localhost.crt")).unwrap();
    let key =
        PrivateKeyDer::from_pem_slice(include_bytes!("fixtures/untrusted-localhost.key")).unwrap();
    let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (attempted, completed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (a, c) = (attempted.clone(), completed.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            a.fetch_add(1, Ordering::SeqCst);
            if acceptor.accept(stream).await.is_ok() {
                c.fetch_add(1, Ordering::SeqCst);
            }
        }
    });

    let text = format!("[aliyun.actiontrail]\nendpoint = \"https://{addr}\"\n");
    let env = |k: &str| match k {
        "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("LTAItls".to_string()),
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some("tls-secret".to_string()),
        _ => None,
    };
    let app = app(Mode::configured(&Config::from_toml(&text, None, &env).unwrap()).unwrap());
    let resp = app
        .oneshot(
            Request::post("/api/aliyun/actiontrail?Action=LookupEvents")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["Code"], "Proxy.UpstreamUnavailable");
    let msg = v["Message"].as_str().unwrap().to_ascii_lowercase();
    assert!(msg.contains("certificate"), "{msg}");
    assert!(attempted.load(Ordering::SeqCst) >= 1, "TLS was attempted");
    assert_eq!(
        completed.load(Ordering::SeqCst),
        0,
        "no handshake completed"
    );
}
