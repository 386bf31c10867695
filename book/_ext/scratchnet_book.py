"""Small fixes to the HTML that Jupyter Book 1.x makes, done where the HTML is made.

Loaded from `_config.yml` (`sphinx: local_extensions:`). Each fix names the defect it removes;
the browser test (`tests/test_browser.py`) checks the result in a real browser.

1. Inline scripts twice in every page head. Sphinx 7.4 (`app.add_js_file(None, body=...)`
   called after the builder is initialised, as sphinx-thebe and sphinx-togglebutton do) puts the
   script in the builder's list with filename `None` and, from the registry, again with filename
   `''`; the two do not compare equal, so both are written. The second `const THEBE_JS_URL`
   throws "Identifier 'THEBE_JS_URL' has already been declared" on every page. We make the
   builder store `None` as `''`, so the second copy is recognised as a duplicate.
2. Duplicate ids. sphinx-exercise gives the body of every exercise the id `exercise-content`
   and of every solution `solution-content`. We make each id unique by prefixing the id of its
   exercise or solution, and keep the old name as a class.
3. Dead widget state. With `nb_ipywidgets_js: {}` (no widget scripts from CDNs: the book shows
   stand-ins, not live widgets), myst-nb still embeds each notebook's stored widget state,
   40-60 kB of JSON per chapter that nothing reads. We leave it out.
4. The solution's title bar. sphinx-exercise makes "Exercise 3.1 (...)" in a solution's title
   a link to the exercise; the title bar is also the button that unfolds the solution, so a
   click on the link jumped to the exercise instead. The title becomes plain text: a click
   anywhere on it unfolds the solution (the exercise is right above it).
5. The name of a hidden cell's toggle. myst-nb writes `<summary aria-label="Toggle hidden
   content">` around the visible "Show code cell source", so the toggle's accessible name does
   not contain the words it shows: speech users who say "click Show code cell source" miss it
   (WCAG 2.5.3, axe's label-content-name-mismatch). The same summary without the aria-label
   takes its name from what it shows. (The theme's search and colour-mode buttons had the same
   fault; book/_templates/ overrides those two components.)
6. Formulas torn apart. MathJax draws an inline formula as a row of inline boxes, and
   custom.css lets that row break like text, so that a long formula fits a phone. But a short
   one broke too ("of shape ( / B, H, W)", "XW + / b"), and so did the place between a formula
   and the text touching it: "(" was left at the end of a line with its formula on the next,
   and ")", "," or "." started a line (19 places in chapters 2-9, at a phone's width and at a
   desktop's). Each short formula (at most 16 printed characters: at most 225 px wide in the
   book) goes into one `<span class="sn-nowrap">` with the text that touches it on either side
   (no space between), and custom.css keeps that span on one line. A longer formula still
   breaks inside, or it would push a phone's page sideways.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder

CONTENT_IDS = ("exercise-content", "solution-content")
GLUED_AT_MOST = 16  # printed characters of a formula kept whole


def _store_inline_scripts_once(app: Sphinx) -> None:
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder):
        return
    add_js_file = builder.add_js_file

    def add_js_file_once(filename, **kwargs):
        return add_js_file(filename or "", **kwargs)

    builder.add_js_file = add_js_file_once


def _drop_widget_state(app: Sphinx, pagename: str, *args) -> None:
    metadata = getattr(app.env, "nb_metadata", {}).get(pagename, {})
    metadata.get("js_files", {}).pop("ipywidgets_state", None)


def _unique_content_ids(doctree: nodes.document) -> None:
    for section in doctree.findall(nodes.section):
        ids = section.get("ids", [])
        if len(ids) != 1 or ids[0] not in CONTENT_IDS:
            continue
        parent = section.parent
        owner = parent.get("ids", []) if parent is not None else []
        if not owner:
            continue
        section["ids"] = [f"{owner[0]}-{ids[0].split('-')[1]}"]
        section["classes"] = [*section.get("classes", []), ids[0]]


def _plain_solution_titles(doctree: nodes.document) -> None:
    from sphinx_exercise.nodes import solution_node

    for solution in doctree.findall(solution_node):
        title = solution.children[0] if solution.children else None
        if isinstance(title, nodes.title):
            text = " ".join(title.astext().split())
            title.children = []
            title += nodes.Text(text)


def _printed_length(tex: str) -> int:
    """About how many characters a formula prints: a command such as \\alpha or \\cdot counts one,
    spacing and font commands, braces, ^ and _ count none."""
    tex = re.sub(r"\\(left|right|[bB]ig+[lr]?|math[a-z]+|text[a-z]*|operatorname|boldsymbol"
                 r"|quad|qquad)(?![a-zA-Z])|\\[,;:! ]", "", tex)
    tex = re.sub(r"\\[a-zA-Z]+", "#", tex)
    return len(re.sub(r"[{}^_\s\\]", "", tex))


def _keep_short_formulas_whole(doctree: nodes.document) -> None:
    for math in list(doctree.findall(nodes.math)):
        parent = math.parent
        if parent is None or _printed_length(math.astext()) > GLUED_AT_MOST:
            continue
        # by position: Text is a str, and index() would find the first equal one
        i = next(k for k, child in enumerate(parent.children) if child is math)
        head = tail = ""
        if i > 0 and isinstance(parent[i - 1], nodes.Text):
            text = str(parent[i - 1])
            head = re.search(r"\S*$", text).group()      # "(" or "f(" touching the formula
            parent[i - 1] = nodes.Text(text[:len(text) - len(head)])
        if i + 1 < len(parent) and isinstance(parent[i + 1], nodes.Text):
            text = str(parent[i + 1])
            tail = re.match(r"\S*", text).group()        # ")," or "-th" touching it
            parent[i + 1] = nodes.Text(text[len(tail):])
        glued = nodes.inline(classes=["sn-nowrap"])
        parent[i] = glued
        glued += [nodes.Text(head), math, nodes.Text(tail)]


def _on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    _unique_content_ids(doctree)
    _plain_solution_titles(doctree)
    _keep_short_formulas_whole(doctree)


def _visit_hidden_cell(self, node) -> None:
    from html import escape

    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def _summary_named_by_its_text(app: Sphinx) -> None:
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_cell, depart_HideCellInput))


def setup(app: Sphinx) -> dict:
    # before sphinx-togglebutton's and sphinx-thebe's handlers (priority 500) add their scripts
    app.connect("builder-inited", _store_inline_scripts_once, priority=100)
    # after myst-nb registered its own visitor (in its setup)
    app.connect("builder-inited", _summary_named_by_its_text)
    app.connect("doctree-resolved", _on_doctree_resolved, priority=900)
    # before myst-nb's handler (priority 500) adds the page's scripts
    app.connect("html-page-context", _drop_widget_state, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
