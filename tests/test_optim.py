"""The optimizers (`SGD` from chapter 6, `RMSProp` and `Adam` from chapter 7).

Optimizers have no backward pass, so of STYLE.md's four kinds of test the gradient check gives
way to the comparison with PyTorch, which here is step for step: the same small network, the
same initial weights, the same batches, float32, and the weights compared after every one of
50 steps. The other kinds: values worked by hand for a step or two of each rule, and an error
naming each bad hyperparameter. Then what chapter 7 promises of the base class: state kept per
parameter (two parameter lists, another order, a rebuilt model), updates in place with every
buffer made once, and `lr` a plain attribute. Each guard has a companion showing that it
catches a deliberately broken optimizer.
"""

import math
import tracemalloc

import numpy as np
import pytest

import scratchnet as sn
from scratchnet.optim import SGD, Adam, Optimizer, RMSProp

# ------------------------------------------------------------------ helpers


def run(opt, start, grads):
    """opt.step on one float64 Parameter fed grads[k] at step k: the weights after each step."""
    p = sn.Parameter(np.array(start, dtype=np.float64))
    out = []
    for g in grads:
        p.grad[...] = g
        opt.step([p])
        out.append(p.value.copy())
    return np.array(out)


def constant(g, steps):
    return [np.array(g, dtype=np.float64)] * steps


# ------------------------------------------------------------------ values worked by hand


def test_plain_sgd_is_chapter_2s_step():
    # w = (1, -2), g = (2, 0.5), lr = 0.1: w - lr g = (0.8, -2.05)
    np.testing.assert_allclose(run(SGD(lr=0.1), [1.0, -2.0], [[2.0, 0.5]])[0], [0.8, -2.05])


def test_momentum_by_hand():
    # L = w**2 from w = 1, lr = 0.1, mu = 0.9: v = 2, w = 0.8; g = 1.6, v = 3.4, w = 0.46
    p = sn.Parameter(np.array([1.0]))
    opt = SGD(lr=0.1, momentum=0.9)
    seen = []
    for _ in range(2):
        p.zero_grad()
        p.grad += 2 * p.value
        opt.step([p])
        seen.append(float(p.value[0]))
    np.testing.assert_allclose(seen, [0.8, 0.46])
    np.testing.assert_allclose(opt.state[id(p)]["velocity"], [3.4])


def test_momentum_steps_grow_to_lr_over_one_minus_momentum():
    steps = -np.diff(np.concatenate([[0.0], run(SGD(lr=0.1, momentum=0.9), [0.0], constant([1.0], 80))[:, 0]]))
    np.testing.assert_allclose(steps[:3], [0.1, 0.19, 0.271])
    np.testing.assert_allclose(steps, 0.1 * (1 - 0.9 ** np.arange(1, 81)) / (1 - 0.9))
    assert steps[-1] == pytest.approx(1.0, rel=1e-3)


def test_nesterov_by_hand():
    # b = 2, w = 1 - 0.1 (2 + 1.8) = 0.62; g = 1.24, b = 3.04, w = 0.62 - 0.1 (1.24 + 2.736)
    p = sn.Parameter(np.array([1.0]))
    opt = SGD(lr=0.1, momentum=0.9, nesterov=True)
    seen = []
    for _ in range(2):
        p.zero_grad()
        p.grad += 2 * p.value
        opt.step([p])
        seen.append(float(p.value[0]))
    np.testing.assert_allclose(seen, [0.62, 0.2224])


def test_weight_decay_by_hand():
    # no gradient: each step multiplies w by 1 - lr * weight_decay = 0.95
    path = run(SGD(lr=0.1, weight_decay=0.5), [2.0, -1.0], constant([0.0, 0.0], 3))
    np.testing.assert_allclose(path, [[2 * 0.95 ** k, -(0.95 ** k)] for k in (1, 2, 3)])


