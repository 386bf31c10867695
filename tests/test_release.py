"""Publishing: the distribution's own name in every install instruction, one version, the release
tag, and (marked `slow`) the sdist and wheel as the release workflow builds them, installed into a
fresh virtual environment that has only scratchnet's runtime dependencies."""

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest

from tools import colab, release
from tools.notebooks import ROOT, package_version

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
VERSION = PROJECT["version"]


# ---- the name -------------------------------------------------------------------------------

def test_the_distribution_has_a_name_of_its_own():
    assert PROJECT["name"] == "scratchnet-course"  # `scratchnet` on PyPI is an unrelated project
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["packages"]["find"]["include"] == ["scratchnet*"]  # the import name stays


def test_every_install_instruction_uses_the_distribution_name():
    assert release.install_problems() == []
    texts = release.install_texts()
    # not vacuous: the places a reader installs from hold instructions, and they were checked
    for where in ("README.md", "book/setup.md", "tools/colab.py: install_source()"):
        found = [m for m in release.INSTALL_RE.finditer(texts[where]) if "scratchnet-course" in m["args"]]
        assert found, f"no install instruction for scratchnet-course in {where}"
    assert {"CONTRIBUTING.md", "README.md", "book/setup.md", "tools/colab.py", "Makefile"} <= set(texts)


@pytest.mark.parametrize("bad", [
    "pip install scratchnet",
    "Then run `pip install scratchnet` in a terminal.",
    '    %pip install -q "scratchnet[widgets] @ git+https://github.com/a/b@v0.1.0"',
    "python -m pip install -U scratchnet==0.1.0",
    "pip3 install --user scratchnet_widgets",
    "raise ImportError(\"the widgets need ipywidgets: pip install 'scratchnet[widgets]'\")",
    "Never type `pip install scratchnet`: it is a trap.\n\nThis sentence says unrelated, too late.",
])
def test_a_bad_install_instruction_is_caught(bad):
    assert len(release.install_problems_in(bad, "x.md")) == 1


@pytest.mark.parametrize("good", [
    "pip install scratchnet-course",
    'pip install "scratchnet_course[widgets] @ git+https://github.com/scratchnet-course/x@v1.0.0"',
    "pip install -q -r requirements.txt && pip install -e .",
    "pip install torch==2.13.0",
    "Never type `pip install scratchnet`: that name belongs to an unrelated project.",
])
def test_a_good_install_instruction_or_the_warning_passes(good):
    assert release.install_problems_in(good, "x.md") == []


def test_the_setup_page_warns_against_the_unrelated_package():
    text = (ROOT / "book" / "setup.md").read_text()
    warnings = [m for m in release.INSTALL_RE.finditer(text) if release.NAME_RE.findall(m["args"]) == ["scratchnet"]]
    assert len(warnings) == 1
    sentence = release._sentence(text, warnings[0].start(), warnings[0].start("args"))
    assert "unrelated project" in sentence and sentence.count(". ") == 0  # one sentence
    assert colab.install_requirement() in text  # it shows the real install cell, not "github.com/..."


# ---- one version ----------------------------------------------------------------------------

def test_one_version_everywhere():
    import scratchnet
    assert scratchnet.__version__ == VERSION == package_version()
    assert f"@v{VERSION}\"" in colab.install_source()
    assert release.consistency_problems() == []
    assert f"`{VERSION}`" in (ROOT / "README.md").read_text()  # the README states it


def _copy_of_the_repository(tmp_path):
    for name in ("pyproject.toml", "_config.yml", "README.md", "CONTRIBUTING.md", "CITATION.cff"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "book", tmp_path / "book")
    (tmp_path / "scratchnet").mkdir()
    shutil.copy(ROOT / "scratchnet" / "__init__.py", tmp_path / "scratchnet" / "__init__.py")
    assert release.consistency_problems(tmp_path) == []
    return tmp_path


@pytest.mark.parametrize("where, old, new, expected", [
    ("README.md", f"`{VERSION}`", "`0.0.9`", "README.md:"),
    ("book/setup.md", f"@v{VERSION}", "@v0.0.9", "book/setup.md:"),
    ("CITATION.cff", f"version: {VERSION}", "version: 0.0.9", "CITATION.cff: version"),
    ("scratchnet/__init__.py", f'__version__ = "{VERSION}"', '__version__ = "0.0.9"', "__version__"),
    ("CITATION.cff", "repository-code: \"https://github.com/scratchnet-course/",
     "repository-code: \"https://github.com/someone/", "repository-code"),
])
def test_a_version_or_url_that_disagrees_is_caught(tmp_path, where, old, new, expected):
    root = _copy_of_the_repository(tmp_path)
    path = root / where
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    problems = release.consistency_problems(root)
    assert any(expected in p for p in problems), problems


