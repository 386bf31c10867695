"""Screenshots of every chapter at desktop and phone width, to look at (`make book-check`).

Builds the book first if _build/html is missing or older than its sources, then writes
_build/screenshots/NN_name-desktop.png (1280 px wide) and NN_name-phone.png (390 px), each the
whole page, through the browser harness of the tests (tests/browser/: Debian's Chromium,
offline). The screenshots are a build artefact, not committed.

    python -m tools.book_check            # every chapter
    python -m tools.book_check 03         # chapters whose name contains "03"
"""

from __future__ import annotations

import subprocess
import sys
import time

from tests.browser import WIDTHS, Chromium, chromium_missing
from tests.built_book import BUILT, HTML, stale_sources
from tools.notebooks import ROOT, chapter_paths

SHOTS = ROOT / "_build" / "screenshots"


def main(argv: list[str]) -> int:
    missing = chromium_missing()
    if missing:
        print(missing, file=sys.stderr)
        return 1
    if not BUILT.exists() or stale_sources():
        print("the book is missing or older than its sources: building it (make book)")
        subprocess.run(["make", "book"], cwd=ROOT, check=True)
    chapters = [p for p in chapter_paths() if not argv or any(a in p.stem for a in argv)]
    SHOTS.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with Chromium() as chromium, chromium.site(HTML) as site:
        for chapter in chapters:
            for width in WIDTHS:
                with site.visit(f"chapters/{chapter.stem}.html", width) as visit:
                    path = SHOTS / f"{chapter.stem}-{width}.png"
                    visit.page.screenshot(path=str(path), full_page=True)
                    print(f"{path.relative_to(ROOT)}  ({path.stat().st_size // 1024} kB)")
    print(f"{2 * len(chapters)} screenshots in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
