"""`scratchnet.report()` and `python -m scratchnet report`: the environment, for a bug report.

It prints the versions of Python, scratchnet, numpy (and the BLAS numpy uses), matplotlib,
ipywidgets and tqdm, the platform, and where it runs (Colab, Jupyter, IPython or plain Python).
It also says plainly when the `scratchnet` being imported is not this course's package: the
name `scratchnet` on PyPI belongs to an unrelated project with the same import name, and
`pip install scratchnet` puts it in the same place.

It never raises: whatever cannot be found or imported is reported as such. Support code, so it
imports nothing of the chapter-exported modules and only the standard library at import time.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

__all__ = ["report", "report_text", "main"]

DISTRIBUTION = "scratchnet-course"  # the distribution name; the import name is `scratchnet`
PACKAGE = "scratchnet"
OPTIONAL = ("matplotlib", "ipywidgets", "tqdm")
FIX = (f"To fix it: `pip uninstall -y {PACKAGE} {DISTRIBUTION}`, then install {DISTRIBUTION} again "
       f"as the book's setup page says (by that name: the name {PACKAGE} alone is the unrelated project).")


def report(file=None) -> None:
    """Print the environment report (to paste into a bug report); `file` defaults to stdout."""
    print(report_text(), file=sys.stdout if file is None else file)


def report_text() -> str:
    """The report as text, one `name: value` line per item. Never raises."""
    lines = ["scratchnet report (paste all of it into your bug report)"]
    for label, item in (("python", _python), ("scratchnet", _scratchnet), ("numpy", _numpy),
                        ("blas", _blas), *((name, _versioned(name)) for name in OPTIONAL),
                        ("platform", _platform), ("running in", _where)):
        try:
            value = item()
        except Exception as error:  # noqa: BLE001 - a report must still come out
            value = f"(could not be determined: {_describe(error)})"
        lines += _entry(label, value)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """`python -m scratchnet report`."""
    if list(argv) == ["report"]:
        report()
        return 0
    print("usage: python -m scratchnet report\n"
          "  print the versions, platform and environment to paste into a bug report",
          file=sys.stderr)
    return 2


# ---- the items ----------------------------------------------------------------------------

def _python() -> str:
    venv = " (virtual environment)" if sys.prefix != getattr(sys, "base_prefix", sys.prefix) else ""
    return f"{platform.python_version()} ({platform.python_implementation()}), {sys.executable}{venv}"


def _scratchnet() -> list[str]:
    """Which scratchnet is imported, from which file, and which distribution installed that file."""
    path = _imported_path()
    module = sys.modules.get(PACKAGE)
    version = getattr(module, "__version__", None) if module is not None else None
    providers = _providers()
    owner = next((dist for dist in providers if _owns(dist, path)), None) if path else None
    ours = [d for d in providers if _normalize(_name(d)) == DISTRIBUTION]
    others = [d for d in providers if _normalize(_name(d)) != DISTRIBUTION]

    if owner is not None and _normalize(_name(owner)) == DISTRIBUTION:
        lines = [f"{_name(owner)} {owner.version}{_editable(owner)}, imported from {path}"]
    elif owner is not None:
        return [f"WARNING: this is NOT the course's scratchnet. The `scratchnet` imported from {path} "
                f"belongs to the distribution {_describe_dist(owner)}, an unrelated project with the "
                f"same import name.", FIX]
    elif path is None and module is not None:
        lines = [f"the imported `scratchnet` has no file ({module!r}): not an installed package"]
    elif path is None:
        lines = ["NOT INSTALLED: Python cannot find a package named `scratchnet`"]
    elif not providers:
        lines = [f"imported from {path}, which no installed distribution provides "
                 f"(a source checkout on sys.path?)"]
    else:
        lines = [f"imported from {path}, which none of the installed distributions "
                 f"({', '.join(_describe_dist(d) for d in providers)}) installed there"]
    if version is not None:
        lines[0] += f"; scratchnet.__version__ = {version}"
    if others and (ours or owner is not None):
        lines.append(f"WARNING: the distribution {', '.join(_describe_dist(d) for d in others)} is also "
                     f"installed. It is an unrelated project that installs a package named `scratchnet` "
                     f"too, over these files. {FIX}")
    elif others:
        lines.append(f"WARNING: the installed distribution that provides `scratchnet` is "
                     f"{', '.join(_describe_dist(d) for d in others)}, not {DISTRIBUTION}: an unrelated "
                     f"project. {FIX}")
    return lines


def _numpy() -> str:
    numpy = _import("numpy")
    return numpy if isinstance(numpy, str) else f"{getattr(numpy, '__version__', '?')}, {_location(numpy)}"


def _blas() -> str:
    """The BLAS numpy runs on: threadpoolctl's view when it is installed, else numpy's build info."""
    numpy = _import("numpy")
    if isinstance(numpy, str):
        return "unknown (numpy is not usable)"
    threadpoolctl = _import("threadpoolctl")
    if not isinstance(threadpoolctl, str):
        try:
            libraries = [lib for lib in threadpoolctl.threadpool_info() if lib.get("user_api") == "blas"]
            if libraries:
                return "; ".join(_describe_blas(lib) for lib in libraries) + \
                    f" (threadpoolctl {getattr(threadpoolctl, '__version__', '?')})"
        except Exception as error:  # noqa: BLE001 - fall back on numpy's build information
            return f"(threadpoolctl failed: {_describe(error)}); {_blas_from_numpy(numpy)}"
    return _blas_from_numpy(numpy)


def _blas_from_numpy(numpy) -> str:
    """numpy.show_config(mode="dicts"): numpy >= 1.26 (built with meson) has it, 1.x and 2.x alike."""
    try:
        config = numpy.show_config(mode="dicts")
    except TypeError:  # an older numpy, whose show_config only prints
        return "unknown (this numpy's show_config has no mode='dicts')"
    blas = (config or {}).get("Build Dependencies", {}).get("blas", {})
    if not blas:
        return "unknown (numpy.show_config lists no BLAS)"
    found = "" if blas.get("found", True) else ", not found"
    details = ", ".join(f"{key} {blas[key]}" for key in ("detection method", "openblas configuration")
                        if blas.get(key))
    return (f"{blas.get('name', '?')} {blas.get('version', '?')}{found} (from numpy.show_config"
            f"{': ' + details if details else ''}; install threadpoolctl to see the library loaded)")


def _describe_blas(lib: dict) -> str:
    parts = [f"{lib.get('internal_api', '?')} {lib.get('version') or '?'}"]
    extras = [f"{lib['num_threads']} threads" if lib.get("num_threads") is not None else None,
              f"threading {lib['threading_layer']}" if lib.get("threading_layer") else None,
              f"architecture {lib['architecture']}" if lib.get("architecture") else None,
              lib.get("filepath")]
    return parts[0] + f" ({', '.join(e for e in extras if e)})"


def _versioned(name: str):
    def item() -> str:
        module = _import(name)
        return module if isinstance(module, str) else str(getattr(module, "__version__", None) or _version(name))
    return item


def _platform() -> str:
    return f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs"


def _where() -> str:
    """Colab, a Jupyter kernel, the IPython terminal, or plain Python (looked up, never imported)."""
    shell = None
    ipython = sys.modules.get("IPython")
    if ipython is not None:
        try:
            shell = ipython.get_ipython()
        except Exception:  # noqa: BLE001 - then it is not a working IPython
            shell = None
    kind = type(shell).__module__ + "." + type(shell).__name__ if shell is not None else ""
    if "google.colab" in sys.modules or "google.colab" in kind:
        return f"Colab ({kind or 'google.colab imported'})"
    if os.environ.get("COLAB_RELEASE_TAG"):
        return f"Colab (a process started from it; COLAB_RELEASE_TAG={os.environ['COLAB_RELEASE_TAG']})"
    if shell is not None and "ZMQInteractiveShell" in kind:
        return f"Jupyter kernel (ipykernel {_version('ipykernel')}, IPython {_version('ipython')})"
    if shell is not None:
        return f"IPython ({kind}, IPython {_version('ipython')})"
    if os.environ.get("JPY_PARENT_PID"):
        return "plain Python, started from a Jupyter kernel (e.g. `!python -m scratchnet report`)"
    return "plain Python"


# ---- helpers ------------------------------------------------------------------------------

def _entry(label: str, value) -> list[str]:
    values = value if isinstance(value, list) else [value]
    first, *rest = [str(v) for v in values] or [""]
    return [f"{label + ':':<12} {first}"] + [f"{'':<12} {line}" for line in rest]


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _import(name: str):
    """The module, or a string saying why it is not there. Catches what a broken install raises."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:
            return "not installed"
        return f"installed, but importing it fails: {_describe(error)}"
    except (Exception, SystemExit) as error:  # noqa: BLE001 - a broken package is a finding
        return f"installed, but importing it fails: {_describe(error)}"


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except Exception:  # noqa: BLE001
        return "?"


