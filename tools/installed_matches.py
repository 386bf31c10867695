"""Check that the scratchnet a virtual environment imports is the one in this repository, file by
file, so that `make compat` never tests a stale install.

    VENV/bin/python tools/installed_matches.py scratchnet    # run as a script, from anywhere

Run as a script (not with -m) from outside the repository, `import scratchnet` finds the
installed package, not ./scratchnet. Exits 1, naming the files, when any differ. Standard library
only: it runs in the compat environments.
"""

from __future__ import annotations

import filecmp
import sys
from pathlib import Path


def differences(source: Path, installed: Path) -> list[str]:
    """The .py files of `source` that are missing from `installed` or differ from their copy there."""
    stale = []
    for path in sorted(Path(source).rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        relative = path.relative_to(source)
        copy = Path(installed) / relative
        if not copy.is_file() or not filecmp.cmp(path, copy, shallow=False):
            stale.append(relative.as_posix())
    return stale


def main(argv: list[str]) -> int:
    source = Path(argv[0]).resolve()
    import scratchnet
    installed = Path(scratchnet.__file__).resolve().parent
    if installed == source:
        print(f"installed_matches: scratchnet is imported from the source tree {source}, not an install")
        return 1
    stale = differences(source, installed)
    if stale:
        print(f"installed_matches: the installed scratchnet ({installed}) differs from {source} in {stale}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
