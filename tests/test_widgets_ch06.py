"""Chapter 6's widget, tested without a browser: move the epoch, check what was drawn."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from scratchnet.widgets.ch06 import DecisionBoundary, grid_points, plot_points  # noqa: E402

EXTENT = (-1.0, 1.0, -1.0, 1.0)


def frames_that_rotate(resolution=20, epochs=(0, 5, 10, 15)):
    """Frames whose predicted class is the half-plane x1 > 0 rotated a quarter turn per frame."""
    grid, _ = grid_points(EXTENT, resolution)
    frames = []
    for k, _ in enumerate(epochs):
        angle = k * np.pi / 2
        side = grid @ np.array([np.cos(angle), np.sin(angle)]) > 0
        probs = np.stack([np.where(side, 0.9, 0.1), np.where(side, 0.1, 0.9)], axis=1)
        frames.append(probs)
    return grid, np.array(frames)


def data():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(40, 2)).astype(np.float32)
    return x, (x[:, 0] < 0).astype(int)      # class 0 where x1 > 0


def widget(**kwargs):
    x, y = data()
    _, frames = frames_that_rotate()
    history = {"loss": list(np.linspace(1.0, 0.2, 15)), "val_loss": list(np.linspace(1.1, 0.3, 15))}
    return DecisionBoundary(x, y, [0, 5, 10, 15], frames, extent=EXTENT, history=history, **kwargs)


def test_grid_points_cover_the_extent_row_by_row_from_the_bottom():
    points, shape = grid_points((-1, 1, 0, 2), 3)
    assert shape == (3, 3) and points.dtype == np.float32
    assert np.allclose(points[:3], [[-1, 0], [0, 0], [1, 0]])
    assert np.allclose(points[-1], [1, 2])


def test_it_starts_at_the_last_epoch_and_draws_that_frame():
    w = widget()
    assert w.controls["epoch"].value == 15 and w.data["epoch"] == 15 and w.data["frame"] == 3
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    slider = w.controls["epoch"]
    assert (slider.min, slider.max, slider.step) == (0, 15, 5)
    assert "epoch" in slider.description


def test_moving_the_epoch_redraws_that_frames_regions():
    w = widget()
    grid, frames = frames_that_rotate()
    draws, png = w.draws, w.image.value
    w.controls["epoch"].value = 0
    assert w.draws == draws + 1 and w.image.value != png
    assert np.array_equal(w.data["classes"], frames[0].argmax(axis=1).reshape(20, 20))
    right = grid[:, 0].reshape(20, 20) > 0
    assert np.array_equal(w.data["classes"] == 0, right)          # class 0 where x1 > 0
    w.controls["epoch"].value = 10                                # half a turn: the other side
    assert np.array_equal(w.data["classes"] == 1, right)
    assert np.allclose(w.data["confidence"], 0.9)


def test_the_points_agree_with_the_regions_as_the_frames_say():
    w = widget(epoch=0)
    assert w.data["agree"] > 0.9                                  # the data's own boundary
    w.controls["epoch"].value = 10
    assert w.data["agree"] < 0.1                                  # the boundary turned over
    assert w.share_in_region(10) == w.data["agree"] and w.share_in_region(0) > 0.9  # for alt texts


def test_the_loss_curve_marks_the_chosen_epoch():
    w = widget(epoch=5)
    assert w.data["marked_epoch"] == 5 and np.isclose(w.data["marked_loss"], np.linspace(1.0, 0.2, 15)[4])
    line = [l for l in w.axes[1].get_lines() if l.get_label() == "training loss"][0]
    assert np.allclose(line.get_ydata(), np.linspace(1.0, 0.2, 15))
    w.controls["epoch"].value = 0
    assert w.data["marked_loss"] is None                          # epoch 0 has no loss yet


def test_standin_draws_one_panel_per_setting_and_the_curves():
    w = widget()
    standin = w.standin([dict(epoch=0), dict(epoch=10)], titles=["start", "middle"])
    assert len(standin.figure.axes) == 3
    assert standin._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "start" in standin.figure.axes[0].get_title()


def test_plot_points_gives_each_class_a_colour_and_a_marker():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    x, y = data()
    plot_points(ax, x, y)
    paths = [c.get_paths()[0].vertices.shape for c in ax.collections]
    assert len(ax.collections) == 2 and paths[0] != paths[1]      # different markers
    plt.close(fig)


@pytest.mark.parametrize("kwargs, match", [
    (dict(epochs=[0, 5, 15, 20]), "evenly spaced"),
    (dict(epochs=[0, 5]), "one per epoch"),
    (dict(frames=np.zeros((4, 10, 2))), "square grid"),
])
def test_bad_frames_are_refused(kwargs, match):
    x, y = data()
    _, frames = frames_that_rotate()
    args = dict(epochs=[0, 5, 10, 15], frames=frames)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        DecisionBoundary(x, y, args["epochs"], args["frames"], extent=EXTENT)


def test_bad_points_are_refused():
    with pytest.raises(ValueError, match=r"plot_points needs x of shape \(n, 2\)"):
        plot_points(None, np.zeros((3, 3)), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="at most 5 classes"):
        plot_points(None, np.zeros((3, 2)), np.array([0, 1, 7]))
