"""The browser harness and its checks: serve a directory on 127.0.0.1, open its pages in headless
Chromium at a desktop and a phone width, and hand each loaded page to a list of checks.

    from tests.browser import Chromium, run_checks

    with Chromium() as chromium, chromium.site(directory) as site:
        with site.visit("chapters/01_neuron_to_layer.html", "phone") as visit:
            problems = run_checks(visit)        # {check name: [problem, ...]}, empty if all pass

* harness.py: Chromium is Debian's (`/usr/bin/chromium`, or `$CHROMIUM`), driven by the
  `playwright` Python package through `executable_path`; `playwright install` (which downloads a
  browser) is never used. Each launch gets a fresh temporary profile. Requests to any host but
  the served one are recorded and aborted, so a page that needs the network fails its checks
  here exactly as it would fail a reader who is offline.
* accessibility.py: the accessibility checks of issue 12 (axe-core's WCAG 2.1 A/AA rules, alt
  texts, maths for screen readers, reduced motion).
* checks.py: a check is a function `check(visit) -> list[str]` of problems, registered in `CHECKS`
  with `@check(name)`; checks that click or type say `changes_page=True` and run last. To add one:
  write it in checks.py (or a module imported below, as accessibility.py is), and give it a
  broken page in tests/test_browser_checks.py, whose test_every_check_has_a_broken_page insists.

tests/test_browser.py runs every check on every page of the built book at both widths, each page
visited once per width; tools/book_check.py takes the screenshots of `make book-check`.
"""

from tests.browser.checks import CHECKS, Check, by_name, check, run_checks
from tests.browser.accessibility import AXE_CHECK, HOW_TO_GET_AXE, axe_missing  # registers its checks
from tests.browser.harness import (HOW_TO_GET_CHROMIUM, PHONE_BELOW, WIDTHS, Chromium, Site, Visit,
                                   chromium_missing, pages, search_hits, serve, settle_page)

__all__ = ["CHECKS", "Check", "by_name", "check", "run_checks", "AXE_CHECK", "HOW_TO_GET_AXE",
           "axe_missing", "checks_here", "HOW_TO_GET_CHROMIUM", "PHONE_BELOW",
           "WIDTHS", "Chromium", "Site", "Visit", "chromium_missing", "pages", "search_hits", "serve",
           "settle_page"]


def checks_here() -> list[Check]:
    """The checks that can run on this machine: all, or all but axe-core's when it is not installed."""
    return [c for c in CHECKS if not (c.name == AXE_CHECK and axe_missing())]
