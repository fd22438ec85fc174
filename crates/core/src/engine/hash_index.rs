//! A hash index from strings kept elsewhere (the event ids' arena, a dictionary's strings) to
//! their `u32` number: open addressing over (32-bit hash, number + 1) pairs, 8 bytes a slot, at
//! most half full. The strings are not copied; a hash match is confirmed by the caller's
//! `is(number)`.
//!
//! Growing moves the entries to the doubled table a few per insert rather than all at once.
//! A `HashMap` rehashes (and here would hash every string again) in one go: half a million
//! ids or distinct values at once stopped the tab for 50–200 ms in the middle of a 1M-event
//! trail files load, a long task the load must not have. Until every entry is moved a lookup
//! reads the new table, then the old one, whose slots are never cleared (its probe chains stay
//! whole); the old table is half the new one's size and is freed when moved.
//!
//! Written by hand: no well-kept crate offers incremental resizing (`hashbrown` and `std`
//! resize at once, `griddle` is unmaintained).

use std::hash::BuildHasher;

#[derive(Debug, Clone, Default)]
pub(super) struct HashIndex {
    slots: Vec<(u32, u32)>,
    /// The table before the last growth, while its entries are being moved to `slots`.
    old: Vec<(u32, u32)>,
    /// Slots of `old` moved so far.
    moved: usize,
    len: usize,
    hasher: std::collections::hash_map::RandomState,
}

/// Slots of the old table moved per insert: a doubled table takes as many inserts to fill
/// again as half the old table's slots, so 2 would just do; 4 leaves room.
const SLOTS_MOVED_PER_INSERT: usize = 4;

impl HashIndex {
    pub(super) fn hash(&self, s: &str) -> u32 {
        self.hasher.hash_one(s) as u32
    }

    /// The number whose string hashes to `h` and `is`, if any.
    pub(super) fn find(&self, h: u32, is: impl Fn(u32) -> bool) -> Option<u32> {
        probe(&self.slots, h, &is).or_else(|| probe(&self.old, h, &is))
    }

    /// Grow now (moving the entries as any growth does) so that `total` entries fit without
    /// another growth.
    pub(super) fn reserve(&mut self, total: usize) {
        let Some(want) = total.saturating_mul(2).checked_next_power_of_two() else {
            return;
        };
        if want <= self.slots.len() {
            return;
        }
        self.grow_to(want);
        // Few inserts may follow before a reserve's capacity is needed: move everything now
        // (one pass over a table that is, on a load's start, empty or small).
        self.move_old(self.old.len());
    }

    /// A new table of `size` slots; the current one becomes the old one, moved from now on
    /// (what was left of an earlier move is finished first).
    fn grow_to(&mut self, size: usize) {
        self.move_old(self.old.len());
        self.old = std::mem::take(&mut self.slots);
        self.moved = 0;
        self.slots = vec![(0, 0); size];
    }

    /// Add `n` under hash `h` (the caller has checked its string is not there).
    pub(super) fn insert(&mut self, h: u32, n: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            // The last growth's moves are done by now (see SLOTS_MOVED_PER_INSERT).
            debug_assert!(self.old.is_empty());
            self.grow_to((self.slots.len() * 2).max(64));
        }
        self.move_old(SLOTS_MOVED_PER_INSERT);
        self.place(h, n + 1);
        self.len += 1;
    }

    /// Move up to `k` more slots of the old table into the new one.
    fn move_old(&mut self, k: usize) {
        let end = self.moved.saturating_add(k).min(self.old.len());
        for i in self.moved..end {
            let (sh, n1) = self.old[i];
            if n1 != 0 {
                self.place(sh, n1);
            }
        }
        self.moved = end;
        if self.moved == self.old.len() && !self.old.is_empty() {
            self.old = Vec::new();
            self.moved = 0;
        }
    }

    fn place(&mut self, h: u32, n1: u32) {
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        while self.slots[i].1 != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = (h, n1);
    }
}

