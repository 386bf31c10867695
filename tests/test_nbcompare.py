"""The comparison of stored and fresh text outputs (tools/nbcompare.py), on small hand-made outputs:
numbers within a tolerance, whitespace from numpy's alignment ignored, everything else exact."""

import pytest

from tools.nbcompare import Tolerance, ToleranceError, compare_text, split, squeeze


def tol(**spec):
    return Tolerance.from_metadata({"tolerance": spec})


def passes(stored, fresh, tolerance=Tolerance()):
    return compare_text(stored, fresh, tolerance) == []


# --- what may differ ------------------------------------------------------------------------

def test_identical_outputs_agree():
    assert passes("Z has shape (4, 2)\n[[ 0.1  -0.2 ]]\n", "Z has shape (4, 2)\n[[ 0.1  -0.2 ]]\n")


def test_numpy_pads_a_column_differently_when_one_float32_changes_in_its_last_bit():
    # The case of issue 13: OpenBLAS's generic kernel makes one entry print with fewer digits,
    # and numpy re-pads the whole column.
    stored = "[[-0.10423  0.312460]\n [ 0.12313  0.26499 ]]\n"
    fresh = "[[-0.10423   0.31246]\n [ 0.12313   0.26499]]\n"
    assert passes(stored, fresh)


def test_a_float_in_its_last_bits_passes():
    assert passes("loss 0.31246001", "loss 0.31245999")
    assert passes("[1.        0.99999994]", "[1. 1.]")  # float32's last bit, numpy dropping the digits


def test_one_unit_in_the_last_digit_of_a_number_with_four_or_more_significant_digits_passes():
    assert passes("[0.1234 0.5   ]", "[0.1235 0.5001]")  # np.set_printoptions(precision=4), a rounding flip
    assert passes("0.31246", "0.31247")


def test_numbers_with_few_digits_get_no_allowance_for_the_last_digit():
    assert not passes("0.5", "0.6")
    assert not passes("0.12", "0.13")
    assert not passes("0.1234", "0.1236")  # two units


def test_whitespace_counts_only_between_two_words():
    assert passes("dtype  float32\n", "dtype float32")
    assert passes("[[1 2]\n [3 4]]", "[[1 2] [3 4]]")  # numpy wrapping a line differently
    assert not passes("dtype float32", "dtypefloat32")


def test_negative_zero_and_equal_spellings_of_a_number_agree():
    assert passes("[-0.  1. ]", "[ 0.  1.]")
    assert passes("1e-05", "1.0e-05")


def test_nan_matches_nan_and_inf_matches_inf_of_the_same_sign():
    assert passes("loss nan", "loss nan") and passes("[-inf  1.]", "[-inf   1.]")
    assert not passes("loss nan", "loss 0.5")
    assert not passes("loss inf", "loss -inf")
    assert not passes("loss 1.5", "loss inf")


# --- what must not differ -------------------------------------------------------------------

def test_a_number_changed_by_ten_percent_fails_and_is_named():
    (problem,) = compare_text("[[ 0.12313  0.26499 ]\n [ 0.28128 -0.00082]]",
                              "[[ 0.12313  0.29149 ]\n [ 0.28128 -0.00082]]", what="stdout")
    assert problem.startswith("stdout: number 2 of 4")
    assert "stored 0.26499, fresh 0.29149" in problem and "(10.00%)" in problem
    assert "'[[ 0.12313  0.26499 ]'" in problem  # the line it stands on
    assert "rtol 1e-05, atol 1e-08" in problem    # the tolerance it broke


def test_a_number_just_beyond_the_tolerance_fails_and_just_within_passes():
    assert passes("x = 1.00000", "x = 1.00001")        # 1e-5 relative, and the last digit
    assert not passes("x = 1.00000", "x = 1.00003")
    assert passes("x = 1000000.0", "x = 1000010.0")
    assert not passes("x = 1000000.0", "x = 1000020.0")