def test_learning_rate_decay_matches_the_hand_formula():
    # torch.optim.SGD has no `decay`: each step of a constant slope 1 is lr / (1 + decay * t)
    steps = -np.diff(np.concatenate([[0.0], run(SGD(lr=0.1, decay=0.5), [0.0], constant([1.0], 6))[:, 0]]))
    np.testing.assert_allclose(steps, [0.1, 0.1 / 1.5, 0.05, 0.04, 0.1 / 3, 0.1 / 3.5])


def test_decay_with_momentum_decays_the_step_not_the_velocity():
    lr, mu, decay = 0.1, 0.5, 0.25
    path = run(SGD(lr=lr, momentum=mu, decay=decay), [0.0], constant([1.0], 4))
    v, w, expected = 0.0, 0.0, []
    for t in range(4):
        v = 1.0 if t == 0 else mu * v + 1.0
        w -= lr / (1 + decay * t) * v
        expected.append(w)
    np.testing.assert_allclose(path[:, 0], expected)


def test_rmsprop_by_hand():
    # s = 0.1 g**2 = (0.4, 0.025): both steps lr * |g| / sqrt(0.1 g**2) = lr / sqrt(0.1)
    # (eps = 1e-300 leaves the arithmetic exact; the next test is about eps)
    path = run(RMSProp(lr=0.01, rho=0.9, eps=1e-300), [1.0, -2.0], [[2.0, 0.5], [2.0, 0.5]])
    step1 = 0.01 / math.sqrt(0.1)
    np.testing.assert_allclose(path[0], [1 - step1, -2 - step1], rtol=1e-12)
    # second step: s = 0.9 * 0.1 g**2 + 0.1 g**2 = 0.19 g**2, step lr / sqrt(0.19)
    step2 = 0.01 / math.sqrt(0.19)
    np.testing.assert_allclose(path[1], [1 - step1 - step2, -2 - step1 - step2], rtol=1e-12)


def test_rmsprop_eps_is_outside_the_square_root_and_guards_zero_gradients():
    path = run(RMSProp(lr=1.0, rho=0.0, eps=0.5), [0.0, 0.0], [[1.0, 0.0]])
    # rho = 0: s = g**2, step = g / (|g| + eps): 1 / 1.5 (inside the root it would be 1 / sqrt(1.5))
    np.testing.assert_allclose(path[0], [-1 / 1.5, 0.0])
    assert np.isfinite(run(RMSProp(), [0.0], constant([0.0], 3))).all()


def test_adam_by_hand():
    # step 1: m_hat = g, v_hat = g**2, so the step is lr * g / (|g| + eps), lr against sign(g)
    path = run(Adam(lr=0.01), [1.0, -2.0], [[2.0, 0.5], [2.0, 0.5], [-1.0, 0.5]])
    np.testing.assert_allclose(path[0], [0.99, -2.01], rtol=1e-7)
    np.testing.assert_allclose(path[1], [0.98, -2.02], rtol=1e-7)   # the same g: lr again
    # step 3 for the first entry, by hand: g = 2, 2, -1
    m = 0.1 * (-1) + 0.09 * 2 + 0.081 * 2            # (1 - b1)(g3 + b1 g2 + b1^2 g1) = 0.242
    v = 0.001 * (1 + 0.999 * 4 + 0.998001 * 4)       # (1 - b2)(g3^2 + b2 g2^2 + b2^2 g1^2)
    step = 0.01 * (m / (1 - 0.9 ** 3)) / (math.sqrt(v / (1 - 0.999 ** 3)) + 1e-8)
    assert path[2][0] == pytest.approx(path[1][0] - step, rel=1e-12)


def test_adam_weight_decay_is_l2_in_the_gradient():
    # g = 0, w = 1, weight_decay = 0.5: the gradient is 0.5 w, and the first step is lr
    path = run(Adam(lr=0.01, weight_decay=0.5), [1.0, -1.0], constant([0.0, 0.0], 1))
    np.testing.assert_allclose(path[0], [0.99, -0.99], rtol=1e-7)


