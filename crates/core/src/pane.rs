//! The width of a side pane beside a table (the event's JSON tree): kept within what leaves
//! both sides usable, and moved by keyboard steps.

/// The narrowest the pane may be, and the least the table keeps.
pub const MIN_PANE_PX: f64 = 280.0;
pub const MIN_TABLE_PX: f64 = 360.0;
/// The handle between them.
pub const SPLITTER_PX: f64 = 6.0;
/// One arrow-key step; Page Up / Page Down move four.
pub const STEP_PX: f64 = 32.0;

/// `want` clamped so the pane is at least `MIN_PANE_PX` and the table at least `MIN_TABLE_PX`
/// of `container` (the pane's minimum wins in a container too small for both).
pub fn clamp_width(want: f64, container: f64) -> f64 {
    let max = (container - MIN_TABLE_PX - SPLITTER_PX).max(MIN_PANE_PX);
    if want.is_finite() {
        want.clamp(MIN_PANE_PX, max)
    } else {
        MIN_PANE_PX
    }
}

/// The width after a key on the splitter (the pane is on the right: ← widens it), or `None`
/// for a key that does not move it.
pub fn key_width(key: &str, width: f64, container: f64) -> Option<f64> {
    let w = match key {
        "ArrowLeft" => width + STEP_PX,
        "ArrowRight" => width - STEP_PX,
        "PageUp" => width + 4.0 * STEP_PX,
        "PageDown" => width - 4.0 * STEP_PX,
        "Home" => MIN_PANE_PX,
        "End" => container,
        _ => return None,
    };
    Some(clamp_width(w, container))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pane_and_the_table_both_stay_usable() {
        assert_eq!(clamp_width(100.0, 1400.0), MIN_PANE_PX);
        assert_eq!(
            clamp_width(2000.0, 1400.0),
            1400.0 - MIN_TABLE_PX - SPLITTER_PX
        );
        assert_eq!(clamp_width(500.0, 1400.0), 500.0);
        assert_eq!(clamp_width(500.0, 500.0), MIN_PANE_PX, "too small for both");
        assert_eq!(clamp_width(f64::NAN, 1400.0), MIN_PANE_PX);
    }

    #[test]
    fn keys_move_it_in_steps() {
        assert_eq!(key_width("ArrowLeft", 400.0, 1400.0), Some(432.0));
        assert_eq!(key_width("ArrowRight", 400.0, 1400.0), Some(368.0));
        assert_eq!(key_width("PageUp", 400.0, 1400.0), Some(528.0));
        assert_eq!(key_width("Home", 400.0, 1400.0), Some(MIN_PANE_PX));
        assert_eq!(key_width("End", 400.0, 1400.0), Some(1034.0));
        assert_eq!(key_width("a", 400.0, 1400.0), None);
    }
}
