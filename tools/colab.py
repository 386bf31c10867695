"""Generate each chapter's Colab badge cell and Colab install cell from `_config.yml`.

The repository URL and branch are written once, in `_config.yml` (`repository:`); Jupyter Book
makes its Colab launch button from the same keys. The install cell installs the distribution
named in pyproject.toml (`scratchnet-course`: the name `scratchnet` on PyPI is an unrelated
project) at the tag of the package version there (`v0.1.0`), so a chapter in Colab gets the
library the chapter was written for.

    python -m tools.colab            # rewrite the badge and install cells
    python -m tools.colab --check    # exit 1 and list the cells that disagree
"""

from __future__ import annotations

import sys
from pathlib import Path

from tools.notebooks import (ROOT, book_config, chapter_paths, distribution_name, package_version, read_nb,
                             tags, write_nb)

BADGE_TAG, INSTALL_TAG = "colab-badge", "colab-install"
# The badge is a bold text link, not Colab's badge image: an image from Colab's site is a broken
# picture in the offline book, and a relative image in the repository does not resolve in Colab.
# Text works in all three places; the book styles it as a badge (book/_static/custom.css).
BADGE_TEXT = "Open in Colab"


def repository(root: Path = ROOT) -> tuple[str, str]:
    repo = book_config(root)["repository"]
    return repo["url"].rstrip("/"), repo.get("branch", "main")


def colab_url(rel_path: str, root: Path = ROOT) -> str:
    """The Colab address of a notebook in the repository, as Jupyter Book's launch button makes it."""
    url, branch = repository(root)
    colab = book_config(root).get("launch_buttons", {}).get("colab_url", "https://colab.research.google.com")
    github = url.removeprefix("https://github.com/")
    return f"{colab.rstrip('/')}/github/{github}/blob/{branch}/{rel_path}"


def badge_source(rel_path: str, exercises_rel: str | None, root: Path = ROOT) -> str:
    parts = [f"**[{BADGE_TEXT}]({colab_url(rel_path, root)})**"]
    if exercises_rel:
        parts.append(f"&nbsp; **Exercises only:** [open the exercise notebook in Colab]"
                     f"({colab_url(exercises_rel, root)}) (solutions removed).")
    return " ".join(parts)


def install_requirement(root: Path = ROOT) -> str:
    """What the install cell passes to pip: the distribution, with the widgets, at the release tag."""
    url, _ = repository(root)
    return f"{distribution_name(root)}[widgets] @ git+{url}@v{package_version(root)}"


def install_source(root: Path = ROOT) -> str:
    return "\n".join([
        "# Colab only: install scratchnet at the version this chapter was written for.",
        "# Elsewhere this cell does nothing (locally, `make venv` has installed it already).",
        "# pip leaves Colab's numpy, matplotlib and ipywidgets alone: scratchnet asks only for",
        "# versions they already satisfy, so there is no restart.",
        "import sys",
        'if "google.colab" in sys.modules:',
        f'    %pip install -q "{install_requirement(root)}"',
    ])


def expected_cells(path: Path, root: Path = ROOT) -> dict[str, str]:
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    exercises = None if "/exercises/" in rel else f"chapters/exercises/{path.name}"
    return {BADGE_TAG: badge_source(rel, exercises, root), INSTALL_TAG: install_source(root)}


def mismatches(path: Path, root: Path = ROOT) -> list[str]:
    """What differs between a notebook's badge/install cells and what _config.yml implies."""
    nb, want, problems = read_nb(path), expected_cells(path, root), []
    for tag, source in want.items():
        cells = [c for c in nb.cells if tag in tags(c)]
        if len(cells) != 1:
            problems.append(f"{path.name}: expected one cell tagged {tag!r}, found {len(cells)}")
        elif cells[0].source != source:
            problems.append(f"{path.name}: the {tag!r} cell differs from the one made from _config.yml")
    return problems


def sync(path: Path, root: Path = ROOT) -> bool:
    nb, want = read_nb(path), expected_cells(path, root)
    for cell in nb.cells:
        for tag, source in want.items():
            if tag in tags(cell):
                cell.source = source
    return write_nb(nb, path)


def main(argv: list[str]) -> int:
    if "--check" in argv:
        problems = [p for path in chapter_paths() for p in mismatches(path)]
        print("\n".join(problems) or "badges and install cells agree with _config.yml")
        return 1 if problems else 0
    for path in chapter_paths():
        if sync(path):
            print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
