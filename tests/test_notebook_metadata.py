"""Chapter and exercise notebooks store the metadata JupyterLab writes (`tools/execute.py` keeps it
so), so an untouched notebook opens without unsaved changes. The live test
(tests/test_lab_widgets.py) checks this in JupyterLab itself; this is the fast check."""

import pytest

from tools.execute import kernelspec
from tools.notebooks import EXERCISES, chapter_paths, read_nb

NOTEBOOKS = chapter_paths() + [EXERCISES / p.name for p in chapter_paths() if (EXERCISES / p.name).exists()]


def metadata_problems(metadata) -> list[str]:
    problems = []
    if metadata.get("kernelspec") != kernelspec():
        problems.append(f"kernelspec is {metadata.get('kernelspec')}, JupyterLab writes {kernelspec()}")
    info = metadata.get("language_info", {})
    if info.get("name") != "python" or not info.get("version"):
        problems.append(f"language_info lacks the Python version the kernel reports: {info}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS])
def test_notebook_stores_the_metadata_jupyterlab_writes(path):
    assert not metadata_problems(read_nb(path).metadata), "re-execute it: make execute"


def test_the_kernelspec_is_the_one_jupyterlab_shows():
    assert kernelspec() == {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def test_the_check_fails_on_the_old_metadata():
    old = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
           "language_info": {"name": "python", "pygments_lexer": "ipython3"}}
    assert len(metadata_problems(old)) == 2


def split_streams(nb) -> list[str]:
    """Cells whose output stores two streams of the same name in a row: the book shows them as two
    boxes where the reader printed one block (tools/execute.py merges them)."""
    found = []
    for index, cell in enumerate(nb.cells):
        outputs = cell.get("outputs", [])
        if any(a.output_type == b.output_type == "stream" and a.name == b.name
               for a, b in zip(outputs, outputs[1:])):
            found.append(f"cell {index}")
    return found


@pytest.mark.parametrize("path", chapter_paths(), ids=[p.stem for p in chapter_paths()])
def test_each_cell_stores_its_printed_text_as_one_block(path):
    assert not split_streams(read_nb(path)), "re-execute it: make execute"


def test_the_stream_check_finds_two_prints_stored_apart():
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1); print(2)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="1\n"),
        nbformat.v4.new_output("stream", name="stdout", text="2\n")])])
    assert split_streams(nb) == ["cell 0"]
