//! Percent-encoding as the clouds need it for signatures, object paths and query strings
//! (RFC 3986): only `A-Z a-z 0-9 - _ . ~` stay, every other byte of the UTF-8 text is `%XX`
//! with uppercase hex. One encoder for the app's URLs, the proxy's signatures (Alibaba RPC,
//! OSS V4) and the listings' queries, so what is sent and what is signed cannot differ.

/// What happens to `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slash {
    /// Kept: an object key or a path, whose segments stay segments.
    Keep,
    /// Encoded as `%2F`: a query value, a parameter, a string to sign.
    Encode,
}

/// `s` percent-encoded, appended to `out`.
pub fn encode_into(out: &mut String, s: &str, slash: Slash) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (b == b'/' && slash == Slash::Keep)
        {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

/// `s` percent-encoded.
pub fn encode(s: &str, slash: Slash) -> String {
    let mut out = String::with_capacity(s.len());
    encode_into(&mut out, s, slash);
    out
}

/// Percent-decoding of a query component (`+` is a space, as S3, OSS and HTML forms read it);
/// `None` for a bad escape (not two hex digits) or bytes that are not UTF-8.
pub fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |c: u8| (c as char).to_digit(16);
                let hi = hex(*b.get(i + 1)?)?;
                let lo = hex(*b.get(i + 2)?)?;
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_bytes_stay() {
        assert_eq!(encode("AZaz09-_.~", Slash::Encode), "AZaz09-_.~");
        assert_eq!(encode("a b", Slash::Encode), "a%20b");
        assert_eq!(encode("*", Slash::Encode), "%2A");
        assert_eq!(
            encode("+/=:&?#%", Slash::Encode),
            "%2B%2F%3D%3A%26%3F%23%25"
        );
        assert_eq!(encode("+/=", Slash::Keep), "%2B/%3D");
        assert_eq!(encode("é", Slash::Encode), "%C3%A9");
        assert_eq!(encode("阿里", Slash::Encode), "%E9%98%BF%E9%87%8C");
        assert_eq!(encode("😀", Slash::Keep), "%F0%9F%98%80");
        assert_eq!(encode("a b/ü+%?#", Slash::Keep), "a%20b/%C3%BC%2B%25%3F%23");
    }

    #[test]
    fn decode_reads_what_encode_writes_and_refuses_bad_escapes() {
        for s in ["", "a b", "王芳/=&%+?#", "\u{1F680}", "%", "a+b"] {
            assert_eq!(decode(&encode(s, Slash::Encode)).as_deref(), Some(s));
        }
        assert_eq!(decode("a+b%20c").as_deref(), Some("a b c"));
        assert_eq!(decode("%e7%8e%8b").as_deref(), Some("王"));
        // Not two hex digits (from_str_radix would take "+1"), cut short, not UTF-8.
        for bad in ["%+1", "%-1", "%1", "%", "%zz", "%ff"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
