"""The notebooks are the source of scratchnet's teaching core: the committed package must be
exactly a fresh export of them, and the exporter must refuse what would make it wrong."""

import shutil

import nbformat
import pytest

from tools import export
from tools.notebooks import ROOT, chapter_paths


def test_package_is_in_sync_with_the_notebooks():
    assert export.drift() == []


def test_drift_is_detected_when_a_generated_module_is_edited(tmp_path):
    package = tmp_path / "scratchnet"
    shutil.copytree(ROOT / "scratchnet", package, ignore=shutil.ignore_patterns("__pycache__"))
    layers = package / "layers.py"
    layers.write_text(layers.read_text().replace("return x @ self.W.value", "return x @ self.W.value * 1.0"))
    problems = export.drift(package)
    assert any("layers.py differs" in p for p in problems)


def test_drift_is_detected_when_a_generated_module_is_missing(tmp_path):
    package = tmp_path / "scratchnet"
    shutil.copytree(ROOT / "scratchnet", package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "layers.py").unlink()
    assert any("layers.py is missing" in p for p in export.drift(package))


def test_each_generated_module_names_its_source_notebooks():
    for name, text in export.render_package(chapter_paths()).items():
        assert text.startswith(export.MARKER)
        if name != "__init__.py":
            assert "# source: chapters/" in text and "__all__ = [" in text


def test_top_level_reexports_are_explicit():
    import scratchnet as sn
    init = (ROOT / "scratchnet" / "__init__.py").read_text()
    assert "import *" not in init
    for name in sn.__all__:
        assert getattr(sn, name) is not None
        assert f" {name}" in init  # each name is written out in an import line
    assert sn.Dense.__module__ == "scratchnet.layers"


def _notebook(tmp_path, *sources, name="01_fake.ipynb"):
    (tmp_path / "chapters").mkdir(exist_ok=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "9.9"\n')
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    path = tmp_path / "chapters" / name
    nbformat.write(nb, str(path))
    return path


def test_a_module_gathers_cells_from_several_chapters_in_book_order(tmp_path):
    first = _notebook(tmp_path, "#| export layers\nimport numpy as np\n\n\nclass A:\n    pass", name="01_a.ipynb")
    second = _notebook(tmp_path, "#| export layers\nimport numpy as np\nfrom scratchnet.layers import A\n\n\n@add_to_class(A)\ndef extra(self):\n    pass\n\n"
                                 "def helper():\n    pass", name="03_b.ipynb")
    files = export.render_package([first, second], root=tmp_path)
    layers = files["layers.py"]
    assert layers.index("class A") < layers.index("def extra")
    assert "import A" not in layers  # the module does not import itself...
    assert layers.count("import numpy as np") == 1  # ...nor numpy twice
    assert "__all__ = ['A', 'helper']" in layers  # a method added to a class is not a module name
    assert "# source: chapters/01_a.ipynb\n# source: chapters/03_b.ipynb" in layers
    assert "from scratchnet.layers import A, helper" in files["__init__.py"]
    assert '__version__ = "9.9"' in files["__init__.py"]


def test_defining_a_public_name_twice_is_refused(tmp_path):
    first = _notebook(tmp_path, "#| export layers\nclass Dense:\n    pass", name="01_a.ipynb")
    second = _notebook(tmp_path, "#| export layers\nclass Dense:\n    pass", name="03_b.ipynb")
    with pytest.raises(export.ExportError, match="defines Dense more than once"):
        export.render_package([first, second], root=tmp_path)


def test_unknown_module_and_malformed_directive_are_refused(tmp_path):
    with pytest.raises(export.ExportError, match="unknown module 'nonsense'"):
        export.collect([_notebook(tmp_path, "#| export nonsense\nx = 1")], root=tmp_path)
    with pytest.raises(export.ExportError, match="malformed export line"):
        export.collect([_notebook(tmp_path, "#|export: layers\nx = 1")], root=tmp_path)


def test_unmarked_cells_are_not_exported(tmp_path):
    path = _notebook(tmp_path, "x = 1", "# export layers\ny = 2")
    assert export.collect([path], root=tmp_path) == {}
