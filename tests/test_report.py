"""`scratchnet.report()` / `python -m scratchnet report`: every item is there, the foreign
`scratchnet` (the unrelated PyPI project of the same import name) is named plainly, and nothing
missing or broken makes it raise."""

import base64
import hashlib
import importlib.metadata
import subprocess
import sys
import types

import pytest

import scratchnet
from scratchnet import _report
from tools.notebooks import ROOT, package_version

ITEMS = ("python:", "scratchnet:", "numpy:", "blas:", "matplotlib:", "ipywidgets:", "tqdm:",
         "platform:", "running in:")
FOREIGN_INIT = b"import scratchnet.server\n\n\ndef err(param):\n\treturn None\n"


def _item(text, label):
    """The value after `label:` (first line only)."""
    (line,) = [line for line in text.splitlines() if line.startswith(label + ":")]
    return line.split(":", 1)[1].strip()


def test_report_is_exported_and_prints_every_item(capsys, monkeypatch):
    for name in ("COLAB_RELEASE_TAG", "JPY_PARENT_PID"):
        monkeypatch.delenv(name, raising=False)
    assert scratchnet.report is _report.report and "report" in scratchnet.__all__
    assert scratchnet.report() is None  # in a notebook, no second copy as the cell's value
    text = capsys.readouterr().out
    for label in ITEMS:
        assert sum(line.startswith(label) for line in text.splitlines()) == 1, label
    import matplotlib
    import numpy
    assert _item(text, "numpy").startswith(numpy.__version__ + ",")
    assert _item(text, "matplotlib") == matplotlib.__version__
    assert _item(text, "python").startswith(".".join(map(str, sys.version_info[:3])))
    scratch = _item(text, "scratchnet")
    assert scratch.startswith(f"scratchnet-course {package_version()}")
    assert str(ROOT / "scratchnet" / "__init__.py") in scratch and "WARNING" not in text
    assert _item(text, "running in") == "plain Python"
    assert "could not be determined" not in text


