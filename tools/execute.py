"""Execute chapter notebooks in place and store their outputs, so that the book, GitHub's
preview and Colab all show the results that nbval then verifies.

    python -m tools.execute          # every chapter
    python -m tools.execute 01 03    # chapters 1 and 3
    python -m tools.execute --dry-run   # run chapters and exercise notebooks, write nothing

Seeds are fixed inside each notebook (an explicit `numpy.random.Generator`); here we also fix
PYTHONHASHSEED and the matplotlib backend, store widget state (so widgets render outside a
live kernel) under ids derived from the notebook, and drop timing metadata, so that re-running
an unchanged chapter leaves its file unchanged. Consecutive prints of a cell are stored as one
stream output (nbconvert's CoalesceStreamsPreprocessor): the kernel sends a print that comes after
a pause as a message of its own, and the book showed each in a box of its own.

The notebook metadata is stored exactly as JupyterLab writes it when it opens the chapter with
the course's kernel: the kernelspec with its display name ("Python 3 (ipykernel)") and the
language_info that the kernel reports, Python version included. So an untouched chapter opens in
JupyterLab without unsaved changes and closes without asking to save (tests/test_lab_widgets.py).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

from tools.notebooks import ROOT, chapter_number, chapter_paths, read_nb, write_nb

KEEP_METADATA = ("kernelspec", "language_info", "widgets")
KERNEL = "python3"


def kernelspec(name: str = KERNEL) -> dict:
    """The notebook's `kernelspec` metadata as JupyterLab writes it for kernel `name`."""
    spec = KernelSpecManager().get_kernel_spec(name)
    return {"display_name": spec.display_name, "language": spec.language, "name": name}


def stable_widget_ids(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """Replace the random widget model ids with ones derived from the notebook's name and the
    order the widgets were created in, so re-executing an unchanged chapter changes nothing."""
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    text = nbformat.writes(nb)
    for i, old in enumerate(state):
        text = text.replace(old, hashlib.md5(f"{name}:{i}".encode()).hexdigest())
    return nbformat.reads(text, as_version=4)


def execute(path: Path, timeout: int = 600, write: bool = True) -> None:
    nb = read_nb(path)
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ.pop("MPLBACKEND", None)
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, store_widget_state=True,
                            record_timing=False, resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    if not write:
        return
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEEP_METADATA}
    nb.metadata["kernelspec"] = kernelspec()  # language_info: as the kernel reported it to nbclient
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    write_nb(stable_widget_ids(nb, path.stem), path)


def main(argv: list[str]) -> int:
    """Arguments: chapter numbers (default all); --dry-run executes without writing anything,
    chapters and exercise notebooks both (to prove they run in another environment)."""
    dry = "--dry-run" in argv
    wanted = {int(a) for a in argv if a != "--dry-run"}
    for path in chapter_paths():
        if wanted and chapter_number(path) not in wanted:
            continue
        for target in [path, path.parent / "exercises" / path.name] if dry else [path]:
            print(f"executing {target.relative_to(ROOT)}" + (" (dry run)" if dry else ""), flush=True)
            execute(target, write=not dry)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
