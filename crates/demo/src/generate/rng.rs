//! Randomness: a hand-written SplitMix64 and the character sets ids are drawn from.

/// SplitMix64: tiny, fast, good enough for demo data, and stable across platforms.
#[derive(Clone)]
pub(super) struct Rng(pub(super) u64);

pub(super) fn mix(a: u64, b: u64) -> u64 {
    let mut r = Rng(a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    r.next_u64()
}

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub(super) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
    pub(super) fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    pub(super) fn pick<'a, T>(&mut self, s: &'a [T]) -> &'a T {
        &s[self.below(s.len())]
    }
    pub(super) fn one(&mut self, s: &[&'static str]) -> &'static str {
        s[self.below(s.len())]
    }
    /// Skewed towards the start of the slice: a few hot items, a long tail.
    pub(super) fn pick_hot<'a, T>(&mut self, s: &'a [T]) -> &'a T {
        &s[self.hot_index(s.len())]
    }
    pub(super) fn hot_index(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b)
    }
    /// Index chosen with the given weights.
    pub(super) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = ((u128::from(self.next_u64()) * u128::from(total.max(1))) >> 64) as u64;
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        weights.len() - 1
    }
    pub(super) fn push_chars(&mut self, out: &mut String, alphabet: &[u8], n: usize) {
        for _ in 0..n {
            out.push(alphabet[self.below(alphabet.len())] as char);
        }
    }
    pub(super) fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.push_chars(&mut s, alphabet, n);
        s
    }
    /// `8-4-4-4-12` uppercase hex, like Alibaba request and event ids.
    pub(super) fn uuid_upper(&mut self) -> String {
        let mut s = String::with_capacity(36);
        for (i, n) in [8, 4, 4, 4, 12].into_iter().enumerate() {
            if i > 0 {
                s.push('-');
            }
            self.push_chars(&mut s, HEX_UPPER, n);
        }
        s
    }
    pub(super) fn uuid_lower(&mut self) -> String {
        self.uuid_upper().to_ascii_lowercase()
    }
    pub(super) fn digits(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        s.push((b'1' + self.below(9) as u8) as char);
        self.push_chars(&mut s, DIGITS, n - 1);
        s
    }
}

pub(super) const HEX_UPPER: &[u8] = b"0123456789ABCDEF";
pub(super) const HEX_LOWER: &[u8] = b"0123456789abcdef";
pub(super) const DIGITS: &[u8] = b"0123456789";
pub(super) const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
pub(super) const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