def _location(module) -> str:
    return str(Path(getattr(module, "__file__", "") or "?").parent)


def _imported_path() -> str | None:
    """The file `import scratchnet` runs: the loaded module's, else where Python would find it."""
    module = sys.modules.get(PACKAGE)
    path = getattr(module, "__file__", None) if module is not None else None
    if path is None:
        try:
            spec = importlib.util.find_spec(PACKAGE)
        except (ImportError, ValueError):
            spec = None
        path = getattr(spec, "origin", None) if spec is not None else None
    return str(Path(path).resolve()) if path else None


def _name(dist) -> str:
    return dist.metadata["Name"] or "?"


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _describe_dist(dist) -> str:
    summary = dist.metadata["Summary"]
    return f"`{_name(dist)} {dist.version}`" + (f" (\"{summary}\")" if summary else "")


def _editable(dist) -> str:
    source = _editable_source(dist)
    return f" (editable install of {source})" if source else ""


def _editable_source(dist) -> Path | None:
    try:
        info = json.loads(dist.read_text("direct_url.json") or "{}")
    except ValueError:
        return None
    if not info.get("dir_info", {}).get("editable"):
        return None
    url = urlparse(info.get("url", ""))
    return Path(unquote(url.path)).resolve() if url.scheme == "file" else None


