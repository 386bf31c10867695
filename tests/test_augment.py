"""Data augmentation (chapter 9): `shift_images` against shifts worked by hand and a pixel-by-pixel
reference, the layer `RandomShift` (identity in evaluation, shifts in range, its backward pass the
transpose, gradient-checked), PyTorch where installed, and bad input."""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet._reference import shifted as reference  # pixel by pixel
from scratchnet.augment import RandomShift, shift_images


class FixedShift(RandomShift):
    """The same shifts at every call: a fresh generator with one seed before each forward."""

    def forward(self, x):
        self.generator = np.random.default_rng(0)
        return super().forward(x)


IMAGE = np.arange(1, 13, dtype=np.float32).reshape(1, 3, 4)


# values by hand

@pytest.mark.parametrize("dy, dx, expected", [
    (1, 0, [[0, 0, 0, 0], [1, 2, 3, 4], [5, 6, 7, 8]]),          # down
    (-1, 0, [[5, 6, 7, 8], [9, 10, 11, 12], [0, 0, 0, 0]]),      # up
    (0, 1, [[0, 1, 2, 3], [0, 5, 6, 7], [0, 9, 10, 11]]),        # right
    (0, -2, [[3, 4, 0, 0], [7, 8, 0, 0], [11, 12, 0, 0]]),       # left by two
    (1, -1, [[0, 0, 0, 0], [2, 3, 4, 0], [6, 7, 8, 0]]),         # the chapter's example
    (0, 0, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]),
])
def test_one_image_by_hand(dy, dx, expected):
    out = shift_images(IMAGE, dy, dx)
    assert out.shape == (1, 3, 4) and out.dtype == np.float32
    assert np.array_equal(out[0], expected)


def test_each_image_gets_its_own_shift():
    images = np.stack([IMAGE[0], IMAGE[0] * 10])
    out = shift_images(images, np.array([1, 0]), np.array([0, -1]))
    assert np.array_equal(out[0], reference(IMAGE, 1, 0)[0])
    assert np.array_equal(out[1], reference(IMAGE * 10, 0, -1)[0])


@pytest.mark.parametrize("dy, dx", [(3, 0), (0, -4), (7, 9), (-100, 0)])
def test_a_shift_of_the_whole_image_or_more_leaves_zeros(dy, dx):
    assert not shift_images(IMAGE, dy, dx).any()


def test_matches_the_pixel_by_pixel_reference_on_random_batches():
    rng = np.random.default_rng(0)
    for h, w, m in [(28, 28, 2), (8, 8, 1), (5, 7, 6), (1, 1, 1)]:
        images = rng.random((40, h, w)).astype(np.float32)
        dy, dx = rng.integers(-m, m + 1, size=(2, 40))
        assert np.array_equal(shift_images(images, dy, dx), reference(images, dy, dx)), (h, w, m)


def test_the_input_is_left_alone_and_the_output_is_a_new_array():
    images = np.random.default_rng(1).random((4, 5, 6)).astype(np.float32)
    kept = images.copy()
    out = shift_images(images, np.array([1, -1, 2, 0]), 0)
    assert np.array_equal(images, kept)
    assert out.flags.writeable and not np.shares_memory(out, images)
    out[...] = -1
    assert np.array_equal(images, kept)


def test_dtypes_float64_kept_integers_become_float32():
    assert shift_images(IMAGE.astype(np.float64), 1, 1).dtype == np.float64
    ints = shift_images(np.arange(12).reshape(1, 3, 4), 0, 1)
    assert ints.dtype == np.float32 and np.array_equal(ints[0, 0], [0, 0, 1, 2])


def test_read_only_input_from_a_data_loader_is_fine():
    images = IMAGE.copy()
    images.flags.writeable = False
    assert np.array_equal(shift_images(images, 1, 0), reference(IMAGE, 1, 0))


def test_shifting_back_undoes_a_shift_except_at_the_lost_border():
    images = np.random.default_rng(2).random((10, 6, 6))
    dy, dx = np.arange(-2, 3).repeat(2), np.tile([1, -1], 5)
    there_and_back = shift_images(shift_images(images, dy, dx), -dy, -dx)
    kept = shift_images(shift_images(np.ones_like(images), dy, dx), -dy, -dx)  # 0 where lost
    assert np.array_equal(there_and_back, images * kept)
    assert kept.sum() == sum((6 - abs(a)) * (6 - abs(b)) for a, b in zip(dy, dx))


