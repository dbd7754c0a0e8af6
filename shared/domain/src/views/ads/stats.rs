//! The statistics of the ad dashboards, written here because they are the product's own
//! analytics: the Mann-Kendall trend test with Sen's slope, and robust z-scores (median and MAD).
//! The normal distribution's tail comes from the complementary error function of Numerical
//! Recipes (Press, Teukolsky, Vetterling and Flannery, 2nd ed., §6.2, `erfcc`: a Chebyshev fit
//! with fractional error under 1.2e-7 everywhere), accurate far enough into the tail for any
//! p-value a dashboard shows.

/// The complementary error function, erfc(x) = 2/√π ∫ₓ^∞ e^(−t²) dt.
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let tail = t * (-z * z + poly).exp();
    if x >= 0.0 { tail } else { 2.0 - tail }
}

/// The two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|).
pub fn two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0)
}

/// The median of `values` (sorted here); `None` for none.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 { values[middle] } else { (values[middle - 1] + values[middle]) / 2.0 })
}

/// The Mann-Kendall test of a monotonic trend in a series, in time order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannKendall {
    pub n: usize,
    /// S = Σ_{i<j} sign(x_j − x_i).
    pub s: i64,
    /// Var(S) under no trend, with the correction for tied values.
    pub variance: f64,
    /// (S − sign(S)) / √Var(S), the continuity-corrected normal statistic (0 when S is 0 or the
    /// variance is 0, as for a constant series).
    pub z: f64,
    /// Two-sided, from the normal approximation.
    pub p_value: f64,
}

pub fn mann_kendall(values: &[f64]) -> MannKendall {
    let n = values.len();
    let mut s = 0i64;
    for (i, earlier) in values.iter().enumerate() {
        for later in &values[i + 1..] {
            s += match later.total_cmp(earlier) {
                std::cmp::Ordering::Greater => 1,
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
            };
        }
    }
    let term = |t: f64| t * (t - 1.0) * (2.0 * t + 5.0);
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let ties: f64 = sorted.chunk_by(|a, b| a == b).map(|group| term(group.len() as f64)).sum();
    let variance = (term(n as f64) - ties) / 18.0;
    let z = if s == 0 || variance <= 0.0 { 0.0 } else { (s - s.signum()) as f64 / variance.sqrt() };
    MannKendall { n, s, variance, z, p_value: two_sided_p(z) }
}

/// Sen's slope: the median of (y_j − y_i) / (t_j − t_i) over every pair of points, in units of
/// y per unit of t (per day). `points` are (t, y) in time order; `None` with fewer than two.
pub fn sens_slope(points: &[(f64, f64)]) -> Option<f64> {
    let mut slopes = Vec::with_capacity(points.len() * points.len().saturating_sub(1) / 2);
    for (i, &(t0, y0)) in points.iter().enumerate() {
        for &(t1, y1) in &points[i + 1..] {
            if t1 != t0 {
                slopes.push((y1 - y0) / (t1 - t0));
            }
        }
    }
    median(&mut slopes)
}

/// How far a value sits from a baseline, robustly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RobustZ {
    pub median: f64,
    /// Median absolute deviation from the median.
    pub mad: f64,
    /// 0.6745 (x − median) / MAD (Iglewicz and Hoaglin's modified z-score); when MAD is 0 (more
    /// than half the baseline equal), (x − median) / (1.2533 × mean absolute deviation); `None`
    /// when every baseline value is equal, where any other value is infinitely far.
    pub z: Option<f64>,
    /// |z| above the threshold, or a value off a constant baseline.
    pub beyond: bool,
}

