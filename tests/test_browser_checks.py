"""Every browser check fails on a page made to break it, and a well-made page passes them all.

The pages are small and hand-written (PAGES below), written to a temporary directory and served
and opened by the same harness as the book (tests/browser/). The well-made page uses the book's
own figure script and styles (book/_static/) and a real scrubber from a real widget.
"""

from __future__ import annotations

import io
import re
import shutil

import pytest

from tests.browser import CHECKS, WIDTHS, axe_missing, by_name, checks_here, run_checks
from tools.notebooks import ROOT

pytestmark = pytest.mark.browser

HEAD = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font: 16px/1.5 sans-serif; margin: 0 auto; padding: 0 16px; max-width: 700px; }}
  pre {{ overflow-x: auto; }}
  .toggle-hidden > :not(.admonition-title) {{ visibility: hidden; height: 0; margin: 0; }}
  .admonition-title {{ cursor: pointer; background: #eee; padding: 4px; }}
</style>
<link rel="stylesheet" href="custom.css">
<script src="scratchnet-book.js"></script>
</head><body>
"""
TOGGLE = """<script>
  document.querySelectorAll('.solution > .admonition-title').forEach(t =>
    t.addEventListener('click', () => t.parentElement.classList.toggle('toggle-hidden')));
</script>"""


def solution(title: str, folded: bool = True) -> str:
    return (f'<div class="solution dropdown admonition{" toggle-hidden" if folded else ""}">'
            f'<p class="admonition-title">{title}</p><section><p>The answer is 42.</p></section></div>')


def png(width_px: int, height_px: int, colour: str = "tab:blue") -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_px / 100, height_px / 100), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot([0, 1, 2], [0, 1, 0], color=colour)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


SCRUB_ALT = ("Heat map of a neuron's output with bias b = {value}: the line where the output is "
             "zero moves as b changes")


def scrubber_html(alt: str | None = SCRUB_ALT) -> str:
    from scratchnet.widgets.ch01 import NeuronSurface

    return NeuronSurface().scrub("b", [-1.0, 0.0, 1.0], alt=alt)._repr_html_()


MATHS = ('<span class="math"><mjx-container aria-label="x plus 1" tabindex="0">x + 1'
         '<mjx-assistive-mml style="position:absolute;width:1px;height:1px;overflow:hidden;'
         'clip:rect(1px,1px,1px,1px)"><math><mi>x</mi><mo>+</mo><mn>1</mn></math></mjx-assistive-mml>'
         '</mjx-container></span>')
FIGURE_ALT = "A curve that rises from 0 to 1 and falls back to 0, its peak in the middle"


GOOD = (
    '<h1 id="top">A page that does everything right</h1>'
    f'<p>Maths, typeset: {MATHS}.</p>'
    '<p><a href="other.html#here">another page</a>, <a href="#top">the top</a>, '
    '<a href="https://example.org/">a link out (not followed)</a>.</p>'
    '<img src="small.png" alt="a small plot of a peak" width="200" height="100">'
    '<img src="small.png" alt="" role="presentation" width="20" height="10">'
    '<div class="cell"><div class="cell_input"><pre>widget.standin([dict(b=0)])</pre></div>'
    f'<div class="cell_output"><img src="wide.png" alt="{FIGURE_ALT}"></div></div>'
    '<pre>short = "code"</pre>'
    '<button class="search-button-field search-button__button" aria-keyshortcuts="Control+K">Search '
    '<kbd>Ctrl</kbd>+<kbd>K</kbd></button>'
    + solution("Solution to Exercise 1.1 (the answer)") + TOGGLE
    + '<div class="cell"><div class="cell_input"><pre>widget.scrub("b", [-1, 0, 1])</pre></div>'
    '<div class="cell_output">{scrubber}</div></div>'
)

# page name -> (HTML body, the check that must fail, the width, a regex its report must match)
BROKEN = {
    "raw_tex": ('<p>The loss \\(L = \\frac{1}{2}\\) is raw TeX.</p><span class="math">\\(x\\)</span>',
                "maths typeset", "desktop", r"maths not typeset|raw TeX"),
    "tex_error": ('<span class="math"><mjx-container><mjx-merror data-mjx-error="Undefined control '
                  'sequence \\fracc">x</mjx-merror></mjx-container></span>',
                  "maths typeset", "desktop", r"TeX error"),
    "other_host": ('<img src="https://cdn.example.org/badge.svg" alt="badge">',
                   "offline and error-free", "desktop", r"requests another host: https://cdn\.example\.org"),
    "script_error": ('<script>const A = 1;</script><script>const A = 2;</script>',
                     "offline and error-free", "desktop", r"JavaScript error: .*already been declared"),
    "console_error": ('<script>console.error("something failed")</script>',
                      "offline and error-free", "desktop", r"console error: something failed"),
    "missing_file": ('<script src="missing.js"></script>',
                     "offline and error-free", "desktop", r"failed to load: .*missing\.js"),
    "broken_link": ('<a href="nowhere.html">a page that is not there</a>',
                    "links and images", "desktop", r"broken link \(404\) to nowhere\.html"),
    "broken_anchor": ('<a href="other.html#nowhere">an anchor that is not there</a>',
                      "links and images", "desktop", r"missing anchor other\.html#nowhere"),
    "broken_local_anchor": ('<a href="#nothere">here</a>',
                            "links and images", "desktop", r"missing anchor #nothere on this page"),
    "broken_image": ('<img src="missing.png" alt="a plot">',
                     "links and images", "desktop", r"image did not load"),
    "duplicate_ids": ('<section id="exercise-content">a</section><section id="exercise-content">b</section>',
                      "unique ids", "desktop", r'id "exercise-content" is used 2 times'),
    "two_search_fields": ('<header><button class="search-button-field search-button__button">Search</button>'
                          '</header><nav><button class="search-button-field search-button__button">Search'
                          '</button></nav>',
                          "one search field", "desktop", r"2 search fields"),
    "widget_loading": ('<p>Loading widget...</p>',
                       "widget stand-ins", "desktop", r'shows "Loading widget"'),
    "widget_model_id": ('<p>{"model_id": "0123456789abcdef0123456789abcdef"}</p>',
                        "widget stand-ins", "desktop", r"model_id|model ids"),
    "widget_view": ('<script type="application/vnd.jupyter.widget-view+json">{"model_id": "x"}</script>',
                    "widget stand-ins", "desktop", r"a live widget the book cannot show"),
    "standin_missing": ('<div class="cell"><div class="cell_input"><pre>widget.standin([dict(b=0)])</pre>'
                        '</div><div class="cell_output"></div></div>',
                        "widget stand-ins", "desktop", r"no stand-in shown"),
    "clipped_maths": ('<p>Check: <span class="math" style="display:inline-flex;max-width:100%;overflow:hidden">'
                      '<mjx-container style="white-space:nowrap">0.2 &middot; 1 &minus; 0.5 &middot; 2 + 0.1 '
                      '&middot; 3 + 1 = 0.2 &minus; 1.0 + 0.3 + 1.0 = 0.5 and a good deal more besides</mjx-container>'
                      '</span></p>',
                      "nothing cut off", "phone", r"hides part of maths"),
    "clipped_text": ('<p style="width:200px;overflow:hidden;white-space:nowrap">This sentence is far too '
                     'long for its box and its end is hidden.</p>',
                     "nothing cut off", "desktop", r"hides part of"),
    "window_edge": ('<style>html { overflow-x: hidden; }</style>'
                    '<div style="width:900px;background:#ddd">wider than a phone</div>',
                    "nothing cut off", "phone", r"html hides part of div|cut off by the edge of the window"),
    "page_scroll": ('<p><code style="white-space:nowrap">scratchnet.SparseCategoricalCrossEntropyWithAVeryLongName'
                    '</code></p>',
                    "no sideways page scroll", "phone", r"scrolls sideways by \d+ px, because of code"),
    # a formula whose parts may break apart (as custom.css allows), the last part filling the line
    "maths_comma_alone": ('<p style="width:120px">Text.<br><span class="math"><mjx-container jax="CHTML">'
                          '<mjx-math style="white-space:normal"><b style="display:inline-block;width:118px">'
                          'x + 1</b></mjx-math></mjx-container></span>, and a comma starts the line.</p>',
                          "short formulas kept whole", "desktop",
                          r'maths "x \+ 1" ends a line and "," starts the next'),
    "maths_bracket_alone": ('<p style="width:120px">Text (<span class="math"><mjx-container jax="CHTML">'
                            '<mjx-math style="white-space:normal"><b style="display:inline-block;width:110px">'
                            'x + 1</b></mjx-math></mjx-container></span>) and more.</p>',
                            "short formulas kept whole", "desktop",
                            r'"\(" ends a line and maths "x \+ 1" starts the next'),
    "maths_broken": ('<p style="width:120px">Text (<span class="math"><mjx-container jax="CHTML">'
                     '<mjx-math style="white-space:normal"><b style="display:inline-block;width:60px">x + 1'
                     '</b><b style="display:inline-block;width:60px">= y</b></mjx-math></mjx-container></span>'
                     ' and more.</p>',
                     "short formulas kept whole", "desktop", r'maths "x \+ 1= y" is broken across lines'),
    "wide_code": ('<div class="cell"><div class="cell_input"><pre>' + "x = 1  # " + "a" * 150 + '</pre></div></div>',
                  "code and equations fit at desktop width", "desktop", r"code cell scrolls sideways: a line of 159"),
    "wide_code_in_solution": ('<div class="solution dropdown admonition toggle-hidden" style="padding:0 3rem">'
                              '<p class="admonition-title">Solution to Exercise 1.1</p><section>'
                              '<div class="cell"><div class="cell_input"><pre>' + "x = 1  # " + "a" * 70
                              + '</pre></div></div></section></div>' + TOGGLE,
                              "code and equations fit at desktop width", "desktop",
                              r"code cell in a solution scrolls sideways: a line of 79"),
    "wide_equation": ('<div class="math" style="overflow:hidden"><mjx-container display="true" '
                      'style="display:block;overflow:auto"><span style="display:inline-block;width:1200px">'
                      'L = a very wide formula</span></mjx-container></div>',
                      "code and equations fit at desktop width", "desktop", r"display equation wider than the column"),
    "solution_open": (solution("Solution to Exercise 1.1", folded=False) + TOGGLE,
                      "solutions fold", "desktop", r"not folded on arrival"),
    "solution_link": ('<p id="ex-1-1">Exercise 1.1</p><div style="height:1500px"></div>'
                      '<div class="solution dropdown admonition toggle-hidden"><p class="admonition-title">'
                      'Solution to <a href="#ex-1-1">Exercise 1.1</a></p><section><p>42</p></section></div>'
                      "<script>document.querySelectorAll('.solution > .admonition-title').forEach(t => "
                      "t.addEventListener('click', e => { if (e.target === t) "
                      "t.parentElement.classList.toggle('toggle-hidden'); }));</script>",
                      "solutions fold", "desktop", r'a click on the a "Exercise 1\.1" goes to .*#ex-1-1'),
    "solution_button_only": ('<div class="solution dropdown admonition toggle-hidden"><p class="admonition-title">'
                             'Solution to Exercise 1.1 <button type="button" style="float:right">v</button></p>'
                             '<section><p>42</p></section></div>'
                             "<script>document.querySelector('.solution button').addEventListener('click', e => "
                             "e.target.closest('.solution').classList.toggle('toggle-hidden'));</script>",
                             "solutions fold", "desktop", r"a click on its left end of its title bar does not unfold"),
    "solution_button_unnamed": ('<div class="solution dropdown admonition" id="sol-1"><p class="admonition-title">'
                                'Solution to Exercise 1.1 <button type="button" class="toggle-button">v</button></p>'
                                '<section class="solution-content" id="sol-1-content"><p>42</p></section></div>'
                                "<script>window.addEventListener('load', () => setTimeout(() => "
                                "document.querySelectorAll('.toggle-button').forEach(b => { "
                                "b.setAttribute('aria-label', 'Toggle hidden content'); "
                                "b.removeAttribute('aria-controls'); }), 0));</script>",
                                "solution buttons say what they open", "desktop",
                                r'named "Toggle hidden content", not after "Solution to Exercise 1\.1'),
    "figure_small": ('<figure><img src="wide.png" alt="a wide stand-in" style="max-width:100%"></figure>',
                     "figures legible on a phone", "phone", r"shown at \d+% of its size and nothing to tap"),
    "figure_tap_small": ('<figure><a href="#" onclick="event.preventDefault(); '
                         'document.querySelector(\'dialog.small\').showModal()"><img src="wide.png" alt="wide" '
                         'style="max-width:100%"></a></figure>'
                         '<dialog class="small"><img src="wide.png" style="width:300px"></dialog>',
                         "figures legible on a phone", "phone", r"a tap shows it at 300 px"),
    "figure_tap_wide_silent": ('<figure><a href="#" onclick="event.preventDefault(); '
                               'document.querySelector(\'dialog.wide\').showModal()"><img src="wide.png" alt="wide" '
                               'style="max-width:100%"></a></figure>'
                               '<dialog class="wide" style="width:100vw;max-width:100vw;margin:0;padding:0">'
                               '<div style="overflow:auto"><img src="wide.png" style="width:1000px;max-width:none">'
                               '</div></dialog>',
                               "figures legible on a phone", "phone",
                               r"wider than the screen without saying that it scrolls sideways"),
    "scrubber_static": ("{scrubber_without_script}",
                        "scrubbers move", "desktop", r"does not change the picture"),
    "scrubber_unlabelled": ("{scrubber_unlabelled}",
                            "scrubbers move", "desktop", r"its slider has no label"),
    "scrubber_alt_stuck": ("{scrubber_alt_stuck}",
                           "scrubbers move", "desktop", r"its alt text stays"),
    "scrubber_untabbable": ("{scrubber_untabbable}",
                            "scrubbers move", "desktop", r"the Tab key does not reach its slider"),
    "scrubber_one_word_label": ("{scrubber_one_word_label}",
                                "scrubbers move", "desktop", r'its label "b" does not say what it changes'),
    # accessibility (tests/browser/accessibility.py)
    "axe_label_in_name": ('<button aria-label="Search">Search… <kbd>Ctrl</kbd>+<kbd>K</kbd></button>',
                          "axe-core: WCAG 2.1 A and AA", "desktop",
                          r"label-content-name-mismatch \(serious\).*1 element"),
    "axe_contrast": ('<p style="color:#bbb;background:#fff">Text too pale to read.</p>',
                     "axe-core: WCAG 2.1 A and AA", "phone", r"color-contrast"),
    "alt_file_name": ('<div class="cell_output"><img src="small.png" '
                      'alt="../_images/e4eeaac8d2f1b0a9c3e5f7a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9226ad.png"></div>',
                      "images have alt text", "desktop", r"is a file name or path"),
    "alt_too_short": ('<div class="cell_output"><img src="small.png" alt="a plot of the loss"></div>',
                      "images have alt text", "desktop", r"has 5 words; a figure's alt says in a sentence"),
    "alt_empty": ('<img src="small.png" alt="">',
                  "images have alt text", "desktop", r"empty alt but is not marked decorative"),
    "alt_missing": ('<img src="small.png">',
                    "images have alt text", "desktop", r"an image has no alt"),
    "alt_scrubber_default": ("{scrubber_default_alt}",
                             "images have alt text", "desktop", r"scrubber 1, frame 1: the alt .* has 7 words"),
    "maths_without_mathml": ('<span class="math"><mjx-container aria-label="x">x</mjx-container></span>',
                             "maths readable by assistive technology", "desktop",
                             r"1 of 1 formulas have no MathML"),
    "maths_without_speech": ('<span class="math"><mjx-container>x<mjx-assistive-mml style="display:none">'
                             '<math><mi>x</mi></math></mjx-assistive-mml></mjx-container></span>',
                             "maths readable by assistive technology", "desktop",
                             r"1 of 1 formulas have no spoken label"),
    "motion_animation": ('<style>@keyframes sn-spin { to { transform: rotate(360deg); } }</style>'
                         '<p style="animation: sn-spin 2s linear infinite !important; width: 5em">busy</p>',
                         "no motion for a reader who asks for less", "desktop", r"sn-spin runs on p"),
    "motion_smooth_scroll": ('<style>html { scroll-behavior: smooth !important; }</style><p>text</p>',
                             "no motion for a reader who asks for less", "phone", r"scrolls smoothly"),
    "scrubber_autoplay": ("{scrubber}<script>setInterval(() => { const i = document.querySelector("
                          "'.sn-scrubber input'); i.value = (Number(i.value) + 1) % 3; "
                          "i.dispatchEvent(new Event('input')); }, 200);</script>",
                          "scrubbers move", "desktop", r"changes its picture by itself"),
}


@pytest.fixture(scope="module")
def pages_site(chromium, tmp_path_factory):
    root = tmp_path_factory.mktemp("browser_pages")
    (root / "small.png").write_bytes(png(200, 100))
    (root / "wide.png").write_bytes(png(1000, 300))
    for name in ("scratchnet-book.js", "custom.css"):
        shutil.copy(ROOT / "book" / "_static" / name, root)
    scrubber = scrubber_html()
    fills = {
        "scrubber": scrubber,
        "scrubber_without_script": re.sub(r"<script>.*?</script>", "", scrubber, flags=re.S),
        "scrubber_unlabelled": re.sub(r"<label[^>]*>.*?</label>", "", scrubber, flags=re.S),
        "scrubber_alt_stuck": scrubber.replace("img.alt = data.alts[i];", ""),
        "scrubber_untabbable": scrubber.replace('type="range"', 'type="range" tabindex="-1"'),
        "scrubber_one_word_label": re.sub(r"(<label[^>]*>)[^<]*(</label>)", r"\1b\2", scrubber),
        "scrubber_default_alt": scrubber_html(alt=None),
    }
    assert all(fills[k] != scrubber for k in fills if k != "scrubber")  # each one really broken
    (root / "other.html").write_text(HEAD.format(title="other") + '<p id="here">here</p></body></html>')
    for name, body in [("good", GOOD)] + [(name, body) for name, (body, *_) in BROKEN.items()]:
        for key, value in fills.items():
            body = body.replace("{" + key + "}", value)
        (root / f"{name}.html").write_text(HEAD.format(title=name) + body + "</body></html>")
    with chromium.site(root) as site:
        yield site


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_well_made_page_passes_every_check(pages_site, width):
    with pages_site.visit("good.html", width) as visit:
        assert run_checks(visit, checks_here()) == {}


def test_the_well_made_page_has_what_the_checks_look_at(pages_site):
    """So that passing means something: maths (with MathML and speech), links, a solution, a
    stand-in, a scrubber, a wide figure (shown at under 3/4 of its size on a phone), images with
    alt texts and a decorative one."""
    with pages_site.visit("good.html", "phone") as visit:
        counts = visit.page.evaluate("""() => ({
          maths: document.querySelectorAll('.math mjx-container').length,
          links: document.querySelectorAll('a[href^="other.html#"]').length,
          solutions: document.querySelectorAll('.solution.dropdown').length,
          scrubbers: document.querySelectorAll('.sn-scrubber input[type=range]').length,
          shrunk: [...document.querySelectorAll('.cell_output img')].filter(
                    i => i.getBoundingClientRect().width < 0.75 * i.naturalWidth).length,
          mathml: document.querySelectorAll('mjx-container[aria-label] mjx-assistive-mml math').length,
          alts: [...document.images].filter(i => i.alt.split(' ').length >= 8).length,
          decorative: document.querySelectorAll('img[alt=""][role=presentation]').length })""")
    assert counts["shrunk"] >= 1 and counts["alts"] >= 2   # the figure and the scrubber's frame
    assert counts == {"maths": 1, "links": 1, "solutions": 1, "scrubbers": 1, "shrunk": counts["shrunk"],
                      "mathml": 1, "alts": counts["alts"], "decorative": 1}


def test_every_check_has_a_broken_page():
    assert {check for _, check, *_ in BROKEN.values()} == {c.name for c in CHECKS}


@pytest.mark.parametrize("name", list(BROKEN))
def test_the_check_fails_on_a_page_made_to_break_it(pages_site, name):
    _, check_name, width, pattern = BROKEN[name]
    if check_name not in {c.name for c in checks_here()}:
        pytest.skip(axe_missing())
    with pages_site.visit(f"{name}.html", width) as visit:
        problems = by_name(check_name).run(visit)
    assert problems, f"{check_name!r} found nothing wrong with {name}.html"
    assert any(re.search(pattern, p) for p in problems), problems
