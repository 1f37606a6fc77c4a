//! Log-linear value bins for folded histograms: values below 256 have a bin
//! each, larger ones share a bin with those that agree in their 8 leading
//! bits, so a bin is at most 1/128 of its lower bound wide and its midpoint
//! is within 1/256 (0.4%) of every value in it.

/// Values below this have a bin of their own.
const EXACT_BELOW: u64 = 256;
/// Bins per power of two above [`EXACT_BELOW`].
const PER_OCTAVE: u64 = 128;

/// The bin that holds `v`.
pub(super) fn bin_of(v: u64) -> u16 {
    if v < EXACT_BELOW {
        return v as u16;
    }
    let top = 63 - u64::from(v.leading_zeros());
    let shift = top - 7;
    let mantissa = v >> shift;
    (EXACT_BELOW + (top - 8) * PER_OCTAVE + (mantissa - PER_OCTAVE)) as u16
}

/// The smallest value in bin `b` and the bin's width.
fn bounds(b: u16) -> (u64, u64) {
    let b = u64::from(b);
    if b < EXACT_BELOW {
        return (b, 1);
    }
    let octave = (b - EXACT_BELOW) / PER_OCTAVE;
    let mantissa = PER_OCTAVE + (b - EXACT_BELOW) % PER_OCTAVE;
    let shift = octave + 1;
    (mantissa << shift, 1 << shift)
}

/// The value that stands for bin `b`: its midpoint.
pub(super) fn representative(b: u16) -> u64 {
    let (low, width) = bounds(b);
    low + (width - 1) / 2
}

/// Counts per bin, sorted by bin, with no empty bins.
pub(super) fn from_values(values: impl Iterator<Item = u64>) -> Vec<(u16, u32)> {
    let mut bins: Vec<u16> = values.map(bin_of).collect();
    bins.sort_unstable();
    let mut out: Vec<(u16, u32)> = Vec::new();
    for b in bins {
        match out.last_mut() {
            Some((last, n)) if *last == b => *n += 1,
            _ => out.push((b, 1)),
        }
    }
    out
}

/// Nearest-rank quantile over bins given in any order, summing equal bins:
/// the representative of the first bin at which `q` of the count is reached.
pub(super) fn quantile(bins: &mut [(u16, u32)], q: f64) -> Option<u64> {
    let total: u64 = bins.iter().map(|b| u64::from(b.1)).sum();
    if total == 0 {
        return None;
    }
    bins.sort_unstable_by_key(|b| b.0);
    let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    for &(b, n) in bins.iter() {
        seen += u64::from(n);
        if seen >= rank {
            return Some(representative(b));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_within_its_bins_precision() {
        let mut v = 1u64;
        let mut checked = 0;
        while v < u64::MAX / 3 {
            for x in [v, v + 1, (v / 2 * 3).max(1), v * 2 - 1] {
                let b = bin_of(x);
                let (low, width) = bounds(b);
                assert!(
                    low <= x && x - low < width,
                    "{x} in bin {b} ({low}+{width})"
                );
                let r = representative(b);
                let err = r.abs_diff(x) as f64 / x as f64;
                assert!(err <= 1.0 / 256.0, "{x} stands as {r}");
                checked += 1;
            }
            v += v / 4 + 1;
        }
        assert!(checked > 100);
        // Small values keep their own bin, and bins follow the values' order.
        assert_eq!(representative(bin_of(200)), 200);
        assert!(bin_of(1_000) < bin_of(1_010));
        assert_eq!(bin_of(u64::MAX) as u64, 256 + 55 * 128 + 127);
    }

    #[test]
    fn quantiles_of_bins_follow_nearest_rank() {
        let mut bins = from_values((1..=100).map(|v| v * 1_000));
        let p50 = quantile(&mut bins, 0.5).unwrap();
        assert!(p50.abs_diff(50_000) <= 50_000 / 256, "{p50}");
        let p99 = quantile(&mut bins, 0.99).unwrap();
        assert!(p99.abs_diff(99_000) <= 99_000 / 256, "{p99}");
        assert_eq!(quantile(&mut [], 0.5), None);
    }
}