# the layer

def test_identity_in_evaluation_forward_and_backward():
    layer = RandomShift(2, (3, 4), rng=0).eval()
    x = np.random.default_rng(0).random((5, 12)).astype(np.float32)
    assert layer(x) is x
    g = np.ones((5, 12), dtype=np.float32)
    assert np.array_equal(layer.backward(g), g)


def test_max_shift_zero_is_the_identity_in_training():
    x = np.random.default_rng(0).random((5, 12))
    layer = RandomShift(0, (3, 4), rng=0)
    assert np.array_equal(layer(x), x) and np.array_equal(layer.backward(x), x)


def test_training_output_is_each_image_shifted_within_range():
    rng = np.random.default_rng(3)
    x = rng.random((200, 64)).astype(np.float32) + 0.1   # no zero pixels: every shift is visible
    layer = RandomShift(2, (8, 8), rng=4)
    y = layer(x).reshape(200, 8, 8)
    images = x.reshape(200, 8, 8)
    seen = set()
    for b in range(200):
        found = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                 if np.array_equal(y[b], reference(images[b:b + 1], dy, dx)[0])]
        assert len(found) == 1, b
        seen.add(found[0])
    assert seen == {(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)}  # all 25 occur


def test_a_seed_repeats_the_shifts_and_each_call_draws_new_ones():
    x = np.random.default_rng(5).random((30, 16)) + 0.1
    a, b = RandomShift(1, (4, 4), rng=9), RandomShift(1, (4, 4), rng=9)
    first = a(x)
    assert np.array_equal(first, b(x))
    assert not np.array_equal(first, a(x))


def test_images_of_shape_batch_height_width_are_accepted_too():
    x = np.random.default_rng(6).random((7, 3, 4))
    y = FixedShift(1, (3, 4))(x)
    assert y.shape == (7, 3, 4)
    flat = FixedShift(1, (3, 4))(x.reshape(7, 12))
    assert np.array_equal(y.reshape(7, 12), flat)


def test_backward_is_the_transpose_of_forward():
    """<shift(x), g> = <x, backward(g)> for every x and g: the adjoint of a linear map."""
    rng = np.random.default_rng(7)
    layer = RandomShift(2, (5, 6), rng=8)
    x, g = rng.normal(size=(9, 30)), rng.normal(size=(9, 30))
    y = layer(x)
    assert np.dot(y.ravel(), g.ravel()) == pytest.approx(np.dot(x.ravel(), layer.backward(g).ravel()))


@pytest.mark.parametrize("max_shift, shape", [(1, (3, 3)), (2, (4, 5)), (3, (2, 2))])
def test_gradcheck_with_fixed_shifts(max_shift, shape):
    x = np.random.default_rng(10).normal(size=(6, shape[0] * shape[1]))
    assert sn.gradcheck_layer(FixedShift(max_shift, shape), x)


def test_as_the_first_layer_of_a_model_backward_returns_none():
    model = sn.Sequential([RandomShift(1, (2, 2), rng=0), sn.Dense(4, 3, rng=0)])
    model.forward(np.ones((5, 4), dtype=np.float32))
    assert model.backward(np.ones((5, 3), dtype=np.float32)) is None
    model.needs_input_grad = True
    model.forward(np.ones((5, 4), dtype=np.float32))
    assert model.backward(np.ones((5, 3), dtype=np.float32)).shape == (5, 4)


def test_fit_shifts_and_predict_does_not():
    """In fit the layer is in training mode; evaluate and predict see the images as they are."""
    rng = np.random.default_rng(11)
    x, y = rng.random((64, 16)).astype(np.float32), rng.integers(0, 3, 64)
    dense = sn.Dense(16, 3, rng=0)
    model = sn.Sequential([RandomShift(1, (4, 4), rng=1), dense])
    model.compile(sn.SoftmaxCrossEntropy(), sn.SGD(lr=0.1))
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, rng=0)
    plain = sn.Sequential([sn.Dense(16, 3, rng=0)])
    plain.layers[0].W.value[...] = dense.W.value
    plain.layers[0].b.value[...] = dense.b.value
    assert np.array_equal(model.predict(x), plain.predict(x))
    assert model.training


def test_repr_shows_the_hyperparameters():
    assert repr(RandomShift(2, (28, 28), rng=0)) == "RandomShift(max_shift=2, image_shape=(28, 28))"


