//! Gunzip, single- and multi-member (concatenated members are one file's parts, as `gzip -d`
//! reads them), in pure Rust (flate2 on miniz_oxide), with a limit on the output.

use flate2::read::MultiGzDecoder;
use std::io::{ErrorKind, Read};

/// Why a gzip file could not be decompressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GzipError {
    /// Bad header, bad deflate data, bad checksum, or trailing bytes that are not a member.
    Corrupt(String),
    /// The data stops before the end of a member.
    Truncated,
    /// More than the limit of output.
    TooLarge { limit: usize },
}

/// Decompress `bytes` (one or more gzip members), refusing more than `max_out` bytes of output.
pub fn gunzip(bytes: &[u8], max_out: usize) -> Result<Vec<u8>, GzipError> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(8).min(max_out).min(64 << 20));
    let limit = (max_out as u64).saturating_add(1);
    match MultiGzDecoder::new(bytes).take(limit).read_to_end(&mut out) {
        Ok(_) if out.len() > max_out => Err(GzipError::TooLarge { limit: max_out }),
        Ok(_) => Ok(out),
        Err(e) if e.kind() == ErrorKind::UnexpectedEof => Err(GzipError::Truncated),
        Err(e) => Err(GzipError::Corrupt(e.to_string())),
    }
}
