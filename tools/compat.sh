#!/usr/bin/env bash
# Run scratchnet's own tests (library, checks, widgets; not the notebooks) in environments the
# course promises to support, each in its own virtual environment under .venv-compat-NAME:
#   colab:  Python 3.12, numpy 2.0, matplotlib 3.10, ipywidgets 7.7.1, ipykernel 6 (like Colab);
#           there every chapter and exercise notebook is also run top to bottom
#   oldest: Python 3.10, numpy 1.26, matplotlib 3.7, ipywidgets 7.7.0 (scratchnet's lower bounds)
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

export PYDEVD_DISABLE_FILE_VALIDATION=1  # quiets ipykernel 6 debugger chatter on Python 3.12

run() {  # run NAME PYTHON REQUIREMENTS...   (NOTEBOOKS=1 also runs the notebooks)
    local name=$1 python=$2; shift 2
    local venv=.venv-compat-$name stamp=.venv-compat-$name/.installed
    local want="$*"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        rm -rf "$venv"
        "$python" -m venv "$venv"
        "$venv/bin/python" -m pip install -q "$@" pytest==8.3.5 nbformat==5.10.4 pyyaml packaging
        "$venv/bin/python" -m pip install -q --no-deps .
        echo "$want" > "$stamp"
    fi
    echo "== compat[$name]: $("$venv/bin/python" -c 'import sys, numpy, matplotlib, ipywidgets; print(f"Python {sys.version.split()[0]}, numpy {numpy.__version__}, matplotlib {matplotlib.__version__}, ipywidgets {ipywidgets.__version__}")')"
    # Run from a copy of the tests only, so `import scratchnet` is the installed package.
    local work; work=$(mktemp -d)
    cp -r tests chapters tools pyproject.toml _config.yml "$work/"
    (cd "$work" && "$OLDPWD/$venv/bin/python" -m pytest -q -p no:cacheprovider \
        -W error::RuntimeWarning ${TESTS[@]})
    if [ "${NOTEBOOKS:-0}" = 1 ]; then
        (cd "$work" && "$OLDPWD/$venv/bin/python" -m tools.execute --dry-run 2>&1 | grep -v "without encryption")
    fi
    rm -rf "$work"
}

NOTEBOOKS=1 run colab "$(find_python 3.12)" numpy==2.0.2 matplotlib==3.10.0 pyparsing==3.2.1 ipywidgets==7.7.1 \
    tqdm==4.67.1 ipykernel==6.17.1 nbclient==0.10.2
run oldest "$(find_python 3.10)" numpy==1.26.4 matplotlib==3.7.5 pyparsing==3.1.4 ipywidgets==7.7.0 tqdm==4.60.0 \
    ipykernel==6.17.1