# PyTorch

def test_matches_torch_forward_and_autograd_backward():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(12)
    images = rng.normal(size=(8, 6, 7))
    dy, dx = rng.integers(-3, 4, size=(2, 8))
    g = rng.normal(size=(8, 6, 7))
    t = torch.tensor(images, requires_grad=True)
    m = 3
    padded = torch.nn.functional.pad(t, (m, m, m, m))           # (8, 12, 13)
    shifted = torch.stack([padded[b, m - dy[b]:m - dy[b] + 6, m - dx[b]:m - dx[b] + 7]
                           for b in range(8)])
    shifted.backward(torch.tensor(g))
    assert np.allclose(shift_images(images, dy, dx), shifted.detach().numpy())

    class Given(RandomShift):   # the layer with these shifts
        def forward(self, x):
            self.generator = type("G", (), {"integers": staticmethod(
                lambda low, high, size, it=iter([dy, dx]): next(it))})()
            return super().forward(x)

    layer = Given(3, (6, 7))
    assert np.allclose(layer(images.reshape(8, 42)).reshape(8, 6, 7), shifted.detach().numpy())
    assert np.allclose(layer.backward(g.reshape(8, 42)).reshape(8, 6, 7), t.grad.numpy())


# bad input

@pytest.mark.parametrize("images, dy, dx, error, match", [
    (np.zeros((2, 784)), 0, 0, ValueError,
     r"shift_images: images must have shape \(batch, height, width\), got shape \(2, 784\)"),
    (np.zeros((1, 3, 4)), 0.5, 0, TypeError, r"dy must be whole numbers of pixels \(integers\), got 0.5"),
    (np.zeros((1, 3, 4)), 0, np.array([1.0]), TypeError, "dx must be whole numbers"),
    (np.zeros((2, 3, 4)), np.array([1, 2, 3]), 0, ValueError,
     r"dy must be one integer, or one per image, shape \(2,\), got shape \(3,\)"),
    (np.zeros((2, 3, 4)), 0, True, TypeError, "dx must be whole numbers"),
    ("images", 0, 0, TypeError, "images must be an array of numbers"),
])
def test_shift_images_refuses_bad_input(images, dy, dx, error, match):
    with pytest.raises(error, match=match):
        shift_images(images, dy, dx)


@pytest.mark.parametrize("args, error, match", [
    ((-1, (28, 28)), ValueError, "max_shift must be a whole number of pixels >= 0, got -1"),
    ((1.5, (28, 28)), TypeError, "max_shift must be a whole number of pixels >= 0, got 1.5"),
    ((True, (28, 28)), TypeError, "got True"),
    (("2", (28, 28)), TypeError, "got '2'"),
    ((None, (28, 28)), TypeError, "got None"),
    ((2, (28,)), TypeError, r"image_shape must be \(height, width\), two positive integers, got \(28,\)"),
    ((2, (28, 0)), ValueError, r"got \(28, 0\)"),
    ((2, ("28", "28")), TypeError, r"got \('28', '28'\)"),
    ((2, 784), TypeError, "got 784"),
])
def test_random_shift_refuses_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        RandomShift(*args)


@pytest.mark.parametrize("rng, error", [("abc", TypeError), (-1, ValueError), (1.5, TypeError)])
def test_random_shift_names_a_bad_rng(rng, error):
    with pytest.raises(error, match=r"RandomShift: rng must be a numpy Generator or an integer seed >= 0"):
        RandomShift(2, (28, 28), rng=rng)


def test_random_shift_refuses_a_batch_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"expected a batch of shape \(batch, 784\) or \(batch, 28, 28\), "
                                         r"got \(4, 28\)"):
        RandomShift(2, (28, 28))(np.zeros((4, 28)))
    with pytest.raises(ValueError, match=r"got \(10,\)"):
        RandomShift(2, (2, 5))(np.zeros(10))


def test_backward_before_forward_and_a_gradient_of_the_wrong_shape():
    with pytest.raises(RuntimeError, match="backward.. was called before forward"):
        RandomShift(1, (2, 2)).backward(np.ones((1, 4)))
    layer = RandomShift(1, (2, 2), rng=0)
    layer(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"expected grad_out of shape \(3, 4\).*got \(3, 5\)"):
        layer.backward(np.ones((3, 5)))
