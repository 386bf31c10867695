"""Release checks: the tag, the wheel's contents, and the repository's GitHub files.

    python -m tools.release check-tag v0.1.0   # exit 1 unless the tag is "v" + pyproject's version
    python -m tools.release wheel DIST_DIR     # exit 1 unless each wheel holds the package only
    python -m tools.release lint               # the workflows, issue forms and CITATION.cff

The release workflow runs `check-tag` with nothing but the standard library installed, so this
module imports only that at the top; the linters (check-jsonschema, zizmor) run as programs.

`lint` runs, offline:
- `check-jsonschema --builtin-schema vendor.github-workflows` on every workflow, and the vendored
  schemas of GitHub issue forms and of the Citation File Format on those files;
- `zizmor --offline --min-severity medium` on every workflow (no medium or high finding);
- and our own rule, stricter than zizmor's default: every `uses:` is pinned to a full commit
  SHA followed by a `# vX.Y.Z` comment, and every actions/checkout sets persist-credentials: false.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ".github/workflows"
ISSUE_TEMPLATES = ".github/ISSUE_TEMPLATE"
USES_RE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
PINNED_RE = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
RELEASE_COMMENT_RE = re.compile(r"^\s+#\s*v\d+\.\d+\.\d+\s*$")


def project(root: Path = ROOT) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def check_tag(tag: str, root: Path = ROOT) -> list[str]:
    """[] if `tag` is "v" + the version in pyproject.toml, else what is wrong."""
    version = project(root)["version"]
    if tag != f"v{version}":
        return [f"tag {tag!r} does not match the version in pyproject.toml ({version!r}): "
                f"expected 'v{version}'; change the version there (one place) or tag that commit 'v{version}'"]
    return []


def consistency_problems(root: Path = ROOT) -> list[str]:
    """Where the one version (and the repository URL) is repeated, it must agree with its source:
    pyproject.toml's version, _config.yml's repository URL."""
    import yaml  # the release workflow's check-tag does not need it

    from tools import colab
    meta, problems = project(root), []
    version, name = meta["version"], meta["name"]
    init = (root / "scratchnet" / "__init__.py").read_text(encoding="utf-8")
    if f'__version__ = "{version}"' not in init:
        problems.append(f"scratchnet/__init__.py does not set __version__ = {version!r}; run `make export`")
    if not colab.install_source(root).rstrip().endswith(f'@v{version}"'):
        problems.append(f"the Colab install cell does not pin v{version}")
    citation = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    if str(citation.get("version")) != version:
        problems.append(f"CITATION.cff: version {citation.get('version')!r}, pyproject.toml: {version!r}")
    url = colab.repository(root)[0]
    if citation.get("repository-code") != url or meta.get("urls", {}).get("Source") != url:
        problems.append(f"CITATION.cff repository-code and pyproject's project.urls.Source must be {url} "
                        "(the repository in _config.yml)")
    owner, repo = url.removeprefix("https://github.com/").split("/")[:2]
    pages = f"https://{owner}.github.io/{repo}/"
    if citation.get("url") != pages or meta.get("urls", {}).get("Homepage") != pages:
        problems.append(f"CITATION.cff url and pyproject's project.urls.Homepage must be {pages} (GitHub Pages)")
    # a version stated: `v1.2.3`, @v1.2.3, scratchnet-course==1.2.3, or a bare `1.2.3` in backticks
    stated = re.compile(rf"(?:@v|\bv|{re.escape(name)}==|(?<=`))(\d+\.\d+\.\d+\S*?)(?=[`\"'\s)]|$)")
    for path in [root / "README.md", root / "CONTRIBUTING.md", *sorted((root / "book").rglob("*.md"))]:
        if path.exists():
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for found in stated.findall(line):
                    if found != version:
                        problems.append(f"{path.relative_to(root)}:{number} states version {found}, "
                                        f"pyproject.toml has {version}")
    return problems


# ---- install instructions -----------------------------------------------------------------

INSTALL_RE = re.compile(r"\bpip3?\s+install\b(?P<args>[^\n`]*)")  # up to the line's end or a backtick
NAME_RE = re.compile(r"(?:^|(?<=[\s\"'`(]))(?P<name>scratchnet(?:[-_.][A-Za-z0-9]+)*)(?=[\s\"'`\[@=<>~!;,.)]|$)")
# Files that hold install instructions, or might: everything a reader or a contributor reads or runs.
INSTRUCTION_GLOBS = ("README.md", "CONTRIBUTING.md", "CITATION.cff", "Makefile", ".ci/*", "book/**/*.md",
                     "tools/*.py", "tools/*.sh", ".github/**/*.yml", "scratchnet/**/*.py", "_config.yml")
# Known, and not ours to change here: the ImportError message in scratchnet/widgets/_base.py still
# names the extra of the old distribution name. tests/test_release.py fails once it is fixed, so
# that this entry goes too.
KNOWN_BAD: dict[str, str] = {}


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end]: from the previous '. ' or blank line to the next."""
    before = max(text.rfind(". ", 0, start), text.rfind(".\n", 0, start), text.rfind("\n\n", 0, start))
    after = [i for i in (text.find(". ", end), text.find(".\n", end), text.find("\n\n", end)) if i >= 0]
    return text[before + 1:min(after) if after else len(text)]


