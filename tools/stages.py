"""Run `make test`'s stages one after the other and print the time of each at the end.

    python tools/stages.py book pytest compat release-check

Every stage runs even when an earlier one failed (they are independent: a failing book build
says nothing about the library tests), and the exit status is 1 if any failed. Standard
library only, so it runs before the virtual environment exists.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def run_stages(stages: list[str], command: list[str]) -> tuple[list[tuple[str, float, int]], str]:
    """Run `command + [stage]` for each stage; return [(stage, seconds, exit status)] and the summary."""
    results = []
    for stage in stages:
        print(f"\n== stage {stage}: {' '.join(command + [stage])}", flush=True)
        start = time.monotonic()
        status = subprocess.call(command + [stage])
        results.append((stage, time.monotonic() - start, status))
    width = max(len(s) for s in stages + ["total"])
    lines = ["", "== stage times (wall clock)"]
    for stage, seconds, status in results:
        lines.append(f"{stage:<{width}}  {seconds:7.1f} s  {'ok' if status == 0 else f'FAILED (exit {status})'}")
    lines.append(f"{'total':<{width}}  {sum(r[1] for r in results):7.1f} s")
    return results, "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    make = os.environ.get("MAKE", "make")
    results, summary = run_stages(argv, [make, "--no-print-directory"])
    print(summary, flush=True)
    return 1 if any(status for _, _, status in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
