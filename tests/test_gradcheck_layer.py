"""gradcheck_layer (chapter 3): passes for correct layers, fails clearly for broken ones, and
leaves the layer as it found it."""

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.gradcheck import GradcheckError, gradcheck_layer
from scratchnet.layers import Dense, Parameter

X = np.random.default_rng(0).normal(size=(5, 4))


class DenseMeanBias(Dense):
    """Broken: db is the mean of G over the batch instead of the sum."""

    def backward(self, grad_out):
        grad_in = super().backward(grad_out)
        self.b.grad = grad_out.mean(axis=0)
        return grad_in


class DenseHalfW(Dense):
    """Broken: dW is off by a factor of 2."""

    def backward(self, grad_out):
        grad_in = super().backward(grad_out)
        self.W.grad = self.W.grad / 2
        return grad_in


class DenseWrongDx(Dense):
    """Broken: dx uses W instead of W.T (only the shape is right, for a square W)."""

    def backward(self, grad_out):
        super().backward(grad_out)
        return grad_out @ self.W.value


class DenseNoReturn(Dense):
    def backward(self, grad_out):
        super().backward(grad_out)


class DenseTransposedGrad(Dense):
    def backward(self, grad_out):
        grad_in = super().backward(grad_out)
        self.W.grad = self.W.grad.T
        return grad_in


class Square:
    """An activation-like object with no parameters: y = x**2."""

    def forward(self, x):
        self.x = x
        return x ** 2

    def backward(self, grad_out):
        return 2 * self.x * grad_out

    def parameters(self):
        return []


class Scale:
    """A layer whose Parameter is not an attribute of its own: y = x * s."""

    def __init__(self, n, broken=False):
        self._params = [Parameter(np.linspace(0.5, 1.5, n))]
        self.broken = broken

    def forward(self, x):
        self.x = x
        return x * self._params[0].value

    def backward(self, grad_out):
        s = self._params[0]
        s.grad = (self.x * grad_out).sum(axis=0) * (3.0 if self.broken else 1.0)
        return grad_out * s.value

    def parameters(self):
        return list(self._params)


def test_passes_for_a_float64_dense_layer():
    assert gradcheck_layer(Dense(4, 3, rng=0, dtype=np.float64), X) is True
    assert sn.gradcheck_layer is gradcheck_layer


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", [(1, 1, 1), (1, 4, 2), (6, 3, 5)])
def test_passes_for_dense_layers_of_many_shapes(seed, shape):
    batch, n_in, n_out = shape
    x = np.random.default_rng(seed).normal(size=(batch, n_in))
    assert gradcheck_layer(Dense(n_in, n_out, rng=seed, dtype=np.float64), x, seed=seed)


def test_passes_for_a_float32_layer_and_restores_it():
    layer = Dense(4, 3, rng=0)
    layer.forward(X.astype(np.float32))
    layer.backward(np.ones((5, 3), dtype=np.float32))
    W, b, dW, db = layer.W.value, layer.b.value, layer.W.grad, layer.b.grad
    W_copy, dW_copy = W.copy(), dW.copy()
    assert gradcheck_layer(layer, X)
    assert layer.W.value is W and layer.b.value is b and layer.W.grad is dW and layer.b.grad is db
    assert W.dtype == np.float32 and np.array_equal(W, W_copy) and np.array_equal(dW, dW_copy)


def test_input_is_not_changed_and_may_be_float32_or_a_list():
    x = X.copy()
    assert gradcheck_layer(Dense(4, 2, rng=0, dtype=np.float64), x)
    assert np.array_equal(x, X)
    assert gradcheck_layer(Dense(4, 2, rng=0, dtype=np.float64), X.astype(np.float32))
    assert gradcheck_layer(Dense(2, 2, rng=0, dtype=np.float64), [[1.0, 2.0], [3.0, -1.0]])


def test_works_on_an_object_without_parameters():
    assert gradcheck_layer(Square(), X)


def test_names_a_parameter_that_is_not_an_attribute_by_its_index():
    assert gradcheck_layer(Scale(4), X)
    with pytest.raises(GradcheckError, match=r"dL/dparameters\(\)\[0\] is wrong"):
        gradcheck_layer(Scale(4, broken=True), X)


def test_a_wrong_bias_gradient_fails_naming_b():
    with pytest.raises(GradcheckError, match=r"gradcheck_layer\(DenseMeanBias\(in_features=4, out_features=3, dtype=float64\)\): "
                                             r"dL/db is wrong\. gradcheck failed.*expected \(numerical\).*"
                                             r"received \(analytic\).*relative error 0\.8"):
        gradcheck_layer(DenseMeanBias(4, 3, rng=0, dtype=np.float64), X)


def test_a_wrong_weight_gradient_fails_naming_W():
    with pytest.raises(GradcheckError, match=r"dL/dW is wrong.*relative error 0\.5"):
        gradcheck_layer(DenseHalfW(4, 3, rng=0, dtype=np.float64), X)


def test_a_wrong_input_gradient_fails_naming_x():
    with pytest.raises(GradcheckError, match=r"dL/dx is wrong.*worst at index"):
        gradcheck_layer(DenseWrongDx(4, 4, rng=0, dtype=np.float64), X)


def test_a_backward_that_returns_nothing_fails_clearly():
    with pytest.raises(GradcheckError, match=r"dL/dx should have shape \(5, 4\), got None"):
        gradcheck_layer(DenseNoReturn(4, 3, rng=0, dtype=np.float64), X)


def test_a_gradient_of_the_wrong_shape_fails_clearly():
    with pytest.raises(GradcheckError, match=r"dL/dW should have shape \(4, 3\), got shape \(3, 4\)"):
        gradcheck_layer(DenseTransposedGrad(4, 3, rng=0, dtype=np.float64), X)


def test_a_failed_check_still_restores_the_layer():
    layer = DenseMeanBias(4, 3, rng=0)
    W, grad = layer.W.value, layer.W.grad
    with pytest.raises(GradcheckError):
        gradcheck_layer(layer, X)
    assert layer.W.value is W and layer.W.grad is grad and W.dtype == np.float32


def test_gradcheck_error_is_an_assertion_error():
    assert issubclass(GradcheckError, AssertionError)
    with pytest.raises(AssertionError):
        gradcheck_layer(DenseMeanBias(4, 3, rng=0, dtype=np.float64), X)


def test_tolerances_are_passed_on():
    # a 0.1% error in dW passes a loose check and fails the default one
    class DenseSlightlyOff(Dense):
        def backward(self, grad_out):
            grad_in = super().backward(grad_out)
            self.W.grad = self.W.grad * 1.001
            return grad_in
    layer = DenseSlightlyOff(4, 3, rng=0, dtype=np.float64)
    assert gradcheck_layer(layer, X, rtol=1e-2)
    with pytest.raises(GradcheckError, match="dL/dW"):
        gradcheck_layer(layer, X)
