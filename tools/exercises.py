"""Generate the exercise notebook of each chapter: the whole chapter with its solutions removed
and its outputs cleared, which is what a learner opens in Colab.

Removed: every cell tagged `solution` (the solution code and the markdown cells that fence it
for sphinx-exercise). Rewritten: the `{exercise}` directives become plain headings, which read
better in Colab and Jupyter than MyST fences; the Colab badge points at the exercise notebook.

    python -m tools.exercises          # write chapters/exercises/NN_*.ipynb
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import nbformat

from tools import colab
from tools.notebooks import EXERCISES, ROOT, chapter_paths, nb_text, read_nb, tags, write_nb

EXERCISE_RE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<options>(?:[ \t]*:[\w-]+:[^\n]*\n)*)"
    r"\n?(?P<body>.*?)\n(?P=fence)[ \t]*$", re.DOTALL | re.MULTILINE)
LABEL_RE = re.compile(r":label:\s*ex-(\d+)-(\d+)")


def plain_exercise(source: str) -> str:
    """Turn a sphinx-exercise `{exercise}` directive into a Markdown heading and its text."""
    def replace(match: re.Match) -> str:
        label = LABEL_RE.search(match["options"])
        if not label:
            raise ValueError(f"an {{exercise}} directive needs `:label: ex-N-k`: {match[0][:80]!r}")
        number = f"{label[1]}.{label[2]}"
        return f"### Exercise {number}: {match['title'].strip()}\n\n{match['body'].strip()}"
    return EXERCISE_RE.sub(replace, source)


def exercise_notebook(chapter: Path, root: Path = ROOT) -> nbformat.NotebookNode:
    nb = copy.deepcopy(read_nb(chapter))
    nb.metadata.pop("widgets", None)
    cells = []
    for cell in nb.cells:
        if "solution" in tags(cell):
            continue
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        elif cell.cell_type == "markdown":
            cell.source = plain_exercise(cell.source)
        cell.metadata.pop("execution", None)
        cells.append(cell)
    nb.cells = cells
    target = root / "chapters" / "exercises" / chapter.name
    want = colab.expected_cells(target, root)
    for i, cell in enumerate(nb.cells):
        if colab.BADGE_TAG in tags(cell):
            cell.source = want[colab.BADGE_TAG]
            note = nbformat.v4.new_markdown_cell(
                "**This is the exercise notebook**: the chapter with its solutions removed and its "
                f"outputs cleared. The full chapter, with solutions, is [`{chapter.name}`]"
                f"({colab.colab_url('chapters/' + chapter.name, root)}).")
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
