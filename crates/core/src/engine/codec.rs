//! Compact storage of each event's JSON text: an LZ77 coding (LZ4-like tokens) against a shared
//! dictionary and the event's own earlier bytes. Audit events repeat the same keys and many of
//! the same values, so they shrink several times; one event is decoded when it is shown.
//! The dictionary grows (append-only, up to [`DICT_MAX`]) with events that compressed
//! poorly, so a new kind of event teaches it its keys.

pub const DICT_MAX: usize = 64 << 10;
const MIN_MATCH: usize = 4;
const DICT_BITS: u32 = 15;
const OWN_BITS: u32 = 12;

#[derive(Debug, Clone)]
pub struct Packer {
    dict: Vec<u8>,
    /// Last dictionary position of each 4-byte hash (+1; 0 = none).
    dict_table: Vec<u32>,
    /// Per-event table: (event stamp, position + 1).
    own_table: Vec<(u32, u32)>,
    stamp: u32,
}

impl Default for Packer {
    fn default() -> Self {
        Packer {
            dict: Vec::new(),
            dict_table: vec![0; 1 << DICT_BITS],
            own_table: vec![(0, 0); 1 << OWN_BITS],
            stamp: 0,
        }
    }
}

fn read4(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}
fn hash(v: u32, bits: u32) -> usize {
    (v.wrapping_mul(2_654_435_761) >> (32 - bits)) as usize
}
/// Length of the common prefix, 8 bytes at a time.
fn common(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let x = u64::from_le_bytes(a[i..i + 8].try_into().expect("8 bytes"))
            ^ u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        if x != 0 {
            return i + (x.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}
fn put_len(out: &mut Vec<u8>, mut n: usize) {
    while n >= 255 {
        out.push(255);
        n -= 255;
    }
    out.push(n as u8);
}
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

impl Packer {
    /// Encode `text` into `out` (appended).
    pub fn encode(&mut self, text: &[u8], out: &mut Vec<u8>) {
        let start_len = out.len();
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.own_table.iter_mut().for_each(|e| *e = (0, 0));
            self.stamp = 1;
        }
        let n = text.len();
        let mut lit = 0; // start of pending literals
        let mut i = 0;
        while i + MIN_MATCH <= n {
            let v = read4(text, i);
            let ho = hash(v, OWN_BITS);
            let mut best_len = 0;
            let mut best_code = 0u64;
            let (st, p1) = self.own_table[ho];
            if st == self.stamp && p1 > 0 {
                let p = p1 as usize - 1;
                let l = common(&text[p..], &text[i..]);
                if l >= MIN_MATCH {
                    best_len = l;
                    best_code = (((i - p) as u64) << 1) | 1;
                }
            }
            self.own_table[ho] = (self.stamp, i as u32 + 1);
            let d1 = self.dict_table[hash(v, DICT_BITS)];
            if d1 > 0 {
                let q = d1 as usize - 1;
                let l = common(&self.dict[q..], &text[i..]);
                if l >= MIN_MATCH && l > best_len {
                    best_len = l;
                    best_code = (q as u64) << 1;
                }
            }
            if best_len == 0 {
                i += 1;
                continue;
            }
            self.token(out, &text[lit..i], Some((best_len, best_code)));
            // Remember a few positions inside the match for later matches.
            let end = i + best_len;
            let mut k = i + 1;
            while k + MIN_MATCH <= n && k < end {
                self.own_table[hash(read4(text, k), OWN_BITS)] = (self.stamp, k as u32 + 1);
                k += 2;
            }
            i = end;
            lit = i;
        }
        self.token(out, &text[lit..], None);
        // A poorly compressed event teaches the dictionary.
        let packed = out.len() - start_len;
        if packed * 3 > n && self.dict.len() + n <= DICT_MAX {
            let base = self.dict.len();
            self.dict.extend_from_slice(text);
            for k in base..self.dict.len().saturating_sub(MIN_MATCH - 1) {
                self.dict_table[hash(read4(&self.dict, k), DICT_BITS)] = k as u32 + 1;
            }
        }
    }

    /// The shared dictionary so far (append-only: a snapshot saves what it gained since the
    /// last one).
    pub fn dict(&self) -> &[u8] {
        &self.dict
    }

    /// Append to the dictionary what a snapshot saved (the bytes [`Packer::encode`] added), so
    /// that the events packed against it decode. `false` (and nothing added) past [`DICT_MAX`].
    pub fn extend_dict(&mut self, bytes: &[u8]) -> bool {
        if self.dict.len() + bytes.len() > DICT_MAX {
            return false;
        }
        let base = self.dict.len();
        self.dict.extend_from_slice(bytes);
        for k in base..self.dict.len().saturating_sub(MIN_MATCH - 1) {
            self.dict_table[hash(read4(&self.dict, k), DICT_BITS)] = k as u32 + 1;
        }
        true
    }

    fn token(&self, out: &mut Vec<u8>, lits: &[u8], m: Option<(usize, u64)>) {
        let ll = lits.len();
        let ml = m.map_or(0, |(l, _)| l - MIN_MATCH);
        out.push(((ll.min(15) as u8) << 4) | ml.min(15) as u8);
        if ll >= 15 {
            put_len(out, ll - 15);
        }
        out.extend_from_slice(lits);
        if let Some((_, code)) = m {
            put_varint(out, code);
            if ml >= 15 {
                put_len(out, ml - 15);
            }
        }
    }

    /// Decode what [`Packer::encode`] wrote.
    pub fn decode(&self, b: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(b.len() * 4);
        self.decode_into(b, &mut out);
        out
    }

    /// Decode appending to `out` (reused by callers that decode many events).
    pub fn decode_into(&self, mut b: &[u8], out: &mut Vec<u8>) {
        let take_len = |b: &mut &[u8], mut n: usize| loop {
            let x = b[0];
            *b = &b[1..];
            n += x as usize;
            if x != 255 {
                return n;
            }
        };
        while !b.is_empty() {
            let t = b[0];
            b = &b[1..];
            let mut ll = (t >> 4) as usize;
            if ll == 15 {
                ll = take_len(&mut b, 15);
            }
            out.extend_from_slice(&b[..ll]);
            b = &b[ll..];
            if b.is_empty() {
                break;
            }
            let mut code = 0u64;
            let mut shift = 0;
            loop {
                let x = b[0];
                b = &b[1..];
                code |= ((x & 0x7f) as u64) << shift;
                shift += 7;
                if x < 0x80 {
                    break;
                }
            }
            let mut ml = (t & 15) as usize;
            if ml == 15 {
                ml = take_len(&mut b, 15);
            }
            let ml = ml + MIN_MATCH;
            if code & 1 == 1 {
                let dist = (code >> 1) as usize;
                let from = out.len() - dist;
                if dist >= ml {
                    out.extend_from_within(from..from + ml);
                } else {
                    // Overlapping copy (a repeated run): byte by byte.
                    for k in 0..ml {
                        let c = out[from + k];
                        out.push(c);
                    }
                }
            } else {
                let q = (code >> 1) as usize;
                out.extend_from_slice(&self.dict[q..q + ml]);
            }
        }
    }
}
