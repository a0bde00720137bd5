"""Helpers shared by the benchmark scripts: timing whole processes and writing results."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def run_once(argv: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=child_env(env), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def child_env(env: dict | None = None) -> dict:
    """The environment of a timed process: this one's, with `env`, and bytecode written as a
    user's Python writes it (PYTHONDONTWRITEBYTECODE, set on some build machines, would have
    every run compile jifen's modules from source, which no clerk's second command does)."""
    return {k: v for k, v in {**os.environ, **(env or {})}.items()
            if k != "PYTHONDONTWRITEBYTECODE"}


def paired(a: list[str], b: list[str], *, runs: int = 15, env_a=None, env_b=None):
    """Run A and B in turn (A B A B …) after one warm-up each; return medians and the median
    of the pair-by-pair ratios A/B, which holds even when the machine's speed drifts."""
    run_once(a, env_a)
    run_once(b, env_b)
    times_a, times_b = [], []
    for _ in range(runs):
        times_a.append(run_once(a, env_a))
        times_b.append(run_once(b, env_b))
    ratios = [x / y for x, y in zip(times_a, times_b)]
    return statistics.median(times_a), statistics.median(times_b), statistics.median(ratios)


def report(name: str, lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    print(text, end="")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.txt").write_text(text, encoding="utf-8")


PYTHON = sys.executable
