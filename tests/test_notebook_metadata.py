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
