//! Numbers formatted for people.

/// `1234567` → `1,234,567`.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `v` with `decimals` digits after the point, as `format!("{v:.N}")` writes it (sign of a
/// negative value or zero kept, `NaN`, `inf`), rounded half away from zero on the decimal value
/// nearest `v * 10^N` (Rust's exact formatter rounds the binary value half to even: the two differ
/// only on values a hair from a tie). Written by hand so the app ships one float formatter
/// (`Display`'s shortest form) and not also the exact-precision one, about 8 KB of wasm.
pub fn fixed(v: f64, decimals: u32) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if v.is_infinite() {
        return format!("{sign}inf");
    }
    let decimals = decimals.min(9);
    let scale = 10u64.pow(decimals);
    let scaled = (v.abs() * scale as f64).round();
    // Beyond 2^53 the value has no fractional digits to show.
    if scaled >= 9_007_199_254_740_992.0 {
        let whole = format!("{sign}{}", v.abs().round());
        return if decimals == 0 {
            whole
        } else {
            format!("{whole}.{}", "0".repeat(decimals as usize))
        };
    }
    let n = scaled as u64;
    if decimals == 0 {
        return format!("{sign}{n}");
    }
    format!(
        "{sign}{}.{:0width$}",
        n / scale,
        n % scale,
        width = decimals as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against `format!("{v:.N}")` on values away from a tie (where the two may differ by
    /// one in the last digit by design), and on the special values.
    #[test]
    fn fixed_matches_the_standard_formatter() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut checked = 0;
        for i in 0..200_000 {
            let mag = [1.0, 10.0, 1000.0, 1e6, 1e12][i % 5];
            let v = ((next() % 2_000_001) as f64 / 1_000_000.0 - 1.0) * mag;
            for d in 0..4u32 {
                let scaled = v.abs() * 10f64.powi(d as i32);
                if (scaled - scaled.floor() - 0.5).abs() < 1e-6 {
                    continue;
                }
                assert_eq!(fixed(v, d), format!("{v:.*}", d as usize), "{v} to {d}");
                checked += 1;
            }
        }
        assert!(checked > 700_000);
        for (v, d, want) in [
            (0.0, 1, "0.0"),
            (-0.0, 1, "-0.0"),
            (-0.04, 1, "-0.0"),
            (2.25, 0, "2"),
            (99.96, 1, "100.0"),
            (1e20, 1, "100000000000000000000.0"),
            (f64::NAN, 1, "NaN"),
            (f64::INFINITY, 2, "inf"),
            (f64::NEG_INFINITY, 0, "-inf"),
        ] {
            assert_eq!(fixed(v, d), want, "{v} to {d}");
            assert_eq!(fixed(v, d), format!("{v:.*}", d as usize), "{v} to {d}");
        }
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
