"""Dropout (chapter 8): the expected value kept in training, the identity in evaluation, the
backward pass gradient-checked with a fixed mask, PyTorch, modes switched by fit, evaluate and
predict, and bad p."""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.layers import Dropout


class FixedMask(Dropout):
    """The same mask at every call: a fresh generator with one seed before each forward."""

    def __init__(self, p, seed=0):
        super().__init__(p)
        self.seed = seed

    def forward(self, x):
        self.generator = np.random.default_rng(self.seed)
        return super().forward(x)


# values by hand

def test_each_output_is_zero_or_the_input_over_one_minus_p():
    x = np.arange(1.0, 41.0).reshape(4, 10)
    y = Dropout(0.25, rng=0)(x)
    kept = y != 0
    assert np.allclose(y[kept], x[kept] / 0.75)
    assert 0 < kept.sum() < x.size


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_expected_value_is_kept_in_training(p):
    """Over 400,000 entries: the mean output is the input's within 1% (the sampling error at
    p = 0.8 is about 0.3%), and a fraction p of the entries is dropped."""
    x = np.full((800, 500), 2.0, dtype=np.float32)
    y = Dropout(p, rng=1)(x)
    assert y.mean() == pytest.approx(2.0, rel=0.01)
    assert np.mean(y == 0) == pytest.approx(p, abs=0.005)
    assert y.dtype == np.float32


def test_expected_value_per_entry_over_many_masks():
    """E[y] = x entry by entry, averaged over 4,000 independent masks."""
    x = np.array([[1.0, -2.0, 0.5, 3.0]])
    layer = Dropout(0.3, rng=2)
    mean = np.mean([layer(x) for _ in range(4000)], axis=0)
    assert np.allclose(mean, x, rtol=0.05)


def test_identity_in_evaluation_forward_and_backward():
    layer = Dropout(0.5, rng=0)
    layer.eval()
    x = np.random.default_rng(0).normal(size=(3, 4))
    assert layer(x) is x
    g = np.ones((3, 4))
    assert np.array_equal(layer.backward(g), g)
    layer.train()
    assert not np.array_equal(layer(x), x)


def test_p_zero_is_the_identity_in_training():
    x = np.random.default_rng(0).normal(size=(3, 4))
    layer = Dropout(0.0, rng=0)
    assert np.array_equal(layer(x), x) and np.array_equal(layer.backward(x), x)


def test_backward_uses_the_mask_of_forward():
    rng = np.random.default_rng(3)
    x, g = rng.uniform(1, 2, size=(5, 6)), rng.normal(size=(5, 6))
    layer = Dropout(0.4, rng=4)
    y = layer(x)
    assert np.allclose(layer.backward(g), g * y / x)


def test_every_entry_gets_its_own_draw_and_a_seed_repeats_it():
    ones = np.ones((50, 40))
    y = Dropout(0.5, rng=7)(ones)
    assert len({row.tobytes() for row in y}) > 40  # the rows differ
    assert np.array_equal(Dropout(0.5, rng=7)(ones), y)
    assert not np.array_equal(Dropout(0.5, rng=8)(ones), y)


def test_dtypes_are_kept():
    layer = Dropout(0.5, rng=0)
    assert layer(np.ones((2, 3), dtype=np.float32)).dtype == np.float32
    assert layer.backward(np.ones((2, 3))).dtype == np.float32
    assert layer(np.ones((2, 3))).dtype == np.float64
    assert layer(np.ones((2, 3), dtype=np.int64)).dtype == np.float32  # as_array


def test_any_shape():
    y = Dropout(0.5, rng=0)(np.ones((2, 3, 4)))
    assert y.shape == (2, 3, 4)


def test_repr_shows_p():
    assert repr(Dropout(0.2)) == "Dropout(p=0.2)" and repr(Dropout()) == "Dropout()"


# float64 gradient checks, with a fixed mask

@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_gradient_check_with_a_fixed_mask(p):
    x = np.random.default_rng(5).normal(size=(6, 7))
    assert sn.gradcheck_layer(FixedMask(p), x)


def test_gradient_check_in_evaluation_mode():
    layer = Dropout(0.5)
    layer.eval()
    assert sn.gradcheck_layer(layer, np.random.default_rng(6).normal(size=(3, 4)))


def test_the_gradient_check_catches_a_backward_with_a_new_mask():
    """Companion: a backward pass that draws a fresh mask fails the same check."""
    class NewMaskInBackward(FixedMask):
        def backward(self, grad_out):
            keep = np.random.default_rng(99).random(grad_out.shape) >= self.p
            return grad_out * keep / (1 - self.p)
    with pytest.raises(sn.GradcheckError, match="dL/dx"):
        sn.gradcheck_layer(NewMaskInBackward(0.5), np.random.default_rng(5).normal(size=(6, 7)))


# PyTorch

