"""The built book (`make book`, run by `make test` before pytest) shows what the course promises:
stored outputs, folded solutions, static stand-ins for widgets, maths, search, offline MathJax.
tests/test_browser.py opens it in a real browser; these are the checks that need none.

These tests skip when the book is not built and fail when it is older than its sources, so they
never check a stale _build (tests/built_book.py)."""

import re

import pytest

from tests.built_book import HTML, require_fresh_book
from tools.notebooks import ROOT, chapter_paths, read_nb, tags

CHAPTERS = chapter_paths()
# They read _build/html, so they run in the book stage (`make test-browser`), after `make book`.
pytestmark = pytest.mark.book


@pytest.fixture(autouse=True)
def fresh_book(request):
    if "needs_no_book" not in request.keywords:
        require_fresh_book()


needs_no_book = pytest.mark.needs_no_book


def page(chapter):
    return (HTML / "chapters" / f"{chapter.stem}.html").read_text(encoding="utf-8")


def test_every_toc_chapter_is_built_and_every_chapter_is_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text()
    for chapter in CHAPTERS:
        assert f"chapters/{chapter.stem}" in toc, f"{chapter.name} is not in _toc.yml"
        assert (HTML / "chapters" / f"{chapter.stem}.html").exists()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_page_shows_stored_outputs_and_folded_solutions(chapter):
    html = page(chapter)
    nb = read_nb(chapter)
    n_solutions = sum(1 for c in nb.cells if c.cell_type == "markdown" and "{solution-start}" in c.source)
    assert html.count('class="solution dropdown') == n_solutions >= 1
    assert html.count("not yet implemented") >= n_solutions   # the stubs' stored check reports
    assert "passed." in html                                # the solutions' stored check reports
    assert re.search(r'<img alt="[^"]*" src="\.\./_images/[0-9a-f]+\.png"', html)  # figures, stand-ins
    assert "\\(" in html or "\\[" in html                     # maths, for MathJax


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_widget_output_is_hidden_and_a_standin_is_shown(chapter):
    nb = read_nb(chapter)
    widget_cells = [c for c in nb.cells if c.cell_type == "code" and any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c.outputs)]
    assert widget_cells, f"{chapter.name} has no widget"
    assert all("remove-output" in tags(c) for c in widget_cells)
    standins = [c for c in nb.cells if c.cell_type == "code" and ".standin(" in c.source]
    assert standins and all(any("image/png" in o.get("data", {}) for o in c.outputs) for c in standins)


def test_search_and_offline_mathjax():
    assert (HTML / "search.html").exists() and (HTML / "searchindex.js").exists()
    assert "Dense" in (HTML / "searchindex.js").read_text(encoding="utf-8")
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").exists()
    assert "_static/mathjax/tex-chtml.js" in page(CHAPTERS[0])


def test_long_output_lines_wrap():
    assert "_static/custom.css" in page(CHAPTERS[0])
    assert "pre-wrap" in (HTML / "_static" / "custom.css").read_text()


def built_pages():
    return sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts)


def head_of(html: str) -> str:
    return html.split("</head>", 1)[0]


def inline_scripts_twice(html: str) -> list[str]:
    """The inline scripts that a page's head holds more than once."""
    bodies = re.findall(r"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", head_of(html), re.S)
    return sorted({b.strip()[:60] for b in bodies if b.strip() and bodies.count(b) > 1})


def scripts_from_other_hosts(html: str) -> list[str]:
    return re.findall(r'<script[^>]*\ssrc="((?:https?:)?//[^"]+)"', html)


