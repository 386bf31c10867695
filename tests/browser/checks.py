"""The checks each page gets: a check is `check(visit) -> list[str]`, the problems it found
(empty: fine), registered in CHECKS with `@check(name)`. Checks that change the page (clicks,
key presses) say `changes_page=True` and run after those that only look.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Callable

from tests.browser.harness import WATCH_JS, Visit, settle_page

STILL_MS = 800  # how long a scrubber is watched, untouched, before it is moved

@dataclass
class Check:
    name: str
    run: Callable[[Visit], list[str]]
    changes_page: bool = False


CHECKS: list[Check] = []


def check(name: str, *, changes_page: bool = False):
    """Register a check; checks that click or type run after those that only look."""
    def register(function: Callable[[Visit], list[str]]) -> Callable[[Visit], list[str]]:
        CHECKS.append(Check(name, function, changes_page))
        CHECKS.sort(key=lambda c: c.changes_page)  # stable: registration order otherwise
        return function
    return register


def run_checks(visit: Visit, checks: list[Check] | None = None) -> dict[str, list[str]]:
    """{check name: problems} for every check that found a problem."""
    found = {}
    for item in checks if checks is not None else CHECKS:
        problems = item.run(visit)
        if problems:
            found[item.name] = problems
    return found


def by_name(name: str) -> Check:
    (item,) = [c for c in CHECKS if c.name == name]
    return item


# Shared JavaScript: what a reader can see, and a short description of an element.
JS_HELPERS = r"""
const shown = el => {
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return false;
  const cs = getComputedStyle(el);
  return cs.visibility !== 'hidden' && parseFloat(cs.opacity) > 0.01;
};
const snippet = (text, n = 70) => {
  text = (text || '').replace(/\s+/g, ' ').trim();
  return text.length > n ? text.slice(0, n) + '…' : text;
};
const describe = el => {
  let name = el.tagName.toLowerCase();
  if (el.id) name += '#' + el.id;
  else if (el.classList.length) name += '.' + [...el.classList].slice(0, 2).join('.');
  if (el.tagName === 'MJX-CONTAINER') {
    const tex = el.closest('.math') || el.parentElement;
    const mml = el.querySelector('mjx-assistive-mml');
    return `maths "${snippet(el.getAttribute('aria-label') || (mml && mml.textContent) || tex.textContent)}"`;
  }
  if (el.tagName === 'IMG') return `${name} "${snippet(el.alt || el.src, 50)}"`;
  const where = el.closest('.cell') ? ' in a code cell' : '';
  return `${name}${where} "${snippet(el.textContent)}"`;
};
"""


def _js(body: str) -> str:
    """A JavaScript function with the shared helpers in scope."""
    return f"(arg) => {{ {JS_HELPERS}\n{body} }}"


@check("maths typeset")
def maths_typeset(visit: Visit) -> list[str]:
    """Every maths element typeset by MathJax, no TeX error, and no raw TeX left in the text."""
    return visit.page.evaluate(_js(r"""
    const out = [];
    for (const m of document.querySelectorAll('.math'))
      if (!m.querySelector('mjx-container')) out.push(`maths not typeset: "${snippet(m.textContent)}"`);
    for (const e of document.querySelectorAll('mjx-merror'))
      out.push(`TeX error: "${snippet(e.getAttribute('data-mjx-error') || e.textContent)}"`);
    const TEX = /\\\(|\\\)|\\\[|\\\]|\$\$|\\(?:frac|partial|begin|end|sum|mathbf|mathrm|left|right|cdot|sqrt|top)(?![a-zA-Z])/;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: n =>
      n.parentElement.closest('script, style, pre, code, kbd, samp, textarea, mjx-container, .math')
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
    for (let n; (n = walker.nextNode());)
      if (TEX.test(n.data)) out.push(`raw TeX in the text: "${snippet(n.data)}"`);
    return out;"""))


@check("offline and error-free")
def offline_and_error_free(visit: Visit) -> list[str]:
    """No request to another host, no failed request, no console error, no uncaught exception."""
    return ([f"requests another host: {u}" for u in visit.foreign_requests]
            + [f"failed to load: {u}" for u in visit.failed_requests]
            + [f"console error: {m}" for m in visit.console_errors]
            + [f"JavaScript error: {e}" for e in visit.page_errors])


@check("links and images")
def links_and_images(visit: Visit) -> list[str]:
    """Every link into the site reaches a page and, with a #fragment, an element on it;
    every image has loaded."""
    found = visit.page.evaluate(_js(r"""
    const ids = new Set([...document.querySelectorAll('[id]')].map(e => e.id));
    for (const a of document.querySelectorAll('a[name]')) ids.add(a.getAttribute('name'));
    return {
      here: location.href.split('#')[0],
      ids: [...ids],
      links: [...document.querySelectorAll('a[href]')].map(a => [a.href, describe(a)]),
      broken: [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(describe),
    };"""))
    problems = [f"image did not load: {d}" for d in found["broken"]]
    here_ids = set(found["ids"])
    for href, what in found["links"]:
        if not href.startswith(visit.site.base):
            continue
        target, _, fragment = href.partition("#")
        fragment = urllib.parse.unquote(fragment)
        if target == found["here"]:
            ok = not fragment or fragment in here_ids
            if not ok:
                problems.append(f"link to a missing anchor #{fragment} on this page: {what}")
            continue
        status, ids = visit.site.target(target)
        if status != 200:
            problems.append(f"broken link ({status}) to {target.removeprefix(visit.site.base)}: {what}")
        elif fragment and fragment not in ids:
            problems.append(f"link to a missing anchor {href.removeprefix(visit.site.base)}: {what}")
    return problems


@check("unique ids")
def unique_ids(visit: Visit) -> list[str]:
    return visit.page.evaluate(r"""() => {
      const count = new Map();
      for (const e of document.querySelectorAll('[id]')) count.set(e.id, (count.get(e.id) || 0) + 1);
      return [...count].filter(([, n]) => n > 1).map(([id, n]) => `id "${id}" is used ${n} times`);
    }""")


@check("widget stand-ins")
def widget_standins(visit: Visit) -> list[str]:
    """No live-widget placeholder (the book has no kernel), and every cell that draws a stand-in
    or a scrubber shows it."""
    return visit.page.evaluate(_js(r"""
    const out = [];
    const text = document.body.innerText;
    for (const bad of ['Loading widget', 'model_id', 'Error displaying widget'])
      if (text.includes(bad)) out.push(`the page shows "${bad}"`);
    const ids = text.match(/\b[0-9a-f]{32}\b/g);
    if (ids) out.push(`the page shows widget model ids: ${ids.slice(0, 3).join(', ')}`);
    for (const s of document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'))
      out.push(`a live widget the book cannot show: ${snippet(s.textContent)}`);
    for (const cell of document.querySelectorAll('.cell')) {
      const source = cell.querySelector('.cell_input');
      if (!source || !/\.(standin|scrub)\(/.test(source.textContent)) continue;
      const pictures = [...cell.querySelectorAll('.cell_output img, .cell_output .sn-scrubber')];
      const ok = pictures.some(p => (p.tagName !== 'IMG' || p.naturalWidth > 0) &&
                                    p.getBoundingClientRect().width > 50);
      if (!ok) out.push(`no stand-in shown for the cell "${snippet(source.textContent)}"`);
    }
    return out;"""))


@check("one search field")
def one_search_field(visit: Visit) -> list[str]:
    """At most one of the theme's search fields or search buttons is visible (there were two at
    desktop width: a header bar holding only a search field, and the sidebar's). The search
    page's own search form, in the page body, is not one of them."""
    return visit.page.evaluate(_js(r"""
    const found = [...document.querySelectorAll('.search-button-field, .search-button__button')]
      .filter(e => shown(e) && !e.closest('dialog:not([open])'));
    const outer = found.filter(e => !found.some(f => f !== e && f.contains(e)));
    return outer.length > 1 ? [`${outer.length} search fields: ${outer.map(describe).join('; ')}`] : [];"""))


@check("nothing cut off")
def nothing_cut_off(visit: Visit) -> list[str]:
    """No content cut off where no scroll reaches it: by a box that hides its overflow, or by the
    edge of a window that cannot be scrolled sideways."""
    return visit.page.evaluate(_js(r"""
    const out = [], reported = new Set();
    const hides = v => v === 'hidden' || v === 'clip';
    const scrolls = v => v === 'auto' || v === 'scroll';
    const skip = el => (el.closest('mjx-container') && el.tagName !== 'MJX-CONTAINER') ||
                       (el.closest('svg') && el.tagName.toLowerCase() !== 'svg');
    const textBeyond = (el, beyond) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n; (n = walker.nextNode());) {
        if (!n.data.trim() || !shown(n.parentElement) || skip(n.parentElement)) continue;
        const range = document.createRange(); range.selectNodeContents(n);
        for (const r of range.getClientRects()) if (r.width > 0 && beyond(r)) return n.parentElement;
      }
      return null;
    };
    const scrolledInside = (d, el) => {  // a box between d and el scrolls: d can be reached
      for (let a = d.parentElement; a && a !== el; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (scrolls(cs.overflowX) || scrolls(cs.overflowY)) return true;
      }
      return false;
    };
    const culprits = (el, beyond) => {
      const found = [];
      for (const d of el.querySelectorAll('*')) {
        if (skip(d) || found.some(f => f.contains(d)) || !shown(d) || scrolledInside(d, el)) continue;
        if (beyond(d.getBoundingClientRect())) found.push(d);
      }
      if (!found.length) { const t = textBeyond(el, beyond); if (t) found.push(t); }
      return found.filter(d => !reported.has(d));
    };
    // 1. boxes that hide what overflows them
    for (const el of document.body.querySelectorAll('*')) {
      if (skip(el)) continue;
      const cs = getComputedStyle(el);
      const hx = hides(cs.overflowX), hy = hides(cs.overflowY);
      if (!hx && !hy) continue;
      if (el.clientWidth <= 2 || el.clientHeight <= 2 || !shown(el)) continue;  // screen-reader-only text
      const ox = hx && el.scrollWidth > el.clientWidth + 2, oy = hy && el.scrollHeight > el.clientHeight + 2;
      if (!ox && !oy) continue;
      const b = el.getBoundingClientRect();
      const left = b.left + el.clientLeft, top = b.top + el.clientTop;
      const right = left + el.clientWidth, bottom = top + el.clientHeight;
      const beyond = r => (ox && (r.right > right + 2 || r.left < left - 2)) ||
                          (oy && (r.bottom > bottom + 2 || r.top < top - 2));
      const cut = culprits(el, beyond);
      cut.forEach(c => reported.add(c));
      if (cut.length)
        out.push(`${describe(el)} hides part of ${cut.slice(0, 3).map(describe).join('; ')}`);
    }
    // 2. the window's edge, when the page cannot be scrolled sideways to reach past it
    const x0 = scrollX, y0 = scrollY;
    scrollTo(1e6, y0); const pans = scrollX > 0; scrollTo(x0, y0);
    if (!pans) {
      const vw = document.documentElement.clientWidth;
      const beyond = r => r.right > vw + 2 || r.left < -2;
      const found = [];
      for (const el of document.body.querySelectorAll('*')) {
        if (skip(el) || found.some(f => f.contains(el)) || reported.has(el)) continue;
        const r = el.getBoundingClientRect();
        if (!beyond(r) || !shown(el) || getComputedStyle(el).position === 'fixed') continue;
        let a = el.parentElement, reachable = false;
        for (; a && a !== document.body; a = a.parentElement)
          if (scrolls(getComputedStyle(a).overflowX)) { reachable = true; break; }
        if (!reachable) found.push(el);
      }
      if (found.length)
        out.push(`cut off by the edge of the window: ${found.slice(0, 3).map(describe).join('; ')}`);
    }
    return out;"""))


@check("no sideways page scroll")
def no_sideways_page_scroll(visit: Visit) -> list[str]:
    """The page itself never pans sideways; wide content scrolls inside its own box."""
    return visit.page.evaluate(_js(r"""
    const d = document.documentElement, vw = d.clientWidth;
    const x0 = scrollX, y0 = scrollY;
    scrollTo(1e6, y0); const pan = scrollX; scrollTo(x0, y0);
    if (pan < 1 && d.scrollWidth <= vw + 1) return [];
    const scrolls = v => v === 'auto' || v === 'scroll';
    const found = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (found.some(f => f.contains(el)) || !shown(el)) continue;
      if (el.getBoundingClientRect().right <= vw + 1 || getComputedStyle(el).position === 'fixed') continue;
      let a = el.parentElement, inside = false;
      for (; a && a !== document.body; a = a.parentElement)
        if (scrolls(getComputedStyle(a).overflowX)) { inside = true; break; }
      if (!inside) found.push(el);
    }
    return [`the page scrolls sideways by ${Math.max(pan, d.scrollWidth - vw)} px, because of ` +
            (found.slice(0, 3).map(describe).join('; ') || 'no single element')];"""))


@check("short formulas kept whole")
def short_formulas_kept_whole(visit: Visit) -> list[str]:
    """A short inline formula (up to 170 px wide) is never broken across lines, nor parted from
    the bracket, quote or punctuation touching it: "(" alone at the end of a line with its
    formula on the next, or ")" or "," starting a line. The browser may break around and inside
    a formula (a row of inline boxes) where it would never break inside a word. A wider formula
    is left out: it must be able to break, or it would push a phone's page sideways."""
    return visit.page.evaluate(_js(r"""
    const out = [];
    const OPEN = /[(\[{\u201c\u2018"']$/, CLOSE = /^[)\]},.;:!?%\u2019\u201d"']/;
    const glyph = (node, i) => {
      const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
      return range.getBoundingClientRect();
    };
    const apart = (g, r) => g.height > 0 && (g.bottom <= r.top + 1 || g.top >= r.bottom - 1);
    for (const m of document.querySelectorAll('span.math')) {
      const c = m.querySelector('mjx-container');
      if (!c || !shown(c)) continue;
      const boxes = [...c.getClientRects()].filter(box => box.width > 0);
      if (boxes.reduce((sum, box) => sum + box.width, 0) > 170) continue;
      if (boxes.some(box => box.top >= boxes[0].bottom - 1)) {
        out.push(`${describe(c)} is broken across lines`);
        continue;
      }
      const r = c.getBoundingClientRect(), prev = m.previousSibling, next = m.nextSibling;
      if (prev && prev.nodeType === Node.TEXT_NODE && OPEN.test(prev.data) &&
          apart(glyph(prev, prev.data.length - 1), r))
        out.push(`"${prev.data.slice(-1)}" ends a line and ${describe(c)} starts the next`);
      if (next && next.nodeType === Node.TEXT_NODE && CLOSE.test(next.data) && apart(glyph(next, 0), r))
        out.push(`${describe(c)} ends a line and "${next.data[0]}" starts the next`);
    }
    return out;"""))


@check("code and equations fit at desktop width")
def code_and_equations_fit(visit: Visit) -> list[str]:
    """At desktop width no code cell, output or display equation is wider than the column, folded
    solutions included (unfolded for the measure, then folded again: a solution's box is narrower
    than the column). (A code block in the text, such as a shell command with a long URL, may
    scroll in its box.)"""
    if visit.phone:
        return []
    return visit.page.evaluate(_js(r"""
    const out = [];
    const folded = [...document.querySelectorAll('.solution.toggle-hidden')];
    folded.forEach(s => s.classList.remove('toggle-hidden'));
    try {
      for (const pre of document.querySelectorAll('.cell pre')) {
        if (pre.scrollWidth <= pre.clientWidth + 1 || pre.clientWidth < 50) continue;
        const lines = pre.textContent.split('\n');
        const longest = lines.reduce((a, b) => b.length > a.length ? b : a, '');
        const fits = Math.floor(longest.length * pre.clientWidth / pre.scrollWidth);
        let kind = pre.closest('.cell_output') ? 'output' : 'code cell';
        if (pre.closest('.solution')) kind += ' in a solution';
        out.push(`${kind} scrolls sideways: a line of ${longest.length} characters (about ${fits} fit): "${snippet(longest, 60)}"`);
      }
    } finally {
      folded.forEach(s => s.classList.add('toggle-hidden'));
    }
    for (const m of document.querySelectorAll('div.math')) {
      const inner = m.querySelector('mjx-container') || m;
      const width = inner.scrollWidth, room = m.clientWidth;
      if (width > room + 1)
        out.push(`display equation wider than the column (${width} px, room for ${room}): ${describe(inner)}`);
    }
    return out;"""))


@check("solution buttons say what they open")
def solution_buttons_named(visit: Visit) -> list[str]:
    """Each solution's fold button is named after its solution (not "Toggle hidden content", the
    same for all fifteen) and points at the content it folds (aria-controls)."""
    return visit.page.evaluate(_js(r"""
    const out = [];
    document.querySelectorAll('.solution > .admonition-title').forEach((title, i) => {
      const button = title.querySelector('button.toggle-button');
      if (!button) return;
      const name = button.getAttribute('aria-label') || '';
      const heading = title.textContent.replace(/\s+/g, ' ').trim();
      if (!heading || !name.includes(heading.slice(0, 20)))
        out.push(`solution ${i + 1}'s button is named "${snippet(name, 40)}", not after "${snippet(heading, 40)}"`);
      const target = button.getAttribute('aria-controls');
      if (!target || !document.getElementById(target))
        out.push(`solution ${i + 1}'s button does not point at what it folds (aria-controls)`);
    });
    return out;"""))


@check("solutions fold", changes_page=True)
def solutions_fold(visit: Visit) -> list[str]:
    """Every solution is folded on arrival, and a click anywhere on its title bar (its start, its
    middle, its end, and on every link or element in it) unfolds it without leaving the place."""
    page, problems = visit.page, []
    count = page.evaluate("() => document.querySelectorAll('.solution.dropdown').length")
    state = """(i) => {
      const s = document.querySelectorAll('.solution.dropdown')[i];
      const body = [...s.children].filter(c => !c.classList.contains('admonition-title'));
      const open = body.some(c => { const r = c.getBoundingClientRect(), cs = getComputedStyle(c);
        return r.height > 1 && cs.visibility !== 'hidden' && parseFloat(cs.opacity) > 0.01; });
      return {open, href: location.href, y: Math.round(scrollY)};
    }"""
    for i in range(count):
        first = page.evaluate(state, i)
        title = page.locator(".solution.dropdown").nth(i).locator(":scope > .admonition-title")
        if title.count() != 1:
            problems.append(f"solution {i + 1} has no title bar to click")
            continue
        name = f'solution {i + 1} "{title.inner_text().strip()[:60]}"'
        if first["open"]:
            problems.append(f"{name} is not folded on arrival")
            continue
        title.scroll_into_view_if_needed()
        box = title.bounding_box()
        w, h = box["width"], box["height"]
        # (what, element, position inside it or None for its centre)
        points = [("its left end", title, {"x": 3, "y": h / 2}), ("its middle", title, {"x": w / 2, "y": h / 2}),
                  ("its right end", title, {"x": w - 3, "y": h / 2})]
        children = title.locator("*")
        for k in range(children.count()):
            child = children.nth(k)
            b = child.bounding_box()
            if b and b["width"] > 2 and b["height"] > 2 and child.evaluate("e => !e.closest('button')"):
                text = child.inner_text().strip()[:40]
                points.append((f'the {child.evaluate("e => e.tagName.toLowerCase()")} "{text}"', child, None))
        for where, element, position in points:
            before = page.evaluate(state, i)
            try:
                element.click(position=position, timeout=3000)
            except Exception as error:  # playwright's TimeoutError: something covers the spot
                problems.append(f"{name}: {where} of its title bar cannot be clicked ({str(error).splitlines()[0]})")
                continue
            try:
                page.wait_for_function(f"() => ({state})({i}).open", timeout=1500)
            except Exception:
                pass
            after = page.evaluate(state, i)
            if after["href"] != before["href"]:
                problems.append(f"{name}: a click on {where} goes to {after['href']} instead of unfolding it")
                page.goto(before["href"].split("#")[0])
                settle_page(page)
                break
            if not after["open"]:
                problems.append(f"{name}: a click on {where} of its title bar does not unfold it")
                continue
            if abs(after["y"] - before["y"]) > 2:
                problems.append(f"{name}: a click on {where} scrolls the page by {after['y'] - before['y']} px")
            element.click(position=position, timeout=3000)  # fold it again for the next point
            try:
                page.wait_for_function(f"() => !({state})({i}).open", timeout=1500)
            except Exception:
                problems.append(f"{name}: a second click on {where} does not fold it again")
                break
    return problems


@check("figures legible on a phone", changes_page=True)
def figures_legible(visit: Visit) -> list[str]:
    """On a phone, a figure shown at less than 3/4 of its size opens at full size on a tap; if it
    is wider than the screen, the dialog says that it scrolls sideways, and the keyboard can
    scroll it."""
    if not visit.phone:
        return []
    page, problems = visit.page, []
    small = page.evaluate(_js(r"""
    const all = [...document.querySelectorAll('.cell_output img, .sn-scrubber img, figure img')];
    return all.map((img, i) => [i, img.naturalWidth, img.getBoundingClientRect().width, describe(img)])
              .filter(([i, natural, shownWidth]) => natural > 0 && shownWidth > 0 && shownWidth < 0.75 * natural);
    """))
    for index, natural, width, what in small:
        opened = page.evaluate(r"""async (i) => {
          const img = [...document.querySelectorAll('.cell_output img, .sn-scrubber img, figure img')][i];
          const button = img.closest('button, a');
          if (!button) return 'nothing to tap';
          img.scrollIntoView({block: 'center'});
          button.click();
          await new Promise(r => setTimeout(r, 100));
          const dialog = document.querySelector('dialog[open]');
          if (!dialog) return 'a tap opens nothing';
          const big = [...dialog.querySelectorAll('img')].find(b => b.src === img.src);
          const w = big ? big.getBoundingClientRect().width : 0;
          const scroller = big && big.parentElement;
          const note = dialog.querySelector('.sn-zoom-note');
          const wide = big && w > scroller.clientWidth + 1;
          const told = note && getComputedStyle(note).display !== 'none' && note.textContent.trim();
          const keyboard = scroller && scroller.tabIndex >= 0;
          dialog.close();
          await new Promise(r => setTimeout(r, 50));
          if (wide && !told) return 'a tap shows it wider than the screen without saying that it scrolls sideways';
          if (wide && !keyboard) return 'a tap shows it wider than the screen in a box the keyboard cannot scroll';
          if (!big) return 'a tap opens a dialog without the figure';
          return w >= img.naturalWidth - 1 ? '' : `a tap shows it at ${Math.round(w)} px`;
        }""", index)
        if opened:
            problems.append(f"{what} is shown at {width / natural:.0%} of its size and {opened}")
    return problems


@check("scrubbers move", changes_page=True)
def scrubbers_move(visit: Visit) -> list[str]:
    """Every scrubber has a slider with a label saying what it changes, that the Tab key reaches,
    that does not play by itself, and that the mouse and the arrow keys (both ways) move; moving
    it changes the picture and its alt text."""
    page, problems = visit.page, []
    count = page.evaluate("() => document.querySelectorAll('.sn-scrubber').length")
    info = """(i) => { const s = document.querySelectorAll('.sn-scrubber')[i];
      const input = s.querySelector('input[type=range]'), img = s.querySelector('img');
      const label = input && (input.labels && input.labels.length ? input.labels[0].textContent.trim()
                                                                 : input.getAttribute('aria-label'));
      return {input: !!input, img: !!img, src: img ? img.src : '', alt: img ? img.alt : '',
              value: input ? input.value : '', label: label || '',
              tabbable: !!input && input.tabIndex >= 0 && !input.disabled,
              focused: !!input && document.activeElement === input}; }"""
    # Untouched since the page settled (harness.WATCH_JS), for at least STILL_MS: no picture may
    # have changed by itself (a scrubber never plays; under reduced motion nothing may move).
    watched = page.evaluate("() => window.__snStill ? performance.now() - window.__snStill.since : -1")
    if count and watched < 0:  # a page the harness did not settle: watch now
        page.evaluate(WATCH_JS)
        watched = 0
    if count and watched < STILL_MS:
        page.wait_for_timeout(STILL_MS - watched)
    moved_alone = set(page.evaluate("() => window.__snStill ? window.__snStill.changed : []"))
    for i in range(count):
        name = f"scrubber {i + 1}"
        first = page.evaluate(info, i)
        if not (first["input"] and first["img"]):
            problems.append(f"{name} has no slider or no picture")
            continue
        if not first["label"]:
            problems.append(f"{name}: its slider has no label")
        elif len(first["label"].split()) < 2:
            problems.append(f'{name}: its label "{first["label"]}" does not say what it changes '
                            f'(a word and a symbol at least, e.g. "bias b")')
        if not first["tabbable"]:
            problems.append(f"{name}: the Tab key does not reach its slider")
        if i in moved_alone:
            problems.append(f"{name} changes its picture by itself")
        slider = page.locator(".sn-scrubber").nth(i).locator("input[type=range]")
        slider.scroll_into_view_if_needed()
        box = slider.bounding_box()
        start = page.evaluate(info, i)
        target_x = box["x"] + box["width"] * (0.1 if float(start["value"]) > 0 else 0.9)
        page.mouse.click(target_x, box["y"] + box["height"] / 2)
        moved = page.evaluate(info, i)
        if moved["value"] == start["value"] or moved["src"] == start["src"]:
            problems.append(f"{name}: a click on its slider does not change the picture")
        if moved["src"] != start["src"] and moved["alt"] == start["alt"]:
            problems.append(f"{name}: its alt text stays \"{start['alt'][:50]}\" when the picture changes")
        slider.focus()
        before = page.evaluate(info, i)
        forward = float(before["value"]) < float(slider.get_attribute("max") or 0)
        keys = ["ArrowRight", "ArrowLeft"] if forward else ["ArrowLeft", "ArrowRight"]
        page.keyboard.press(keys[0])
        after = page.evaluate(info, i)
        if not after["focused"]:
            problems.append(f"{name}: its slider does not keep the keyboard focus")
        if after["value"] == before["value"] or after["src"] == before["src"]:
            problems.append(f"{name}: the arrow keys do not change the picture")
        page.keyboard.press(keys[1])
        back = page.evaluate(info, i)
        if (back["value"], back["src"]) != (before["value"], before["src"]):
            problems.append(f"{name}: {keys[1]} does not bring back the picture {keys[0]} left")
    return problems