def install_problems_in(text: str, where: str, known: str | None = None) -> list[str]:
    """Each `pip install` in `text` that installs scratchnet must name the distribution scratchnet-course.
    The one exception is a sentence that warns against the bare name: it says "unrelated"."""
    problems = []
    for match in INSTALL_RE.finditer(text):
        for name in NAME_RE.findall(match["args"]):
            if re.sub(r"[-_.]+", "-", name).lower() == "scratchnet-course":
                continue
            if "unrelated" in _sentence(text, match.start(), match.start("args")):
                continue  # the setup page's warning, which names the wrong command on purpose
            if known and known in match["args"]:
                continue
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"{where}:{line}: {match.group(0).strip()!r} installs {name!r}, not scratchnet-course "
                            "(the name scratchnet on PyPI is an unrelated project)")
    return problems


def install_texts(root: Path = ROOT) -> dict[str, str]:
    """Every text to check: the files above, and the install cell that tools/colab.py generates."""
    from tools import colab
    texts = {}
    for pattern in INSTRUCTION_GLOBS:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                texts[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    texts["tools/colab.py: install_source()"] = colab.install_source(root)
    return texts


def install_problems(root: Path = ROOT) -> list[str]:
    return [p for where, text in install_texts(root).items()
            for p in install_problems_in(text, where, KNOWN_BAD.get(where))]


# ---- the wheel ----------------------------------------------------------------------------

def package_files(root: Path = ROOT) -> set[str]:
    """What the wheel must hold besides its .dist-info: every file of scratchnet/ but caches."""
    package = root / "scratchnet"
    return {p.relative_to(root).as_posix() for p in package.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")}


def wheel_problems(wheel: Path, root: Path = ROOT) -> list[str]:
    """How a wheel differs from "the scratchnet package, its data, and metadata, nothing else"."""
    meta = project(root)
    dist_info = f"{re.sub(r'[-_.]+', '_', meta['name'])}-{meta['version']}.dist-info/"
    with zipfile.ZipFile(wheel) as archive:
        names = {n for n in archive.namelist() if not n.endswith("/")}
        metadata = archive.read(dist_info + "METADATA").decode() if dist_info + "METADATA" in names else ""
    problems = []
    content = {n for n in names if not n.startswith(dist_info)}
    if extra := sorted(content - package_files(root)):
        problems.append(f"{wheel.name} holds files that are not in scratchnet/: {', '.join(extra)}")
    if missing := sorted(package_files(root) - content):
        problems.append(f"{wheel.name} lacks files of scratchnet/: {', '.join(missing)}")
    if not metadata:
        problems.append(f"{wheel.name} has no {dist_info}METADATA")
    else:
        fields = dict(line.split(": ", 1) for line in metadata.split("\n\n")[0].splitlines() if ": " in line)
        if fields.get("Name") != meta["name"] or fields.get("Version") != meta["version"]:
            problems.append(f"{wheel.name}: metadata says {fields.get('Name')} {fields.get('Version')}, "
                            f"pyproject.toml says {meta['name']} {meta['version']}")
    return problems


# ---- the GitHub files ---------------------------------------------------------------------

def pin_problems(path: Path) -> list[str]:
    """Our rule on a workflow: full-SHA pins with a release comment; checkout keeps no credentials."""
    problems, lines = [], path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        match = USES_RE.match(line)
        if not match:
            continue
        ref, rest = match["ref"].strip("'\""), match["rest"]
        if ref.startswith("./"):
            continue
        if not PINNED_RE.match(ref):
            problems.append(f"{path.name}:{number}: {ref} is not pinned to a full commit SHA "
                            "(write owner/repo@<40 hex digits> # vX.Y.Z)")
        elif not RELEASE_COMMENT_RE.match(rest):
            problems.append(f"{path.name}:{number}: {ref} needs the release it pins in a comment, e.g. '# v1.2.3'")
    import yaml  # not needed by check-tag, which runs where only the standard library is
    workflow = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for job_name, job in (workflow.get("jobs") or {}).items():
        for step in job.get("steps") or []:
            if str(step.get("uses", "")).startswith("actions/checkout@") and \
                    (step.get("with") or {}).get("persist-credentials") is not False:
                problems.append(f"{path.name}: job {job_name}: actions/checkout must set "
                                "persist-credentials: false (no token left in .git/config)")
    return problems


def _tool(name: str) -> str:
    """A console script of the running interpreter's environment, else from PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is not installed; `make venv` installs it (requirements.txt)")
    return found


def _run(command: list[str]) -> list[str]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if done.returncode == 0:
        return []
    output = (done.stdout + done.stderr).strip()
    return [f"`{' '.join(Path(command[0]).name if i == 0 else c for i, c in enumerate(command))}` "
            f"failed (exit {done.returncode}):\n{output}"]


def lint_problems(root: Path = ROOT) -> list[str]:
    workflows = sorted((root / WORKFLOWS).glob("*.y*ml"))
    forms = sorted(p for p in (root / ISSUE_TEMPLATES).glob("*.y*ml") if p.stem != "config")
    config = sorted((root / ISSUE_TEMPLATES).glob("config.y*ml"))
    citation = root / "CITATION.cff"
    problems = [] if workflows else [f"no workflows in {WORKFLOWS}"]
    check = _tool("check-jsonschema")
    for schema, files, extra in (("vendor.github-workflows", workflows, []),
                                 ("vendor.github-issue-forms", forms, []),
                                 ("vendor.github-issue-config", config, []),
                                 ("vendor.citation-file-format", [citation] if citation.exists() else [],
                                  ["--default-filetype", "yaml"])):
        if files:
            problems += _run([check, "--builtin-schema", schema, *extra, *map(str, files)])
    if workflows:
        problems += _run([_tool("zizmor"), "--offline", "--no-progress", "--min-severity", "medium",
                          *map(str, workflows)])
    for path in workflows:
        problems += pin_problems(path)
    return problems


def main(argv: list[str]) -> int:
    match argv:
        case ["check-tag", tag]:
            problems = check_tag(tag)
            ok = f"tag {tag} matches pyproject.toml"
        case ["wheel", dist]:
            wheels = sorted(Path(dist).glob("*.whl"))
            problems = [p for w in wheels for p in wheel_problems(w)] if wheels else [f"no wheel in {dist}"]
            ok = f"{', '.join(w.name for w in wheels)}: the scratchnet package and its metadata, nothing else"
        case ["lint"]:
            problems = lint_problems()
            ok = "workflows, issue forms and CITATION.cff: valid; zizmor: no medium or high finding; actions pinned"
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    print("\n".join(problems) or ok, file=sys.stderr if problems else sys.stdout)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
