"""The built book in a real browser: every page at 1280 px (desktop) and 390 px (a phone), in
headless Chromium, offline (requests to any other host are blocked and count as failures).

Each page is visited once per width; every check in tests/browser/checks.py looks at it (maths
typeset, offline and error-free, links and images, unique ids, widget stand-ins, nothing cut off,
no sideways page scroll, code and equations fit at desktop width, short formulas kept whole,
solutions fold, figures legible on a phone, scrubbers move; and, for accessibility, axe-core's
WCAG 2.1 A and AA rules, alt texts, maths for screen readers, no motion for a reader who asks for
less). Each check's companion test on a deliberately broken page is in
tests/test_browser_checks.py. Marked `browser`: `pytest -m "not browser"` leaves these out.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.browser import AXE_CHECK, WIDTHS, axe_missing, checks_here, pages, run_checks, search_hits
from tests.built_book import HTML, require_fresh_book

pytestmark = pytest.mark.browser

PAGES = pages(HTML) if HTML.exists() else ["(the book is not built)"]
# What chapter content still has to fix (the lead's pending rewrap of code lines to at most 79
# characters and of too-wide display equations); no CSS can. A page listed here must fail exactly
# this check (strict), so the entry is removed when the content is fixed.
CONTENT_CHECK = "code and equations fit at desktop width"
CONTENT_PENDING: set[str] = set()

_found: dict[tuple[str, str], dict[str, list[str]]] = {}


@pytest.fixture(scope="module")
def book(chromium):
    require_fresh_book()
    with chromium.site(HTML) as site:
        yield site


def problems_on(book, path: str, width: str) -> dict[str, list[str]]:
    """All checks' problems on one page at one width; the page is visited once."""
    if (path, width) not in _found:
        with book.visit(path, width) as visit:
            _found[path, width] = run_checks(visit, checks_here())
    return _found[path, width]


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"[{name}] {p}" for name, problems in found.items() for p in problems)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("path", PAGES)
def test_page(book, path, width):
    found = {k: v for k, v in problems_on(book, path, width).items() if k != CONTENT_CHECK}
    assert not found, f"{path} at {WIDTHS[width][0]} px:\n{report(found)}"


@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.xfail(
    strict=True, reason="code lines longer than the column and too-wide display equations: "
                        "chapter content, pending the lead's rewrap")) if p in CONTENT_PENDING else p
    for p in PAGES])
def test_code_and_equations_fit_at_desktop_width(book, path):
    found = problems_on(book, path, "desktop").get(CONTENT_CHECK, [])
    assert not found, f"{path} at 1280 px:\n" + "\n".join(found)


def test_search_finds_pages(book):
    assert search_hits(book, "gradient") >= 3


def test_search_hit_counting_sees_a_query_with_no_results(book):
    """The companion of the search test: a word that is in no page finds nothing."""
    assert search_hits(book, "qwzxvkjq") == 0


# two numbered section titles in a row: a contents list, not a sentence
CONTENTS_LIST = re.compile(r"\d+\.\d+\. [^.]{3,60}? \d+\.\d+\. ")


def test_search_snippets_quote_a_sentence_not_the_contents_list(book):
    """Under each hit the search page quotes the text around the word. Sphinx takes that text
    from the page's whole main column, which begins with a contents list for printing; the
    book's script (book/_static/scratchnet-book.js) leaves that list out. The companion: the main
    column's own text does begin with the list, and the pattern finds it there."""
    with book.visit("search.html?q=momentum", "desktop", settle=False) as visit:
        visit.page.wait_for_function(
            "() => document.querySelectorAll('#search-results ul.search > li p.context').length >= 3",
            timeout=15000)
        snippets = visit.page.evaluate(
            "() => [...document.querySelectorAll('#search-results ul.search > li p.context')]"
            ".map(p => p.textContent.replace(/\\s+/g, ' '))")
        column = visit.page.evaluate("""async () => {
            const html = await (await fetch('chapters/07_optimizers.html')).text();
            const page = new DOMParser().parseFromString(html, 'text/html');
            return page.querySelector('[role="main"]').textContent.replace(/\\s+/g, ' '); }""")
    assert CONTENTS_LIST.search(column), "the pattern no longer finds the printed contents list"
    listed = [s for s in snippets if CONTENTS_LIST.search(s)]
    assert not listed, f"search snippets quote a contents list: {listed}"


def test_axe_core_is_installed():
    """The accessibility rules run on every page above only with axe-core installed (`make axe`,
    which `make test-browser` runs). Without it test_page leaves that check out, and this test
    skips saying how to get it; in CI (SCRATCHNET_REQUIRE_BROWSER=1) it fails instead."""
    missing = axe_missing()
    if missing and os.environ.get("SCRATCHNET_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{AXE_CHECK}: {missing}", pytrace=False)
    if missing:
        pytest.skip(missing)
    assert any(c.name == AXE_CHECK for c in checks_here())
