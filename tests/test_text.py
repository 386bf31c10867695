"""Statements in the chapters that a review found wrong stay fixed, and the code an exercise
tells the learner to paste runs."""

import re

import numpy as np

from tools.notebooks import ROOT, read_nb


def chapter_text(stem):
    return "\n".join(c.source for c in read_nb(ROOT / "chapters" / f"{stem}.ipynb").cells)


def test_binary_cross_entropy_guard_is_stated_as_it_is():
    text = chapter_text("05_classification_losses")
    assert "binary cross-entropy, below, by $\\max(p(1 - p), 10^{-12})$" in text
    assert "for all three of them:\n\n- each" not in text or "max(p(1 - p)" in text


def test_universal_approximation_is_stated_with_its_conditions():
    text = chapter_text("04_activations")
    claim = text[text.index("approximate any continuous function") - 300:][:600]
    assert "not a polynomial" in claim and "closed, bounded region" in claim


def test_depth_and_loss_have_different_letters():
    text = chapter_text("04_activations")
    section = text[text.index("## Vanishing and exploding"):]
    assert "r^D" in section and "r^L" not in section and "l = 1, \\dots, D" in section


def test_round_off_statement_of_chapter_2():
    text = chapter_text("02_loss_and_gradient")
    assert "$1 + h$ rounds to $1$ and the estimate is 0" not in text
    assert "both $1 + h$ and $1 - h$ round to $1$" in text


def test_the_gradcheck_snippet_in_exercise_2_3_runs_as_written():
    """It once read gradcheck(lambda b: ..., np.array(b), dL_db): a NameError if pasted."""
    text = chapter_text("02_loss_and_gradient")
    directive = text[text.index(":label: ex-2-3"):]
    snippet = re.search(r"`(gradcheck\(lambda b:.*?\))`", directive)[1]
    import scratchnet as sn
    from scratchnet.widgets.ch02 import one_weight_data
    x, y = one_weight_data()

    def line_gradient(w, b, x, y):
        e = w * x + b - y
        return np.mean(2 * e * x), np.mean(2 * e)
    assert eval(snippet, {"np": np, "gradcheck": sn.gradcheck, "x": x, "y": y,
                          "line_gradient": line_gradient}) is True
