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
}
