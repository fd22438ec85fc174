//! Request signing for the clouds behind the proxy.
//!
//! * [`aliyun`]: Alibaba Cloud RPC signatures, ACS3-HMAC-SHA256 (V3, the default) and HMAC-SHA1
//!   (V1), hand-written: Alibaba publishes no Rust SDK and the community crates are either
//!   unmaintained or V1-only; the algorithms are ~100 lines on RustCrypto's `hmac`/`sha1`/`sha2`
//!   and are tested against Alibaba's published examples.
//! * [`oss`]: Alibaba Cloud OSS, OSS4-HMAC-SHA256 (V4, the default) and the V1 HMAC-SHA1
//!   `Authorization: OSS id:signature`, hand-written for the same reasons.
//! * [`aws`]: SigV4 through the official `aws-sigv4` crate (CloudWatch Logs, and S3 with
//!   `UNSIGNED-PAYLOAD`).

pub mod aliyun;
pub mod aws;
pub mod oss;
pub mod sls;