def test_the_release_tag_must_be_v_and_the_version(capsys):
    assert release.check_tag(f"v{VERSION}") == []
    for bad in (VERSION, f"v{VERSION}.1", "v0.0.0", f"V{VERSION}"):
        (problem,) = release.check_tag(bad)
        assert f"expected 'v{VERSION}'" in problem and repr(bad) in problem
    assert release.main(["check-tag", f"v{VERSION}"]) == 0
    assert release.main(["check-tag", "v0.0.0"]) == 1
    assert "does not match" in capsys.readouterr().err


def test_check_tag_needs_only_the_standard_library():
    """The release workflow runs it before installing anything: here, without site-packages (-S)."""
    script = f"import sys, tools.release; sys.exit(tools.release.main(['check-tag', 'v{VERSION}']))"
    done = subprocess.run([sys.executable, "-S", "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and "matches pyproject.toml" in done.stdout, done.stderr
    done = subprocess.run([sys.executable, "-S", "-m", "tools.release", "check-tag", "v0.0.0"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 1 and "does not match" in done.stderr, done.stderr


# ---- the wheel, without building it ----------------------------------------------------------

def _wheel(path, names, name=PROJECT["name"], version=VERSION):
    info = f"{name.replace('-', '_')}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as archive:
        for n in names:
            archive.writestr(n, "")
        archive.writestr(f"{info}/METADATA", f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n\n")
    return path


def test_a_wheel_with_extra_or_missing_files_is_caught(tmp_path):
    files = sorted(release.package_files())
    assert "scratchnet/__init__.py" in files and "scratchnet/_report.py" in files
    assert not any("__pycache__" in f or not f.startswith("scratchnet/") for f in files)
    assert release.wheel_problems(_wheel(tmp_path / "ok.whl", files)) == []
    extra = release.wheel_problems(_wheel(tmp_path / "extra.whl", files + ["tests/test_x.py", "chapters/a.ipynb"]))
    assert extra and "tests/test_x.py" in extra[0] and "chapters/a.ipynb" in extra[0]
    missing = release.wheel_problems(_wheel(tmp_path / "missing.whl", files[1:]))
    assert missing and files[0] in missing[0]
    renamed = release.wheel_problems(_wheel(tmp_path / "renamed.whl", files, name="scratchnet"))
    assert renamed and "METADATA" in renamed[0]


# ---- the real build (slow) -------------------------------------------------------------------

def _build(source, outdir):
    """sdist + wheel as the release workflow makes them: `python -m build` (isolated)."""
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(outdir), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,), (sdist,) = sorted(Path(outdir).glob("*.whl")), sorted(Path(outdir).glob("*.tar.gz"))
    return wheel, sdist


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return _build(ROOT, tmp_path_factory.mktemp("dist"))


@pytest.mark.slow
def test_twine_check_strict_passes_on_sdist_and_wheel(built):
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, built)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


@pytest.mark.slow
def test_the_wheel_holds_the_package_and_nothing_else(built):
    wheel, sdist = built
    assert wheel.name == f"scratchnet_course-{VERSION}-py3-none-any.whl"
    assert release.wheel_problems(wheel) == []
    checker = Path(sys.executable).parent / "check-wheel-contents"
    done = subprocess.run([str(checker), "--toplevel", "scratchnet", "--package", str(ROOT / "scratchnet"),
                           str(wheel)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip().endswith(": OK"), done.stdout + done.stderr
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"scratchnet_course-{VERSION}.dist-info/METADATA").decode()
    head = metadata.split("\n\n")[0].splitlines()
    assert "Name: scratchnet-course" in head and "License-Expression: MIT" in head
    assert [h for h in head if h.startswith("Requires-Dist") and "extra" not in h] == \
        ["Requires-Dist: numpy>=1.26", "Requires-Dist: matplotlib>=3.7"]
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"pyproject.toml", "README.md", "LICENSE", "scratchnet/__init__.py"} <= names
    assert not {n for n in names if n.split("/")[0] in ("tests", "chapters", "tools", "_build", ".github")}


@pytest.mark.slow
def test_a_wheel_missing_a_file_fails_check_wheel_contents(built, tmp_path):
    """The companion of the test above: check-wheel-contents does notice what is missing."""
    package = tmp_path / "scratchnet"
    shutil.copytree(ROOT / "scratchnet", package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "stray.py").write_text("")
    checker = Path(sys.executable).parent / "check-wheel-contents"
    done = subprocess.run([str(checker), "--toplevel", "scratchnet", "--package", str(package), str(built[0])],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "W101" in done.stdout and "stray.py" in done.stdout


@pytest.mark.slow
def test_the_datasets_data_files_go_into_the_wheel(built):
    """The offline datasets and their provenance notice are package data: in the wheel and the sdist."""
    data = ["scratchnet/datasets/mnist_subset.npz", "scratchnet/datasets/digits.npz",
            "scratchnet/datasets/README.md"]
    assert all((ROOT / name).is_file() for name in data)
    wheel, sdist = built
    with zipfile.ZipFile(wheel) as archive:
        assert set(data) <= set(archive.namelist())
        for name in data[:2]:
            assert archive.read(name) == (ROOT / name).read_bytes()
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert set(data) <= names


@pytest.mark.slow
def test_a_data_file_outside_the_package_data_patterns_stays_out(tmp_path):
    """The companion: package-data lists patterns, so a data file it does not name is left out,
    and wheel_problems says so (which is why a new kind of data file needs pyproject.toml)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "scratchnet", source / "scratchnet", ignore=shutil.ignore_patterns("__pycache__"))
    (source / "scratchnet" / "datasets" / "extra.csv").write_text("1,2\n")
    wheel, _ = _build(source, tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        assert "scratchnet/datasets/mnist_subset.npz" in archive.namelist()
        assert "scratchnet/datasets/extra.csv" not in archive.namelist()
    problems = release.wheel_problems(wheel, root=source)
    assert problems and "scratchnet/datasets/extra.csv" in problems[0]


FOREIGN_INIT = b"def err(param):\n\treturn None\n"


def _foreign_wheel(path):
    """A stand-in for the unrelated `scratchnet 0.1.0` from PyPI: same import name, other code."""
    files = {"scratchnet/__init__.py": FOREIGN_INIT,
             "scratchnet-0.1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: scratchnet\nVersion: 0.1.0\n"
                                                    b"Summary: External server support for scratch projects.\n",
             "scratchnet-0.1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\n"
                                                 b"Tag: py3-none-any\n",
             "scratchnet-0.1.0.dist-info/top_level.txt": b"scratchnet\n"}
    record = "".join(f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b'=').decode()},"
                     f"{len(b)}\n" for n, b in files.items()) + "scratchnet-0.1.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("scratchnet-0.1.0.dist-info/RECORD", record)
    return path


NETWORK = textwrap.dedent("""
    import numpy as np
    import scratchnet as sn

    rng = np.random.default_rng(0)
    x, labels = rng.normal(size=(4, 3)), np.array([0, 2, 1, 2])
    layers = [sn.Dense(3, 5, rng=1, dtype=np.float64), sn.ReLU(), sn.Dense(5, 3, rng=2, dtype=np.float64)]
    loss_fn = sn.SoftmaxCrossEntropy()

    def loss_at(W):
        layers[0].W.value = W
        h = x
        for layer in layers:
            h = layer.forward(h)
        return loss_fn.forward(h, labels)

    W = layers[0].W.value.copy()
    loss = loss_at(W)
    grad = loss_fn.backward()
    for layer in reversed(layers):
        grad = layer.backward(grad)
    assert grad.shape == x.shape and np.isfinite(loss)
    sn.gradcheck(loss_at, W, layers[0].W.grad)  # backprop through Dense-ReLU-Dense-loss vs. numerical
    print("ok", sn.__version__, sn.__file__, round(loss, 6))
""")


@pytest.mark.slow
def test_the_wheel_installs_and_runs_in_a_fresh_environment(built, tmp_path):
    wheel, _ = built
    venv, work = tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--disable-pip-version-check"]
    done = subprocess.run(pip + [str(wheel)], capture_output=True, text=True, timeout=600, env=env, cwd=work)
    assert done.returncode == 0, done.stderr[-3000:]

    def run(*args):
        done = subprocess.run([str(python), "-I", *args], capture_output=True, text=True, timeout=120,
                              env=env, cwd=work)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    installed = run("-c", "import importlib.metadata as m; print(sorted(d.metadata['Name'].lower() "
                          "for d in m.distributions()))")
    assert "'scratchnet-course'" in installed and "'numpy'" in installed and "'matplotlib'" in installed
    assert "ipywidgets" not in installed and "'pip'" not in installed  # runtime dependencies only

    out = run("-c", NETWORK)
    assert out.startswith(f"ok {VERSION} {venv}")  # the installed wheel, not the source tree

    report = run("-m", "scratchnet", "report")
    assert f"scratchnet:  scratchnet-course {VERSION}, imported from {venv}" in report
    assert "ipywidgets:  not installed" in report and "tqdm:        not installed" in report
    assert "WARNING" not in report

    # The trap: the unrelated `scratchnet` installed on top overwrites scratchnet/__init__.py.
    done = subprocess.run(pip + ["--no-deps", "--no-index", str(_foreign_wheel(tmp_path / "scratchnet-0.1.0-py3-none-any.whl"))],
                          capture_output=True, text=True, timeout=300, env=env, cwd=work)
    assert done.returncode == 0, done.stderr[-3000:]
    report = run("-m", "scratchnet", "report")
    assert "scratchnet:  WARNING: this is NOT the course's scratchnet." in report
    assert '`scratchnet 0.1.0` ("External server support for scratch projects.")' in report
