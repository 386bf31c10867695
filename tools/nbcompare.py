"""Compare a notebook's stored outputs with a fresh run, reading the numbers in them as numbers.

A small pytest plugin on top of nbval 0.11. nbval still collects the cells, runs them in a
kernel, merges the streams, applies the sanitize file and honours its tags
(`nbval-ignore-output`, `raises-exception`, `nbval-skip`); this module replaces only the
comparison of a cell's text outputs, and how the kernel is started:

    python -m pytest -p tools.nbcompare --nbcompare --nbcompare-gate --nbval-current-env \\
        --nbval-sanitize-with=tests/nbval_sanitize.cfg chapters/01_neuron_to_layer.ipynb

Why not strict nbval alone: it compares text character by character. A float32 that another
BLAS kernel computes in its last bit (OpenBLAS's generic kernel, `OPENBLAS_CORETYPE=Prescott`)
makes numpy pad a whole column differently, and training curves differ in their third digit
from one CPU to the next. No maintained library compares notebook outputs with a numeric
tolerance (nbval's sanitizers are regular expressions; nbdime and testbook do not compare
numbers either), so this is our own, tested in tests/test_nbcompare.py.

The comparison of one text output (a stream, `text/plain`, `text/html`, an error's value):

- The numbers are read out of the text: `0.31246`, `-1.5e-05`, `3`, `nan`, `inf`. A run of
  digits glued to a word (`float32`, `ch03`) or a version (`2.0.2`) is text.
- The text around the numbers must be the same, with whitespace ignored except between two
  word characters (numpy pads columns and wraps lines differently when one number changes its
  width). So words, shapes, dtypes, error messages and the count of numbers compare exactly.
- An integer (written without a point or exponent) must equal its stored value, and stay an
  integer: `3` against `3.0` fails, as a changed dtype would.
- Other numbers pass when |fresh - stored| <= atol + rtol * |stored| (defaults 1e-8 and 1e-5),
  plus one unit in the last printed digit when that number is printed with four or more
  significant digits (a value on a rounding boundary may print either way; one unit is then at
  most 0.1% of it). nan matches nan, inf matches inf of the same sign.

A cell may declare looser tolerances in its metadata (the README, "Stored outputs and
tolerances", explains it to chapter authors):

    "tolerance": {"rtol": 0.01, "labels": {"accuracy": {"atol": 0.005}}}

The cell's `rtol`, `atol` and `integers` (true: integers too are compared with the tolerance)
apply to every number in the cell's outputs; a rule under `labels` applies instead to the
numbers that the label's word (matched whole, in any case) precedes on their line in the stored
output, the nearest such word winning. What a rule leaves out takes the defaults, not the
cell's values.

With --nbcompare-gate, a chapter notebook `chapters/NN_*.ipynb` runs on a scratchnet exported
from chapters 1..NN-1 only (tools/gate.py), so one run both proves the stored outputs and that
no chapter uses what a later one builds.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, RunningKernel, start_new_kernel
from nbval.plugin import IPyNbCell, IPyNbFile, NbCellError, transform_streams_for_comparison

# The options the project's test command passes for the chapters: the Makefile's `pytest` target
# (tests/test_suite.py checks that it does), the guard tests and `python -m tools.gate`.
SANITIZE = Path(__file__).resolve().parents[1] / "tests" / "nbval_sanitize.cfg"
# (One argument with "=": pytest would take a separate path argument into its choice of rootdir.)
ARGS = ["-p", "tools.nbcompare", "--nbcompare", "--nbcompare-gate", "--nbval-current-env",
        f"--nbval-sanitize-with={SANITIZE}"]

# ---------------------------------------------------------------------------------------------
# Tolerances


@dataclass(frozen=True)
class Rule:
    """How close a fresh number must be to its stored value."""

    rtol: float = 1e-5
    atol: float = 1e-8
    integers: bool = False  # True: integers too are compared with rtol/atol, not exactly

    def __str__(self) -> str:
        text = f"rtol {self.rtol:g}, atol {self.atol:g}"
        return text + (", integers too" if self.integers else "")


DEFAULT = Rule()
_RULE_KEYS = {"rtol", "atol", "integers"}


class ToleranceError(ValueError):
    """A cell's `tolerance` metadata is malformed."""


