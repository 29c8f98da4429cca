#!/usr/bin/python3
"""Regenerates internal/stats/testdata/interval_cases.json, the reference of
stats.MeanInterval (the t-interval of a mean over seeds).

Run with Debian's Python, which has SciPy:

    apt-get install python3-numpy python3-scipy python3-mpmath
    /usr/bin/python3 internal/stats/testdata/gen_interval.py

For each seeded random sample x of size n >= 2 and confidence level c it
records scipy.stats.t.interval(c, df=n-1, loc=mean(x), scale=sem(x)), where
sem(x) = std(x, ddof=1) / sqrt(n) is scipy.stats.sem's default, and the
exact quantile t_{(1+c)/2, n-1} from mpmath (t_exact, half_exact). The file
records the tool versions and the seed; a rerun with the same versions writes
the same file. The Go test reads it and never needs Python.
"""
import json
import os
import subprocess
import sys

import mpmath
import numpy as np
import scipy
import scipy.stats

SEED = 20261129
HERE = os.path.dirname(os.path.abspath(__file__))


def debian_packages():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}=${Version}\\n",
                              "python3-numpy", "python3-scipy", "python3-mpmath"],
                             capture_output=True, text=True, check=True).stdout
        return out.split()
    except (OSError, subprocess.CalledProcessError):
        return []


def t_quantile_exact(p, nu):
    """The Student t quantile to 40 digits (mpmath): the CDF written with
    the Gauss hypergeometric function, solved by findroot from SciPy's
    value. SciPy 1.10's t.ppf (cephes stdtrit) is off by up to ~2e-9
    relative; this is the truth both are compared with."""
    mpmath.mp.dps = 40
    p, nu = mpmath.mpf(p), mpmath.mpf(nu)
    c = mpmath.gamma((nu + 1) / 2) / (mpmath.sqrt(mpmath.pi * nu) * mpmath.gamma(nu / 2))
    f = lambda x: mpmath.mpf(1) / 2 + x * c * mpmath.hyp2f1(mpmath.mpf(1) / 2, (nu + 1) / 2, mpmath.mpf(3) / 2, -x ** 2 / nu) - p
    return mpmath.findroot(f, scipy.stats.t.ppf(float(p), float(nu)))


def case(name, x, level):
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    mean = float(np.mean(x))
    sem = float(scipy.stats.sem(x))
    lo, hi = scipy.stats.t.interval(level, n - 1, loc=mean, scale=sem)
    q = t_quantile_exact((1 + level) / 2, n - 1)
    return {"t_exact": float(q), "half_exact": float(q * mpmath.mpf(sem)),
            "name": name, "x": [float(v) for v in x], "level": level, "n": n,
            "mean": mean, "sd": float(np.std(x, ddof=1)), "sem": sem,
            "low": float(lo), "high": float(hi), "half": float(hi - mean)}


def main():
    rng = np.random.default_rng(SEED)
    cases = []
    # Sizes a seed sweep has (2..10), and a few larger ones.
    for n in [2, 3, 4, 5, 6, 7, 8, 10, 15, 30]:
        for level in [0.95, 0.90, 0.99]:
            x = rng.normal(loc=70.0, scale=rng.uniform(0.1, 5.0), size=n)
            cases.append(case(f"normal n={n} level={level}", x, level))
    # The spread measured on ARTEMIS Table 3 smoke (issue #19): mAP of three seeds.
    cases.append(case("issue19 bilstm none", [64.81, 66.45, 68.67], 0.95))
    cases.append(case("issue19 best1 none", [60.44, 65.22, 60.94], 0.95))
    # Integer-valued and small-scale samples (accuracies as fractions).
    cases.append(case("fractions n=4", [0.75, 0.8125, 0.6875, 0.75], 0.95))
    cases.append(case("two equal-but-one", [1.0, 2.0], 0.95))
    # Not here: every value equal. SciPy 1.10 returns (nan, nan) for scale 0;
    # stats.MeanInterval returns the point itself (half-width 0), tested in Go.
    out = {
        "generator": "internal/stats/testdata/gen_interval.py",
        "seed": SEED,
        "versions": {"debian_packages": debian_packages(), "python": sys.version.split()[0],
                     "numpy": np.__version__, "scipy": scipy.__version__,
                     "mpmath": mpmath.__version__},
        "reference": "scipy.stats.t.interval(level, n-1, loc=mean, scale=scipy.stats.sem(x))",
        "cases": cases,
    }
    path = os.path.join(HERE, "interval_cases.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path, len(cases), "cases")


if __name__ == "__main__":
    main()