def test_a_changed_word_fails():
    (problem,) = compare_text("epoch 3: loss 0.5", "epoch 3: lost 0.5")
    assert "the text after number 1 (3) differs: stored ': loss', fresh ': lost'" in problem


def test_a_changed_text_without_numbers_fails():
    assert compare_text("Katmai\n", "SkylakeX\n") == [
        "output: the text differs: stored 'Katmai', fresh 'SkylakeX'\n--- stored:\nKatmai\n\n--- fresh:\nSkylakeX\n\n---"]


def test_a_changed_shape_fails():
    assert not passes("Z has shape (4, 2)", "Z has shape (4, 3)")    # integers compare exactly
    assert not passes("Z has shape (4, 2)", "Z has shape (4, 2, 1)")  # and count


def test_a_changed_dtype_fails():
    assert not passes("and dtype float32", "and dtype float64")
    problems = compare_text("[1 2 3]", "[1. 2. 3.]")
    assert len(problems) == 3 and "the stored number is an integer and the fresh one is not" in problems[0]
    (problem,) = compare_text("loss 3.0", "loss 3")
    assert "the fresh number is an integer and the stored one is not" in problem


def test_an_extra_or_a_missing_number_fails():
    (problem,) = compare_text("[0.1 0.2 0.3]", "[0.1 0.2 0.3 0.4]")
    assert "the stored output has 3 numbers, the fresh one 4" in problem
    assert not passes("[0.1 0.2 0.3]", "[0.1 0.2]")


def test_a_changed_error_message_fails():
    stored = "ValueError: Dense(3→2) expected input of shape (batch, 3), got (4, 2)"
    assert not passes(stored, stored.replace("expected", "wanted"))
    assert not passes(stored, stored.replace("(4, 2)", "(4, 5)"))


def test_versions_identifiers_and_addresses_are_text():
    pieces, numbers = split("numpy 2.0.2, dtype float32, ch03 at 0xADDRESS, 1e-05 and -3.")
    assert [n.text for n in numbers] == ["1e-05", "-3."]
    assert not passes("numpy 2.0.2", "numpy 2.0.3")


def test_squeeze_keeps_one_space_between_words_only():
    assert squeeze("  Z  has\n shape (") == "Z has shape("


def test_integers_compare_exactly_unless_a_rule_says_otherwise():
    assert not passes("epoch 3, 871 correct", "epoch 3, 873 correct")
    assert passes("epoch 3, 871 correct", "epoch 3, 873 correct", tol(labels={"epoch": {"atol": 5, "integers": True}}))
    assert not passes("epoch 3, 871 correct", "epoch 4, 871 correct",
                      tol(labels={"epoch": {"atol": 5, "integers": False}}))


# --- tolerances declared by a cell ----------------------------------------------------------

TRAINING = {"rtol": 0.01, "labels": {"accuracy": {"atol": 0.5}}}
STORED = "epoch 10: loss 0.3312, accuracy 87.1%\n"


def test_a_training_accuracy_off_by_two_points_fails_against_a_half_point_tolerance():
    (problem,) = compare_text(STORED, "epoch 10: loss 0.3312, accuracy 89.1%\n", tol(**TRAINING))
    assert "number 3 of 3" in problem and "stored 87.1, fresh 89.1" in problem
    assert "the rule for 'accuracy': allowed 0.5" in problem and "atol 0.5" in problem


def test_a_training_run_within_its_declared_tolerances_passes():
    assert passes(STORED, "epoch 10: loss 0.3340, accuracy 87.5%\n", tol(**TRAINING))  # 0.85%, 0.4 points
    assert not passes(STORED, "epoch 10: loss 0.3360, accuracy 87.1%\n", tol(**TRAINING))  # 1.4%
    assert not passes(STORED, "epoch 10: loss 0.3340, accuracy 87.5%\n")  # not without the metadata


