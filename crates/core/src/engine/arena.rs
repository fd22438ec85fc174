//! Append-only storage of many strings or byte strings in a few large chunks.

/// Append-only text storage: many strings in a few large chunks plus a span per string. Growing
/// never copies what is stored (no doubling of one huge buffer) and there is no allocation per
/// string. Each string is followed by `\n` in its chunk, so a scan of a chunk never finds a
/// needle without `\n` across two strings.
#[derive(Debug, Clone, Default)]
pub(super) struct TextArena {
    chunks: Vec<String>,
    /// First string index of each chunk.
    first: Vec<u32>,
    /// (chunk, start, len) of each string.
    spans: Vec<(u32, u32, u32)>,
}

const ARENA_CHUNK: usize = 8 << 20;

impl TextArena {
    pub(super) fn push(&mut self, s: &str) {
        let need = s.len() + 1;
        let full = self
            .chunks
            .last()
            .is_none_or(|c| c.len() + need > c.capacity());
        if full {
            self.chunks
                .push(String::with_capacity(ARENA_CHUNK.max(need)));
            self.first.push(self.spans.len() as u32);
        }
        let ci = self.chunks.len() - 1;
        let c = &mut self.chunks[ci];
        let start = c.len();
        c.push_str(s);
        c.push('\n');
        self.spans.push((ci as u32, start as u32, s.len() as u32));
    }
    /// Room for `n` more strings' spans (the text goes in chunks, never copied), if there is
    /// memory for it.
    pub(super) fn reserve(&mut self, n: usize) {
        let _ = self.spans.try_reserve_exact(n);
    }
    pub(super) fn get(&self, i: usize) -> &str {
        let (c, start, len) = self.spans[i];
        &self.chunks[c as usize][start as usize..(start + len) as usize]
    }
    /// Set `hit[i]` for every string `i` that contains `needle` (which has no `\n`).
    pub(super) fn mark_containing(&self, needle: &str, hit: &mut [bool]) {
        for (ci, chunk) in self.chunks.iter().enumerate() {
            let first = self.first[ci] as usize;
            let end = self
                .first
                .get(ci + 1)
                .map_or(self.spans.len(), |&f| f as usize);
            let spans = &self.spans[first..end];
            // One match per string at most: after a match, go on at the next string (a short
            // needle such as "a" is in nearly every string, many times).
            let (mut k, mut pos) = (0, 0);
            while let Some(off) = chunk.get(pos..).and_then(|c| c.find(needle)) {
                let at = pos + off;
                // The string containing `at` (spans are in chunk order).
                while k + 1 < spans.len() && spans[k + 1].1 as usize <= at {
                    k += 1;
                }
                hit[first + k] = true;
                pos = (spans[k].1 + spans[k].2) as usize + 1;
            }
        }
    }
}

/// Append-only byte storage in large chunks (see [`TextArena`]), for packed events.
#[derive(Debug, Clone, Default)]
pub(super) struct ByteArena {
    chunks: Vec<Vec<u8>>,
    pub(super) spans: Vec<(u32, u32, u32)>,
}

impl ByteArena {
    /// Room for `n` more byte strings' spans, if there is memory for it.
    pub(super) fn reserve(&mut self, n: usize) {
        let _ = self.spans.try_reserve_exact(n);
    }
    pub(super) fn push(&mut self, b: &[u8]) {
        let full = self
            .chunks
            .last()
            .is_none_or(|c| c.len() + b.len() > c.capacity());
        if full {
            self.chunks
                .push(Vec::with_capacity(ARENA_CHUNK.max(b.len())));
        }
        let ci = self.chunks.len() - 1;
        let c = &mut self.chunks[ci];
        self.spans.push((ci as u32, c.len() as u32, b.len() as u32));
        c.extend_from_slice(b);
    }
    pub(super) fn get(&self, i: usize) -> &[u8] {
        let (c, start, len) = self.spans[i];
        &self.chunks[c as usize][start as usize..(start + len) as usize]
    }
}