def test_adam_bias_correction_counts_each_parameters_own_steps():
    a, b = sn.Parameter(np.array([1.0])), sn.Parameter(np.array([1.0]))
    opt = Adam(lr=0.01)
    for _ in range(5):
        a.grad[...] = 1.0
        opt.step([a])
    b.grad[...] = 1.0
    opt.step([a, b])                  # b's first step: corrected, so exactly lr
    assert opt.state[id(b)]["t"] == 1 and opt.state[id(a)]["t"] == 6
    assert b.value[0] == pytest.approx(0.99, rel=1e-7)


def test_step_accepts_a_single_parameter():
    p = sn.Parameter(np.array([1.0]))
    p.grad[...] = 1.0
    SGD(lr=0.5).step(p)
    assert p.value[0] == 0.5


def test_reprs_show_the_hyperparameters_that_differ_from_the_defaults():
    assert repr(RMSProp(lr=0.01)) == "RMSProp(lr=0.01)"
    assert repr(Adam(betas=(0.8, 0.99), weight_decay=0.1)) == "Adam(betas=(0.8, 0.99), weight_decay=0.1)"
    assert repr(Adam()) == "Adam()"


@pytest.mark.parametrize("make", [lambda: SGD(lr=0.1, momentum=0.9), lambda: RMSProp(lr=0.1),
                                  lambda: Adam(lr=0.1)], ids=["SGD", "RMSProp", "Adam"])
def test_lr_is_a_plain_attribute_that_the_next_step_uses(make):
    """Two optimizers in step; halving one's lr before the second step halves that step only
    (the state does not depend on lr), and the third step uses the new lr too."""
    kept, halved = make(), make()
    p, q = sn.Parameter(np.array([0.0, 1.0])), sn.Parameter(np.array([0.0, 1.0]))
    grads = [[1.0, -0.5], [0.5, 2.0], [1.5, 1.0]]
    for k, g in enumerate(grads):
        if k == 1:
            halved.lr = halved.lr / 2
            assert halved.lr == kept.lr / 2
        before_p, before_q = p.value.copy(), q.value.copy()
        p.grad[...] = g
        q.grad[...] = g
        kept.step([p])
        halved.step([q])
        if k == 0:
            np.testing.assert_array_equal(p.value, q.value)
        else:
            np.testing.assert_allclose(before_q - q.value, (before_p - p.value) / 2, rtol=1e-12)
            p.value[...] = q.value          # compare the next step from the same point


# ------------------------------------------------------------------ against torch.optim, step for step

STEPS = 50


def _data():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = rng.normal(size=(32, 2)).astype(np.float32)
    return [(x[i:i + 8], y[i:i + 8]) for i in range(0, 32, 8)]   # four batches, in turn


def _networks(torch):
    """A scratchnet network and a torch copy with the same float32 weights."""
    rng = np.random.default_rng(0)
    model = sn.Sequential([sn.Dense(3, 8, rng=rng), sn.Tanh(), sn.Dense(8, 2, rng=rng)])
    copy = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    with torch.no_grad():
        for dense, linear in zip(model.layers[::2], copy[::2]):
            linear.weight.copy_(torch.from_numpy(dense.W.value.T.copy()))  # torch: (out, in)
            linear.bias.copy_(torch.from_numpy(dense.b.value.copy()))
    return model, copy


def _as_scratchnet(tensor):
    array = tensor.detach().numpy()
    return array.T if array.ndim == 2 else array


