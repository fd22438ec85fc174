//! Request signing for the clouds behind the proxy.
//!
//! * [`aliyun`]: Alibaba Cloud RPC signatures, ACS3-HMAC-SHA256 (V3, the default) and HMAC-SHA1
//!   (V1), hand-written: Alibaba publishes no Rust SDK and the community crates are either
//!   unmaintained or V1-only; the algorithms are ~100 lines on RustCrypto's `hmac`/`sha1`/`sha2`
//!   and are tested against Alibaba's published examples.
//! * [`oss`]: Alibaba Cloud OSS, OSS4-HMAC-SHA256 (V4, the default) and the V1 HMAC-SHA1
//!   `Authorization: OSS id:signature`, hand-written for the same reasons.
//! * [`sls`]: Alibaba Cloud SLS, the LOG V1 HMAC-SHA1 `Authorization: LOG id:signature`.
//! * [`aws`]: SigV4 through the official `aws-sigv4` crate (CloudWatch Logs, and S3 with
//!   `UNSIGNED-PAYLOAD`).

pub mod aliyun;
pub mod aws;
pub mod oss;
pub mod sls;

use base64::Engine as _;
use hmac::{Hmac, Mac};

/// base64(HMAC-SHA1(key, text)): the ActionTrail V1, OSS V1 and SLS LOG signatures.
pub fn hmac_sha1_base64(key: &[u8], text: &str) -> String {
    let mut m = Hmac::<sha1::Sha1>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
}
