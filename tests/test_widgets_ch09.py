"""Chapter 9's widget, tested without a browser: choose an example or a label, and check that the
image, the probabilities and the saliency map drawn are that example's, and that the map is minus
the gradient for the chosen label."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from scratchnet.widgets.ch09 import DigitSaliency, show_images  # noqa: E402


def data(n=5, classes=10, size=6, seed=0):
    """Images, labels, probabilities and gradients with known values: example i is class i % classes,
    predicted as class (i + i // 3) % classes, and gradients[i, c] is the constant -(c + 1) / 10 plus
    a bump at pixel (i, c % size) of +1, so minus the gradient peaks there."""
    rng = np.random.default_rng(seed)
    images = rng.random((n, size, size)).astype(np.float32)
    labels = np.arange(n) % classes
    probabilities = np.full((n, classes), 0.01)
    for i in range(n):
        probabilities[i, (i + i // 3) % classes] = 1 - 0.01 * (classes - 1)
    gradients = np.zeros((n, classes, size, size))
    for i in range(n):
        for c in range(classes):
            gradients[i, c] = (c + 1) / 10
            gradients[i, c, i % size, c % size] = -1.0
    return images, labels, probabilities, gradients


def widget(**initial):
    return DigitSaliency(*data(), names=[f"digit {i}" for i in range(5)], **initial)


def test_it_starts_at_the_first_example_and_its_true_label():
    w = widget()
    assert w.values == {"digit": 0, "label": -1}
    assert w.data["digit"] == 0 and w.data["true"] == 0 and w.data["label"] == 0
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    slider = w.controls["digit"]
    assert (slider.min, slider.max) == (0, 4)


def test_moving_the_slider_draws_that_example():
    w = widget()
    draws, png = w.draws, w.image.value
    w.controls["digit"].value = 4
    assert w.draws == draws + 1 and w.image.value != png
    images, labels, probabilities, gradients = data()
    assert w.data["digit"] == 4 and w.data["true"] == 4
    assert w.data["predicted"] == 5 and np.array_equal(w.data["probabilities"], probabilities[4])
    assert np.array_equal(w.data["saliency"], -gradients[4, 4])   # the true label's map
    assert w.data["strongest"] == (4, 4)                           # the bump, where -gradient is 1
    axes_image = w.axes[0].images[0].get_array()
    assert np.array_equal(axes_image, images[4])


def test_choosing_a_label_draws_minus_its_gradient():
    w = widget(digit=2)
    w.controls["label"].value = 7
    _, _, _, gradients = data()
    assert w.data["label"] == 7 and np.array_equal(w.data["saliency"], -gradients[2, 7])
    assert w.data["strongest"] == (2, 1)          # pixel (i, c % 6)
    shown = w.axes[2].images[0].get_array()
    assert np.allclose(shown, -gradients[2, 7] / np.abs(gradients[2, 7]).max())  # scaled to [-1, 1]
    assert "label 7" in w.axes[2].get_title()


def test_the_bars_are_the_probabilities_predicted_filled_true_hatched():
    w = widget(digit=4)
    bars = w.axes[1].patches
    assert [round(b.get_height(), 6) for b in bars] == [round(p, 6) for p in data()[2][4]]
    assert bars[5].get_facecolor() != bars[0].get_facecolor()   # predicted 5 filled
    assert bars[4].get_facecolor() not in (bars[0].get_facecolor(), bars[5].get_facecolor())
    assert bars[4].get_hatch() == "///" and bars[5].get_hatch() == ".."  # true striped
    assert not bars[0].get_hatch()
    assert "true 4" in w.axes[0].get_title() and "predicted 5" in w.axes[0].get_title()
    assert "wrong" in w.axes[0].get_title()
    w.controls["digit"].value = 1
    assert "right" in w.axes[0].get_title()


def test_the_colour_bar_is_added_once():
    w = widget()
    count = len(w.figure.axes)
    for value in (1, 2, 3):
        w.controls["digit"].value = value
    assert len(w.figure.axes) == count == 4


def test_standin_and_scrubber_show_the_chosen_settings():
    w = widget()
    standin = w.standin([dict(digit=1), dict(digit=3, label=2)], ["one", "two"])
    assert standin._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(standin.figure.axes) == 2 * 3 + 2     # two rows of three panels, two colour bars
    assert w.values == {"digit": 0, "label": -1}     # the widget itself is unchanged
    scrubber = w.scrub("digit", [0, 1, 2], label=-1, alt="{label} = {value}")
    assert len(scrubber.frames) == 3 and scrubber.alts[1] == "example (number in the list) = 1"


def test_show_images_titles_and_switches_off_spare_axes():
    from matplotlib.figure import Figure
    axes = Figure().subplots(2, 3)
    shown = show_images(axes, np.zeros((4, 5, 5)), titles=list("abcd"))
    assert len(shown) == 4 and axes[0, 0].get_title() == "a"
    assert not axes[1, 2].axison and axes[1, 0].axison
    with pytest.raises(ValueError, match="2 titles for 4 images"):
        show_images(axes, np.zeros((4, 5, 5)), titles=["a", "b"])
    with pytest.raises(ValueError, match="got 7 images for 6 axes"):
        show_images(axes, np.zeros((7, 5, 5)))
    with pytest.raises(ValueError, match=r"shape \(n, height, width\)"):
        show_images(axes, np.zeros((4, 25)))


def test_bad_data_is_refused_with_a_message():
    images, labels, probabilities, gradients = data()
    with pytest.raises(ValueError, match="one integer label per image"):
        DigitSaliency(images, labels[:3], probabilities, gradients)
    with pytest.raises(ValueError, match=r"gradients of shape \(n, classes, height, width\)"):
        DigitSaliency(images, labels, probabilities, gradients[:, :3])
    with pytest.raises(ValueError, match="probabilities of shape"):
        DigitSaliency(images, labels, probabilities[:2], gradients)
    with pytest.raises(ValueError, match="labels must be classes 0..9"):
        DigitSaliency(images, labels + 6, probabilities, gradients)
    with pytest.raises(ValueError, match="3 names for 5 images"):
        DigitSaliency(images, labels, probabilities, gradients, names=["a", "b", "c"])
    with pytest.raises(ValueError, match="has no control 'epoch'"):
        DigitSaliency(images, labels, probabilities, gradients, epoch=3)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -0.1, 1.5])
def test_probabilities_that_are_not_probabilities_are_refused(bad):
    """Review: NaN probabilities were accepted and drawn as empty bars and a title saying 'nan%'."""
    images, labels, probabilities, gradients = data()
    probabilities = probabilities.copy()
    probabilities[1, 2] = bad
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        DigitSaliency(images, labels, probabilities, gradients)
    gradients = gradients.copy()
    gradients[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="finite gradients"):
        DigitSaliency(images, labels, data()[2], gradients)
    DigitSaliency(images, labels, data()[2], data()[3])   # the companion: the data as made is drawn


def test_a_starting_value_out_of_range_is_refused_not_clamped():
    """Review: digit=500 on 5 examples showed the last one, silently (the slider clamps)."""
    images, labels, probabilities, gradients = data()
    with pytest.raises(ValueError, match=r"^DigitSaliency: digit must be in \[0, 4\], got 500$"):
        DigitSaliency(images, labels, probabilities, gradients, digit=500)
    with pytest.raises(ValueError, match=r"digit must be in \[0, 4\], got -1"):
        DigitSaliency(images, labels, probabilities, gradients, digit=-1)
    assert DigitSaliency(images, labels, probabilities, gradients, digit=4).values["digit"] == 4


def test_every_control_says_what_it_changes():
    assert {c.description for c in widget().controls.values()} == {
        "example (number in the list)", "saliency for the label"}


def test_a_mistake_tells_its_bars_apart_without_colour():
    """The style test draws the widget at its first example, which it gets right; a mistake
    draws three kinds of bar (other, predicted, true), each with its own hatching."""
    from tests.test_widgets_style import colour_problems, told_apart_problems

    w = widget(digit=4)
    assert not told_apart_problems(w.figure) and not colour_problems(w.figure)


def test_the_told_apart_rule_catches_a_mistake_drawn_by_colour_alone():
    """Companion: the same mistake with the hatching removed breaks the rule."""
    from tests.test_widgets_style import told_apart_problems

    w = widget(digit=4)
    for bar in w.axes[1].patches:
        bar.set_hatch("")
    assert told_apart_problems(w.figure)


def test_a_log_slider_is_checked_against_its_values_not_its_exponents():
    """A FloatLogSlider's min and max are exponents: lr=0.9 lies in [10^-2, 10^0.5] and is
    accepted; 5.0 lies beyond and is refused, not clamped."""
    from scratchnet.widgets.ch02 import GradientDescent1D
    assert GradientDescent1D(lr=0.9).values["lr"] == pytest.approx(0.9)
    with pytest.raises(ValueError, match=r"^GradientDescent1D: lr must be in \[0.01, 3.16228\], got 5.0$"):
        GradientDescent1D(lr=5.0)