def test_a_label_rule_replaces_the_cell_rule_and_the_nearest_label_wins():
    rules = tol(rtol=0.5, labels={"loss": {"rtol": 0.1}, "accuracy": {"atol": 0.001}})
    assert passes("loss 0.50 accuracy 0.900", "loss 0.52 accuracy 0.9005", rules)
    # accuracy's rule does not inherit the cell's rtol 0.5
    assert not passes("loss 0.50 accuracy 0.900", "loss 0.52 accuracy 0.905", rules)
    # loss's rule (10%) applies to the loss, not the cell's 50%
    assert not passes("loss 0.50 accuracy 0.900", "loss 0.60 accuracy 0.900", rules)
    assert passes("step 0.50", "step 0.70", rules)  # no label: the cell's rule


def test_a_label_applies_on_its_own_line_only_and_as_a_whole_word():
    rules = tol(labels={"accuracy": {"atol": 0.5}})
    assert not passes("accuracy\n87.1", "accuracy\n87.4", rules)
    assert passes("Accuracy: 87.1", "Accuracy: 87.4", rules)  # in any case
    assert not passes("val_accuracy 87.1", "val_accuracy 87.4", rules)  # another word


@pytest.mark.parametrize("spec, message", [
    ("1%", "must be a mapping"),
    ({"rtol": "1%"}, "'rtol' must be a finite number >= 0, got '1%' (str)"),
    ({"atol": -0.1}, "'atol' must be a finite number >= 0, got -0.1"),
    ({"rtol": True}, "'rtol' must be a finite number >= 0, got True (bool)"),
    ({"rtoll": 0.1}, "unknown keys ['rtoll']"),
    ({"integers": "yes"}, "'integers' must be true or false"),
    ({"labels": ["accuracy"]}, "'labels' must map a word to a rule"),
    ({"labels": {"accuracy": 0.5}}, "the rule for label 'accuracy' must be a mapping"),
    ({"labels": {"accuracy": {"abs": 0.5}}}, "the rule for label 'accuracy' has unknown keys ['abs']"),
    ({"labels": {" ": {"atol": 0.5}}}, "a label must be a non-empty word"),
])
def test_malformed_tolerance_metadata_is_refused_with_what_was_expected(spec, message):
    with pytest.raises(ToleranceError, match=None) as error:
        Tolerance.from_metadata({"tolerance": spec})
    assert message in str(error.value)


def test_no_metadata_means_the_defaults():
    assert Tolerance.from_metadata({}).rule == Tolerance().rule
    assert str(Tolerance().rule) == "rtol 1e-05, atol 1e-08"


# --- the kernel's environment ---------------------------------------------------------------

def _probe_notebook(path, stored):
    import nbformat
    cell = nbformat.v4.new_code_cell("import os\nprint(os.environ.get('NBCOMPARE_PROBE'))", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored + "\n")]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), str(path))


def _pytest(*args, cwd):
    import os
    import subprocess
    import sys

    from tools.notebooks import ROOT
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no",
                           "-p", "tools.nbcompare", "--nbcompare", "--nbval-current-env", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_kernel_env_reaches_the_notebooks_kernel_only(tmp_path):
    # how compat.sh gives the chapters OpenBLAS's generic kernel (OPENBLAS_CORETYPE=Prescott)
    _probe_notebook(tmp_path / "probe.ipynb", "generic")
    run = _pytest("--nbcompare-kernel-env=NBCOMPARE_PROBE=generic", "probe.ipynb", cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-2000:]
    run = _pytest("probe.ipynb", cwd=tmp_path)
    assert run.returncode == 1 and "stored 'generic', fresh 'None'" in run.stdout, run.stdout[-2000:]
    run = _pytest("--nbcompare-kernel-env=generic", "probe.ipynb", cwd=tmp_path)
    assert run.returncode == 4 and "--nbcompare-kernel-env expects NAME=VALUE, got 'generic'" in run.stderr


def test_notebooks_under_xdist_need_dist_loadfile(tmp_path):
    _probe_notebook(tmp_path / "probe.ipynb", "None")
    run = _pytest("-n", "2", "probe.ipynb", cwd=tmp_path)
    assert run.returncode == 4 and "needs --dist loadfile" in run.stderr
