"""Medians with their spread, and a runner that alternates the sides of a comparison.

Absolute times drift on shared machines (other processes, frequency changes), so
every comparison is a ratio of runs made back to back: A, B, A, B, ...
"""

from __future__ import annotations

import math
import statistics
from typing import Callable, Iterable


def summary(values: Iterable[float | None]) -> dict | None:
    """{"median", "min", "max", "n"} of the values that are not None (None if there are none)."""
    clean = [float(v) for v in values if v is not None]
    if not clean:
        return None
    return {"median": statistics.median(clean), "min": min(clean), "max": max(clean), "n": len(clean)}


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100), nearest-rank on the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def alternate(sides: dict[str, Callable[[], dict]], repeats: int, warmup: int = 1) -> dict[str, list[dict]]:
    """Run every side once per round, in turn, `repeats` rounds after `warmup` untimed rounds.

    Each side returns a dict of measurements; the result holds one list of them per side.
    """
    results: dict[str, list[dict]] = {name: [] for name in sides}
    for round_ in range(warmup + repeats):
        for name, run in sides.items():
            measured = run()
            if round_ >= warmup:
                results[name].append(measured)
    return results


def field(runs: list[dict], key: str) -> dict | None:
    return summary(run.get(key) for run in runs)


def fields(runs: list[dict], *keys: str) -> dict:
    """{key: field(runs, key)} for each key: the summary of several measures of the same runs."""
    return {key: field(runs, key) for key in keys}


def ratios(numerators: list[dict], denominators: list[dict], key: str,
           denominator_key: str | None = None) -> dict | None:
    """Per-round ratios numerator[key] / denominator[key], summarised."""
    denominator_key = denominator_key or key
    values = []
    for a, b in zip(numerators, denominators):
        x, y = a.get(key), b.get(denominator_key)
        if x is not None and y:
            values.append(x / y)
    return summary(values)
