#!/usr/bin/env python3
"""Benchmark: `bouncekit logs --summary` against Debian's pflogsumm on the same Postfix log, same run.

Builds bench/work/postfix-bench.log (git-ignored) from the syslog-prefixed Postfix logs of
../shared/corpus/logs/postfix, repeated to at least --lines lines (default 1,000,000), then times
each tool on it (best of --runs) and prints lines per second and the ratio.

    python3 bench/logs_vs_pflogsumm.py [--lines N] [--runs N]

pflogsumm comes from Debian's package of that name (`apt-get install pflogsumm`).
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "logs" / "postfix"
WORK = ROOT / "bench" / "work"
BOUNCEKIT = ROOT / ".venv" / "bin" / "bouncekit"


def corpus_lines() -> list[str]:
    """Postfix lines with a syslog prefix (what pflogsumm reads); bare grok test messages are left out."""
    lines = []
    for path in sorted(CORPUS.glob("*.log")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if " postfix" in line[:80]:
                lines.append(line + "\n")
    return lines


def build(target: int) -> tuple[Path, int]:
    lines = corpus_lines()
    if not lines:
        sys.exit(f"no Postfix lines under {CORPUS}")
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "postfix-bench.log"
    repeats = -(-target // len(lines))
    block = "".join(lines)
    with path.open("w", encoding="utf-8") as f:
        for _ in range(repeats):
            f.write(block)
    return path, repeats * len(lines)


def best_time(command: list[str], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pflogsumm = shutil.which("pflogsumm")
    if pflogsumm is None:
        sys.exit("pflogsumm not found: apt-get install pflogsumm")
    path, count = build(args.lines)
    ours = best_time([str(BOUNCEKIT), "logs", "--summary", str(path)], args.runs)
    theirs = best_time([pflogsumm, str(path)], args.runs)
    print(f"{date.today()}  {platform.processor() or platform.machine()}  Python {platform.python_version()}  "
          f"{count:,} Postfix lines ({path.stat().st_size / 1e6:.0f} MB), best of {args.runs}")
    print(f"bouncekit logs --summary  {ours:7.2f} s  {count / ours:>12,.0f} lines/s")
    print(f"pflogsumm                 {theirs:7.2f} s  {count / theirs:>12,.0f} lines/s")
    print(f"ratio (pflogsumm time / bouncekit time): {theirs / ours:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
