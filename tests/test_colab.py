"""The repository URL is set once, in _config.yml; the Colab badges, install cells and the book's
Colab launch buttons all come from it, and must agree."""

import re
import shutil
import sys
import tomllib

import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager
from packaging.requirements import Requirement
from packaging.version import Version

from tools import colab
from tools.notebooks import ROOT, chapter_paths

NOTEBOOKS = chapter_paths() + sorted((ROOT / "chapters" / "exercises").glob("*.ipynb"))
COLAB_SHIPS = {"numpy": "2.0.2", "matplotlib": "3.8.0", "ipywidgets": "7.7.1", "tqdm": "4.66.0"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_badge_and_install_cell_match_config(path):
    assert colab.mismatches(path) == []


def _images(markdown: str) -> list[str]:
    """The image addresses in a markdown cell (markdown and HTML syntax)."""
    return re.findall(r"!\[[^\]]*\]\(([^)\s]+)", markdown) + re.findall(r"<img[^>]*\ssrc=\"([^\"]+)", markdown)


def test_the_badge_is_a_text_link_that_needs_nothing_from_another_host():
    """Offline, an image from Colab's site is a broken picture in the book; the text link shows."""
    source = colab.badge_source("chapters/01_x.ipynb", "chapters/exercises/01_x.ipynb")
    assert _images(source) == []
    assert source.startswith(f"**[Open in Colab]({colab.colab_url('chapters/01_x.ipynb')})**")


def test_the_image_finder_sees_a_remote_badge_image():
    old_badge = ("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
                 "(https://colab.research.google.com/github/o/r/blob/main/chapters/01_x.ipynb)")
    assert _images(old_badge) == ["https://colab.research.google.com/assets/colab-badge.svg"]
    assert _images('<img alt="x" src="https://example.org/b.svg">') == ["https://example.org/b.svg"]


def test_a_changed_repository_url_is_caught(tmp_path):
    for name in ("_config.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "chapters").mkdir()
    chapter = tmp_path / "chapters" / chapter_paths()[0].name
    shutil.copy(chapter_paths()[0], chapter)
    assert colab.mismatches(chapter, root=tmp_path) == []
    config = yaml.safe_load((tmp_path / "_config.yml").read_text())
    config["repository"]["url"] = "https://github.com/someone-else/fork"
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config))
    problems = colab.mismatches(chapter, root=tmp_path)
    assert any("colab-badge" in p for p in problems) and any("colab-install" in p for p in problems)


def _run_install_cell(monkeypatch, in_colab):
    source = colab.install_source()
    calls = []

    class FakeShell:
        def run_line_magic(self, name, line):
            calls.append((name, line))

    python = TransformerManager().transform_cell(source)
    if in_colab:
        monkeypatch.setitem(sys.modules, "google.colab", object())
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(python, {"get_ipython": lambda: FakeShell()})
    return calls


def test_install_cell_does_nothing_outside_colab(monkeypatch):
    assert _run_install_cell(monkeypatch, in_colab=False) == []


def test_install_cell_in_colab_pins_the_release_and_upgrades_nothing(monkeypatch):
    (call,) = _run_install_cell(monkeypatch, in_colab=True)
    name, line = call
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert name == "pip" and f"git+{url}@v{project['version']}" in line
    assert not re.search(r"(^|\s)(-U|--upgrade|--force-reinstall)\b", line)
    # pip installs the distribution by its own name: `scratchnet` on PyPI is an unrelated project
    (requirement,) = re.findall(r'"([^"]+)"', line)
    requirement = Requirement(requirement)
    assert requirement.name == project["name"] == "scratchnet-course"
    assert requirement.extras == {"widgets"} and requirement.url == f"git+{url}@v{project['version']}"


def test_install_cell_follows_the_distribution_name_and_version(tmp_path):
    for name in ("_config.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('name = "scratchnet-course"', 'name = "other-name"')
                         .replace('version = "', 'version = "9.8.7+', 1))
    source = colab.install_source(root=tmp_path)
    assert '"other-name[widgets] @ git+' in source and "@v9.8.7+" in source


def test_runtime_requirements_are_satisfied_by_what_colab_ships():
    """Loose lower bounds: installing scratchnet in Colab must not upgrade numpy & co."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["widgets"]
    names = set()
    for text in requirements:
        requirement = Requirement(text)
        names.add(requirement.name)
        assert requirement.specifier.contains(Version(COLAB_SHIPS[requirement.name])), text
        assert not any(spec.operator in ("<", "<=", "==", "~=") for spec in requirement.specifier), text
    assert names == set(COLAB_SHIPS)


BUILT = ROOT / "_build" / "html" / "chapters"


@pytest.mark.skipif(not BUILT.exists(), reason="the book is not built (`make book`)")
@pytest.mark.parametrize("chapter", chapter_paths(), ids=[p.stem for p in chapter_paths()])
def test_built_launch_button_matches_the_badge(chapter):
    html = (BUILT / f"{chapter.stem}.html").read_text(encoding="utf-8")
    expected = colab.colab_url(f"chapters/{chapter.name}")
    launch = re.findall(r'href="(https://colab\.research\.google\.com/[^"]+)"', html)
    assert launch, "no Colab launch button in the built page"
    assert expected in launch, (expected, launch)