def _rule(spec, where: str) -> Rule:
    if not isinstance(spec, dict):
        raise ToleranceError(f"{where} must be a mapping with keys from {sorted(_RULE_KEYS)}, "
                             f"got {spec!r} ({type(spec).__name__})")
    unknown = set(spec) - _RULE_KEYS
    if unknown:
        raise ToleranceError(f"{where} has unknown keys {sorted(unknown)}; expected keys from "
                             f"{sorted(_RULE_KEYS)}")
    for key in ("rtol", "atol"):
        value = spec.get(key, 0.0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 <= value < math.inf):
            raise ToleranceError(f"{where}: '{key}' must be a finite number >= 0, "
                                 f"got {value!r} ({type(value).__name__})")
    if not isinstance(spec.get("integers", False), bool):
        raise ToleranceError(f"{where}: 'integers' must be true or false, got {spec['integers']!r}")
    return Rule(**{**DEFAULT.__dict__, **spec})


@dataclass(frozen=True)
class Tolerance:
    """A cell's rule, and the rules for numbers that follow a label on their line."""

    rule: Rule = DEFAULT
    labels: tuple = ()  # ((label, compiled pattern, Rule), ...)

    @classmethod
    def from_metadata(cls, metadata: dict) -> "Tolerance":
        spec = metadata.get("tolerance")
        if spec is None:
            return cls()
        if not isinstance(spec, dict):
            raise ToleranceError(f"cell metadata 'tolerance' must be a mapping, got {spec!r}")
        spec = dict(spec)
        labels = spec.pop("labels", {})
        rule = _rule(spec, "cell metadata 'tolerance'")
        if not isinstance(labels, dict):
            raise ToleranceError(f"cell metadata 'tolerance': 'labels' must map a word to a rule, got {labels!r}")
        compiled = []
        for label, label_spec in labels.items():
            if not isinstance(label, str) or not label.strip():
                raise ToleranceError(f"cell metadata 'tolerance': a label must be a non-empty word, got {label!r}")
            pattern = re.compile(r"(?<!\w)" + re.escape(label.strip()) + r"(?!\w)", re.IGNORECASE)
            compiled.append((label, pattern, _rule(label_spec, f"the rule for label {label!r}")))
        return cls(rule, tuple(compiled))

    def rule_for(self, before: str) -> tuple[str | None, Rule]:
        """The rule for a number preceded on its line by `before`: the nearest label's, or the cell's."""
        best, best_end = (None, self.rule), -1
        for label, pattern, rule in self.labels:
            for match in pattern.finditer(before):
                if match.end() > best_end:
                    best, best_end = (label, rule), match.end()
        return best


# ---------------------------------------------------------------------------------------------
# Reading numbers out of text

NUMBER = re.compile(r"""
    (?<![\w.])                                      # not glued to a word, nor after a point
    [-+]?(?: (?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?   # 3, -0.5, 1., .5, 1.5e-05
           | nan | inf )
    (?!\w|\.\d)                                     # nor followed by a word or more digits (2.0.2)
""", re.VERBOSE)


@dataclass(frozen=True)
class Number:
    text: str
    start: int
    line: str    # the whole line it stands on
    before: str  # the part of that line before it

    @property
    def context(self) -> str:
        """Its line, or the part of a long line around it."""
        line, col = self.line.strip(), len(self.before.lstrip())
        if len(line) <= 70:
            return repr(line)
        start, end = max(0, col - 45), col + len(self.text) + 15
        return ("..." if start else "") + repr(line[start:end]) + ("..." if end < len(line) else "")

    @property
    def value(self) -> Decimal:
        return Decimal(self.text)

    @property
    def integer(self) -> bool:
        return not any(c in self.text for c in ".eEni")

    @property
    def unit(self) -> Decimal:
        """One unit in the last printed digit: 1e-05 for 0.31246, 1e-06 for 1.5e-05."""
        return Decimal(1).scaleb(self.value.as_tuple().exponent)

    @property
    def significant_digits(self) -> int:
        return len(self.value.as_tuple().digits) if self.value.is_finite() and self.value else 0