# (scratchnet optimizer, torch optimizer, decay for torch's LambdaLR or None)
CONFIGS = {
    "SGD": (lambda: SGD(lr=0.1), lambda t, ps: t.optim.SGD(ps, lr=0.1), None),
    "SGD momentum": (lambda: SGD(lr=0.05, momentum=0.9),
                     lambda t, ps: t.optim.SGD(ps, lr=0.05, momentum=0.9), None),
    "SGD Nesterov, weight decay": (
        lambda: SGD(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
        lambda t, ps: t.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01), None),
    "SGD weight decay": (lambda: SGD(lr=0.1, weight_decay=0.1),
                         lambda t, ps: t.optim.SGD(ps, lr=0.1, weight_decay=0.1), None),
    "SGD momentum, decay": (lambda: SGD(lr=0.1, momentum=0.5, decay=0.05),
                            lambda t, ps: t.optim.SGD(ps, lr=0.1, momentum=0.5), 0.05),
    "RMSProp": (lambda: RMSProp(lr=0.005, rho=0.9),
                lambda t, ps: t.optim.RMSprop(ps, lr=0.005, alpha=0.9, eps=1e-8), None),
    "RMSProp rho 0.99, eps 1e-4": (lambda: RMSProp(lr=0.003, rho=0.99, eps=1e-4),
                                   lambda t, ps: t.optim.RMSprop(ps, lr=0.003, alpha=0.99, eps=1e-4), None),
    "Adam": (lambda: Adam(lr=0.01), lambda t, ps: t.optim.Adam(ps, lr=0.01), None),
    "Adam betas, eps": (lambda: Adam(lr=0.02, betas=(0.8, 0.99), eps=1e-6),
                        lambda t, ps: t.optim.Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6), None),
    "Adam weight decay": (lambda: Adam(lr=0.01, weight_decay=0.1),
                          lambda t, ps: t.optim.Adam(ps, lr=0.01, weight_decay=0.1), None),
}

# float32 precision: a few units in the last place of weights of size ~1 (eps32 = 1.2e-7)
SAME_GRADS = dict(rtol=2e-6, atol=5e-7)
# each library's own forward and backward too: their float32 roundings differ a little more
OWN_GRADS = dict(rtol=1e-5, atol=2e-6)


def _torch_optimizer(torch, config, params):
    _, make, decay = config
    opt = make(torch, params)
    schedule = None if decay is None else torch.optim.lr_scheduler.LambdaLR(
        opt, lambda t: 1.0 / (1.0 + decay * t))   # t = steps taken: scratchnet's decay
    return opt, schedule


def compare_with_torch(make_ours, config, own_gradients):
    """Train for STEPS steps in both libraries; return the largest weight difference seen after
    any step (and assert the losses agree when each library computes its own gradients)."""
    torch = pytest.importorskip("torch")
    model, copy = _networks(torch)
    opt_t, schedule = _torch_optimizer(torch, config, list(copy.parameters()))
    opt = make_ours()
    if own_gradients:
        model.compile(loss=sn.MSE(), optimizer=opt)
    batches = _data()
    worst = 0.0
    for step in range(STEPS):
        xb, yb = batches[step % len(batches)]
        opt_t.zero_grad()
        loss_t = torch.nn.functional.mse_loss(copy(torch.from_numpy(xb)), torch.from_numpy(yb))
        loss_t.backward()
        if own_gradients:
            loss = model.train_on_batch(xb, yb)   # the loss before the update, as loss_t
            assert loss == pytest.approx(loss_t.item(), rel=1e-5), f"step {step}"
        else:                                     # torch's gradients, so only the updates differ
            for p, q in zip(model.parameters(), copy.parameters()):
                p.grad[...] = _as_scratchnet(q.grad)
            opt.step(model.parameters())
        opt_t.step()
        if schedule is not None:
            schedule.step()
        for p, q in zip(model.parameters(), copy.parameters()):
            assert p.value.dtype == np.float32
            tolerance = OWN_GRADS if own_gradients else SAME_GRADS
            theirs = _as_scratchnet(q)
            worst = max(worst, float(np.max(np.abs(p.value - theirs))))
            np.testing.assert_allclose(p.value, theirs, **tolerance, err_msg=f"after step {step + 1}")
    return worst


@pytest.mark.parametrize("name", CONFIGS)
def test_matches_torch_step_for_step_on_the_same_gradients(name):
    config = CONFIGS[name]
    compare_with_torch(config[0], config, own_gradients=False)


@pytest.mark.parametrize("name", CONFIGS)
def test_matches_torch_step_for_step_when_training_a_network(name):
    config = CONFIGS[name]
    compare_with_torch(config[0], config, own_gradients=True)


