//! Gunzip, single- and multi-member (concatenated members are one file's parts, as `gzip -d`
//! reads them), in pure Rust (flate2 on miniz_oxide), with a limit on the output.

use super::documents::FileError;
use flate2::read::MultiGzDecoder;
use std::io::{ErrorKind, Read};

/// Decompress `bytes` (one or more gzip members), refusing more than `max_out` bytes of output.
pub fn gunzip(bytes: &[u8], max_out: usize) -> Result<Vec<u8>, FileError> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(8).min(max_out).min(64 << 20));
    let limit = (max_out as u64).saturating_add(1);
    match MultiGzDecoder::new(bytes).take(limit).read_to_end(&mut out) {
        Ok(_) if out.len() > max_out => Err(FileError::TooLarge { limit: max_out }),
        Ok(_) => Ok(out),
        Err(e) if e.kind() == ErrorKind::UnexpectedEof => Err(FileError::TruncatedGzip),
        Err(e) => Err(FileError::CorruptGzip(e.to_string())),
    }
}
