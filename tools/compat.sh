#!/usr/bin/env bash
# scratchnet in the environments the course promises to support, each in its own virtual
# environment under .venv-compat-NAME, always on the current scratchnet (reinstalled whenever
# scratchnet/ or pyproject.toml changed, and checked file by file against ./scratchnet):
#   colab:  what Colab ships (requirements-colab.txt: Python 3.12, numpy 2.0, ipywidgets 7.7.1,
#           ipykernel 6): the library tests, every chapter's stored outputs compared with a fresh
#           run (tools/nbcompare.py) on OpenBLAS's generic kernel (OPENBLAS_CORETYPE=Prescott)
#           instead of this CPU's, and every exercise notebook run top to bottom, unsolved
#   oldest: scratchnet's lower bounds (requirements-oldest.txt: Python 3.10, numpy 1.26,
#           matplotlib 3.7, ipywidgets 7.7.0): the library tests
# An interpreter that is not installed falls back to python3, and says so.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {  # find_python 3.12
    local v=$1 p
    if command -v "python$v" >/dev/null && "python$v" -c "pass" 2>/dev/null; then echo "python$v"; return; fi
    if command -v pyenv >/dev/null; then
        for p in "$(pyenv root)"/versions/"$v".*/bin/python; do [ -x "$p" ] && { echo "$p"; return; }; done
    fi
    echo "compat: python$v not found, using python3" >&2
    echo python3
}

shopt -s nullglob
TESTS=(tests/test_utils.py tests/test_reference.py tests/test_checks_*.py tests/test_widgets_*.py tests/test_layers*.py
       tests/test_activations*.py tests/test_losses*.py tests/test_gradcheck*.py tests/test_datasets_*.py)
# What the test runs need besides the environment under test (nbval and pytest-xdist as in
# requirements.txt; pytest 8, which still runs on Python 3.10's oldest pins).
TOOLING=(pytest==8.3.5 pytest-xdist==3.8.0 nbval==0.11.0 nbclient==0.10.2 nbformat==5.10.4 PyYAML==6.0.3
         packaging==26.3)

export PYDEVD_DISABLE_FILE_VALIDATION=1  # quiets ipykernel 6 debugger chatter on Python 3.12

sources_hash() {  # what `pip install .` would install
    find scratchnet pyproject.toml -type f ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum
}

setup_venv() {  # setup_venv NAME PYTHON REQUIREMENTS...
    local name=$1 python=$2; shift 2
    local venv=.venv-compat-$name want="$* ${TOOLING[*]}"
    if [ ! -f "$venv/.installed" ] || [ "$(cat "$venv/.installed")" != "$want" ]; then
        rm -rf "$venv"
        "$python" -m venv "$venv"
        "$venv/bin/python" -m pip install -q "$@" "${TOOLING[@]}"
        echo "$want" > "$venv/.installed"
    fi
    local hash; hash=$(sources_hash)
    if [ ! -f "$venv/.scratchnet" ] || [ "$(cat "$venv/.scratchnet")" != "$hash" ]; then
        "$venv/bin/python" -m pip install -q --no-deps --force-reinstall .
        echo "$hash" > "$venv/.scratchnet"
    fi
    # The package under test is today's scratchnet/, file by file (run from outside the
    # repository, so that `import scratchnet` finds the installed one).
    (cd / && "$OLDPWD/$venv/bin/python" "$OLDPWD/tools/installed_matches.py" "$OLDPWD/scratchnet")
    echo "== compat[$name]: $("$venv/bin/python" -c 'import sys, numpy, matplotlib, ipywidgets; print(f"Python {sys.version.split()[0]}, numpy {numpy.__version__}, matplotlib {matplotlib.__version__}, ipywidgets {ipywidgets.__version__}")')"
}

run_tests() {  # run_tests NAME PYTEST-ARGUMENTS...   (from a copy: `import scratchnet` is the installed one)
    local venv=$PWD/.venv-compat-$1; shift
    local work; work=$(mktemp -d)
    cp -r tests chapters tools pyproject.toml _config.yml "$work/"
    local status=0
    (cd "$work" && "$venv/bin/python" -m pytest -q -p no:cacheprovider -W error::RuntimeWarning "$@") || status=$?
    rm -rf "$work"
    return $status
}

pins() { grep -v '^\s*#' "$1" | xargs; }                                 # pins requirements-colab.txt
python_of() { find_python "$(sed -n 's/^# python: *\([0-9.]*\).*/\1/p' "$1")"; }  # its "# python:" line

setup_venv colab "$(python_of requirements-colab.txt)" $(pins requirements-colab.txt)
# Only the chapters' kernels get the generic kernel: it is what proves their outputs elsewhere, and
# it is about 3 times slower at float32 matrix products than this CPU's.
run_tests colab -n 2 --dist loadfile -p tools.nbcompare --nbcompare --nbcompare-kernel-env=OPENBLAS_CORETYPE=Prescott \
    --nbval-current-env --nbval-sanitize-with=tests/nbval_sanitize.cfg \
    "${TESTS[@]}" tests/test_exercise_notebooks.py::test_exercise_notebook_runs_to_the_end_with_every_stub_unsolved \
    chapters/[0-9][0-9]_*.ipynb

setup_venv oldest "$(python_of requirements-oldest.txt)" $(pins requirements-oldest.txt)
run_tests oldest "${TESTS[@]}"