class UncorrectedAdam(Adam):
    """A deliberately wrong Adam, for the companion test: no bias correction."""

    def update(self, p, state):
        b1, b2 = self.betas
        m = state.setdefault("m", np.zeros_like(p.value))
        v = state.setdefault("v", np.zeros_like(p.value))
        m[...] = b1 * m + (1 - b1) * p.grad
        v[...] = b2 * v + (1 - b2) * p.grad ** 2
        p.value -= (self.lr * m / (np.sqrt(v) + self.eps)).astype(p.value.dtype)


class LongAdam(Adam):
    """A deliberately wrong Adam, for the companion test: each step 0.1% too long."""

    def update(self, p, state):
        before = p.value.copy()
        super().update(p, state)
        p.value += (p.value - before) * 0.001


@pytest.mark.parametrize("broken", [lambda: UncorrectedAdam(lr=0.01), lambda: LongAdam(lr=0.01)],
                         ids=["no bias correction", "steps 0.1% too long"])
@pytest.mark.parametrize("own_gradients", [False, True], ids=["same gradients", "own gradients"])
def test_the_torch_comparison_catches_a_wrong_adam_at_its_first_step(broken, own_gradients):
    with pytest.raises(AssertionError, match="after step 1"):
        compare_with_torch(broken, CONFIGS["Adam"], own_gradients=own_gradients)


# ------------------------------------------------------------------ state per parameter


def _grads(shapes, steps, seed=0):
    rng = np.random.default_rng(seed)
    return [[rng.normal(size=s) for s in shapes] for _ in range(steps)]


MAKERS = {"SGD momentum": lambda: SGD(lr=0.1, momentum=0.9),
          "Nesterov": lambda: SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
          "RMSProp": lambda: RMSProp(lr=0.01),
          "Adam": lambda: Adam(lr=0.01, weight_decay=0.1)}


class SharedStateAdam(Adam):
    """A deliberately broken Adam that keeps one state for every parameter (on self)."""

    def update(self, p, state):
        shared = self.__dict__.setdefault("_shared", {})
        super().update(p, shared.setdefault(p.value.shape, {"param": p}))


def _two_lists(make, steps=8):
    """One optimizer stepping list A, then list B, each iteration; against one optimizer each."""
    shapes = [(2, 3), (3,), (2, 3), (3,)]   # A and B hold parameters of the same shapes
    grads = _grads(shapes, steps)
    starts = [np.random.default_rng(i).normal(size=s) for i, s in enumerate(shapes)]
    together = [sn.Parameter(s.copy()) for s in starts]
    apart = [sn.Parameter(s.copy()) for s in starts]
    one, a_only, b_only = make(), make(), make()
    for step_grads in grads:
        for p, q, g in zip(together, apart, step_grads):
            p.grad[...] = g
            q.grad[...] = g
        one.step(together[:2])
        one.step(together[2:])
        a_only.step(apart[:2])
        b_only.step(apart[2:])
    return max(float(np.max(np.abs(p.value - q.value))) for p, q in zip(together, apart))


@pytest.mark.parametrize("name", MAKERS)
def test_two_parameter_lists_keep_separate_state(name):
    assert _two_lists(MAKERS[name]) == 0.0


def test_two_lists_companion_shared_state_is_caught():
    assert _two_lists(lambda: SharedStateAdam(lr=0.01)) > 1e-3


def _reordered(make, steps=8):
    shapes = [(2, 3), (2, 3), (2, 3)]   # one shape, so that state mixed up between them still runs
    grads = _grads(shapes, steps, seed=1)
    starts = [np.random.default_rng(i).normal(size=s) for i, s in enumerate(shapes)]
    fixed = [sn.Parameter(s.copy()) for s in starts]
    shuffled = [sn.Parameter(s.copy()) for s in starts]
    opt_fixed, opt_shuffled = make(), make()
    order = np.random.default_rng(2)
    for step_grads in grads:
        for p, q, g in zip(fixed, shuffled, step_grads):
            p.grad[...] = g
            q.grad[...] = g
        opt_fixed.step(fixed)
        opt_shuffled.step([shuffled[i] for i in order.permutation(len(shuffled))])
    return max(float(np.max(np.abs(p.value - q.value))) for p, q in zip(fixed, shuffled))


