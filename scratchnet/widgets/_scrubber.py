"""A stand-in the reader can move without a kernel: a widget's figure drawn at several values of
one control, shown behind a slider.

    widget.scrub("lr", [0.01, 0.1, 0.5, 0.9])      # in a notebook cell; FigureWidget.scrub calls scrub()

The result's `_repr_html_` is self-contained: the frames are PNGs inside the HTML, and a few lines
of plain JavaScript show the frame the slider points at. It needs no kernel, no library and no
network, so it works in the book and in a notebook. The slider is an `<input type="range">` with a
`<label>`: the arrow keys move it, a screen reader says what it changes and its value, and nothing
moves by itself (so there is nothing to stop for a reader who asks for reduced motion).

The id in the HTML is derived from what the scrubber shows (widget, control, values), not drawn
at random, so a notebook's stored output stays the same from one run to the next.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
from collections import Counter
from typing import Any, Callable, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from scratchnet.widgets._base import FigureWidget, book_style

__all__ = ["Scrubber", "scrub"]

_ids_seen: Counter = Counter()  # the same scrubber twice in one session gets a second id

_SCRIPT = """(function () {
  var root = document.getElementById("%(id)s");
  var data = JSON.parse(root.querySelector("script.sn-scrubber-data").textContent);
  var input = root.querySelector("input"), output = root.querySelector("output"),
      img = root.querySelector("img");
  function show() {
    var i = Number(input.value);
    img.src = "data:image/png;base64," + data.frames[i];
    img.alt = data.alts[i];
    output.textContent = data.values[i];
    input.setAttribute("aria-valuetext", data.label + " = " + data.values[i]);
  }
  input.addEventListener("input", show);
  // In JupyterLab a key pressed on the slider is the slider's, not a notebook shortcut (else
  // the arrow keys move between cells and the value stays); the browser still moves the slider.
  input.addEventListener("keydown", function (event) { event.stopPropagation(); });
  show();
})();"""


class Scrubber:
    """Frames of one figure behind a slider; `_repr_html_` shows it anywhere HTML is shown."""

    def __init__(self, frames: Sequence[bytes], values: Sequence[str], label: str,
                 alts: Sequence[str], ident: str, start: int = 0,
                 min_scale: float = FigureWidget.min_scale):
        if not (len(frames) == len(values) == len(alts) >= 2):
            raise ValueError(f"Scrubber needs as many frames, values and alt texts, at least 2; got "
                             f"{len(frames)} frames, {len(values)} values, {len(alts)} alt texts")
        if not 0 <= start < len(frames):
            raise ValueError(f"Scrubber start must index a frame (0..{len(frames) - 1}), got {start}")
        self.frames, self.values, self.label = list(frames), list(values), label
        self.alts, self.id, self.start, self.min_scale = list(alts), ident, start, min_scale

    @property
    def nbytes(self) -> int:
        """The size of the HTML, in bytes (nearly all of it the frames, base64-encoded)."""
        return len(self._repr_html_().encode("utf-8"))

    def __repr__(self) -> str:
        return (f"<scrubber: {self.label} over {len(self.frames)} values "
                f"({self.values[0]} to {self.values[-1]}); shown as HTML>")

    def _repr_html_(self) -> str:
        data = {"label": self.label, "values": self.values, "alts": self.alts,
                "frames": [base64.b64encode(f).decode("ascii") for f in self.frames]}
        data_json = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
        i, n, e = self.start, len(self.frames), html.escape
        width = int.from_bytes(self.frames[i][16:20], "big")  # the PNG's width, from its header
        return (
            # In JupyterLab (its output areas only: the book and Colab are left as they are) the
            # picture shrinks to no less than min_scale of its size, as the widget's, and scrolls
            # sideways in its own box on a narrower output: smaller, its text could not be read.
            f'<style>.jp-OutputArea-output #{self.id} .sn-scrubber-frame {{overflow-x:auto}} '
            f'.jp-OutputArea-output #{self.id} img {{min-width:{round(self.min_scale * width)}px}}</style>'
            f'<div class="sn-scrubber" id="{self.id}" style="max-width:100%">'
            f'<div class="sn-scrubber-frame">'
            f'<img src="data:image/png;base64,{data["frames"][i]}" alt="{e(self.alts[i])}"'
            f' style="display:block;max-width:100%;height:auto"></div>'
            f'<div class="sn-scrubber-controls" style="display:flex;align-items:center;gap:0.75em;'
            f'flex-wrap:wrap;max-width:36em;margin:0.4em 0">'
            f'<label for="{self.id}-input" style="font-weight:bold">{e(self.label)}</label>'
            f'<input id="{self.id}-input" type="range" min="0" max="{n - 1}" step="1" value="{i}"'
            f' aria-valuetext="{e(self.label)} = {e(self.values[i])}" style="flex:1 1 10em;min-width:8em">'
            f'<output for="{self.id}-input" style="min-width:4em">{e(self.values[i])}</output>'
            f'<span style="flex-basis:100%;font-size:0.85em;opacity:0.8">Drag the slider or use the '
            f'arrow keys: {n} precomputed pictures, no kernel needed.</span>'
            f'</div>'
            f'<script type="application/json" class="sn-scrubber-data">{data_json}</script>'
            f'<script>{_SCRIPT % {"id": self.id}}</script>'
            f'</div>')


def _format(control, value) -> str:
    """A value as the control's readout shows it (a Dropdown shows its option's label)."""
    options = getattr(control, "options", None)
    if options is not None:
        for option in options:
            if isinstance(option, tuple) and option[1] == value:
                return str(option[0])
        return str(value)
    fmt = getattr(control, "readout_format", None)
    if fmt and isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return format(value, fmt)
        except ValueError:
            pass
    return f"{value:g}" if isinstance(value, float) else str(value)


def _check_value(widget, name: str, control, value) -> None:
    options = getattr(control, "options", None)
    if options is not None:
        allowed = [o[1] if isinstance(o, tuple) else o for o in options]
        if value not in allowed:
            raise ValueError(f"{type(widget).__name__}.scrub: {name!r} must be one of {allowed}, "
                             f"got {value!r}")
        return
    low, high = getattr(control, "min", None), getattr(control, "max", None)
    if low is None or high is None:
        return
    base = getattr(control, "base", None)  # a FloatLogSlider's min and max are exponents
    if base is not None:
        low, high = base ** low, base ** high
    whole = isinstance(control.value, int)  # an IntSlider
    kind = "whole numbers" if whole else "numbers"
    if (not isinstance(value, int if whole else (int, float)) or isinstance(value, bool)
            or not low <= value <= high):
        raise ValueError(f"{type(widget).__name__}.scrub: {name!r} values must be {kind} in "
                         f"[{low:g}, {high:g}], got {value!r}")


def _draw(widget, values: dict) -> bytes:
    """The widget's figure at `values`, drawn on a new figure made as FigureWidget makes its own.

    A new figure for each frame, rather than the widget's own figure redrawn: a figure redrawn
    many times can drift (chapter 1's colour bar grows a little with every redraw), and then a
    frame would depend on the frames before it. tests/test_widgets_scrubber.py checks that each
    frame is exactly the picture a new widget shows at that value.
    """
    with book_style():
        figure = Figure(figsize=widget.figsize, dpi=widget.dpi, layout="constrained")
        FigureCanvasAgg(figure)
        axes = list(figure.subplots(1, widget.ncols, squeeze=False)[0])
        widget.draw(axes, **values)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def scrub(widget, control: str, values: Sequence[Any], *, start: int | None = None,
          alt: str | Callable[[Any], str] | None = None, **fixed: Any) -> Scrubber:
    """The widget's figure at each of `values` of its control `control`, behind a slider.

    widget: a FigureWidget; the frames show it with its other controls at their current values,
        and the widget itself is left as it was.
    control: the name of one of its controls, e.g. "lr".
    values: two or more values that control accepts, in slider order.
    start: the index of the frame shown first (default: the one nearest the control's value now).
    alt: the alt text of every frame, with `{widget}`, `{label}` and `{value}` filled in; or a
        function of the value that returns the frame's own alt text, for frames that differ in
        more than the value (what to notice in each); the default says which widget, which
        control and which value.
    fixed: values for other controls in every frame, e.g. activation="relu" (default: the
        widget's current values).

        flow.scrub("scale", [0.5, 1.0, 1.41, 2.0], activation="relu", depth=30)
    """
    controls = getattr(widget, "controls", None)
    if not isinstance(controls, dict) or not hasattr(widget, "draw"):
        raise TypeError(f"scrub needs a FigureWidget, got {type(widget).__name__}")
    if control not in controls:
        raise ValueError(f"{type(widget).__name__} has no control {control!r}; its controls are "
                         f"{', '.join(controls)}")
    values = list(values)
    if len(values) < 2:
        raise ValueError(f"{type(widget).__name__}.scrub needs at least 2 values for {control!r}, "
                         f"got {values!r}")
    slider = controls[control]
    for value in values:
        _check_value(widget, control, slider, value)
    for name, value in fixed.items():
        if name not in controls or name == control:
            raise ValueError(f"{type(widget).__name__}.scrub: {name}={value!r} must name one of its other "
                             f"controls: {', '.join(k for k in controls if k != control)}")
        _check_value(widget, name, controls[name], value)

    label = getattr(slider, "description", "") or control
    shown = [_format(slider, v) for v in values]
    if callable(alt):
        alts = [alt(value) for value in values]
        bad = [(v, a) for v, a in zip(values, alts) if not isinstance(a, str) or not a.strip()]
        if bad:
            raise TypeError(f"{type(widget).__name__}.scrub: alt must return the frame's alt text, a "
                            f"non-empty str; for {control}={bad[0][0]!r} it returned {bad[0][1]!r}")
    else:
        if alt is not None and not isinstance(alt, str):
            raise TypeError(f"{type(widget).__name__}.scrub: alt must be a str template or a function "
                            f"of the value, got {type(alt).__name__}")
        template = alt or "{widget}: the figure with {label} = {value}"
        alts = [template.format(widget=type(widget).__name__, label=label, value=s) for s in shown]
    current = {**widget.values, **fixed}
    if start is None:
        try:
            start = min(range(len(values)), key=lambda k: abs(values[k] - current[control]))
        except TypeError:
            start = values.index(current[control]) if current[control] in values else 0
    frames = [_draw(widget, {**current, control: value}) for value in values]
    others = {k: _format(c, current[k]) for k, c in controls.items() if k != control}
    key = json.dumps([type(widget).__name__, control, shown, others, start], sort_keys=True)
    ident = "sn-scrubber-" + hashlib.sha1(key.encode()).hexdigest()[:10]
    _ids_seen[ident] += 1
    if _ids_seen[ident] > 1:
        ident += f"-{_ids_seen[ident]}"
    return Scrubber(frames, shown, label, alts, ident, start, widget.min_scale)