def _top_level(dist) -> set[str]:
    declared = (dist.read_text("top_level.txt") or "").split()
    if declared:
        return set(declared)
    return {f.parts[0] for f in (dist.files or []) if len(f.parts) > 1 and f.parts[0].isidentifier()}


def _providers() -> list:
    """Every installed distribution that installs a top-level `scratchnet` (ours, or the other)."""
    found, seen = [], set()
    distributions = iter(importlib.metadata.distributions())
    while True:
        try:
            dist = next(distributions)
        except StopIteration:
            return found
        except Exception:  # noqa: BLE001 - a broken entry on sys.path ends the search, not the report
            return found
        try:
            if PACKAGE not in _top_level(dist) or _build_residue(dist):
                continue
            key = (_normalize(_name(dist)), str(getattr(dist, "_path", id(dist))))
        except Exception:  # noqa: BLE001 - an unreadable distribution is skipped
            continue
        if key not in seen:
            seen.add(key)
            found.append(dist)


def _build_residue(dist) -> bool:
    """A `NAME.egg-info` that setuptools left in a source checkout (found when Python runs from
    there, as sys.path starts with the current directory) is not an installed distribution."""
    metadata = Path(str(getattr(dist, "_path", "")))
    return metadata.suffix == ".egg-info" and (metadata.parent / "pyproject.toml").is_file()


def _owns(dist, path: str) -> bool:
    """Whether `path` is this distribution's file: its RECORD lists it with this content (sha256),
    or it lies in the source tree of an editable install."""
    source = _editable_source(dist)
    if source is not None:
        return Path(path).is_relative_to(source)
    for file in dist.files or []:
        try:
            if str(Path(dist.locate_file(file)).resolve()) != path:
                continue
            if file.hash is None or file.hash.mode != "sha256":
                return True
            digest = base64.urlsafe_b64encode(hashlib.sha256(Path(path).read_bytes()).digest())
            return digest.rstrip(b"=").decode() == file.hash.value
        except Exception:  # noqa: BLE001
            continue
    return False
