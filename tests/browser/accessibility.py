"""The accessibility checks (issue 12), registered with the other browser checks:

* "axe-core: WCAG 2.1 A and AA": axe-core (from the npm registry, installed by `make axe` into
  tests/browser/node_modules, pinned by tests/browser/package-lock.json) is injected into the
  page from that local file and runs every rule tagged wcag2a, wcag2aa, wcag21a or wcag21aa,
  the rules axe marks experimental included (label-content-name-mismatch is one, and it is what
  the book failed); any violation is a problem.
* "images have alt text": every image says what it shows. No image without an alt; an empty alt
  only on an image marked decorative (role="presentation" or "none", or inside aria-hidden); no
  alt that is a file name, a path or a hash; at least 3 words, and for a figure (a cell's
  output, a scrubber, a <figure>) at least 8: one sentence saying what it shows and what to
  notice. Every frame of a scrubber has such an alt, each its own.
* "maths readable by assistive technology": every formula carries MathJax's hidden MathML
  (the assistive-mml extension) and a spoken label (the explorer's speech), both loaded from the
  book's own copy of MathJax ("offline and error-free" fails any request to another host).
* "no motion for a reader who asks for less": with the system's reduced-motion setting on, no
  animation runs, nothing plays by itself, and the page does not scroll smoothly.

Without axe-core installed the axe check cannot run: tests/test_browser.py then leaves it out and
skips one test saying how to install it (CI, with SCRATCHNET_REQUIRE_BROWSER=1, fails instead).
"""

from __future__ import annotations

import functools
from pathlib import Path

from tests.browser.checks import _js, check
from tests.browser.harness import Visit

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_CHECK = "axe-core: WCAG 2.1 A and AA"
HOW_TO_GET_AXE = ("the accessibility check needs axe-core from the npm registry: `make axe` "
                  "installs it into tests/browser/node_modules (npm ci; `make test-browser` does "
                  "it too); it needs npm (as root: `apt-get install -y npm`)")
FIGURE_WORDS, IMAGE_WORDS = 8, 3


def axe_missing() -> str | None:
    """Why the axe check cannot run here, or None if it can."""
    return None if AXE_JS.is_file() else f"no {AXE_JS.relative_to(AXE_JS.parents[4])}: {HOW_TO_GET_AXE}"


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


AXE_RUN = r"""async (tags) => {
  const rules = axe.getRules(tags).map(r => r.ruleId);   // experimental rules too
  const result = await axe.run(document, {runOnly: {type: 'rule', values: rules},
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    examples: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' +
      (n.failureSummary || '').split('\n').slice(1).join(' ').replace(/\s+/g, ' ').trim()),
  }));
}"""


@check(AXE_CHECK)
def axe_wcag(visit: Visit) -> list[str]:
    """axe-core's WCAG 2.0 and 2.1 level A and AA rules: no violation."""
    missing = axe_missing()
    if missing:
        return [f"axe-core cannot run: {missing}"]
    visit.page.add_script_tag(content=_axe_source())  # inline: no request, nothing from the network
    return [f"{v['id']} ({v['impact']}): {v['help']}; {v['count']} element(s), e.g. "
            + "; ".join(v["examples"]) for v in visit.page.evaluate(AXE_RUN, AXE_TAGS)]


