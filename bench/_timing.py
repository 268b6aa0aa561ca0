"""Timing helpers shared by the benchmarks: interleaved runs, medians, ratios."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable


def median_seconds(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ratio(subject: Callable[[], object], baseline: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """(subject median s, baseline median s, median of the per-pair ratios), runs interleaved A B A B.

    Pairing each subject run with the baseline run next to it keeps the ratio
    honest on a noisy machine where absolute times drift.
    """
    subject()
    baseline()  # warm caches and imports once
    pairs = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        baseline()
        base = time.perf_counter() - start
        gc.collect()
        start = time.perf_counter()
        subject()
        mine = time.perf_counter() - start
        pairs.append((mine, base))
    return (
        statistics.median(p[0] for p in pairs),
        statistics.median(p[1] for p in pairs),
        statistics.median(p[0] / p[1] for p in pairs),
    )
