"""Per-chapter gating: run chapter N against a scratchnet exported only from chapters 1..N-1
(plus the hand-written support modules), so no chapter silently uses what a later one builds.

The test suite does it in the same run that compares each chapter's stored outputs
(`--nbcompare-gate` in tools/nbcompare.py, which calls `build_package`). By hand:

    python -m tools.gate          # every chapter, gated and compared
    python -m tools.gate 03       # chapter 3 only
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tools.export import export, is_generated
from tools.notebooks import ROOT, chapter_number, chapter_paths


def build_package(upto: int, dest: Path, root: Path = ROOT) -> Path:
    """Write into dest/scratchnet the support modules (and their data files, such as datasets/*.npz)
    plus the export of chapters before `upto`."""
    source, package = root / "scratchnet", Path(dest) / "scratchnet"
    for path in source.rglob("*"):
        if (not path.is_file() or "__pycache__" in path.parts
                or (path.parent == source and path.suffix == ".py" and is_generated(path))):
            continue
        target = package / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    earlier = [p for p in chapter_paths(root) if chapter_number(p) < upto]
    export(earlier, package=package, root=root)
    return package


def main(argv: list[str]) -> int:
    from tools.nbcompare import ARGS
    wanted = {int(a) for a in argv}
    chapters = [str(p.relative_to(ROOT)) for p in chapter_paths() if not wanted or chapter_number(p) in wanted]
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *ARGS, *chapters], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
