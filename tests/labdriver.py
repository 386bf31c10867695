"""Drive JupyterLab in headless Chromium the way a learner does: the machinery of the live widget
test (`tests/test_lab_widgets.py`) and of its companions (`tests/test_lab_guards.py`).

- `jupyterlab(root)` starts the JupyterLab that `make lab` installs (requirements-lab.txt) on
  127.0.0.1 with a token, no browser, and throwaway config, data, runtime, settings and
  workspace directories, serving a directory of notebook copies.
- `browser(...)` opens Debian's Chromium through Python's playwright, offline: every request
  that does not go to 127.0.0.1 is refused.
- `Lab` opens notebooks in it, runs them, and checks them. Each check returns a list of
  problems (plain sentences), so a test can report every problem of a chapter at once, and a
  companion test can show that each check fires on a deliberately broken notebook.

Widgets are found generically: every output area that holds an ipywidgets view, and in it every
control (sliders, toggle buttons, dropdowns, radio buttons, checkboxes, text boxes). A control
of any other kind is itself reported as a problem, so a new chapter cannot slip past untested.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOW_TO_GET_CHROMIUM = ("the live JupyterLab test needs Debian's Chromium at /usr/bin/chromium "
                       "(as root: apt-get install -y chromium; or set CHROMIUM=/path/to/chromium)")
HOW_TO_GET_LAB = "the live JupyterLab test needs JupyterLab and playwright: run `make test-lab` (installs requirements-lab.txt)"

VIEWPORT = {"width": 1280, "height": 900}
NARROW = {"width": 700, "height": 900}   # a narrow window (half a laptop screen), file browser still open
DEVICE_SCALE = 2      # a high-density screen: a figure must bring 2 device pixels per CSS pixel
MIN_TRACK = 120       # px: the shortest slider track a learner can still move with the mouse
# The smallest share of its drawn size a figure may be shown at. The widgets draw at DEVICE_SCALE
# device pixels per CSS pixel (the blurry check above holds them to it), so a figure's drawn CSS
# width is its PNG's width / DEVICE_SCALE; and they draw no text smaller than MIN_DRAWN_TEXT CSS
# px at that size (tests/test_widgets_common.py checks every widget). Shown at MIN_FIGURE_SCALE
# of it or more, every text of the figure is at least MIN_TEXT CSS px tall: still readable.
MIN_TEXT = 7.0
MIN_DRAWN_TEXT = 9.25  # matplotlib's "small" (8.33 pt) at the widgets' 80 dpi: 9.26 CSS px
MIN_FIGURE_SCALE = MIN_TEXT / MIN_DRAWN_TEXT  # 0.757
REDRAW_TIMEOUT = 10.0  # s: how long a figure may take to change after a control moved

# ipywidgets views, by the class on their element (ipywidgets 8, as `make lab` installs).
CONTROLS = {
    "slider": ".widget-slider",
    "toggle buttons": ".widget-toggle-buttons",
    "dropdown": ".widget-dropdown",
    "radio buttons": ".widget-radio",
    "checkbox": ".widget-checkbox",
    "text box": ".widget-text",
}
PASSIVE = [".widget-box", ".widget-image", ".widget-html", ".widget-htmlmath", ".widget-label",
           ".widget-output", ".widget-progress", ".widget-hprogress", ".widget-vprogress",
           ".widget-inline-hbox.widget-readout"]


def missing_requirements() -> str | None:
    """Why the live test cannot run here (a message saying how to fix it), or None."""
    try:
        import jupyterlab  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return HOW_TO_GET_LAB
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        return HOW_TO_GET_CHROMIUM
    return None


# --- the server ------------------------------------------------------------------------------

@dataclass
class Server:
    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(root: Path, timeout: float = 90.0):
    """Start JupyterLab serving `root`; yield a `Server`; stop it (and its kernels) afterwards."""
    home = Path(tempfile.mkdtemp(prefix="lab-home-"))
    dirs = {name: home / name for name in ("config", "data", "runtime", "settings", "workspaces")}
    for d in dirs.values():
        d.mkdir()
    # No news feed, no update check: the test runs offline and must not wait on a toast.
    notification = dirs["settings"] / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_DATA_DIR": str(dirs["data"]),
           "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]), "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
           "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]), "JUPYTER_PLATFORM_DIRS": "1",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    env.pop("MPLBACKEND", None)
    port, token = _free_port(), os.urandom(16).hex()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--ServerApp.allow_root=True")
    log = home / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not start; its log:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        yield Server(url, token, root, log, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(home, ignore_errors=True)


# --- the browser -----------------------------------------------------------------------------

@contextlib.contextmanager
def browser(device_scale: float = DEVICE_SCALE, viewport: dict = VIEWPORT):
    """A fresh Chromium profile through playwright, offline except for 127.0.0.1; yields a page."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="lab-chromium-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True,
                viewport=viewport, device_scale_factor=device_scale)
            context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
            try:
                yield context.pages[0] if context.pages else context.new_page()
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@contextlib.contextmanager
def session(root: Path, **lab_options):
    """JupyterLab serving `root` and a browser on it: yields a `Lab`. Skips (or, with
    LAB_TEST_STRICT=1 as in CI, fails) when JupyterLab, playwright or Chromium is missing."""
    import pytest

    why = missing_requirements()
    if why:
        if os.environ.get("LAB_TEST_STRICT") == "1":
            pytest.fail(why)
        pytest.skip(why)
    with jupyterlab(root) as server, browser() as page:
        yield Lab(page, server, **lab_options)


