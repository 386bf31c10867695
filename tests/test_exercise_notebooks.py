"""Each chapter has a generated exercise notebook: solutions removed, outputs cleared, in sync
with its chapter, and runnable top to bottom by a learner who has solved nothing yet."""

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from tools import exercises
from tools.notebooks import ROOT, chapter_paths

CHAPTERS = chapter_paths()
IDS = [p.stem for p in CHAPTERS]


def test_exercise_notebooks_are_in_sync():
    assert exercises.drift() == []


def test_a_stale_exercise_notebook_is_caught(tmp_path):
    for name in ("_config.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "chapters" / "exercises").mkdir(parents=True)
    chapter = CHAPTERS[0]
    shutil.copy(chapter, tmp_path / "chapters" / chapter.name)
    target = tmp_path / "chapters" / "exercises" / chapter.name
    target.write_text(exercises.expected_text(chapter, tmp_path))
    assert exercises.drift(tmp_path) == []
    nb = nbformat.read(str(target), as_version=4)
    nb.cells[-1].source += "\nedited by hand"
    nbformat.write(nb, str(target))
    assert any("differs from its chapter" in p for p in exercises.drift(tmp_path))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_solutions_removed_outputs_cleared_stubs_kept(chapter):
    full = nbformat.read(str(chapter), as_version=4)
    ex = nbformat.read(str(ROOT / "chapters" / "exercises" / chapter.name), as_version=4)
    tags = lambda c: c.metadata.get("tags", [])  # noqa: E731
    assert not [c for c in ex.cells if "solution" in tags(c)]
    assert all(not c.outputs and c.execution_count is None for c in ex.cells if c.cell_type == "code")
    stubs = [c.source for c in full.cells if "exercise" in tags(c)]
    assert stubs == [c.source for c in ex.cells if "exercise" in tags(c) and not c.metadata.get("build")]
    builds = [c for c in ex.cells if c.metadata.get("build")]
    assert builds and all("raise NotImplementedError(" in c.source for c in builds)
    assert len([c for c in ex.cells if "fallback" in tags(c)]) == len(builds)
    text = "\n".join(c.source for c in ex.cells if c.cell_type == "markdown")
    assert "{exercise}" not in text and "{solution" not in text
    assert text.count("### Exercise ") == len(stubs) + len(builds) >= 3
    assert "folded away below each check" not in text  # it says so only where it is true
    assert "widgets" not in ex.metadata


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_exercise_notebook_runs_to_the_end_with_every_stub_unsolved(chapter):
    nb = nbformat.read(str(ROOT / "chapters" / "exercises" / chapter.name), as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(chapter.parent)}}).execute()
    reports = [o.get("data", {}).get("text/plain", "") or o.get("text", "") for c in nb.cells
               if c.cell_type == "code"
               for o in c.outputs]
    not_yet = [r for r in reports if "not yet implemented" in r]
    assert len(not_yet) == sum("exercise" in c.metadata.get("tags", []) for c in nb.cells)
    stand_ins = [r for r in reports if "the cells below use scratchnet's own" in r]
    assert len(stand_ins) == sum("fallback" in c.metadata.get("tags", []) for c in nb.cells) >= 1


def test_plain_exercise_heading():
    source = "```{exercise} A title\n:label: ex-4-2\n\nDo the thing.\n```"
    assert exercises.plain_exercise(source) == "### Exercise 4.2: A title\n\nDo the thing."