def test_python_m_scratchnet_report_runs_the_same_report():
    done = subprocess.run([sys.executable, "-m", "scratchnet", "report"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert all(label in done.stdout for label in ITEMS)
    usage = subprocess.run([sys.executable, "-m", "scratchnet", "nonsense"], capture_output=True, text=True,
                           cwd=ROOT, timeout=120)
    assert usage.returncode == 2 and "usage: python -m scratchnet report" in usage.stderr


def test_blas_from_threadpoolctl_when_present(monkeypatch):
    fake = types.ModuleType("threadpoolctl")
    fake.__version__ = "9.9"
    fake.threadpool_info = lambda: [
        {"user_api": "openmp", "internal_api": "openmp", "version": None, "num_threads": 2},
        {"user_api": "blas", "internal_api": "openblas", "version": "0.3.29", "num_threads": 2,
         "threading_layer": "pthreads", "architecture": "Haswell", "filepath": "/x/libopenblas.so"}]
    monkeypatch.setitem(sys.modules, "threadpoolctl", fake)
    blas = _item(_report.report_text(), "blas")
    assert blas == "openblas 0.3.29 (2 threads, threading pthreads, architecture Haswell, /x/libopenblas.so) " \
                   "(threadpoolctl 9.9)"


def test_blas_from_numpy_show_config_without_threadpoolctl(monkeypatch):
    import numpy
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # `import threadpoolctl` fails
    blas = _item(_report.report_text(), "blas")
    expected = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
    assert blas.startswith(f"{expected['name']} {expected['version']}") and "numpy.show_config" in blas


@pytest.mark.parametrize("config, expected", [
    ({"Build Dependencies": {"blas": {"name": "openblas64", "found": True, "version": "0.3.23.dev",
                                      "detection method": "pkgconfig"}}},  # numpy 1.26
     "openblas64 0.3.23.dev (from numpy.show_config: detection method pkgconfig;"),
    ({"Build Dependencies": {"blas": {"name": "accelerate", "found": False}}}, "accelerate ?, not found"),
    ({"Build Dependencies": {}}, "unknown (numpy.show_config lists no BLAS)"),
    (TypeError("show_config() got an unexpected keyword argument 'mode'"),
     "unknown (this numpy's show_config has no mode='dicts')"),
])
def test_blas_from_the_show_config_of_each_numpy(config, expected):
    def show_config(mode="stdout"):
        if isinstance(config, Exception):
            raise config
        assert mode == "dicts"
        return config
    assert _report._blas_from_numpy(types.SimpleNamespace(show_config=show_config)).startswith(expected)


def test_a_missing_optional_package_is_reported_as_missing(monkeypatch):
    for name in ("ipywidgets", "tqdm", "matplotlib", "threadpoolctl"):
        monkeypatch.setitem(sys.modules, name, None)
    text = _report.report_text()
    for name in ("ipywidgets", "tqdm", "matplotlib"):
        assert _item(text, name) == "not installed"
    assert "numpy.show_config" in _item(text, "blas")


def test_a_package_that_fails_to_import_is_reported_not_raised(monkeypatch):
    class Broken:  # a finder that makes `import numpy` / `import ipywidgets` raise, as a broken install does
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name in ("numpy", "ipywidgets"):
                raise RuntimeError(f"{name} is broken")
    for name in ("numpy", "ipywidgets"):
        monkeypatch.delitem(sys.modules, name, raising=False)  # only the top level: submodules stay
    monkeypatch.setattr(sys, "meta_path", [Broken(), *sys.meta_path])
    text = _report.report_text()
    assert _item(text, "numpy") == "installed, but importing it fails: RuntimeError: numpy is broken"
    assert _item(text, "ipywidgets") == "installed, but importing it fails: RuntimeError: ipywidgets is broken"
    assert _item(text, "blas") == "unknown (numpy is not usable)"


def test_it_never_raises_when_its_own_lookups_fail(monkeypatch):
    def boom(*args, **kwargs):
        raise OSError("disk on fire")
    monkeypatch.setattr(importlib.metadata, "distributions", boom)
    monkeypatch.setattr(_report.platform, "platform", boom)
    monkeypatch.setattr(_report.platform, "python_version", boom)
    fake = types.ModuleType("threadpoolctl")
    fake.threadpool_info = boom
    monkeypatch.setitem(sys.modules, "threadpoolctl", fake)
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = boom
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    text = _report.report_text()
    assert _item(text, "python") == "(could not be determined: OSError: disk on fire)"
    assert _item(text, "scratchnet") == "(could not be determined: OSError: disk on fire)"
    assert _item(text, "platform") == "(could not be determined: OSError: disk on fire)"
    assert _item(text, "blas").startswith("(threadpoolctl failed: OSError: disk on fire); ")
    assert _item(text, "running in") == "plain Python"
    assert all(label in text for label in ITEMS)


def test_scratchnet_not_importable_at_all(monkeypatch):
    monkeypatch.delitem(sys.modules, "scratchnet")
    monkeypatch.setattr(_report, "_imported_path", lambda: None)
    monkeypatch.setattr(_report, "_providers", lambda: [])
    assert _item(_report.report_text(), "scratchnet").startswith("NOT INSTALLED")


def test_a_scratchnet_without_a_file_is_not_called_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "scratchnet", types.ModuleType("scratchnet"))
    assert _item(_report.report_text(), "scratchnet").startswith("the imported `scratchnet` has no file")


def test_a_broken_entry_on_sys_path_ends_the_search_not_the_report(monkeypatch):
    real = importlib.metadata.distributions

    def distributions():
        yield from real()
        raise OSError("a path entry exploded")
    monkeypatch.setattr(importlib.metadata, "distributions", distributions)
    assert _item(_report.report_text(), "scratchnet").startswith(f"scratchnet-course {package_version()}")


def test_a_source_tree_without_installed_metadata_says_so(monkeypatch):
    monkeypatch.setattr(_report, "_providers", lambda: [])
    text = _report.report_text()
    assert "which no installed distribution provides" in _item(text, "scratchnet")
    assert "WARNING" not in text


def test_where_it_runs(monkeypatch):
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    monkeypatch.delenv("JPY_PARENT_PID", raising=False)
    assert _report._where() == "plain Python"
    monkeypatch.setenv("JPY_PARENT_PID", "1")
    assert _report._where().startswith("plain Python, started from a Jupyter kernel")

    ZMQInteractiveShell = type("ZMQInteractiveShell", (), {})
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: ZMQInteractiveShell()
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    assert _report._where().startswith("Jupyter kernel (ipykernel ")
    ipython.get_ipython = lambda: type("TerminalInteractiveShell", (), {})()
    assert _report._where().startswith("IPython (")
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab-20261101")
    assert _report._where().startswith("Colab (a process started from it")
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert _report._where().startswith("Colab (")


def _fake_foreign_site(tmp_path, overwrite_record_hash=True):
    """A site directory holding the unrelated `scratchnet 0.1.0` as pip installs it from PyPI."""
    site = tmp_path / "site"
    (site / "scratchnet").mkdir(parents=True)
    (site / "scratchnet" / "__init__.py").write_bytes(FOREIGN_INIT)
    digest = base64.urlsafe_b64encode(hashlib.sha256(FOREIGN_INIT).digest()).rstrip(b"=").decode()
    info = site / "scratchnet-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: scratchnet\nVersion: 0.1.0\n"
                                   "Summary: External server support for scratch projects.\n")
    (info / "top_level.txt").write_text("scratchnet\n")
    (info / "RECORD").write_text(f"scratchnet/__init__.py,sha256={digest},{len(FOREIGN_INIT)}\n"
                                 "scratchnet-0.1.0.dist-info/METADATA,,\nscratchnet-0.1.0.dist-info/RECORD,,\n")
    return site


