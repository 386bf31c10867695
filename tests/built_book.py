"""The built book in _build/html, and whether it is older than what it is built from.

Tests that read the built book (tests/test_book.py, the browser tests) call `require_fresh_book()`:
they skip when the book is not built, and fail with "run make book" when any source is newer than
the build, so they never silently check a stale book. `make test` builds the book first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.notebooks import ROOT

HTML = ROOT / "_build" / "html"
BUILT = HTML / "searchindex.js"  # written at the end of every build
SOURCES = ("chapters/*.ipynb", "book/**/*", "_config.yml", "_toc.yml", "scratchnet/widgets/**/*.py")


def stale_sources(root: Path = ROOT, built: Path | None = None) -> list[Path]:
    """The sources modified after the book was built (empty if it is fresh)."""
    built = built or root / BUILT.relative_to(ROOT)
    when = built.stat().st_mtime
    newer = set()
    for pattern in SOURCES:
        for path in root.glob(pattern):
            if path.is_file() and "__pycache__" not in path.parts and path.stat().st_mtime > when:
                newer.add(path)
    return sorted(newer)


def require_fresh_book() -> None:
    if not BUILT.exists():
        pytest.skip("the book is not built: run `make book` (make test does)")
    newer = stale_sources()
    if newer:
        names = ", ".join(str(p.relative_to(ROOT)) for p in newer[:5]) + (" ..." if len(newer) > 5 else "")
        pytest.fail(f"_build/html is older than {len(newer)} source file(s) ({names}): run `make book`",
                    pytrace=False)