@pytest.mark.parametrize("name", MAKERS)
def test_the_order_of_the_parameters_does_not_matter(name):
    assert _reordered(MAKERS[name]) == 0.0


class PositionalStateAdam(Adam):
    """A deliberately broken Adam that keys the state by position in the list."""

    def step(self, parameters):
        self.iterations += 1
        for i, p in enumerate(parameters):
            self.update(p, self.state.setdefault(i, {"param": p}))


def test_reorder_companion_positional_state_is_caught():
    assert _reordered(lambda: PositionalStateAdam(lr=0.01)) > 1e-3


def _spiral_like(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 2)).astype(np.float32)
    return x, (x[:, 0] * x[:, 1] > 0).astype(np.int64)


def _network(seed=0):
    rng = np.random.default_rng(seed)
    return sn.Sequential([sn.Dense(2, 8, rng=rng), sn.ReLU(), sn.Dense(8, 2, rng=rng)])


def _fit(model, opt, epochs, x, y):
    model.compile(loss=sn.SoftmaxCrossEntropy(), optimizer=opt)
    model.fit(x, y, epochs=epochs, batch_size=16, shuffle=False, verbose=0)


@pytest.mark.parametrize("name", MAKERS)
def test_rebuilding_the_model_continues_the_optimizer_state(name):
    x, y = _spiral_like()
    straight = _network()
    _fit(straight, MAKERS[name](), 2, x, y)
    interrupted, opt = _network(), MAKERS[name]()
    _fit(interrupted, opt, 1, x, y)
    rebuilt = sn.Sequential(interrupted.layers)       # a new model around the same Parameters
    assert [id(p) for p in rebuilt.parameters()] == [id(p) for p in interrupted.parameters()]
    _fit(rebuilt, opt, 1, x, y)
    for a, b in zip(straight.parameters(), rebuilt.parameters()):
        np.testing.assert_array_equal(a.value, b.value)


@pytest.mark.parametrize("name", ["SGD momentum", "RMSProp", "Adam"])
def test_rebuild_companion_a_new_optimizer_does_reset_the_state(name):
    """The state matters: replacing the optimizer midway gives other weights, so the test above
    would fail if rebuilding the model lost the state."""
    x, y = _spiral_like()
    straight = _network()
    _fit(straight, MAKERS[name](), 2, x, y)
    restarted = _network()
    _fit(restarted, MAKERS[name](), 1, x, y)
    _fit(restarted, MAKERS[name](), 1, x, y)
    gap = max(float(np.max(np.abs(a.value - b.value)))
              for a, b in zip(straight.parameters(), restarted.parameters()))
    assert gap > 1e-4


def test_state_is_made_on_first_use_and_holds_the_parameter():
    p = sn.Parameter(np.zeros(3, dtype=np.float32))
    opt = Adam()
    assert opt.state == {}
    opt.step([p])
    state = opt.state[id(p)]
    assert state["param"] is p and set(state) == {"param", "m", "v", "buffer", "t"}
    assert RMSProp().state == {} and SGD().state == {}


# ------------------------------------------------------------------ in place, no new arrays


ALL = {**MAKERS, "SGD": lambda: SGD(lr=0.1), "SGD decay": lambda: SGD(lr=0.1, momentum=0.9, decay=0.1),
       "RMSProp eps": lambda: RMSProp(lr=0.01, rho=0.5, eps=1e-3),
       "Adam plain": lambda: Adam(lr=0.01)}