def test_the_foreign_scratchnet_is_named_plainly(tmp_path, monkeypatch):
    site = _fake_foreign_site(tmp_path)
    monkeypatch.syspath_prepend(str(site))
    foreign = types.ModuleType("scratchnet")
    foreign.__file__ = str(site / "scratchnet" / "__init__.py")
    monkeypatch.setitem(sys.modules, "scratchnet", foreign)
    text = _report.report_text()
    scratch = text.split("scratchnet:", 1)[1].split("numpy:", 1)[0]
    assert scratch.strip().startswith("WARNING: this is NOT the course's scratchnet.")
    assert str(site / "scratchnet" / "__init__.py") in scratch
    assert '`scratchnet 0.1.0` ("External server support for scratch projects.")' in scratch
    assert "pip uninstall -y scratchnet scratchnet-course" in scratch


def test_the_foreign_distribution_installed_beside_ours_is_named(tmp_path, monkeypatch):
    """Ours is imported, but the unrelated distribution is installed too (its files overlap ours)."""
    monkeypatch.syspath_prepend(str(_fake_foreign_site(tmp_path)))
    scratch = _report.report_text().split("scratchnet:", 1)[1].split("numpy:", 1)[0]
    assert scratch.strip().startswith(f"scratchnet-course {package_version()}")
    assert "WARNING: the distribution `scratchnet 0.1.0` (\"External server support" in scratch


def test_a_file_changed_after_install_is_not_claimed_by_its_record(tmp_path, monkeypatch):
    """pip overwrote the file: the RECORD's sha256 no longer matches, so that distribution does not own it."""
    site = _fake_foreign_site(tmp_path)
    (site / "scratchnet" / "__init__.py").write_text("# something else\n")
    (dist,) = [d for d in importlib.metadata.distributions(path=[str(site)])]
    path = str((site / "scratchnet" / "__init__.py").resolve())
    assert not _report._owns(dist, path)
    (site / "scratchnet" / "__init__.py").write_bytes(FOREIGN_INIT)
    assert _report._owns(dist, path)