@check("images have alt text")
def images_have_alt_text(visit: Visit) -> list[str]:
    """Every image has an alt that says what it shows (see the module's docstring)."""
    return visit.page.evaluate(_js(r"""
    const [FIGURE_WORDS, IMAGE_WORDS] = arg;
    const FILE = /\.(png|jpe?g|gif|svg|webp|bmp)\b|^\S*[\/\\]\S*$|\b[0-9a-f]{16,}\b/i;
    const words = t => t.split(/\s+/).filter(w => /[\p{L}\p{N}]/u.test(w)).length;
    const judge = (alt, figure) => {
      if (FILE.test(alt)) return 'is a file name or path';
      const need = figure ? FIGURE_WORDS : IMAGE_WORDS, n = words(alt);
      if (n < need) return `has ${n} word${n === 1 ? '' : 's'}` +
        (figure ? `; a figure's alt says in a sentence (${need}+ words) what it shows and what to notice`
                : `; say what it shows in ${need}+ words`);
      return '';
    };
    const out = [];
    for (const img of document.querySelectorAll('img')) {
      const alt = img.getAttribute('alt');
      const src = snippet((img.getAttribute('src') || '').replace(/^data:[^,]{0,40},.*/, 'data:…'), 50);
      const where = img.closest('.cell_output, .sn-scrubber, figure');
      if (alt === null) { out.push(`an image has no alt: ${src}`); continue; }
      const decorative = ['presentation', 'none'].includes(img.getAttribute('role')) || img.closest('[aria-hidden="true"]');
      if (!alt.trim()) {
        if (!decorative) out.push(`an image has an empty alt but is not marked decorative (role="presentation"): ${src}`);
        continue;
      }
      const fault = judge(alt, where);
      if (fault) out.push(`the alt "${snippet(alt, 80)}" ${fault}: ${src}`);
    }
    document.querySelectorAll('.sn-scrubber').forEach((s, i) => {
      const script = s.querySelector('script.sn-scrubber-data');
      if (!script) return;
      const alts = JSON.parse(script.textContent).alts || [];
      alts.forEach((alt, k) => {
        const fault = alt.trim() ? judge(alt, true) : 'is empty';
        if (fault) out.push(`scrubber ${i + 1}, frame ${k + 1}: the alt "${snippet(alt, 80)}" ${fault}`);
      });
      if (new Set(alts).size < alts.length)
        out.push(`scrubber ${i + 1}: frames share an alt text; each should say which picture it is`);
    });
    return out;"""), [FIGURE_WORDS, IMAGE_WORDS])


@check("maths readable by assistive technology")
def maths_readable(visit: Visit) -> list[str]:
    """Every typeset formula has hidden MathML for screen readers and a spoken label."""
    return visit.page.evaluate(_js(r"""
    const out = [], containers = [...document.querySelectorAll('mjx-container')];
    const noMml = containers.filter(c => !c.querySelector('mjx-assistive-mml math'));
    const noSpeech = containers.filter(c => !(c.getAttribute('aria-label') || '').trim());
    if (noMml.length) out.push(`${noMml.length} of ${containers.length} formulas have no MathML for ` +
                               `assistive technology (MathJax's assistive-mml), e.g. ${describe(noMml[0])}`);
    if (noSpeech.length) out.push(`${noSpeech.length} of ${containers.length} formulas have no spoken ` +
                                  `label (MathJax's explorer), e.g. ${describe(noSpeech[0])}`);
    return out;"""))


@check("no motion for a reader who asks for less", changes_page=True)
def no_motion_when_reduced(visit: Visit) -> list[str]:
    """With prefers-reduced-motion: reduce, nothing animates, plays or scrolls smoothly."""
    page = visit.page
    page.emulate_media(reduced_motion="reduce")
    try:
        return page.evaluate(_js(r"""
        return (async () => {
          await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
          const out = [];
          if (!matchMedia('(prefers-reduced-motion: reduce)').matches)
            return ['the reduced-motion setting did not reach the page'];
          for (const a of document.getAnimations()) {
            if (a.playState !== 'running') continue;
            const target = a.effect && a.effect.target;
            const what = a.animationName || a.transitionProperty || 'a script animation';
            out.push(`${what} runs on ${target ? describe(target) : 'the page'}`);
          }
          for (const m of document.querySelectorAll('video[autoplay], audio[autoplay], marquee'))
            out.push(`${describe(m)} plays by itself`);
          if (getComputedStyle(document.documentElement).scrollBehavior === 'smooth')
            out.push('the page scrolls smoothly (scroll-behavior: smooth) when asked for less motion');
          return out;
        })();"""))
    finally:
        page.emulate_media(reduced_motion="null")