def test_matches_torch_dropout_given_the_same_mask():
    """torch draws its own mask; given torch's output we recover the mask and compare ours on it:
    the same values where kept (x / (1 - p)), and torch's gradient equals ours for that mask."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    p = 0.3
    x = np.random.default_rng(7).uniform(1, 2, size=(50, 20))
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.dropout(xt, p=p, training=True)
    g = np.random.default_rng(8).normal(size=x.shape)
    yt.backward(torch.tensor(g))
    mask = (yt.detach().numpy() != 0)

    class TorchMask(Dropout):
        def forward(self, x):
            class Generator:
                def random(self, shape, dtype=np.float64):
                    return np.where(mask, 1.0, 0.0).astype(dtype)  # 1 >= p: kept; 0 < p: dropped
            self.generator = Generator()
            return super().forward(x)

    ours = TorchMask(p)
    assert np.allclose(ours(x), yt.detach().numpy())
    assert np.allclose(ours.backward(g), xt.grad.numpy())
    assert np.mean(mask) == pytest.approx(1 - p, abs=0.05)
    assert torch.nn.functional.dropout(xt, p=p, training=False).detach().numpy() == pytest.approx(x)


# modes switched by fit, evaluate and predict

def _model():
    return sn.Sequential([sn.Dense(3, 16, rng=0), sn.ReLU(), Dropout(0.5, rng=1), sn.Dense(16, 2, rng=2)])


def test_predict_and_evaluate_run_in_evaluation_mode_and_restore_training():
    model = _model()
    x = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)
    y = np.random.default_rng(1).normal(size=(8, 2)).astype(np.float32)
    model.compile(loss="mse", optimizer=sn.SGD(lr=0.01))
    first = model.predict(x)
    assert np.array_equal(model.predict(x), first)
    assert model.training and model.layers[2].training
    assert model.evaluate(x, y) == model.evaluate(x, y)
    model.eval()
    assert np.allclose(model(x), first)
    model.train()
    assert not np.allclose(model(x), first)


def test_fit_trains_with_dropout_on():
    """During fit, the Dropout layer's forward runs in training mode at every batch."""
    modes = []

    class Spy(Dropout):
        def forward(self, x):
            modes.append(self.training)
            return super().forward(x)

    model = sn.Sequential([sn.Dense(3, 8, rng=0), Spy(0.5, rng=1), sn.Dense(8, 2, rng=2)])
    model.compile(loss="mse", optimizer=sn.SGD(lr=0.01))
    x = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    y = np.zeros((20, 2), dtype=np.float32)
    model.eval()
    model.fit(x, y, epochs=2, batch_size=10, validation_data=(x, y), verbose=0, rng=0)
    # one sample of x and of the validation data checked before training (evaluation mode), then
    # 2 epochs: 2 training batches each (training mode), then validation (evaluation mode)
    assert modes == [False, False] + [True, True, False] * 2
    assert model.training


# bad input

@pytest.mark.parametrize("p", [1.0, 1.5, -0.1, float("nan"), float("inf")])
def test_p_outside_zero_one_is_refused(p):
    with pytest.raises(ValueError, match=r"^Dropout: p must be a probability in \[0, 1\), got"):
        Dropout(p)


@pytest.mark.parametrize("p, shown", [("0.5", "str: '0.5'"), (None, "NoneType: None"), (True, "bool: True")])
def test_p_of_the_wrong_type_is_a_type_error(p, shown):
    with pytest.raises(TypeError, match=rf"^Dropout: p must be a probability in \[0, 1\), got {shown}$"):
        Dropout(p)


@pytest.mark.parametrize("rng, kind", [("a", TypeError), (1.5, TypeError), (-1, ValueError)])
def test_a_bad_rng_is_refused_naming_it(rng, kind):
    with pytest.raises(kind, match=rf"^Dropout: rng must be a numpy Generator or an integer seed >= 0, got {rng!r}$"):
        Dropout(0.5, rng=rng)


def test_a_single_number_is_not_a_batch():
    with pytest.raises(ValueError, match=r"^Dropout expected an array of samples, \(batch, \.\.\.\), got the "
                                         r"number 3.0$"):
        Dropout(0.5, rng=0).forward(3.0)
    assert Dropout(0.5, rng=0).forward([3.0, 1.0]).shape == (2,)  # the companion: an array of samples works


def test_valid_p_is_accepted():
    """Companion: the edges that are allowed."""
    for p in [0, 0.0, 0.999, np.float32(0.5), np.float64(0.1)]:
        Dropout(p)


def test_backward_before_forward_and_wrong_shape():
    with pytest.raises(RuntimeError, match="before forward"):
        Dropout(0.5).backward(np.ones((2, 3)))
    layer = Dropout(0.5, rng=0)
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"\(2, 3\).*got \(3, 2\)"):
        layer.backward(np.ones((3, 2)))
    layer.eval()
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"\(2, 3\).*got \(3, 2\)"):
        layer.backward(np.ones((3, 2)))


def test_non_numeric_input_is_refused():
    with pytest.raises(TypeError, match="None"):
        Dropout(0.5)([[1.0, None]])
    with pytest.raises(TypeError, match="text"):
        Dropout(0.5)(["a", "b"])