def _in_place_report(opt, steps=5):
    """Step a float32 Parameter; return what changed that should not have."""
    p = sn.Parameter(np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32))
    value = p.value
    grads = _grads([(2, 2)], steps)
    problems = []
    arrays = None
    for k, (g,) in enumerate(grads):
        p.grad[...] = g
        grad_before = p.grad.copy()
        grad_object = p.grad
        opt.step([p])
        if p.value is not value:
            problems.append(f"step {k + 1}: p.value is a new array")
        if p.value.dtype != np.float32:
            problems.append(f"step {k + 1}: p.value became {p.value.dtype}")
        if p.grad is not grad_object or not np.array_equal(p.grad, grad_before):
            problems.append(f"step {k + 1}: p.grad was changed")
        now = {key: v for key, v in opt.state[id(p)].items() if isinstance(v, np.ndarray)}
        if arrays is None:
            arrays = now
        elif now.keys() != arrays.keys() or any(now[key] is not arrays[key] for key in now):
            problems.append(f"step {k + 1}: new state arrays {sorted(now)}")
    return problems


@pytest.mark.parametrize("name", ALL)
def test_updates_are_in_place_and_state_arrays_are_made_once(name):
    assert _in_place_report(ALL[name]()) == []


class CopyingRMSProp(RMSProp):
    """Deliberately broken: a new value array, and a new running average, at every step."""

    def update(self, p, state):
        g = p.grad
        state["square_avg"] = self.rho * state.get("square_avg", 0.0) + (1 - self.rho) * g * g
        p.value = p.value - self.lr * g / (np.sqrt(state["square_avg"]) + self.eps)


def test_in_place_companion_copies_are_caught():
    problems = _in_place_report(CopyingRMSProp(lr=0.01))
    assert any("p.value is a new array" in p for p in problems)
    assert any("new state arrays" in p for p in problems)


def _peak_bytes_of_a_step(opt, size=250_000):
    """The peak of memory traced during the third step on a float32 Parameter of `size` floats
    (1 MB); the first steps make the state."""
    p = sn.Parameter(np.ones(size, dtype=np.float32))
    p.grad[...] = 0.5
    opt.step([p])
    opt.step([p])
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        opt.step([p])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("make", [lambda: RMSProp(lr=0.01), lambda: Adam(lr=0.01),
                                  lambda: Adam(lr=0.01, weight_decay=0.1)],
                         ids=["RMSProp", "Adam", "Adam weight decay"])
def test_rmsprop_and_adam_allocate_no_array_per_step(make):
    assert _peak_bytes_of_a_step(make()) < 100_000   # far below one array of 1 MB


def test_allocation_companion_a_copying_update_is_measured():
    assert _peak_bytes_of_a_step(CopyingRMSProp(lr=0.01)) > 1_000_000


# ------------------------------------------------------------------ bad hyperparameters and input