def split(text: str) -> tuple[list[str], list[Number]]:
    """The text between the numbers (one more piece than numbers), and the numbers."""
    pieces, numbers, pos = [], [], 0
    for match in NUMBER.finditer(text):
        start = match.start()
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line = text[line_start:line_end if line_end >= 0 else len(text)]
        pieces.append(text[pos:start])
        numbers.append(Number(match.group(), start, line, text[line_start:start]))
        pos = match.end()
    pieces.append(text[pos:])
    return pieces, numbers


def squeeze(piece: str) -> str:
    """Text with whitespace dropped, except one space between two word characters."""
    piece = re.sub(r"\s+", " ", piece).strip()
    return re.sub(r"(?<!\w) | (?!\w)", "", piece)


def _clip(text: str, width: int = 60) -> str:
    text = text.strip()
    return repr(text if len(text) <= width else text[:width - 3] + "...")


def check_number(stored: Number, fresh: Number, rule: Rule) -> tuple[bool, str]:
    """(passes, how much was allowed) for one pair of numbers."""
    if stored.integer != fresh.integer:
        which = ("the stored number is an integer and the fresh one is not" if stored.integer
                 else "the fresh number is an integer and the stored one is not")
        return False, f"{which} (a changed dtype or format)"
    s, f = stored.value, fresh.value
    if s.is_nan() or f.is_nan():
        return s.is_nan() and f.is_nan(), "nan only matches nan"
    if s.is_infinite() or f.is_infinite():
        return s == f, "inf only matches inf of the same sign"
    if stored.integer and not rule.integers:
        return s == f, "integers compare exactly"
    allowed = Decimal(repr(rule.atol)) + Decimal(repr(rule.rtol)) * abs(s)
    how = str(rule)
    if not stored.integer:
        finer = stored if stored.unit <= fresh.unit else fresh
        if finer.significant_digits >= 4:
            allowed += finer.unit
            how += f", plus {finer.unit:.0e} for the last printed digit"
    return abs(f - s) <= allowed, f"allowed {float(allowed):.2g} ({how})"


def compare_text(stored: str, fresh: str, tolerance: Tolerance = Tolerance(), what: str = "output") -> list[str]:
    """Problems found comparing a fresh text output with the stored one; [] when they agree."""
    if stored == fresh:
        return []
    s_pieces, s_numbers = split(stored)
    f_pieces, f_numbers = split(fresh)
    if len(s_numbers) != len(f_numbers):
        return [f"{what}: the stored output has {len(s_numbers)} numbers, the fresh one {len(f_numbers)}"
                + _both(stored, fresh)]
    for i, (s_piece, f_piece) in enumerate(zip(s_pieces, f_pieces)):
        if squeeze(s_piece) != squeeze(f_piece):
            after = (f"after number {i} ({s_numbers[i - 1].text})" if i else
                     "before the first number" if s_numbers else "")
            return [f"{what}: the text {after + ' ' if after else ''}differs: stored {_clip(s_piece)}, fresh {_clip(f_piece)}"
                    + _both(stored, fresh)]
    problems = []
    for i, (s, f) in enumerate(zip(s_numbers, f_numbers), start=1):
        label, rule = tolerance.rule_for(s.before)
        ok, how = check_number(s, f, rule)
        if ok:
            continue
        off = ""
        if s.value.is_finite() and f.value.is_finite() and s.integer == f.integer:
            diff = abs(f.value - s.value)
            off = f", off by {float(diff):.3g}" + (f" ({float(diff / abs(s.value)):.2%})" if s.value else "")
        rule_name = f"the rule for {label!r}: " if label else ""
        problems.append(f"{what}: number {i} of {len(s_numbers)}, on the line {s.context}: stored {s.text}, "
                        f"fresh {f.text}{off}; {rule_name}{how}")
    if len(problems) > 5:
        problems[5:] = [f"{what}: and {len(problems) - 5} more numbers differ"]
    return problems


