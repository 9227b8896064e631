"""Funnel-plot control limits for proportions against the national rate.

Method: Spiegelhalter DJ (2005) "Funnel plots for comparing institutional performance",
Statistics in Medicine 24:1185-1202, section 5 - the MULTIPLICATIVE over-dispersion model.
For units i with denominator n_i and observed proportion y_i, and target p0 (the national
proportion for the same metric, period, basis and breakdown):

    z_i   = (y_i - p0) / sqrt(p0 (1 - p0) / n_i)                 standardised Pearson residual
    z_i^W = z_i Winsorised at its 10th and 90th percentiles      (10% Winsorisation)
    phi   = (1/I) * sum (z_i^W)^2                                 over-dispersion factor
    limits = p0 +/- z_alpha * sqrt(phi_used * p0 (1 - p0) / n)    phi_used = max(phi, 1)

phi is estimated only when at least MIN_UNITS units have n_i > 0 (else phi_used = 1), and
the limits are clamped to [0, 1] for proportions (per-100 flow ratios are clamped below at
0 only). z_alpha: 1.959964 (95%), 3.090232 (99.8%). The position flag uses the 99.8% limits:
above / below when the observed proportion lies strictly outside them, else within; the 95%
limits are published for context but drive nothing.

Timeliness (metrics in days) is compared the same way (warehouse/sql/mart/025_funnel.sql):

- mean days: a funnel on the mean. Target mu0 = the national mean, standard error of a unit
  with n cases sd0 / sqrt(n) where sd0 is the national standard deviation of the days
  (from the cells' sums of squares); z_i = (mean_i - mu0) / (sd0 / sqrt(n_i)), phi as above,
  limits mu0 +/- z_alpha * sqrt(phi_used) * sd0 / sqrt(n), clamped below at 0.
- median days: a sign test against the national median m0 - of a unit's cases not equal to
  m0, how many lie above and below: z_i = (above - below) / sqrt(above + below) (the normal
  approximation to Binomial(above + below, 1/2)); phi as above; the position is above /
  below when z_i / sqrt(phi_used) lies beyond +/- 3.090232 (no limits: a median has no
  funnel here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054
Z998 = 3.090232306167813
MIN_UNITS = 5
WINSOR = (10.0, 90.0)


@dataclass(frozen=True)
class Limits:
    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float


def winsorise(z: np.ndarray, pct: tuple[float, float] = WINSOR) -> np.ndarray:
    """Pull values below/above the given percentiles in to those percentiles."""
    lo, hi = np.percentile(z, pct)
    return np.clip(z, lo, hi)


def overdispersion(y: np.ndarray, n: np.ndarray, p0: float) -> float:
    """phi from Winsorised standardised Pearson residuals; 1.0 when not estimable."""
    keep = n > 0
    y, n = y[keep], n[keep]
    if len(y) < MIN_UNITS or not 0.0 < p0 < 1.0:
        return 1.0
    z = (y - p0) / np.sqrt(p0 * (1.0 - p0) / n)
    return float(np.mean(winsorise(z) ** 2))


def limits(
    p0: float, n: np.ndarray, phi: float = 1.0, *, upper_cap: float | None = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(lower_95, upper_95, lower_998, upper_998) as proportions for each denominator n."""
    n = np.asarray(n, dtype=float)
    var = max(phi, 1.0) * max(p0 * (1.0 - p0), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(n > 0, np.sqrt(var / n), np.nan)
    hi_cap = np.inf if upper_cap is None else upper_cap
    out = []
    for z in (Z95, Z998):
        out.append(np.clip(p0 - z * se, 0.0, hi_cap))
        out.append(np.clip(p0 + z * se, 0.0, hi_cap))
    return out[0], out[1], out[2], out[3]


def position(y: float, lower_998: float, upper_998: float) -> str | None:
    if any(
        v is None or (isinstance(v, float) and math.isnan(v)) for v in (y, lower_998, upper_998)
    ):
        return None
    if y > upper_998:
        return "above"
    if y < lower_998:
        return "below"
    return "within"


def funnel_group(
    num: np.ndarray, den: np.ndarray, p0: float, *, upper_cap: float | None = 1.0
) -> tuple[float, list[Limits], list[str | None]]:
    """phi, limits and positions for one comparison group (one level, period, metric...)."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(den > 0, num / den, np.nan)
    phi = overdispersion(y, den, p0)
    l95, u95, l998, u998 = limits(p0, den, phi, upper_cap=upper_cap)
    lims = [Limits(*map(float, v)) for v in zip(l95, u95, l998, u998, strict=True)]
    pos = [
        position(float(yi), lim.lower_998, lim.upper_998) for yi, lim in zip(y, lims, strict=True)
    ]
    return phi, lims, pos


def mean_funnel_group(
    mean: np.ndarray, n: np.ndarray, mu0: float, sd0: float
) -> tuple[float, list[Limits], list[str | None]]:
    """phi, limits and positions of unit means (days) against the national mean ``mu0``
    with national standard deviation ``sd0`` (the reference for 025_funnel.sql)."""
    mean = np.asarray(mean, dtype=float)
    n = np.asarray(n, dtype=float)
    se1 = sd0 / np.sqrt(n)
    z = (mean - mu0) / se1
    phi = float(np.mean(winsorise(z) ** 2)) if len(z) >= MIN_UNITS else 1.0
    se = np.sqrt(max(phi, 1.0)) * se1
    lims = [
        Limits(max(mu0 - Z95 * e, 0.0), mu0 + Z95 * e, max(mu0 - Z998 * e, 0.0), mu0 + Z998 * e)
        for e in se.tolist()
    ]
    pos = [
        position(float(y), lim.lower_998, lim.upper_998) for y, lim in zip(mean, lims, strict=True)
    ]
    return phi, lims, pos


def sign_test_group(above: np.ndarray, below: np.ndarray) -> tuple[float, list[str | None]]:
    """phi and positions of unit medians against the national median, from how many of each
    unit's cases lie above and below it (the reference for 025_funnel.sql)."""
    above = np.asarray(above, dtype=float)
    below = np.asarray(below, dtype=float)
    z = (above - below) / np.sqrt(above + below)
    phi = float(np.mean(winsorise(z) ** 2)) if len(z) >= MIN_UNITS else 1.0
    adj = z / np.sqrt(max(phi, 1.0))
    pos = ["above" if v > Z998 else "below" if v < -Z998 else "within" for v in adj.tolist()]
    return phi, pos  # type: ignore[return-value]
