# Deep Learning from Scratch: build the book, run the tests, keep notebooks and package in sync.
# Every target creates the virtual environment .venv if it is missing.

PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
LAB_STAMP := $(VENV)/.lab-installed

.PHONY: compat venv axe book book-check test test-fast pytest test-browser sync export exercises colab execute lab lab-env test-lab clean bench release-check

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip uninstall -qq -y scratchnet  # the distribution's name before it was scratchnet-course
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

## The main job: build the whole book to _build/html, failing on any warning.
book: venv
	rm -rf _build/html _build/.doctrees
	$(BIN)/jupyter-book build . --path-output . -W -n --keep-going

## A desktop and a phone screenshot of every chapter in _build/screenshots/ (builds the book
## first if it is missing or stale). Needs Debian's chromium, like the browser tests.
book-check: venv
	$(BIN)/python -m tools.book_check

## Every test, stage by stage (each stage is a target below); the time of each is printed at the
## end. Every stage runs even if an earlier one failed; `make test` fails if any did.
## EXTRA_STAGES adds stages: .ci/run adds test-lab (the live JupyterLab test).
TEST_STAGES := book pytest test-browser compat release-check $(EXTRA_STAGES)
test: venv
	MAKE="$(MAKE)" $(BIN)/python tools/stages.py $(TEST_STAGES)

## The edit-test loop (<= 5 min): the `pytest` stage alone (no book, compat, browser, lab or release checks).
test-fast: pytest

## Library, exercise and guard tests, each exercise notebook run unsolved, and each chapter's stored
## outputs compared with a fresh run, numbers within a tolerance (tools/nbcompare.py), on a
## scratchnet exported from the chapters before it (tools/gate.py). Tests marked slow run in
## release-check; browser and lab tests in their own stages.
NOTEBOOKS := -p tools.nbcompare --nbcompare --nbcompare-gate --nbval-current-env \
	--nbval-sanitize-with=tests/nbval_sanitize.cfg chapters --ignore=chapters/exercises
## Two workers for two cores (pytest-xdist); a notebook's cells stay together in one. XDIST= runs serially.
XDIST ?= -n 2 --dist loadfile
## One BLAS thread per process: two workers (and their notebook kernels) on two cores, each with two
## OpenBLAS threads, ran chapter 9's training 10-30 times slower than with one (threads that wait
## for a busy core spin). Numbers may differ in the last bits from a two-thread run; the
## comparison's tolerance covers that. TEST_BLAS_THREADS=2 make test-fast to try otherwise.
TEST_BLAS_THREADS ?= 1
pytest: export OPENBLAS_NUM_THREADS := $(TEST_BLAS_THREADS)
pytest: venv
	$(BIN)/python -m pytest $(XDIST) -m "not slow and not browser and not lab and not book" tests $(NOTEBOOKS)

## axe-core, the accessibility rules (WCAG 2.1 A and AA) that the browser test runs in every page,
## from the npm registry at the version pinned by tests/browser/package-lock.json, into
## tests/browser/node_modules (git-ignored). Without npm it says so, and that one check skips.
AXE := tests/browser/node_modules/axe-core/axe.min.js
axe: $(AXE)

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error && touch $(AXE); \
	else \
		echo "npm not found: the browser test's accessibility check (axe-core) will skip; install npm (apt-get install -y npm) and run make axe"; \
	fi

## The tests of the built book (run `make book` first): the pages' content (marked `book`), and
## every page in headless Chromium (marked `browser`; without Chromium they skip, saying how,
## unless SCRATCHNET_REQUIRE_BROWSER=1, as in CI), axe-core's accessibility rules included.
test-browser: venv axe
	$(BIN)/python -m pytest -m "browser or book" tests

## Regenerate everything derived from _config.yml and the chapter notebooks.
sync: colab export exercises

colab: venv
	$(BIN)/python -m tools.colab

export: venv
	$(BIN)/python -m tools.export

exercises: venv
	$(BIN)/python -m tools.exercises

## Execute chapters in place (fixed seeds, widget state stored), then sync. CHAPTERS=01 limits it.
execute: export OPENBLAS_NUM_THREADS := $(TEST_BLAS_THREADS)
execute: venv colab export
	$(BIN)/python -m tools.execute $(CHAPTERS)
	$(BIN)/python -m tools.exercises

## JupyterLab (pinned in requirements-lab.txt, with the live test's browser driver) on top of the course environment.
lab-env: $(LAB_STAMP)

$(LAB_STAMP): $(STAMP) requirements-lab.txt
	$(BIN)/python -m pip install -q -r requirements.txt -r requirements-lab.txt
	touch $(LAB_STAMP)

lab: lab-env
	$(BIN)/jupyter lab chapters

## The live widget test: every chapter run and its widgets driven in JupyterLab in headless Chromium (slow).
test-lab: lab-env
	$(BIN)/python -m pytest -m lab tests/test_lab_widgets.py tests/test_lab_guards.py

clean:
	rm -rf _build .pytest_cache

## The current scratchnet on Colab-like versions (library tests, chapters' outputs compared on
## another BLAS kernel, exercise notebooks run) and on the oldest supported ones (see tools/compat.sh).
compat: export OPENBLAS_NUM_THREADS := $(TEST_BLAS_THREADS)
compat:
	tools/compat.sh

## Speed against PyTorch on the CPU (prints figures and ratios; needs torch for the ratios).
bench: venv
	$(BIN)/python benchmarks/bench_fit.py
	$(BIN)/python benchmarks/bench_core.py

## The release checks: the sdist and wheel built as the release workflow builds them (in _build/dist),
## twine check --strict, the wheel's contents, offline lint of .github/ and CITATION.cff, then the
## tests marked slow: the wheel installed in a fresh virtual environment runs a small network.
release-check: venv
	rm -rf _build/dist && mkdir -p _build
	$(BIN)/python -m build --outdir _build/dist . > _build/dist.log 2>&1 || (cat _build/dist.log; exit 1)
	$(BIN)/twine check --strict _build/dist/*
	$(BIN)/check-wheel-contents --toplevel scratchnet --package scratchnet _build/dist/*.whl
	$(BIN)/python -m tools.release wheel _build/dist
	$(BIN)/python -m tools.release lint
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow tests/test_release.py