/// The robust z-score of `value` against `baseline` (non-empty), and whether |z| > `threshold`.
pub fn robust_z(value: f64, baseline: &[f64], threshold: f64) -> Option<RobustZ> {
    let median = median(&mut baseline.to_vec())?;
    let mut deviations: Vec<f64> = baseline.iter().map(|x| (x - median).abs()).collect();
    let mean_deviation = deviations.iter().sum::<f64>() / deviations.len() as f64;
    let mad = self::median(&mut deviations)?;
    let z = if mad > 0.0 {
        Some(0.6745 * (value - median) / mad)
    } else if mean_deviation > 0.0 {
        Some((value - median) / (1.253_314 * mean_deviation))
    } else if value == median {
        Some(0.0)
    } else {
        None
    };
    let beyond = z.is_none_or(|z| z.abs() > threshold);
    Some(RobustZ { median, mad, z, beyond })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, relative: f64) {
        let error = ((actual - expected) / expected).abs();
        assert!(error <= relative, "{actual} vs {expected}: relative error {error}");
    }

    #[test]
    fn erfc_matches_reference_values_to_its_documented_accuracy() {
        // Reference values from Python's math.erfc (correctly rounded double precision).
        for (x, expected) in [
            (0.0, 1.0),
            (0.5, 0.479_500_122_186_953_5),
            (1.0, 0.157_299_207_050_285_13),
            (2.0, 0.004_677_734_981_047_265),
            (3.0, 2.209_049_699_858_543_8e-5),
            (-1.0, 1.842_700_792_949_715),
        ] {
            close(erfc(x), expected, 1.2e-7);
        }
        close(1.0 - two_sided_p(1.959_963_984_540_054) / 2.0, 0.975, 1e-7);
    }

    #[test]
    fn a_strictly_increasing_series_has_the_textbook_statistic() {
        // n = 7: S = 21, Var(S) = 7·6·19/18, Z = 20/√Var; values from an independent computation.
        let test = mann_kendall(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
        assert_eq!((test.n, test.s), (7, 21));
        close(test.variance, 44.333_333_333_333_336, 1e-12);
        close(test.z, 3.003_757_045_930_553, 1e-12);
        close(test.p_value, 0.002_666_681_793_614_098_7, 1e-6);
    }

    #[test]
    fn ties_reduce_the_variance() {
        let test = mann_kendall(&[1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0]);
        assert_eq!(test.s, 18);
        close(test.variance, 41.333_333_333_333_336, 1e-12);
        close(test.p_value, 0.008_187_776_844_595_674, 1e-6);
        let falling = mann_kendall(&[5.0, 3.0, 4.0, 2.0, 1.0, 2.0, 0.0, 1.0]);
        assert_eq!(falling.s, -20);
        close(falling.z, -2.387_467_277_262_664_4, 1e-12);
        close(falling.p_value, 0.016_964_912_953_587_142, 1e-6);
        let noisy = mann_kendall(&[2.0, 4.0, 3.0, 5.0, 4.0, 6.0, 5.0, 3.0, 4.0, 5.0]);
        close(noisy.p_value, 0.228_757_317_251_575_17, 1e-6);
    }

    #[test]
    fn a_constant_series_has_no_trend() {
        let test = mann_kendall(&[3.5; 10]);
        assert_eq!((test.s, test.variance, test.z, test.p_value), (0, 0.0, 0.0, 1.0));
    }

    #[test]
    fn sens_slope_is_the_median_pairwise_slope_over_time_gaps() {
        let line: Vec<(f64, f64)> = (0..7).map(|t| (f64::from(t), 2.0 * f64::from(t) + 1.0)).collect();
        assert_eq!(sens_slope(&line), Some(2.0));
        // Day 2 missing; one outlier barely moves the median slope.
        let points = [(0.0, 1.0), (1.0, 2.0), (3.0, 4.0), (4.0, 50.0), (5.0, 6.0)];
        assert_eq!(sens_slope(&points), Some(1.0));
        assert_eq!(sens_slope(&[(0.0, 1.0)]), None);
    }

    #[test]
    fn robust_z_scores_use_the_median_and_mad() {
        let baseline = [10.0, 11.0, 9.0, 10.0, 12.0, 10.0, 11.0, 9.0, 10.0, 10.0, 11.0, 10.0, 9.0, 10.0];
        let far = robust_z(20.0, &baseline, 3.5).expect("baseline");
        // Median 10; deviations: seven 0s, six 1s, one 2: MAD = 0.5; z = 0.6745 × 10 / 0.5.
        assert_eq!((far.median, far.mad), (10.0, 0.5));
        close(far.z.expect("z"), 13.49, 1e-12);
        assert!(far.beyond);
        let near = robust_z(11.0, &baseline, 3.5).expect("baseline");
        assert!(!near.beyond, "{near:?}");

        // More than half equal: MAD is 0 and the mean absolute deviation scales instead.
        let flat = robust_z(2.0, &[1.0, 1.0, 1.0, 1.0, 2.0], 3.5).expect("baseline");
        close(flat.z.expect("z"), 1.0 / (1.253_314 * 0.2), 1e-12);
        let constant = robust_z(1.5, &[1.0; 14], 3.5).expect("baseline");
        assert_eq!((constant.z, constant.beyond), (None, true));
        assert_eq!(robust_z(1.0, &[1.0; 14], 3.5).map(|r| (r.z, r.beyond)), Some((Some(0.0), false)));
        assert_eq!(robust_z(1.0, &[], 3.5), None);
    }
}
