"""The test suite's own rails: what `make test-fast`, `make test` and `.ci/run` run, and the stage
timer that `make test` prints its figures with."""

import shlex
import subprocess
import sys

from tools import nbcompare, stages
from tools.notebooks import ROOT


def _make_n(target):
    """The commands `make TARGET` would run (dry run), as lists of words."""
    out = subprocess.run(["make", "-n", "--no-print-directory", target], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=60).stdout
    out = out.replace("\\\n", " ")  # a recipe line continued with a backslash is one command
    return [shlex.split(line) for line in out.splitlines() if line.strip()]


def test_the_fast_command_compares_every_chapter_gated_and_skips_the_slow_stages():
    (pytest_run,) = [words for words in _make_n("test-fast") if words[1:3] == ["-m", "pytest"]]
    relative = [a.replace(str(ROOT) + "/", "") for a in nbcompare.ARGS]
    assert all(arg in pytest_run for arg in relative), (relative, pytest_run)
    assert "chapters" in pytest_run and "tests" in pytest_run
    assert pytest_run[pytest_run.index("-m", 3) + 1] == "not slow and not browser and not lab and not book"
    assert "--nbval" not in pytest_run  # nbcompare replaces strict nbval's comparison


def test_make_test_runs_its_stages_through_the_timer():
    (run,) = [words for words in _make_n("test") if "tools/stages.py" in words]
    listed = run[run.index("tools/stages.py") + 1:]
    assert listed[:5] == ["book", "pytest", "test-browser", "compat", "release-check"]


def test_ci_runs_the_readme_command_with_the_pinned_torch_and_fails_when_nothing_was_collected():
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test EXTRA_STAGES=test-lab 2>&1" in script and "make test" in (ROOT / "README.md").read_text()
    assert "pip install -q -r requirements-torch.txt" in script and "torch==" not in script
    assert 'grep -qE "no tests ran|collected 0 items"' in script and "exit 1" in script
    pins = [line for line in (ROOT / "requirements-torch.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    assert len(pins) == 1 and pins[0].startswith("torch==")


def test_stages_run_in_order_each_timed_and_a_failure_fails_the_whole_but_not_the_rest():
    code = "import sys; print('ran', sys.argv[1]); sys.exit(3 if sys.argv[1] == 'bad' else 0)"
    results, summary = stages.run_stages(["one", "bad", "three"], [sys.executable, "-c", code])
    assert [(name, status) for name, _, status in results] == [("one", 0), ("bad", 3), ("three", 0)]
    lines = summary.splitlines()
    assert lines[1] == "== stage times (wall clock)"
    assert lines[2].startswith("one") and lines[2].endswith(" s  ok")
    assert lines[3].startswith("bad") and lines[3].endswith("FAILED (exit 3)")
    assert lines[5].startswith("total")


def test_the_stage_runner_exits_1_when_a_stage_fails(tmp_path):
    (tmp_path / "Makefile").write_text("ok:\n\t@true\nbad:\n\t@false\n")
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "stages.py"), "ok", "bad"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "ok " in run.stdout and "FAILED (exit 2)" in run.stdout


def test_compat_checks_that_the_installed_scratchnet_is_the_current_one(tmp_path):
    from tools.installed_matches import differences
    source, installed = tmp_path / "src", tmp_path / "site"
    for root in (source, installed):
        (root / "sub").mkdir(parents=True)
        (root / "a.py").write_text("x = 1\n")
        (root / "sub" / "b.py").write_text("y = 2\n")
    assert differences(source, installed) == []
    (source / "a.py").write_text("x = 2\n")          # edited since the install
    (source / "sub" / "c.py").write_text("z = 3\n")  # added since the install
    assert differences(source, installed) == ["a.py", "sub/c.py"]
    assert "tools/installed_matches.py" in (ROOT / "tools" / "compat.sh").read_text()


def test_the_browser_stage_installs_axe_core_pinned_from_the_npm_registry():
    """axe-core, which the browser test injects into every page (tests/browser/accessibility.py),
    is installed by the project's own setup: `make test-browser` runs `make axe`, `npm ci` from
    the committed lock file; node_modules stays out of git; CI installs npm."""
    import json

    out = subprocess.run(["make", "-n", "--no-print-directory", "-W", "tests/browser/package-lock.json",
                          "test-browser"], cwd=ROOT, capture_output=True, text=True, check=True,
                         timeout=60).stdout
    assert "npm ci --prefix tests/browser" in out
    package = json.loads((ROOT / "tests/browser/package.json").read_text())
    lock = json.loads((ROOT / "tests/browser/package-lock.json").read_text())
    version = package["dependencies"]["axe-core"]
    assert version[0].isdigit()  # an exact version, not a range
    entry = lock["packages"]["node_modules/axe-core"]
    assert entry["version"] == version and entry["integrity"].startswith("sha512-")
    assert "node_modules/" in (ROOT / ".gitignore").read_text().splitlines()
    assert 'command -v npm >/dev/null 2>&1 || missing="$missing npm"' in (ROOT / ".ci" / "run").read_text()