def _both(stored: str, fresh: str, limit: int = 1500) -> str:
    cut = lambda t: t if len(t) <= limit else t[:limit] + "\n[...]"  # noqa: E731
    return f"\n--- stored:\n{cut(stored)}\n--- fresh:\n{cut(fresh)}\n---"


# ---------------------------------------------------------------------------------------------
# The pytest plugin


def pytest_addoption(parser):
    group = parser.getgroup("nbcompare", "notebook outputs compared with numbers as numbers (tools/nbcompare.py)")
    group.addoption("--nbcompare", action="store_true",
                    help="run notebooks with nbval, comparing numbers in text outputs within a tolerance")
    group.addoption("--nbcompare-gate", action="store_true",
                    help="run each chapter chapters/NN_*.ipynb on a scratchnet exported from chapters < NN only")
    group.addoption("--nbcompare-kernel-env", action="append", default=[], metavar="NAME=VALUE",
                    help="set an environment variable in the notebooks' kernels only, for example "
                         "OPENBLAS_CORETYPE=Prescott (repeatable)")


def pytest_configure(config):
    if not config.option.nbcompare:
        return
    if config.option.nbval or config.option.nbval_lax:
        raise pytest.UsageError("--nbcompare replaces --nbval's comparison; pass one of them, not both")
    for setting in config.option.nbcompare_kernel_env:
        if not re.fullmatch(r"[A-Za-z_]\w*=.*", setting):
            raise pytest.UsageError(f"--nbcompare-kernel-env expects NAME=VALUE, got {setting!r}")
    dist = getattr(config.option, "dist", "no")  # pytest-xdist's; its workers see "no"
    if dist not in ("no", "loadfile", "loadscope"):
        raise pytest.UsageError(f"--nbcompare with pytest-xdist needs --dist loadfile, so that a notebook's "
                                f"cells run in one kernel, in order; got --dist {dist}")


def pytest_collect_file(file_path, parent):
    if parent.config.option.nbcompare and file_path.suffix == ".ipynb":
        return NotebookFile.from_parent(parent, path=file_path)


def gate_root(path: Path) -> Path | None:
    """The book root if `path` is a chapter of it (root/chapters/NN_name.ipynb), else None."""
    from tools.notebooks import _CHAPTER_RE
    path = Path(path).resolve()
    if path.parent.name == "chapters" and _CHAPTER_RE.match(path.name):
        return path.parent.parent
    return None


class _Kernel(RunningKernel):
    """nbval's kernel, started with the environment we give it."""

    def __init__(self, kernel_name, cwd, startup_timeout, env):
        self.km, self.kc = start_new_kernel(startup_timeout=startup_timeout, kernel_name=kernel_name,
                                            stderr=subprocess.DEVNULL, cwd=cwd, env=env)
        self._ensure_iopub_up()


# Run in the kernel before the first cell: the package the chapter will import is the gated one.
GATE_CHECK = """\
import importlib.util as _u, os as _o
_s = _u.find_spec("scratchnet")
assert _s is not None and _s.origin.startswith(_o.environ["SCRATCHNET_GATED_PATH"]), (
    f"the gated run would import scratchnet from {_s and _s.origin}, not from the gated package")
del _u, _o, _s
"""


