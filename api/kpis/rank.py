"""Spearman's rank correlation, and the plain words that go with it. Pure functions: no database."""

from collections.abc import Sequence

MIN_PERIODS = 8  # below this many weeks (or months) with both numbers, nothing is said about a relation


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for i in order[start:end + 1]:
            out[i] = (start + end) / 2 + 1
        start = end + 1
    return out


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """ρ: the Pearson correlation of the ranks (ties averaged); None when either side never varies."""
    if len(xs) != len(ys):
        raise ValueError("the two series must have the same length")
    if len(xs) < 2:
        return None
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx, syy = sum((a - mx) ** 2 for a in rx), sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return max(-1.0, min(1.0, sxy / (sxx * syy) ** 0.5))


def _strength(rho: float) -> str | None:
    size = abs(rho)
    if size < 0.2:
        return None
    return "strongly " if size >= 0.6 else "" if size >= 0.4 else "slightly "


def describe(*, rho: float | None, n: int, metric: str, period: str, higher_is_better: bool) -> str:
    """One sentence on how the theme's pain-point count and a metric moved together; never a bare number."""
    periods = f"{period}s"
    if n < MIN_PERIODS:
        return (f"Too few {periods} to say anything: {n} {period if n == 1 else periods} with both these pain "
                f"points counted and {metric} known (at least {MIN_PERIODS} needed).")
    if rho is None:
        return (f"Nothing to say over {n} {periods}: these pain points or {metric} did not change from one "
                f"{period} to the next.")
    shown = f"ρ = {rho:.2f}".replace("-", "−")
    strength = _strength(rho)
    if strength is None:
        return (f"No clear relation between these pain points and {metric}, {period} by {period} "
                f"({shown} over {n} {periods}).")
    direction = "higher" if rho > 0 else "lower"
    worse = (rho > 0) != higher_is_better
    return (f"{period.capitalize()}s with more of these pain points tended {strength}to have {direction} {metric} "
            f"({'worse' if worse else 'better'}; {shown} over {n} {periods}). A relation, not proof of a cause.")
