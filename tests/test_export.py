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
    first = _notebook(tmp_path, '#| export layers\n"""Layers."""\nimport numpy as np\n\n\nclass A:\n    pass',
                      name="01_a.ipynb")
    second = _notebook(tmp_path, "#| export layers\nimport numpy as np\nfrom scratchnet.layers import A\n"
                                 "from scratchnet.utils import add_to_class\n\n\n@add_to_class(A)\ndef extra(self):\n"
                                 "    pass\n\n\ndef helper():\n    pass", name="03_b.ipynb")
    files = export.render_package([first, second], root=tmp_path)
    layers = files["layers.py"]
    assert layers.index("class A") < layers.index("def extra")
    assert "import A" not in layers  # the module does not import itself...
    assert layers.count("import numpy as np") == 1  # ...nor numpy twice
    assert "__all__ = ['A', 'helper']" in layers  # a method added to a class is not a module name
    assert "# source: chapters/01_a.ipynb\n# source: chapters/03_b.ipynb" in layers
    assert "from scratchnet.layers import A, helper" in files["__init__.py"]
    assert '__version__ = "9.9"' in files["__init__.py"]


def test_imports_are_gathered_once_at_the_top_in_pep8_groups(tmp_path):
    path = _notebook(tmp_path, '#| export core\n"""Core."""\nimport numpy as np\nimport inspect\n\n\nx = 1',
                     "#| export core\nimport numpy as np\nfrom scratchnet.utils import add_to_class\n"
                     "from scratchnet.core import x  # chapter 1\n\n\ny = 2")
    core = export.render_package([path], root=tmp_path)["core.py"]
    header, body = core.split("__all__", 1)
    assert "import inspect\n\nimport numpy as np\n\nfrom scratchnet.utils import add_to_class\n" in header
    assert "import" not in body  # every import is at the top, once
    assert "from scratchnet.core" not in core  # the self-import, trailing comment and all, is dropped


def test_the_module_docstring_comes_from_the_notebook_and_names_only_its_chapters(tmp_path):
    first = _notebook(tmp_path, '#| export layers\n"""Layers with parameters."""\nx = 1', name="01_a.ipynb")
    second = _notebook(tmp_path, "#| export layers\ny = 2", name="03_b.ipynb")
    both = export.render_package([first, second], root=tmp_path)["layers.py"]
    only_first = export.render_package([first], root=tmp_path)["layers.py"]
    assert '"""Layers with parameters.\n\nExported from chapters/01_a.ipynb and chapters/03_b.ipynb.' in both
    assert "Exported from chapters/01_a.ipynb.\n" in only_first and "03_b" not in only_first


def test_a_module_without_a_docstring_is_refused(tmp_path):
    with pytest.raises(export.ExportError, match="module 'layers' has no docstring"):
        export.render_package([_notebook(tmp_path, "#| export layers\nx = 1")], root=tmp_path)


def test_only_the_first_cell_of_a_module_may_bring_its_docstring(tmp_path):
    path = _notebook(tmp_path, '#| export layers\n"""One."""\nx = 1', '#| export layers\n"""Two."""\ny = 2')
    with pytest.raises(export.ExportError, match="only the first export cell"):
        export.render_package([path], root=tmp_path)


def test_defining_a_public_name_twice_in_one_module_is_refused(tmp_path):
    first = _notebook(tmp_path, '#| export layers\n"""L."""\nclass Dense:\n    pass', name="01_a.ipynb")
    second = _notebook(tmp_path, "#| export layers\nclass Dense:\n    pass", name="03_b.ipynb")
    with pytest.raises(export.ExportError, match="defines 'Dense', which chapters/01_a.ipynb cell 0"):
        export.render_package([first, second], root=tmp_path)


def test_the_same_public_name_exported_from_two_modules_is_refused(tmp_path):
    path = _notebook(tmp_path, '#| export layers\n"""L."""\ndef helper():\n    pass',
                     '#| export losses\n"""M."""\ndef helper():\n    pass')
    with pytest.raises(export.ExportError, match=r"\(module 'losses'\) defines 'helper'.*module 'layers'"):
        export.render_package([path], root=tmp_path)


def test_patching_a_method_a_class_already_has_is_refused(tmp_path):
    """What happened in d2l, whose Trainer.fit_epoch is defined twice: the later one silently wins."""
    path = _notebook(tmp_path, '#| export layers\n"""L."""\nclass Dense:\n    def forward(self):\n        pass',
                     "#| export layers\n@add_to_class(Dense)\ndef forward(self):\n    pass")
    with pytest.raises(export.ExportError, match=r"@add_to_class\(Dense\) adds 'forward', but Dense already has"):
        export.render_package([path], root=tmp_path)
    twice = _notebook(tmp_path, '#| export layers\n"""L."""\nclass Dense:\n    pass',
                      "#| export layers\n@add_to_class(Dense)\ndef backward(self):\n    pass",
                      "#| export layers\n@add_to_class(Dense)\ndef backward(self):\n    pass", name="02_b.ipynb")
    with pytest.raises(export.ExportError, match="adds 'backward'"):
        export.render_package([twice], root=tmp_path)
    fine = _notebook(tmp_path, '#| export layers\n"""L."""\nclass Dense:\n    pass',
                     "#| export layers\n@add_to_class(Dense)\ndef backward(self):\n    pass", name="03_c.ipynb")
    assert "def backward" in export.render_package([fine], root=tmp_path)["layers.py"]


def test_importing_the_package_itself_is_refused(tmp_path):
    path = _notebook(tmp_path, '#| export model\n"""M."""\nfrom scratchnet import Dense\nx = 1')
    with pytest.raises(export.ExportError, match="imports the package itself"):
        export.render_package([path], root=tmp_path)


def test_exporting_into_a_support_module_and_a_malformed_directive_are_refused(tmp_path):
    (tmp_path / "scratchnet" / "checks").mkdir(parents=True)
    (tmp_path / "scratchnet" / "checks" / "__init__.py").write_text("")
    (tmp_path / "scratchnet" / "utils.py").write_text("x = 1\n")
    for module in ("checks", "utils"):
        with pytest.raises(export.ExportError, match=f"cannot export into '{module}'"):
            export.collect([_notebook(tmp_path, f'#| export {module}\n"""S."""\nx = 1')], root=tmp_path)
    with pytest.raises(export.ExportError, match="malformed export line"):
        export.collect([_notebook(tmp_path, "#|export: layers\nx = 1")], root=tmp_path)


def test_a_new_module_needs_no_edit_to_the_tool(tmp_path):
    path = _notebook(tmp_path, '#| export brandnew\n"""Something new."""\ndef thing():\n    return 1')
    files = export.render_package([path], root=tmp_path)
    assert "def thing" in files["brandnew.py"] and "from scratchnet.brandnew import thing" in files["__init__.py"]


def test_unmarked_cells_are_not_exported(tmp_path):
    path = _notebook(tmp_path, "x = 1", "# export layers\ny = 2")
    assert export.collect([path], root=tmp_path) == {}
