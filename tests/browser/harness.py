"""The browser harness: serve a directory on 127.0.0.1 and open its pages in Debian's headless
Chromium at a desktop and a phone width, each page loaded and settled (MathJax done, images
loaded), with what happened while it loaded (requests to other hosts, failed requests, console
and JavaScript errors). See tests/browser/__init__.py for how the pieces fit.
"""

from __future__ import annotations

import contextlib
import functools
import html
import http.server
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
HOW_TO_GET_CHROMIUM = (
    "the browser tests need Debian's Chromium and the playwright package: as root, "
    "`apt-get install -y chromium` (or set CHROMIUM=/path/to/chromium), and `make venv` "
    "installs playwright; `playwright install` is not needed")

# name -> (width, height) in CSS pixels
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
PHONE_BELOW = 600  # a viewport narrower than this is a phone


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}: {HOW_TO_GET_CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return f"the playwright package is not installed: {HOW_TO_GET_CHROMIUM}"
    return None


# ------------------------------------------------------------------------------------ serving

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 (a free port) for the duration; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------------------------ visiting

@dataclass
class Visit:
    """One page, loaded and settled at one width, with what happened while it loaded."""

    page: object  # playwright.sync_api.Page
    path: str
    width_name: str
    site: "Site"
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return WIDTHS[self.width_name][0]

    @property
    def phone(self) -> bool:
        return self.width < PHONE_BELOW

    @property
    def url(self) -> str:
        return self.site.base + self.path

    def __str__(self) -> str:
        return f"{self.path} at {self.width} px"


# Wait until the page is what a reader sees: MathJax done, every image loaded, fonts ready.
SETTLE_JS = """async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const deadline = Date.now() + 15000;
  if (window.MathJax !== undefined) {  // configured: wait for it to load and typeset
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() < deadline)
      await sleep(50);
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  }
  for (const img of document.images) img.loading = 'eager';
  await Promise.all([...document.images].map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done); setTimeout(done, 5000);
  })));
  await document.fonts.ready;
  await sleep(50);
}"""


# From the moment a page has settled, note every scrubber picture that changes: the "scrubbers
# move" check, which runs after the checks that only look (a few seconds on a chapter page), then
# knows whether one changed by itself without having to wait and watch.
WATCH_JS = """() => {
  const watch = window.__snStill = {since: performance.now(), changed: []};
  document.querySelectorAll('.sn-scrubber').forEach((scrubber, i) => {
    const img = scrubber.querySelector('img');
    if (img) new MutationObserver(() => watch.changed.push(i))
               .observe(img, {attributes: true, attributeFilter: ['src']});
  });
}"""


def settle_page(page) -> None:
    """Run SETTLE_JS; a page that redirects (a meta refresh) is settled where it lands."""
    for attempt in range(3):
        try:
            page.evaluate(SETTLE_JS)
            return
        except Exception as error:  # playwright.Error, raised when a navigation replaces the page
            if "context was destroyed" not in str(error) or attempt == 2:
                raise
            page.wait_for_load_state("load")


class Site:
    """A directory served on 127.0.0.1 and one browser context per width."""

    def __init__(self, chromium: "Chromium", root: Path, base: str):
        self.root, self.base = Path(root), base
        self.contexts = {}
        for name, (width, height) in WIDTHS.items():
            phone = width < PHONE_BELOW
            context = chromium.browser.new_context(
                viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone,
                device_scale_factor=1)
            context.route("**/*", self._route)
            self.contexts[name] = context
        self._targets: dict[str, tuple[int, set[str]]] = {}
        self._current: Visit | None = None

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.base):
            route.continue_()
        else:
            if self._current is not None:
                self._current.foreign_requests.append(url)
            route.abort()

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()

    @contextlib.contextmanager
    def visit(self, path: str, width_name: str, settle: bool = True) -> Iterator[Visit]:
        page = self.contexts[width_name].new_page()
        visit = Visit(page, path, width_name, self)
        self._current = visit
        page.on("console", lambda m: visit.console_errors.append(f"{m.text} ({m.location.get('url', '')})")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: r.url.startswith(self.base) and visit.failed_requests.append(
            f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and visit.failed_requests.append(
            f"{r.url} (HTTP {r.status})"))
        try:
            source = self.root / urllib.parse.urlparse(path).path
            refresh = source.is_file() and re.search(
                r'http-equiv="refresh"[^>]*content="\d+;\s*url=([^"]+)"', source.read_text("utf-8"), re.I)
            page.goto(self.base + path, wait_until="load")
            if refresh:  # a redirect page: check the page it leads to, once that has loaded
                page.wait_for_url(urllib.parse.urljoin(self.base + path, refresh.group(1)), wait_until="load")
            if settle:
                settle_page(page)
                page.evaluate(WATCH_JS)
            yield visit
        finally:
            self._current = None
            page.close()

    def target(self, url: str) -> tuple[int, set[str]]:
        """The HTTP status of a same-site URL (no fragment) and the ids its HTML defines."""
        if url not in self._targets:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    status, body = response.status, response.read().decode("utf-8", "replace")
            except urllib.error.HTTPError as error:
                status, body = error.code, ""
            ids = {html.unescape(m) for m in re.findall(r'\s(?:id|name)="([^"]+)"', body)}
            self._targets[url] = (status, ids)
        return self._targets[url]


class Chromium:
    """Headless Debian Chromium through Playwright; `site(directory)` serves and opens pages."""

    def __enter__(self) -> "Chromium":
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        return self

    def __exit__(self, *exc) -> None:
        self.browser.close()
        self._playwright.stop()

    @contextlib.contextmanager
    def site(self, root: Path) -> Iterator[Site]:
        with serve(root) as base:
            site = Site(self, root, base)
            try:
                yield site
            finally:
                site.close()


def pages(root: Path) -> list[str]:
    """Every HTML page under `root` (not under _static), as paths relative to it."""
    return sorted(p.relative_to(root).as_posix() for p in Path(root).rglob("*.html")
                  if "_static" not in p.relative_to(root).parts)


def search_hits(site: Site, query: str) -> int:
    """How many pages the book's search page lists for `query`."""
    with site.visit("search.html?q=" + urllib.parse.quote(query), "desktop", settle=False) as visit:
        visit.page.wait_for_function(
            "() => { const s = document.querySelector('#search-results');"
            " return s && /found|did not match|no results/i.test(s.textContent); }", timeout=15000)
        return visit.page.evaluate("() => document.querySelectorAll('#search-results ul.search > li').length")