# --- JupyterLab, as a learner drives it ------------------------------------------------------

JS_OPEN = """async (path) => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  const kernel = panel.sessionContext.session.kernel;
  await kernel.info;
  document.querySelectorAll('[data-live-test]').forEach(e => e.removeAttribute('data-live-test'));
  panel.node.setAttribute('data-live-test', '');
  window.liveTestPanel = panel;
  return panel.id;
}"""

JS_IDLE = """() => {
  const panel = window.liveTestPanel;
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""

JS_RUN_ALL = """() => {
  // Run > Run All Cells; window.liveTestRun turns true when the last cell has run.
  const app = window.jupyterapp;
  app.shell.activateById(window.liveTestPanel.id);
  window.liveTestRun = false;
  app.commands.execute('notebook:run-all-cells').then(
    () => { window.liveTestRun = true; }, (e) => { window.liveTestRun = String(e); });
}"""

JS_OUTPUT_PROBLEMS = """() => {
  const cells = window.liveTestPanel.content.model.cells;
  const found = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    for (const out of cell.outputs.toJSON()) {
      if (out.output_type === 'error')
        found.push(`cell ${i}: error output ${out.ename}: ${out.evalue}`);
      else if (out.output_type === 'stream' && out.name === 'stderr')
        found.push(`cell ${i}: stderr output: ${String(out.text).trim().slice(0, 300)}`);
    }
  }
  return found;
}"""

JS_FIGURE_HASH = """async (img) => {
  if (!img.complete || !img.naturalWidth) return null;
  const bytes = await (await fetch(img.src)).arrayBuffer();
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, '0')).join('');
}"""

JS_CLIPPED = r"""(e) => {
  // True when the text of e is cut off: ellipsis (scrollWidth > clientWidth), or e sticks out
  // of the notebook's visible area (its output area, and the notebook panel: an output wider than
  // the panel makes the notebook scroll sideways, and what sticks out is out of view).
  const r = e.getBoundingClientRect();
  const boxes = [e.closest('.jp-OutputArea-output'), e.closest('.jp-WindowedPanel-outer, .jp-Notebook')]
    .filter(Boolean).map(x => x.getBoundingClientRect());
  const outside = r.width < 1 || boxes.some(a => r.left < a.left - 1 || r.right > a.right + 1);
  const cut = e.scrollWidth > e.clientWidth + 1;
  const text = (e.textContent || '').replace(/[\s\u200b]+/g, ' ').trim();  // ipywidgets pads empty labels with U+200B
  return {cut, outside, text, width: r.width, scroll: e.scrollWidth};
}"""


def _number(text: str) -> float | None:
    try:
        return float(text.strip().replace("\u2212", "-"))
    except ValueError:
        return None


@dataclass
class Widget:
    """One output area holding an ipywidgets view."""
    name: str
    cell: int
    area: object                      # playwright Locator of the output area
    controls: list = field(default_factory=list)   # [(kind, Locator, label)]


class Lab:
    """A JupyterLab page, one notebook at a time. Problems are collected as sentences."""

    def __init__(self, page, server: Server, redraw_timeout: float = REDRAW_TIMEOUT):
        self.page, self.server, self.redraw_timeout = page, server, redraw_timeout
        self.console: list[str] = []
        self.measured: list[tuple] = []   # (notebook and width, widget, what, of what, value)
        self.context = ""
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))
        page.goto(f"{server.url}/lab?token={server.token}")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell && "
                               "window.jupyterapp.commands.hasCommand('docmanager:open')", timeout=60_000)
        page.wait_for_selector(".jp-FileBrowser", timeout=30_000)

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        text = message.text
        if "net::ERR_FAILED" in text or "ERR_NAME_NOT_RESOLVED" in text:
            return  # a resource outside 127.0.0.1 (the Colab badge), refused because the test is offline
        self.console.append(f"console error: {text[:300]}")

    # opening, closing, running
    def file_browser_open(self) -> bool:
        return self.page.locator(".jp-FileBrowser").first.is_visible()

    def open(self, path: str, timeout: float = 60.0) -> None:
        self.page.evaluate(JS_OPEN, path)
        self.page.wait_for_function(JS_IDLE, timeout=timeout * 1000)
        self.page.wait_for_timeout(500)  # let JupyterLab apply the kernel's metadata, if it will
        self.notebook = self.page.locator("[data-live-test]")

    def dirty(self) -> bool:
        return self.page.evaluate("() => window.liveTestPanel.context.model.dirty")

    def close(self, discard: bool = True) -> bool:
        """Close the notebook's tab with its close icon, as a learner does; return whether
        JupyterLab asked to save. With `discard`, answer the question by discarding changes."""
        panel_id = self.page.evaluate("() => window.liveTestPanel.id")
        self.page.locator(f".lm-DockPanel-tabBar .lm-TabBar-tab[data-id='{panel_id}'] .lm-TabBar-tabCloseIcon").click()
        from playwright.sync_api import TimeoutError as NoDialog

        dialog = self.page.locator(".jp-Dialog")
        try:
            dialog.wait_for(state="visible", timeout=1500)
            asked = True
        except NoDialog:
            asked = False
        if asked and discard:
            dialog.get_by_role("button", name=re.compile("Discard|Don.t Save", re.I)).click()
        self.page.wait_for_function("(id) => !document.getElementById(id)", arg=panel_id, timeout=10_000)
        return asked

    def shutdown_kernels(self) -> None:
        self.page.evaluate("() => window.jupyterapp.serviceManager.sessions.shutdownAll()")

    def run_all(self, timeout: float = 300.0) -> None:
        self.page.evaluate(JS_RUN_ALL)
        self.page.wait_for_function("() => window.liveTestRun !== false", timeout=timeout * 1000)
        self.page.wait_for_function(JS_IDLE, timeout=timeout * 1000)

    def output_problems(self) -> list[str]:
        return self.page.evaluate(JS_OUTPUT_PROBLEMS)

    def active_cell(self) -> int:
        return self.page.evaluate("() => window.liveTestPanel.content.activeCellIndex")

    # finding widgets
    def widgets(self) -> tuple[list[Widget], list[str]]:
        """Every output area holding a widget view, with its controls; and the problems found
        on the way (controls the test does not know how to drive)."""
        problems, found = [], []
        areas = self.notebook.locator(".jp-OutputArea-output:has(.jupyter-widgets)")
        known = ", ".join(CONTROLS.values())
        for i in range(areas.count()):
            area = areas.nth(i)
            index = area.evaluate("(e) => window.liveTestPanel.content.widgets.findIndex(c => c.node.contains(e))")
            widget = Widget(f"cell {index}, widget {i + 1}", index, area)
            for kind, selector in CONTROLS.items():
                for j in range(area.locator(selector).count()):
                    control = area.locator(selector).nth(j)
                    texts = control.locator(".widget-label, .widget-label-basic").all_text_contents()
                    text = next((t.replace("\u200b", "").strip() for t in texts if t.replace("\u200b", "").strip()), "")
                    widget.controls.append((kind, control, text))
            unknown = area.evaluate(f"""(e) => [...e.querySelectorAll('.jupyter-widgets')]
                .filter(w => !w.matches({json.dumps(', '.join(PASSIVE))}) && !w.matches({json.dumps(known)})
                             && !w.closest({json.dumps(known)}))
                .map(w => w.className)""")
            problems += [f"{widget.name}: a control this test cannot drive ({c}); teach tests/labdriver.py how"
                         for c in unknown]
            found.append(widget)
        return found, problems

    # checks on a widget as drawn
    def figures(self, widget: Widget):
        return widget.area.locator("img, canvas")

    def figure_hash(self, widget: Widget):
        figures = self.figures(widget)
        if figures.count() != 1:
            return None
        return figures.first.evaluate(JS_FIGURE_HASH)

    def layout_problems(self, widget: Widget, where: str = "") -> list[str]:
        """What is wrong with the widget as drawn now: figures (how many, stretched, too small to
        read), labels cut, slider tracks too short. `where` ("at 700 px: ") starts each sentence;
        every figure's scale and every slider's track width are kept in `self.measured`."""
        problems = []
        count = self.figures(widget).count()
        if widget.controls and count != 1:
            problems.append(f"{widget.name}: shows {count} figures, expected exactly 1")
        for k in range(count):
            size = self.figures(widget).nth(k).evaluate(
                "(e) => ({w: e.getBoundingClientRect().width, h: e.getBoundingClientRect().height,"
                " nw: e.naturalWidth || e.width, nh: e.naturalHeight || e.height, dpr: window.devicePixelRatio})")
            if size["w"] * size["dpr"] > size["nw"] + 0.5 or size["h"] * size["dpr"] > size["nh"] + 0.5:
                problems.append(
                    f"{widget.name}: figure {k + 1} is shown larger than it was drawn: "
                    f"{size['w']:.0f}x{size['h']:.0f} CSS px at device pixel ratio {size['dpr']:g} needs "
                    f"{size['w'] * size['dpr']:.0f}x{size['h'] * size['dpr']:.0f} pixels, the image has "
                    f"{size['nw']}x{size['nh']} (blurry, stretched)")
            scale = size["w"] / (size["nw"] / DEVICE_SCALE) if size["nw"] else 0.0
            self.measured.append((self.context, widget.name, f"figure {k + 1}", f"{size['w']:.0f} px of {size['nw'] / DEVICE_SCALE:.0f}",
                                  f"scale {scale:.2f}"))
            if scale < MIN_FIGURE_SCALE - 0.005:
                problems.append(
                    f"{widget.name}: figure {k + 1} is shown at {scale:.2f} of its drawn size "
                    f"({size['w']:.0f} CSS px of {size['nw'] / DEVICE_SCALE:.0f}): its smallest text "
                    f"({MIN_DRAWN_TEXT:g} px drawn) is {scale * MIN_DRAWN_TEXT:.1f} px, below {MIN_TEXT:g} px "
                    f"(needs a scale of at least {MIN_FIGURE_SCALE:.2f})")
        for kind, control, label in widget.controls:
            name = f"{widget.name}, {kind} {label!r}"
            if not label:
                problems.append(f"{widget.name}: a {kind} has no description saying what it changes")
            texts = control.locator(".widget-label, .widget-label-basic, .widget-readout, button")
            for t in range(texts.count()):
                state = texts.nth(t).evaluate(JS_CLIPPED)
                if state["text"] and (state["cut"] or state["outside"]):
                    problems.append(f"{name}: the text {state['text']!r} is not fully visible "
                                    f"({state['width']:.0f} px shown of {state['scroll']} px)")
            if kind == "slider":
                track = control.locator(".noUi-target, .ui-slider").first
                width = track.bounding_box()["width"] if track.count() else 0
                self.measured.append((self.context, widget.name, f"slider {label!r}", "track", f"{width:.0f} px"))
                if width < MIN_TRACK:
                    problems.append(f"{name}: slider track is {width:.0f} px wide, needs at least {MIN_TRACK} px")
        return [where + p for p in problems]

    # moving controls
    def _after_move(self, widget: Widget, before, what: str, cell_before: int) -> tuple[object, list[str]]:
        """Wait until the figure differs from `before`; return the new hash and any problems."""
        problems = []
        deadline = time.monotonic() + self.redraw_timeout
        after = before
        while time.monotonic() < deadline:
            after = self.figure_hash(widget)
            if after is not None and after != before:
                break
            self.page.wait_for_timeout(100)
        else:
            problems.append(f"{widget.name}: {what}: the figure did not change within {self.redraw_timeout:g} s")
        self.page.wait_for_timeout(150)  # would a second figure appear?
        count = self.figures(widget).count()
        if count != 1:
            problems.append(f"{widget.name}: {what}: {count} figures after the move, expected exactly 1")
        cell_after = self.active_cell()
        if cell_after != cell_before:
            problems.append(f"{widget.name}: {what}: JupyterLab took the key and moved from cell "
                            f"{cell_before} to cell {cell_after}")
        return after, problems

    def box(self, locator) -> dict:
        """The element's bounding box once it stops moving (JupyterLab scrolls smoothly)."""
        box = locator.bounding_box()
        for _ in range(30):
            self.page.wait_for_timeout(100)
            again = locator.bounding_box()
            if again == box:
                break
            box = again
        return box

    def drive(self, widget: Widget) -> list[str]:
        """Move every control by mouse, by keyboard and (where it takes text) by typing.

        The widget's cell is made the active cell first, as a learner's first click does; after
        each move the figure must change, exactly one figure must remain, and the active cell
        must stay (a key that JupyterLab takes for itself moves to another cell instead)."""
        problems = []
        widget.area.scroll_into_view_if_needed()
        self.page.evaluate("(i) => { window.liveTestPanel.content.activeCellIndex = i; }", widget.cell)
        self.box(widget.area)
        current = self.figure_hash(widget)
        if current is None:
            return [f"{widget.name}: no figure to watch"]
        for kind, control, label in widget.controls:
            steps = getattr(self, "_drive_" + kind.replace(" ", "_"))(control)
            for what, action in steps:
                what = f"{kind} {label!r}: {what}"
                cell = self.active_cell()
                try:
                    action()
                except Exception as error:  # noqa: BLE001 - a control that cannot be driven is a finding
                    problems.append(f"{widget.name}: {what}: could not be done ({str(error).splitlines()[0]})")
                    continue
                current, found = self._after_move(widget, current, what, cell)
                problems += found
        return problems

    def _drive_slider(self, control):
        page = self.page
        handle = control.locator(".noUi-handle, .ui-slider-handle").first
        track = control.locator(".noUi-target, .ui-slider").first
        readout = control.locator(".widget-readout").first
        start = readout.text_content().strip()

        def drag():
            handle.scroll_into_view_if_needed()
            t, h = self.box(track), self.box(handle)
            x, y = h["x"] + h["width"] / 2, h["y"] + h["height"] / 2
            direction = 1 if x < t["x"] + t["width"] / 2 else -1
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + direction * 0.4 * t["width"], y, steps=8)
            page.mouse.up()

        def keyboard():
            handle.focus()
            at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")

        def type_value():
            value = _number(start)
            now = _number(readout.text_content())
            text = start.replace("\u2212", "-") if value is not None and value != now else None
            if text is None:
                raise AssertionError(f"no value to type: the readout showed {start!r} and now shows "
                                     f"{readout.text_content()!r}")
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type(text)
            page.keyboard.press("Enter")
            shown = _number(readout.text_content())
            if shown != value:
                raise AssertionError(f"typed {text}, the readout shows {readout.text_content()!r}")

        return [("drag the handle", drag), ("arrow key", keyboard), ("type a value", type_value)]

    def _drive_toggle_buttons(self, control):
        buttons = control.locator("button")

        def other():
            for b in range(buttons.count()):
                if "mod-active" not in (buttons.nth(b).get_attribute("class") or ""):
                    return buttons.nth(b)
            raise AssertionError("every button is already chosen")

        def click():
            other().click()

        def keyboard():
            button = other()
            button.focus()
            self.page.keyboard.press("Space")

        return [("click a button", click), ("Space on a focused button", keyboard)]

    def _drive_dropdown(self, control):
        select = control.locator("select").first

        def choose():
            values = select.evaluate("(s) => [...s.options].map(o => o.value)")
            current = select.input_value()
            select.select_option(next(v for v in values if v != current))

        def keyboard():
            select.focus()
            at_end = select.evaluate("(s) => s.selectedIndex === s.options.length - 1")
            self.page.keyboard.press("ArrowUp" if at_end else "ArrowDown")

        return [("choose with the mouse", choose), ("arrow key", keyboard)]

    def _drive_radio_buttons(self, control):
        radios = control.locator("input[type=radio]")

        def click():
            for r in range(radios.count()):
                if not radios.nth(r).is_checked():
                    radios.nth(r).click()
                    return

        def keyboard():
            checked = next(r for r in range(radios.count()) if radios.nth(r).is_checked())
            radios.nth(checked).focus()
            self.page.keyboard.press("ArrowUp" if checked == radios.count() - 1 else "ArrowDown")

        return [("click an option", click), ("arrow key", keyboard)]

    def _drive_checkbox(self, control):
        box = control.locator("input[type=checkbox]").first

        def keyboard():
            box.focus()
            self.page.keyboard.press("Space")

        return [("click", lambda: box.click()), ("Space", keyboard)]

    def _drive_text_box(self, control):
        field_ = control.locator("input, textarea").first
        start = field_.input_value()

        def keyboard():  # a text box takes its value on Enter (or when it loses focus)
            field_.focus()
            at_max = field_.evaluate("(e) => e.max !== '' && e.max !== undefined && Number(e.value) >= Number(e.max)")
            self.page.keyboard.press("ArrowDown" if at_max else "ArrowUp")
            self.page.keyboard.press("Enter")

        def type_value():  # type back the value it started with
            if field_.input_value() == start:
                raise AssertionError(f"no value to type: the box still shows {start!r}")
            field_.click()
            self.page.keyboard.press("Control+A")
            self.page.keyboard.type(start)
            self.page.keyboard.press("Enter")

        return [("arrow key and Enter", keyboard), ("type a value", type_value)]

    # the whole round, for one notebook
    def check_opens_clean(self, path: str) -> list[str]:
        """Open the notebook untouched, let the kernel start, close it: nothing may change."""
        problems = []
        file = self.server.root / path
        before = file.read_bytes()
        self.open(path)
        if self.dirty():
            problems.append(f"{path}: JupyterLab marks the untouched notebook as changed on opening "
                            f"(stored metadata differs from what JupyterLab writes: {self._metadata_diff(before)})")
        if self.close(discard=True):
            problems.append(f"{path}: closing the untouched notebook asks whether to save it")
        self.shutdown_kernels()
        if file.read_bytes() != before:
            problems.append(f"{path}: opening and closing the untouched notebook changed the file")
        return problems

    def _metadata_diff(self, stored: bytes) -> str:
        live = self.page.evaluate("() => window.liveTestPanel.context.model.toJSON().metadata")
        saved = json.loads(stored)["metadata"]
        keys = sorted(k for k in set(live) | set(saved) if live.get(k) != saved.get(k))
        return "; ".join(f"{k}: stored {json.dumps(saved.get(k))}, JupyterLab has {json.dumps(live.get(k))}"
                         for k in keys) or "no metadata difference"

    def check_runs_and_widgets(self, path: str, screenshots: Path | None = None) -> list[str]:
        """Open, run every cell, then check and drive every widget."""
        problems = []
        self.console.clear()
        if not self.file_browser_open():
            problems.append("the file browser is not open (the checks assume it takes its usual width)")
        self.open(path)
        try:
            problems += self._run_and_drive(path, screenshots)
        finally:
            if self.page.viewport_size != VIEWPORT:
                self.resize(VIEWPORT)
            self.close(discard=True)
            self.shutdown_kernels()
        return problems

    def resize(self, viewport: dict) -> None:
        """Make the window `viewport` wide and wait until the notebook has laid itself out again."""
        self.page.set_viewport_size(viewport)
        self.page.wait_for_function("(w) => window.innerWidth === w", arg=viewport["width"])
        self.page.wait_for_timeout(400)   # JupyterLab re-lays out its panels on a resize

    def _run_and_drive(self, path: str, screenshots: Path | None) -> list[str]:
        """Run every cell in a narrow window (700 px, as on half a laptop screen) and check every
        widget's layout there; then at 1280 px check the layout again and drive every control.
        One run of the chapter serves both widths: the layout is CSS, so a resize re-lays it out."""
        problems = []
        self.resize(NARROW)
        self.run_all()
        outputs = self.output_problems()
        problems += [f"{path}: {p}" for p in outputs]
        widgets, found = self.widgets()
        problems += [f"{path}: {p}" for p in found]
        if not any(w.controls for w in widgets):
            problems.append(f"{path}: no widget with controls found after running every cell")
        if not self.file_browser_open():
            problems.append(f"{path}: at {NARROW['width']} px the file browser is not open (the checks assume it is)")
        stem = lambda widget: screenshots / f"{Path(path).stem}-{widget.name.replace(', ', '-').replace(' ', '')}"  # noqa: E731
        for width, viewport in ((NARROW["width"], NARROW), (VIEWPORT["width"], VIEWPORT)):
            if viewport is not NARROW:
                self.resize(viewport)
            self.context = f"{path} at {width} px"
            for widget in widgets:
                widget.area.scroll_into_view_if_needed()
                self.box(widget.area)
                if screenshots is not None:
                    self._screenshots(widget, stem(widget), width)
                where = "" if viewport is VIEWPORT else f"at {width} px: "
                problems += [f"{path}: {p}" for p in self.layout_problems(widget, where)]
                if widget.controls and viewport is VIEWPORT:
                    problems += [f"{path}: {p}" for p in self.drive(widget)]
            problems += [f"{path}: {p}" for p in self.scrubber_problems(width, drive=viewport is VIEWPORT)]
        problems += [f"{path}: after moving the controls: {p}" for p in self.output_problems() if p not in outputs]
        problems += [f"{path}: {p}" for p in self.console]
        return problems

    def scrubber_problems(self, width: int, drive: bool) -> list[str]:
        """The static scrubbers (frames behind an <input type="range">, the book's stand-ins, shown
        in the notebook too), in the window as it is: each picture is shown at MIN_FIGURE_SCALE of
        its size or more (it scrolls sideways in its box below that); with `drive`, ArrowRight
        moves the slider to the next frame and leaves JupyterLab on the same cell."""
        problems = []
        where = "" if width == VIEWPORT["width"] else f"at {width} px: "
        scrubbers = self.notebook.locator(".jp-OutputArea-output .sn-scrubber")
        for k in range(scrubbers.count()):
            scrubber = scrubbers.nth(k)
            name = f"scrubber {k + 1} ({scrubber.locator('label').first.text_content().strip()!r})"
            scrubber.scroll_into_view_if_needed()
            image = scrubber.locator("img").first
            shown, natural = image.evaluate("(i) => [i.getBoundingClientRect().width, i.naturalWidth]")
            if shown < MIN_FIGURE_SCALE * natural - 1:
                problems.append(f"{where}{name}: the picture is shown at {shown / natural:.2f} of its "
                                f"size, below {MIN_FIGURE_SCALE:.2f}: its text cannot be read")
            if not drive:
                continue
            slider = scrubber.locator("input[type=range]").first
            cell = scrubber.evaluate("(e) => window.liveTestPanel.content.widgets.findIndex(c => c.node.contains(e))")
            self.page.evaluate("(i) => { window.liveTestPanel.content.activeCellIndex = i; }", cell)
            before = slider.input_value()
            if before == slider.get_attribute("max"):
                slider.fill("0")  # at the last frame: start from the first
                before = "0"
            picture = image.get_attribute("src")
            slider.focus()
            self.page.keyboard.press("ArrowRight")
            self.page.wait_for_timeout(200)
            if slider.input_value() == before or image.get_attribute("src") == picture:
                problems.append(f"{name}: ArrowRight did not move the slider to the next picture")
            if self.active_cell() != cell:
                problems.append(f"{name}: JupyterLab took ArrowRight and moved from cell {cell} to cell "
                                f"{self.active_cell()}")
        return problems

    def _screenshots(self, widget: Widget, stem: Path, width: int) -> None:
        stem.parent.mkdir(parents=True, exist_ok=True)
        widget.area.screenshot(path=f"{stem}-{width}.png")
        self.page.screenshot(path=f"{stem}-{width}-page.png")
