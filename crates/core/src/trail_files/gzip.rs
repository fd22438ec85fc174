//! Gunzip, single- and multi-member (concatenated members are one file's parts, as `gzip -d`
//! reads them), in pure Rust (flate2 on miniz_oxide), with a limit on the output.
//!
//! After at least one complete member, trailing zero bytes and whitespace (padding, a final
//! newline) are ignored, as `gzip -d` ignores them; other trailing bytes that do not start a
//! member are [`GzipError::Corrupt`], not [`GzipError::Truncated`], which means a member is cut.

use flate2::bufread::GzDecoder;
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

/// The two bytes every gzip member starts with.
const MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Output is read in chunks of this size.
const CHUNK: usize = 32 << 10;

/// Decompress `bytes` (one or more gzip members), refusing more than `max_out` bytes of output.
/// The output buffer grows by doubling but never past `max_out`, so memory stays about the
/// limit even for output that runs past it.
pub fn gunzip(bytes: &[u8], max_out: usize) -> Result<Vec<u8>, GzipError> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(8).min(max_out).min(64 << 20));
    let mut rest = bytes;
    let mut members = 0usize;
    loop {
        if members > 0 {
            if rest.iter().all(|b| *b == 0 || b.is_ascii_whitespace()) {
                return Ok(out);
            }
            if !rest.starts_with(&MAGIC) {
                return Err(GzipError::Corrupt(
                    "bytes after the last gzip member".to_string(),
                ));
            }
        }
        let mut member = GzDecoder::new(rest);
        read_capped(&mut member, &mut out, max_out)?;
        rest = member.into_inner();
        members += 1;
    }
}

/// Append everything `r` yields to `out`, failing once `out` would pass `max_out` bytes.
fn read_capped(r: &mut impl Read, out: &mut Vec<u8>, max_out: usize) -> Result<(), GzipError> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Err(GzipError::Truncated),
            Err(e) => return Err(GzipError::Corrupt(e.to_string())),
        };
        let len = out.len() + n;
        if len > max_out {
            return Err(GzipError::TooLarge { limit: max_out });
        }
        if len > out.capacity() {
            let cap = out.capacity().saturating_mul(2).clamp(len, max_out);
            out.try_reserve_exact(cap - out.len())
                .map_err(|_| GzipError::TooLarge { limit: max_out })?;
        }
        out.extend_from_slice(&buf[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gz(b: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn the_output_buffer_stays_within_the_limit() {
        let text = vec![b'a'; 1 << 20];
        let max = 700_000;
        assert_eq!(
            gunzip(&gz(&text), max),
            Err(GzipError::TooLarge { limit: max })
        );
        // Output of exactly the limit: growing by plain doubling (as `read_to_end` does) would
        // reach about twice the limit.
        let text = vec![b'a'; 5_000_000];
        let out = gunzip(&gz(&text), 5_000_000).unwrap();
        assert_eq!(out, text);
        assert!(out.capacity() <= 5_000_000, "{}", out.capacity());
        let text = vec![b'a'; 600_000];
        // Exactly the limit is allowed.
        assert_eq!(gunzip(&gz(&text), 600_000).unwrap().len(), 600_000);
        assert_eq!(
            gunzip(&gz(&text), 599_999),
            Err(GzipError::TooLarge { limit: 599_999 })
        );
        let text = vec![b'a'; 1 << 20];
        let mut read = std::io::Cursor::new(&text);
        let mut out = Vec::new();
        let max = 600_000;
        assert_eq!(
            read_capped(&mut read, &mut out, max),
            Err(GzipError::TooLarge { limit: max })
        );
        assert!(out.capacity() <= max, "{}", out.capacity());
    }
}
