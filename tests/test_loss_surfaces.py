"""Loss surfaces: gradients and Hessians checked numerically, against torch autograd and scipy."""

import numpy as np
import pytest

from cs231n_lab import loss_surfaces as ls
from cs231n_lab.gradcheck import eval_numerical_gradient, rel_error

torch = pytest.importorskip("torch")

TORCH_F = {
    "taco_shell": lambda w: 0.5 * (0.02 * w[0] ** 2 + 1.0 * w[1] ** 2),
    "saddle": lambda w: 0.5 * w[0] ** 2 + 0.25 * w[1] ** 4 - 0.5 * w[1] ** 2,
    "local_minimum": lambda w: 0.25 * w[0] ** 4 - 0.5 * w[0] ** 2 + 0.3 * w[0] + 0.5 * w[1] ** 2,
    "rosenbrock": lambda w: torch.sum(100 * (w[1:] - w[:-1] ** 2) ** 2 + (1 - w[:-1]) ** 2),
}


@pytest.mark.parametrize("name", sorted(ls.SURFACES))
def test_value_gradient_hessian_against_torch_and_numerical(name, rng):
    s = ls.get_surface(name)
    for _ in range(3):
        w = rng.uniform(-1.5, 1.5, size=2)
        wt = torch.tensor(w, requires_grad=True)
        f = TORCH_F[name](wt)
        f.backward()
        H = torch.autograd.functional.hessian(TORCH_F[name], torch.tensor(w)).numpy()
        assert s.value(w) == pytest.approx(f.item(), rel=1e-12)
        np.testing.assert_allclose(s.gradient(w), wt.grad.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(s.hessian(w), H, rtol=1e-12, atol=1e-12)
        num = eval_numerical_gradient(lambda v: s.value(v), w.copy(), verbose=False)
        assert rel_error(num, s.gradient(w)) < 1e-7
        num_h = np.array([eval_numerical_gradient(lambda v: s.gradient(v)[i], w.copy(), verbose=False)
                          for i in range(2)])
        assert rel_error(num_h, s.hessian(w)) < 1e-6


def test_batched_evaluation_matches_pointwise(rng):
    s = ls.local_minimum()
    W = rng.standard_normal((4, 3, 2))
    V, G, H = s.value(W), s.gradient(W), s.hessian(W)
    assert V.shape == (4, 3) and G.shape == (4, 3, 2) and H.shape == (4, 3, 2, 2)
    for idx in np.ndindex(4, 3):
        assert V[idx] == s.value(W[idx])
        np.testing.assert_array_equal(G[idx], s.gradient(W[idx]))
        np.testing.assert_array_equal(H[idx], s.hessian(W[idx]))


@pytest.mark.parametrize("D", [2, 5, 10])
def test_rosenbrock_against_scipy(D, rng):
    from scipy.optimize import rosen, rosen_der, rosen_hess
    s = ls.rosenbrock()
    w = rng.standard_normal(D)
    assert s.value(w) == pytest.approx(rosen(w), rel=1e-12)
    np.testing.assert_allclose(s.gradient(w), rosen_der(w), rtol=1e-12)
    np.testing.assert_allclose(s.hessian(w), rosen_hess(w), rtol=1e-12, atol=1e-12)
    assert s.value(np.ones(D)) == 0.0


@pytest.mark.parametrize("name", sorted(ls.SURFACES))
def test_minimum_is_a_stationary_point_below_the_start(name):
    s = ls.get_surface(name)
    np.testing.assert_allclose(s.gradient(s.minimum), 0.0, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(s.hessian(s.minimum)) > 0)
    assert s.value(s.minimum) < s.value(s.start)


def test_surface_features():
    saddle = ls.saddle()
    np.testing.assert_array_equal(saddle.gradient(np.zeros(2)), 0.0)
    eig = np.linalg.eigvalsh(saddle.hessian(np.zeros(2)))
    assert eig[0] < 0 < eig[1], "the origin is a saddle: one negative, one positive curvature"
    taco = ls.taco_shell(a=0.1, b=2.0)
    eig = np.linalg.eigvalsh(taco.hessian(np.zeros(2)))
    assert eig[1] / eig[0] == pytest.approx(20.0)
    lm = ls.local_minimum(0.3)
    roots = np.sort(np.roots([1, 0, -1, 0.3]).real)
    assert lm.value(np.array([roots[2], 0])) > lm.value(np.array([roots[0], 0]))  # right well is shallower
    assert lm.hessian(np.array([roots[2], 0]))[0, 0] > 0


def test_noise_is_seeded_and_has_the_requested_scale():
    s = ls.taco_shell()
    w = np.array([1.0, 1.0])
    g1, g2 = s.gradient_fn(noise=0.5, seed=3), s.gradient_fn(noise=0.5, seed=3)
    a = np.array([g1(w) for _ in range(2000)])
    b = np.array([g2(w) for _ in range(2000)])
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a[0], a[1])
    np.testing.assert_allclose(a.mean(0), s.gradient(w), atol=0.05)
    np.testing.assert_allclose(a.std(0), 0.5, rtol=0.06)
    np.testing.assert_array_equal(s.gradient_fn(noise=0.0)(w), s.gradient(w))


def test_bad_input():
    s = ls.taco_shell()
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        s.value(np.zeros(3))
    with pytest.raises(ValueError, match="rng"):
        s.gradient(np.zeros(2), noise=0.1)
    with pytest.raises(ValueError, match="noise"):
        s.gradient(np.zeros(2), noise=-1.0, rng=0)
    with pytest.raises(TypeError, match="rng"):
        s.gradient(np.zeros(2), noise=0.1, rng="seed")
    with pytest.raises(ValueError, match="unknown surface"):
        ls.get_surface("bowl")
    with pytest.raises(ValueError, match="a and b"):
        ls.taco_shell(a=-1)
    with pytest.raises(ValueError, match=r">= 2"):
        ls.rosenbrock().gradient(np.zeros(1))
