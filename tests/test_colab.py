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
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tools import colab
from tools.notebooks import ROOT, chapter_paths

NOTEBOOKS = chapter_paths() + sorted((ROOT / "chapters" / "exercises").glob("*.ipynb"))


def pinned(name: str) -> tuple[dict[str, str], str]:
    """A list of pins that tools/compat.sh installs (requirements-colab.txt: what Colab ships, the one
    list; requirements-oldest.txt): {name: version} and the Python version."""
    text = (ROOT / name).read_text()
    pins = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", line
            pins[requirement.name] = spec.version
    (python,) = re.findall(r"^# python: ([\d.]+)$", text, re.MULTILINE)
    return pins, python


COLAB_SHIPS, COLAB_PYTHON = pinned("requirements-colab.txt")


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
    for text in requirements:
        requirement = Requirement(text)
        assert requirement.name in COLAB_SHIPS, f"requirements-colab.txt does not say which {requirement.name} Colab ships"
        assert requirement.specifier.contains(Version(COLAB_SHIPS[requirement.name])), text
        assert not any(spec.operator in ("<", "<=", "==", "~=") for spec in requirement.specifier), text
    assert SpecifierSet(project["requires-python"]).contains(COLAB_PYTHON)


def test_the_oldest_environment_is_scratchnets_lower_bounds():
    oldest, python = pinned("requirements-oldest.txt")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == f">={python}"
    for text in project["dependencies"] + project["optional-dependencies"]["widgets"]:
        requirement = Requirement(text)
        (lower,) = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        assert Version(oldest[requirement.name]).release[:2] == lower.release[:2], (text, oldest[requirement.name])


def test_compat_installs_the_one_list_of_what_colab_ships():
    script = (ROOT / "tools" / "compat.sh").read_text()
    assert "requirements-colab.txt" in script and "requirements-oldest.txt" in script
    # no second list: no version of numpy & co is spelled out in the script
    assert not re.findall(r"\b(numpy|matplotlib|ipywidgets|tqdm|ipykernel)==", script)


BUILT = ROOT / "_build" / "html" / "chapters"


@pytest.mark.book
@pytest.mark.skipif(not BUILT.exists(), reason="the book is not built (`make book`)")
@pytest.mark.parametrize("chapter", chapter_paths(), ids=[p.stem for p in chapter_paths()])
def test_built_launch_button_matches_the_badge(chapter):
    from tests.built_book import require_fresh_book
    require_fresh_book()
    html = (BUILT / f"{chapter.stem}.html").read_text(encoding="utf-8")
    expected = colab.colab_url(f"chapters/{chapter.name}")
    launch = re.findall(r'href="(https://colab\.research\.google\.com/[^"]+)"', html)
    assert launch, "no Colab launch button in the built page"
    assert expected in launch, (expected, launch)
