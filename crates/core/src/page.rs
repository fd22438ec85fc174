//! Row pagination shared by the views: which slice of a filtered list one page shows.

use crate::numbers::thousands;

/// One page of a filtered list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Zero-based page index, clamped into range.
    pub index: usize,
    pub size: usize,
    pub start: usize,
    pub end: usize,
    pub total: usize,
    pub count: usize,
}

impl Page {
    pub fn new(total: usize, size: usize, index: usize) -> Page {
        let size = size.max(1);
        let count = total.div_ceil(size).max(1);
        let index = index.min(count - 1);
        let start = (index * size).min(total);
        let end = (start + size).min(total);
        Page {
            index,
            size,
            start,
            end,
            total,
            count,
        }
    }
    pub fn is_first(&self) -> bool {
        self.index == 0
    }
    pub fn is_last(&self) -> bool {
        self.index + 1 >= self.count
    }
    /// `51–100 of 1,234`, or `0 of 0`.
    pub fn label(&self) -> String {
        if self.total == 0 {
            return "0 of 0".into();
        }
        format!(
            "{}–{} of {}",
            thousands(self.start + 1),
            thousands(self.end),
            thousands(self.total)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages() {
        let p = Page::new(1234, 50, 1);
        assert_eq!((p.start, p.end, p.count), (50, 100, 25));
        assert_eq!(p.label(), "51–100 of 1,234");
        let p = Page::new(1234, 50, 99);
        assert_eq!((p.index, p.start, p.end), (24, 1200, 1234));
        assert!(p.is_last());
        assert_eq!(Page::new(0, 25, 3).label(), "0 of 0");
    }
}