def widget_state(html: str) -> int:
    """Bytes of stored widget state a page embeds (nothing reads it: the book has no live widget)."""
    return sum(len(m) for m in re.findall(
        r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', html, re.S))


def test_no_page_embeds_dead_widget_state():
    found = {p.relative_to(HTML).as_posix(): widget_state(p.read_text("utf-8")) for p in built_pages()}
    assert {page: size for page, size in found.items() if size} == {}


def test_no_page_holds_an_inline_script_twice():
    """Twice, `const THEBE_JS_URL = ...` threw "already declared" on every page."""
    found = {p.relative_to(HTML).as_posix(): inline_scripts_twice(p.read_text("utf-8")) for p in built_pages()}
    assert {page: twice for page, twice in found.items() if twice} == {}


def test_no_page_loads_a_script_from_another_host():
    """myst-nb's default widget scripts came from two CDNs; the book is read offline."""
    found = {p.relative_to(HTML).as_posix(): scripts_from_other_hosts(p.read_text("utf-8")) for p in built_pages()}
    assert {page: urls for page, urls in found.items() if urls} == {}


@needs_no_book
def test_the_script_guards_see_what_they_guard_against():
    head = ('<head><script>const A = 1;</script><script>let b;</script><script>const A = 1;</script>'
            '<script src="https://cdn.jsdelivr.net/npm/x.js"></script><script src="_static/y.js"></script></head>')
    assert inline_scripts_twice(head) == ["const A = 1;"]
    assert widget_state('<script type="application/vnd.jupyter.widget-state+json">{"a": 1}</script>') == 8
    assert scripts_from_other_hosts(head) == ["https://cdn.jsdelivr.net/npm/x.js"]


def _glued(*children):
    """A paragraph of Text ("str") and inline maths (("math", tex)), after fix 6 of
    book/_ext/scratchnet_book.py, written back as a string: [...] is a glued span, $x$ a formula."""
    import sys

    from docutils import nodes
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        from scratchnet_book import _keep_short_formulas_whole
    finally:
        sys.path.pop(0)
    document = nodes.document(None, None)
    paragraph = nodes.paragraph()
    for child in children:
        paragraph += nodes.math(text=child[1]) if isinstance(child, tuple) else nodes.Text(child)
    document += paragraph
    _keep_short_formulas_whole(document)

    def show(node):
        if isinstance(node, nodes.math):
            return f"${node.astext()}$"
        if isinstance(node, nodes.inline):
            assert node["classes"] == ["sn-nowrap"]
            return "[" + "".join(show(c) for c in node.children) + "]"
        return str(node)
    return "".join(show(c) for c in paragraph.children)


@needs_no_book
def test_a_short_formula_is_kept_whole_with_the_text_touching_it():
    assert _glued("the shape (", ("math", "n, m"), "), like W.") == "the shape [($n, m$),] like W."
    assert _glued("slope ", ("math", "x"), ". Next") == "slope [$x$.] Next"
    assert _glued("so f(", ("math", "x"), ")") == "so [f($x$)]"
    assert _glued(("math", "a"), ", ", ("math", "b"), ":") == "[$a$,] [$b$:]"
    assert _glued("\u201c", ("math", "x"), "\u201d") == "[\u201c$x$\u201d]"
    assert _glued("the ", ("math", "t"), "-th step") == "the [$t$-th] step"
    assert _glued("a ", ("math", "x"), " b") == "a [$x$] b"      # nothing touching: still whole
    assert _glued(("math", "x")) == "[$x$]"
    assert _glued("( ", ("math", "x"), " )") == "( [$x$] )"


@needs_no_book
def test_a_long_formula_is_not_glued_so_it_can_still_break_inside():
    long = r"0.2 \cdot 1 - 0.5 \cdot 2 + 0.1 \cdot 3 + 1 = 0.5"   # 30 printed characters
    assert _glued("(", ("math", long), ").") == f"(${long}$)."
    assert _glued("(", ("math", r"\frac{\lambda}{2} \|w\|^2"), ").") == r"[($\frac{\lambda}{2} \|w\|^2$).]"


@needs_no_book
def test_the_text_beside_the_formula_is_the_one_changed_not_an_equal_one_elsewhere():
    """docutils' Text is a str: looking a node up by value finds the first equal one."""
    long = r"0.2 \cdot 1 - 0.5 \cdot 2 + 0.1 \cdot 3 + 1 = 0.5"
    assert _glued(", ", ("math", long), ", ", ("math", "b"), ", ") == f", ${long}$, [$b$,] "
    assert _glued("(", ("math", long), "), (", ("math", "b"), "), ", ("math", "c")) == \
        f"(${long}$), [($b$),] [$c$]"
