"""The workflows, the issue form and CITATION.cff are checked offline: check-jsonschema (the
vendored GitHub and CFF schemas), zizmor --offline (no medium or high finding), and our own rule
that every action is pinned to a commit SHA with its release in a comment. Each check is shown
failing on a deliberately broken file."""

import shutil

import pytest
import yaml

from tools import release
from tools.notebooks import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def _load(name):
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as True
    return workflow


def test_the_github_files_pass_every_check():
    assert release.lint_problems() == []
    assert sorted(p.name for p in WORKFLOWS.glob("*.yml")) == ["book.yml", "release.yml", "test.yml"]
    assert (ROOT / ".github" / "ISSUE_TEMPLATE" / "bug.yml").exists() and (ROOT / "CITATION.cff").exists()


def test_the_test_workflow_runs_the_readme_command_on_python_3_12_with_chromium():
    workflow = _load("test.yml")
    assert set(workflow["on"]) == {"push", "pull_request"}
    (job,) = workflow["jobs"].values()
    assert job["container"].startswith("python:3.12-")
    runs = [step.get("run", "") for step in job["steps"]]
    assert "make test" in runs and "make test" in (ROOT / "README.md").read_text()
    assert any("apt-get install" in r and "chromium" in r for r in runs)
    (cache,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"] == "~/.cache/pip"


def test_the_book_workflow_deploys_to_pages_as_deploy_pages_documents():
    workflow = _load("book.yml")
    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert any(s.get("run") == "make book" for s in build["steps"])
    (upload,) = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][-1]["uses"].startswith("actions/deploy-pages@")


def test_the_release_workflow_checks_the_tag_and_publishes_with_trusted_publishing():
    workflow = _load("release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*.*.*"]}}
    jobs = workflow["jobs"]
    runs = [s.get("run", "") for s in jobs["build"]["steps"]]
    assert any('python -m tools.release check-tag "$TAG"' in r for r in runs)
    assert runs.index(next(r for r in runs if "check-tag" in r)) < runs.index("python -m build")
    assert any("twine check --strict" in r for r in runs)
    publish = jobs["pypi"]
    assert publish["permissions"] == {"id-token": "write"} and publish["environment"]["name"] == "pypi"
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "with" not in publish["steps"][-1]  # no password: trusted publishing
    assert "secrets." not in (WORKFLOWS / "release.yml").read_text()
    assert any("gh release create" in s.get("run", "") for s in jobs["github-release"]["steps"])
    assert jobs["github-release"]["permissions"] == {"contents": "write"}


def _repository_copy(tmp_path):
    shutil.copytree(ROOT / ".github", tmp_path / ".github")
    shutil.copy(ROOT / "CITATION.cff", tmp_path / "CITATION.cff")
    return tmp_path  # which passes every check, as test_the_github_files_pass_every_check shows


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def test_an_action_pinned_to_a_branch_is_caught(tmp_path):
    root = _repository_copy(tmp_path)
    _edit(root / ".github/workflows/release.yml",
          "pypa/gh-action-pypi-publish@ed0c53931b1dc9bd32cbe73a98c7f6766f8a527e # v1.13.0",
          "pypa/gh-action-pypi-publish@release/v1")
    problems = release.lint_problems(root)
    assert any(p.startswith("`zizmor") and "unpinned-uses" in p for p in problems), problems
    assert any("release.yml" in p and "not pinned to a full commit SHA" in p for p in problems)


def test_a_sha_pin_without_its_release_comment_is_caught(tmp_path):
    root = _repository_copy(tmp_path)
    _edit(root / ".github/workflows/book.yml", " # v5.0.0\n        with:", "\n        with:")
    assert any("needs the release it pins in a comment" in p for p in release.lint_problems(root))


def test_a_checkout_that_keeps_its_credentials_is_caught(tmp_path):
    root = _repository_copy(tmp_path)
    _edit(root / ".github/workflows/test.yml", "        with:\n          persist-credentials: false\n", "")
    problems = release.lint_problems(root)
    assert any(p.startswith("`zizmor") and "artipacked" in p for p in problems), problems
    assert any("persist-credentials: false" in p and "job test" in p for p in problems)


def test_a_schema_error_in_a_workflow_is_caught(tmp_path):
    root = _repository_copy(tmp_path)
    _edit(root / ".github/workflows/test.yml", "    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n    step: []\n")
    problems = release.lint_problems(root)
    assert any(p.startswith("`check-jsonschema --builtin-schema vendor.github-workflows") for p in problems), problems


def test_a_script_injection_is_caught(tmp_path):
    root = _repository_copy(tmp_path)
    _edit(root / ".github/workflows/release.yml", 'run: python -m tools.release check-tag "$TAG"',
          "run: python -m tools.release check-tag ${{ github.event.head_commit.message }}")
    assert any(p.startswith("`zizmor") and "template-injection" in p for p in release.lint_problems(root))


@pytest.mark.parametrize("where, old, new, schema", [
    ("CITATION.cff", "authors:\n  - name: \"The authors of Deep Learning from Scratch\"\n", "",
     "vendor.citation-file-format"),
    ("CITATION.cff", "cff-version: 1.2.0", "cff-version: one", "vendor.citation-file-format"),
    (".github/ISSUE_TEMPLATE/bug.yml", "    id: report\n", "    id: report\n    idd: typo\n", "vendor.github-issue-forms"),
])
def test_a_broken_citation_or_issue_form_is_caught(tmp_path, where, old, new, schema):
    root = _repository_copy(tmp_path)
    _edit(root / where, old, new)
    problems = release.lint_problems(root)
    assert any(p.startswith(f"`check-jsonschema --builtin-schema {schema}") for p in problems), problems


def test_the_issue_form_asks_for_the_report_the_chapter_and_the_cell():
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "bug.yml").read_text())
    fields = {item["id"]: item for item in form["body"] if "id" in item}
    assert "python -m scratchnet report" in fields["report"]["attributes"]["label"]
    assert {"report", "chapter", "cell"} <= set(fields)
    assert all(fields[f]["validations"]["required"] for f in ("report", "chapter", "cell"))


def test_contributing_states_the_cycle_of_the_readme():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    readme = (ROOT / "README.md").read_text()
    for command in ("make execute CHAPTERS=NN", "make export", "make test"):
        assert command in text and command in readme, command
