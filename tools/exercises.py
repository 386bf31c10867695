"""Generate the exercise notebook of each chapter: the whole chapter with its solutions removed,
its outputs cleared, and its build cells turned into stubs. It is what a learner opens in Colab.

Removed: every cell tagged `solution` (the solution code and the markdown cells that fence it
for sphinx-exercise). Rewritten: the `{exercise}` directives become plain headings, which read
better in Colab and Jupyter than MyST fences; the Colab badge points at the exercise notebook.

**Build cells.** An exported cell whose metadata has `build: {NAME: instruction, ...}` is library
code that the learner writes in the exercise notebook. NAME is `Class.method`, or a top-level
function (also one patched onto a class with `@add_to_class`). In the exercise notebook each named
function keeps its signature and docstring, and its body becomes
`raise NotImplementedError("Exercise N.k: instruction")`, where N.k is the label of the
`{exercise}` directive that follows the cell. The check cell after that directive is rewritten to
keep its result, and a cell is added after it that falls back on scratchnet's own version until
the learner's passes (`checks.fallback`), so the notebook runs top to bottom with every stub
unsolved and the cells below use the learner's code once it is right.

    python -m tools.exercises          # write chapters/exercises/NN_*.ipynb
"""

from __future__ import annotations

import ast
import copy
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools import colab
from tools.notebooks import EXERCISES, ROOT, chapter_paths, nb_text, read_nb, tags, write_nb

EXERCISE_RE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<options>(?:[ \t]*:[\w-]+:[^\n]*\n)*)"
    r"\n?(?P<body>.*?)\n(?P=fence)[ \t]*$", re.DOTALL | re.MULTILINE)
LABEL_RE = re.compile(r":label:\s*ex-(\d+)-(\d+)")
CHECK_RE = re.compile(r"^checks\.(check_\w+)\((\w+)\)$")
WIDTH = 79


class BuildError(ValueError):
    pass


def plain_exercise(source: str) -> str:
    """Turn a sphinx-exercise `{exercise}` directive into a Markdown heading and its text."""
    def replace(match: re.Match) -> str:
        label = LABEL_RE.search(match["options"])
        if not label:
            raise ValueError(f"an {{exercise}} directive needs `:label: ex-N-k`: {match[0][:80]!r}")
        number = f"{label[1]}.{label[2]}"
        return f"### Exercise {number}: {match['title'].strip()}\n\n{match['body'].strip()}"
    return EXERCISE_RE.sub(replace, source)


@dataclass
class Build:
    """A build cell: its index, the exercise number, the check cell's index, what to stub."""

    cell: int
    exercise: str
    check: int
    targets: dict[str, str]