@pytest.mark.parametrize("make, match", [
    (lambda: SGD(lr=-0.1), r"SGD: lr must be in \(0, inf\), got -0.1"),
    (lambda: SGD(lr=0), r"SGD: lr must be in \(0, inf\), got 0"),
    (lambda: SGD(lr=float("nan")), r"SGD: lr must be a finite number, got nan"),
    (lambda: SGD(momentum=1.0), r"SGD: momentum must be in \[0, 1\), got 1.0"),
    (lambda: SGD(momentum=-0.1), r"SGD: momentum must be in \[0, 1\), got -0.1"),
    (lambda: SGD(nesterov=True), r"SGD: nesterov=True needs momentum > 0"),
    (lambda: SGD(weight_decay=-0.01), r"SGD: weight_decay must be in \[0, inf\), got -0.01"),
    (lambda: SGD(decay=-1), r"SGD: decay must be in \[0, inf\), got -1"),
    (lambda: RMSProp(lr=-0.001), r"RMSProp: lr must be in \(0, inf\), got -0.001"),
    (lambda: RMSProp(rho=1.0), r"RMSProp: rho must be in \[0, 1\), got 1.0"),
    (lambda: RMSProp(rho=-0.5), r"RMSProp: rho must be in \[0, 1\), got -0.5"),
    (lambda: RMSProp(eps=0.0), r"RMSProp: eps must be in \(0, inf\), got 0.0"),
    (lambda: RMSProp(eps=-1e-8), r"RMSProp: eps must be in \(0, inf\), got -1e-08"),
    (lambda: Adam(lr=-1), r"Adam: lr must be in \(0, inf\), got -1"),
    (lambda: Adam(betas=(1.0, 0.999)), r"Adam: betas\[0\] must be in \[0, 1\), got 1.0"),
    (lambda: Adam(betas=(-0.1, 0.999)), r"Adam: betas\[0\] must be in \[0, 1\), got -0.1"),
    (lambda: Adam(betas=(0.9, 1.0)), r"Adam: betas\[1\] must be in \[0, 1\), got 1.0"),
    (lambda: Adam(betas=(0.9, 1.5)), r"Adam: betas\[1\] must be in \[0, 1\), got 1.5"),
    (lambda: Adam(betas=(0.9,)), r"Adam: betas must be a pair \(beta1, beta2\), got \(0.9,\)"),
    (lambda: Adam(eps=0), r"Adam: eps must be in \(0, inf\), got 0"),
    (lambda: Adam(weight_decay=-0.1), r"Adam: weight_decay must be in \[0, inf\), got -0.1"),
])
def test_bad_hyperparameters_are_refused_by_name(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("make, match", [
    (lambda: SGD(lr="0.1"), r"^SGD: lr must be a finite number, got str: '0.1'$"),
    (lambda: SGD(lr=True), r"^SGD: lr must be a finite number, got bool: True$"),
    (lambda: SGD(momentum=0.9, nesterov="yes"), r"^SGD: nesterov must be True or False, got 'yes'$"),
    (lambda: RMSProp(rho="0.9"), r"^RMSProp: rho must be a finite number, got str: '0.9'$"),
    (lambda: Adam(betas=(0.9, None)), r"^Adam: betas\[1\] must be a finite number, got NoneType: None$"),
    (lambda: Adam(betas=0.9), r"^Adam: betas must be a pair \(beta1, beta2\), got 0.9$"),
    (lambda: Adam(betas="ab"), r"^Adam: betas must be a pair \(beta1, beta2\), got 'ab'$"),
])
def test_hyperparameters_of_the_wrong_type_raise_type_error(make, match):
    with pytest.raises(TypeError, match=match):
        make()
    assert SGD(lr=0.1, momentum=0.9, nesterov=np.bool_(True)).nesterov is True  # numpy's bool is a bool


def test_the_edges_of_the_ranges_are_accepted():
    """The companion of the test above: the checks refuse only what is out of range."""
    SGD(lr=1e-12, momentum=0.0, weight_decay=0.0, decay=0.0)
    SGD(lr=0.1, momentum=0.999999, nesterov=True)
    RMSProp(rho=0.0, eps=1e-300)
    Adam(betas=(0.0, 0.0), eps=1e-300, weight_decay=0.0)
    Adam(betas=[0.5, 0.5])


@pytest.mark.parametrize("opt", [SGD(lr=0.1), RMSProp(), Adam()], ids=["SGD", "RMSProp", "Adam"])
@pytest.mark.parametrize("bad, kind", [(np.zeros(3), "ndarray"), (None, "NoneType"), (0.5, "float")])
def test_step_refuses_what_is_not_a_parameter(opt, bad, kind):
    p = sn.Parameter(np.zeros(3))
    with pytest.raises(TypeError, match=rf"\.step expected a list of Parameters .* got an item of type {kind}"):
        opt.step([p, bad])


def test_an_optimizer_without_update_says_so():
    class Lazy(Optimizer):
        pass
    with pytest.raises(NotImplementedError, match="Lazy has no update"):
        Lazy(lr=0.1).step([sn.Parameter(np.zeros(2))])


@pytest.mark.parametrize("name, cls", [("rmsprop", RMSProp), ("RMSProp", RMSProp), ("adam", Adam)])
def test_compile_finds_the_optimizers_by_name_with_their_defaults(name, cls):
    model = sn.Sequential([sn.Dense(2, 2, rng=0)])
    model.compile(loss=sn.MSE(), optimizer=name)
    assert type(model.optimizer) is cls and repr(model.optimizer) == f"{cls.__name__}()"