class NotebookFile(IPyNbFile):
    gated = None  # the temporary directory holding the gated package, if any

    def collect(self):
        # (With pytest-xdist, run notebooks with --dist loadfile, so that a notebook's cells stay in
        # one worker, in order. xdist 3.8's loadgroup does not group on pytest 9.2.)
        for item in super().collect():
            yield NotebookCell.from_parent(self, name=item.name, cell_num=item.cell_num,
                                           cell=item.cell, options=item.options)

    def setup(self):
        option = self.config.option
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
        env["PYTHONHASHSEED"] = "0"  # as tools/execute.py runs them
        env.update(setting.split("=", 1) for setting in option.nbcompare_kernel_env)
        root = gate_root(self.path) if option.nbcompare_gate else None
        if root is not None:
            from tools.gate import build_package
            from tools.notebooks import chapter_number
            self.gated = tempfile.mkdtemp(prefix="scratchnet-gate-")
            build_package(chapter_number(self.path), Path(self.gated), root)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (self.gated, env.get("PYTHONPATH")) if p)
            env["SCRATCHNET_GATED_PATH"] = self.gated
        if option.nbval_current_env:
            kernel_name = CURRENT_ENV_KERNEL_NAME
        else:
            kernel_name = option.nbval_kernel_name or self.nb.metadata.get("kernelspec", {}).get("name", "python")
        self.kernel = _Kernel(kernel_name, cwd=str(self.path.parent),
                              startup_timeout=option.nbval_kernel_startup_timeout, env=env)
        self.setup_sanitize_files()
        if self.gated:
            reply = self.kernel.kc.execute_interactive(GATE_CHECK, store_history=False, timeout=60,
                                                       output_hook=lambda msg: None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"{self.path.name}: {reply['content'].get('evalue')}")

    def teardown(self):
        super().teardown()
        if self.gated:
            shutil.rmtree(self.gated, ignore_errors=True)
            self.gated = None


class NotebookCell(IPyNbCell):
    def runtest(self):
        self.problems = []
        try:
            self.tolerance = Tolerance.from_metadata(self.cell.metadata)
        except ToleranceError as error:
            self.raise_cell_error(str(error))
        super().runtest()

    def _flatten(self, outputs, skip):
        flat = defaultdict(list)
        for output in transform_streams_for_comparison(outputs):
            for key, value in output.items():
                if key in skip:
                    continue
                if key == "data":
                    for mime, data in value.items():
                        if mime not in skip:
                            flat[mime].append(self.sanitize(data))
                else:
                    flat[key].append(self.sanitize(value))
        return flat

    def compare_outputs(self, test, ref, skip_compare=None):
        """nbval's hook: True when the fresh outputs `test` agree with the stored `ref`."""
        skip = skip_compare or self.parent.skip_compare
        fresh, stored = self._flatten(test, skip), self._flatten(ref, skip)
        problems = []
        for key in sorted(set(stored) - set(fresh)):
            problems.append(f"the fresh run has no {key!r} output; the stored notebook has:{_both(stored[key][0], '')}")
        for key in sorted(set(fresh) - set(stored)):
            problems.append(f"the fresh run has a {key!r} output that the stored notebook has not:"
                            f"{_both('', fresh[key][0])}")
        for key in (k for k in stored if k in fresh):
            if len(stored[key]) != len(fresh[key]):
                problems.append(f"{key}: the stored notebook has {len(stored[key])} such outputs, the fresh run "
                                f"{len(fresh[key])}")
                continue
            for s, f in zip(stored[key], fresh[key]):
                if isinstance(s, str) and isinstance(f, str):
                    problems += compare_text(s, f, self.tolerance, key)
                elif s != f:
                    problems.append(f"{key} differs:{_both(repr(s), repr(f))}")
        self.problems = problems
        self.comparison_traceback = problems
        return not problems

    def where(self) -> str:
        """The notebook and the cell, as a reader finds it: nbval's number, the prompt, the first line."""
        first = next((line for line in self.cell.source.splitlines() if line.strip()), "")
        count = self.cell.get("execution_count")
        prompt = f"In [{count}]" if count else "first line"
        return f"{self.path.name}, cell {self.cell_num} ({prompt}: {_clip(first, 50)})"

    def repr_failure(self, excinfo):
        text = super().repr_failure(excinfo)
        if isinstance(excinfo.value, NbCellError) and self.problems:
            return f"{self.where()}: {self.problems[0].splitlines()[0]}\n{text}"
        return text
