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
/// negative value or zero kept, `NaN`, `inf`), except in rounding: the fraction is rounded half
/// away from zero on `frac * 10^N` in floating point, where Rust's formatter rounds the exact
/// binary value half to even. The two differ at exact binary ties (`fixed(0.5, 0)` is `1`,
/// `format!` gives `0`; 2.25 to one digit is `2.3` against `2.2`) and on values a hair from a
/// tie. At most 17 digits (more are taken as 17: an f64 holds no more); an integer part of
/// 2^64 or more is written in its shortest form. Written by hand so the app ships one float
/// formatter (`Display`'s shortest form) and not also the exact-precision one.
pub fn fixed(v: f64, decimals: u32) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if v.is_infinite() {
        return format!("{sign}inf");
    }
    let decimals = decimals.min(17);
    let scale = 10u64.pow(decimals);
    let a = v.abs();
    let mut int = a.trunc();
    // `a - int` is exact; scaled it is below 10^17, within u64.
    let mut frac = ((a - int) * scale as f64).round() as u64;
    if frac >= scale {
        int += 1.0;
        frac -= scale;
    }
    let int = if int < 18_446_744_073_709_551_616.0 {
        (int as u64).to_string()
    } else {
        format!("{int}")
    };
    if decimals == 0 {
        return format!("{sign}{int}");
    }
    format!("{sign}{int}.{frac:0width$}", width = decimals as usize)
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
            (10_000_000.5, 9, "10000000.500000000"),
            (1e15 + 0.375, 1, "1000000000000000.4"),
            (123_456_789.987_654_3, 6, "123456789.987654"),
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
        // Exact binary ties: half away from zero here, half to even in `format!`.
        assert_eq!(
            (fixed(0.5, 0), format!("{:.0}", 0.5)),
            ("1".into(), "0".into())
        );
        assert_eq!(fixed(2.25, 1), "2.3");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