def _function_nodes(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    """qualname -> function node, for top-level functions and methods of top-level classes."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    found[f"{node.name}.{item.name}"] = item
    return found


def _raise_lines(indent: str, message: str) -> list[str]:
    """`raise NotImplementedError("message")`, wrapped to fit WIDTH columns."""
    one = f'{indent}raise NotImplementedError("{message}")'
    if len(one) <= WIDTH:
        return [one]
    inner = indent + "    "
    chunks = textwrap.wrap(message, WIDTH - len(inner) - 3, drop_whitespace=False)
    return [f"{indent}raise NotImplementedError("] + \
        [f'{inner}"{chunk}"' for chunk in chunks[:-1]] + [f'{inner}"{chunks[-1]}")']


def stub_source(source: str, targets: dict[str, str], exercise: str) -> str:
    """source with the body of each target function replaced by a NotImplementedError stub."""
    lines = source.split("\n")
    first, _, code = source.partition("\n")  # the `#| export` line is not Python to ast
    offset = 1 if first.startswith("#|") else 0
    tree = ast.parse(code if offset else source)
    nodes = _function_nodes(tree)
    missing = [t for t in targets if t not in nodes]
    if missing:
        raise BuildError(f"build targets {missing} are not functions or methods defined in the cell "
                         f"(found: {', '.join(nodes)})")
    for name in sorted(targets, key=lambda t: nodes[t].lineno, reverse=True):
        node = nodes[name]
        body = node.body
        keep = 1 if (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                     and isinstance(body[0].value.value, str)) else 0
        start = (body[keep].lineno if keep < len(body) else node.end_lineno + 1) + offset
        end = node.end_lineno + offset
        indent = " " * body[0].col_offset
        stub = _raise_lines(indent, f"Exercise {exercise}: {targets[name]}")
        lines[start - 1:end] = stub if keep < len(body) else lines[start - 1:start - 1] + stub
    return "\n".join(lines)


def _fallback_call(targets: dict[str, str], source: str, result: str) -> str:
    """The line that keeps the learner's code if it passed, else puts scratchnet's own back."""
    first, _, code = source.partition("\n")
    tree = ast.parse(code if first.startswith("#|") else source)
    by_owner: dict[str, list[str]] = {}
    for target in targets:
        if "." in target:
            owner, method = target.split(".")
        else:
            node = _function_nodes(tree)[target]
            patched = [d for d in node.decorator_list if isinstance(d, ast.Call)
                       and getattr(d.func, "id", None) == "add_to_class"]
            owner, method = (patched[0].args[0].id, target) if patched else (target, None)
        by_owner.setdefault(owner, [])
        if method:
            by_owner[owner].append(method)
    lines = []
    for owner, methods in by_owner.items():
        names = "".join(f', "{m}"' for m in methods)
        lines.append(f"{owner} = checks.fallback({result}, {owner}{names})")
    return "\n".join(lines)


def builds(nb: nbformat.NotebookNode, chapter: str = "") -> list[Build]:
    """The build cells of a chapter, each with its exercise number and check cell."""
    found = []
    for i, cell in enumerate(nb.cells):
        targets = cell.get("metadata", {}).get("build")
        if cell.cell_type != "code" or not targets:
            continue
        directive = next((j for j in range(i + 1, len(nb.cells)) if nb.cells[j].cell_type == "markdown"
                          and "{exercise}" in nb.cells[j].source), None)
        label = LABEL_RE.search(nb.cells[directive].source) if directive is not None else None
        check = next((j for j in range(i + 1, len(nb.cells)) if nb.cells[j].cell_type == "code"
                      and j > (directive or i)), None)
        if label is None or check is None or not CHECK_RE.match(nb.cells[check].source.strip()):
            raise BuildError(f"{chapter} cell {i}: a build cell must be followed by an {{exercise}} "
                             "directive with a label and then a cell `checks.check_NAME(Object)`")
        if any(nb.cells[k].cell_type == "code" for k in range(i + 1, directive)):
            raise BuildError(f"{chapter} cell {i}: no code cell may come between a build cell and "
                             "its exercise directive")
        found.append(Build(i, f"{label[1]}.{label[2]}", check, dict(targets)))
    return found


def exercise_notebook(chapter: Path, root: Path = ROOT) -> nbformat.NotebookNode:
    nb = copy.deepcopy(read_nb(chapter))
    nb.metadata.pop("widgets", None)
    plan = {b.cell: b for b in builds(nb, chapter.name)}
    checks_of = {b.check: b for b in plan.values()}
    cells = []
    for i, cell in enumerate(nb.cells):
        if "solution" in tags(cell):
            continue
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if i in plan:
                cell.source = stub_source(cell.source, plan[i].targets, plan[i].exercise)
                cell.metadata.setdefault("tags", [])
                if "exercise" not in cell.metadata["tags"]:
                    cell.metadata["tags"].append("exercise")
        elif cell.cell_type == "markdown":
            cell.source = plain_exercise(cell.source)
        cell.metadata.pop("execution", None)
        cells.append(cell)
        if i in checks_of:
            build = checks_of[i]
            result = f"result_{build.exercise.replace('.', '_')}"
            cell.source = f"{result} = {cell.source.strip()}\n{result}"
            fallback = nbformat.v4.new_code_cell(
                "# Until your code passes the check above, the cells below use\n"
                "# scratchnet's own; once it passes, they use yours.\n"
                + _fallback_call(build.targets, nb.cells[build.cell].source, result))
            fallback.metadata["tags"] = ["fallback"]
            cells.append(fallback)
    nb.cells = cells
    target = root / "chapters" / "exercises" / chapter.name
    want = colab.expected_cells(target, root)
    for i, cell in enumerate(nb.cells):
        if colab.BADGE_TAG in tags(cell):
            cell.source = want[colab.BADGE_TAG]
            note = nbformat.v4.new_markdown_cell(
                "**This is the exercise notebook**: the chapter with its solutions removed, its outputs "
                "cleared, and the code you build yourself left as stubs (`raise NotImplementedError`). "
                "Until a stub passes its check, the cells after it use scratchnet's own version. The "
                f"full chapter is [`{chapter.name}`]({colab.colab_url('chapters/' + chapter.name, root)}).")
            note.metadata["tags"] = ["exercise-note"]
            nb.cells.insert(i + 1, note)
            break
    for i, cell in enumerate(nb.cells):  # stable ids, so regenerating changes nothing
        cell["id"] = f"cell-{i}"
    return nb


def expected_text(chapter: Path, root: Path = ROOT) -> str:
    return nb_text(exercise_notebook(chapter, root))


def drift(root: Path = ROOT) -> list[str]:
    """Exercise notebooks that are missing, stale, or have no chapter ([] when in sync)."""
    problems, chapters = [], chapter_paths(root)
    for chapter in chapters:
        path = root / "chapters" / "exercises" / chapter.name
        if not path.exists():
            problems.append(f"{path.relative_to(root)} is missing; run `make exercises`")
        elif path.read_text(encoding="utf-8") != expected_text(chapter, root):
            problems.append(f"{path.relative_to(root)} differs from its chapter; run `make exercises`")
    names = {c.name for c in chapters}
    for path in sorted((root / "chapters" / "exercises").glob("*.ipynb")):
        if path.name not in names:
            problems.append(f"{path.relative_to(root)} has no chapter")
    return problems


def main() -> int:
    EXERCISES.mkdir(parents=True, exist_ok=True)
    for chapter in chapter_paths():
        if write_nb(exercise_notebook(chapter), EXERCISES / chapter.name):
            print(f"wrote {(EXERCISES / chapter.name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
