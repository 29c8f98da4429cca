// Package stats holds the statistics that compare runs: the paired
// significance tests used to compare two models evaluated on the same items
// (seeds, folds, classes), the paired t-test and the Wilcoxon signed-rank
// test, both two-sided and numerically equal to SciPy 1.10's
// scipy.stats.ttest_rel and scipy.stats.wilcoxon with default arguments; and
// the t-interval of a mean over seeds (MeanInterval, SciPy's t.interval).
// The reference values in testdata/ were computed with Debian's
// python3-scipy 1.10.1 by ../metrics/testdata/gen_fixtures.py (paired
// tests) and testdata/gen_interval.py (intervals).
//
// SciPy 1.10's wilcoxon chooses between its exact and normal-approximation
// p-values as follows (method="auto", zero_method="wilcox",
// correction=False), and Wilcoxon here does the same:
//
//   - d = a − b. If len(d) ≤ 50 (counting zero differences) the exact
//     distribution is chosen, otherwise the normal approximation.
//   - If any difference is zero and exact was chosen, SciPy switches to the
//     normal approximation (with a warning). The approximation then drops
//     the zero differences (zero_method "wilcox"); all differences zero is
//     an error.
//   - Ties among |d| do NOT make SciPy 1.10 leave the exact method: it ranks
//     with average ranks, sums the ranks of positive differences r⁺ (which
//     may be a half-integer), truncates it to an integer (int(r_plus)) and
//     reads the exact null distribution there. Wilcoxon reproduces this
//     (Method reports "exact"); it is a SciPy 1.10 quirk, and later SciPy
//     releases (1.13+, the rewritten _wilcoxon.py) choose the approximation
//     when there are ties. The issue text's wording "exact for small n
//     without ties or zeros" describes those later releases; this package
//     follows the 1.10.1 behaviour that was actually installed and measured.
//   - Exact: two-sided p = min(1, 2·min(P(R⁺ ≤ r⁺), P(R⁺ ≥ r⁺))), and p = 1
//     when r⁺ is the centre ⌊n(n+1)/4⌋ of the distribution.
//   - Normal approximation: T = min(r⁺, r⁻), mean n(n+1)/4, variance
//     (n(n+1)(2n+1) − ½·Σ t(t²−1)) / 24 over groups of t tied ranks, no
//     continuity correction, p = 2·Φ̄(|z|).
//
// The statistic reported is T = min(r⁺, r⁻), SciPy's two-sided statistic.
package stats