fn probe(slots: &[(u32, u32)], h: u32, is: &impl Fn(u32) -> bool) -> Option<u32> {
    if slots.is_empty() {
        return None;
    }
    let mask = slots.len() - 1;
    let mut i = h as usize & mask;
    loop {
        let (sh, n1) = slots[i];
        if n1 == 0 {
            return None;
        }
        if sh == h && is(n1 - 1) {
            return Some(n1 - 1);
        }
        i = (i + 1) & mask;
    }
}

#[cfg(test)]
mod tests {
    use super::{probe, HashIndex};

    /// Through several growths (each moving the old table a few slots per insert), every
    /// string inserted is found at its number, strings never inserted are not, and the old
    /// table is dropped once moved.
    #[test]
    fn finds_every_string_while_it_grows() {
        let mut strings: Vec<String> = Vec::new();
        let mut index = HashIndex::default();
        let n = 25_000u32;
        let mut moving_seen = false;
        let mut old_only_seen = false;
        let mut mid_move: Option<(HashIndex, Vec<String>)> = None;
        let find = |index: &HashIndex, strings: &[String], s: &str| {
            index.find(index.hash(s), |k| strings[k as usize] == s)
        };
        for k in 0..n {
            if !index.old.is_empty() && !moving_seen {
                // Just after the first growth most strings are still only in the old table (a
                // few slots moved): `find` reads them there.
                for r in 0..k {
                    let s = format!("id-{r}");
                    let h = index.hash(&s);
                    if probe(&index.slots, h, &|x| strings[x as usize] == s).is_none() {
                        assert_eq!(find(&index, &strings, &s), Some(r));
                        old_only_seen = true;
                    }
                }
            }
            if !index.old.is_empty() && mid_move.is_none() && k > 10_000 {
                mid_move = Some((index.clone(), strings.clone()));
            }
            moving_seen |= !index.old.is_empty();
            let s = format!("id-{k}");
            assert_eq!(find(&index, &strings, &s), None, "{s} before it is added");
            let h = index.hash(&s);
            strings.push(s);
            index.insert(h, k);
            // Every earlier string is still found, checked on a stride (all at the end).
            if k % 997 == 0 || k + 1 == n {
                let step = if k + 1 == n { 1 } else { 13 };
                for r in (0..=k).step_by(step) {
                    let s = format!("id-{r}");
                    assert_eq!(find(&index, &strings, &s), Some(r), "{s} at {k}");
                }
            }
            assert!(index.slots.len() >= 2 * index.len);
        }
        for r in n..n + 100 {
            assert_eq!(find(&index, &strings, &format!("id-{r}")), None);
        }
        // The table grew 64 → 65,536 slots; the last growth (at 16,384 strings) left its
        // 32,768 old slots to move, 4 an insert: done after 8,192 more, before the 25,000th.
        assert!(moving_seen && old_only_seen);
        assert_eq!(index.slots.len(), 65_536);
        assert!(
            index.old.is_empty(),
            "moved: {} of {}",
            index.moved,
            index.old.len()
        );
        // A reserve, also in the middle of a move, makes room at once and keeps every entry;
        // the inserts up to it grow nothing.
        let mut reserved = mid_move.expect("a move was seen");
        assert!(!reserved.0.old.is_empty());
        let (r_index, mut strings) = (&mut reserved.0, reserved.1);
        r_index.reserve(100_000);
        assert_eq!(r_index.slots.len(), 262_144);
        assert!(r_index.old.is_empty());
        for (r, s) in strings.iter().enumerate() {
            assert_eq!(find(r_index, &strings, s), Some(r as u32));
        }
        for k in strings.len() as u32..100_000 {
            let s = format!("id-{k}");
            let h = r_index.hash(&s);
            strings.push(s);
            r_index.insert(h, k);
        }
        assert_eq!(r_index.slots.len(), 262_144, "no growth up to the reserve");
        for r in (0..100_000u32).step_by(7) {
            assert_eq!(find(r_index, &strings, &format!("id-{r}")), Some(r));
        }
        r_index.reserve(10);
        assert_eq!(r_index.slots.len(), 262_144, "no shrinking");
    }
}
