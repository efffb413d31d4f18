"""Newton, BFGS and L-BFGS (cs231n_lab.second_order) against scipy.optimize and torch.optim.LBFGS."""

import numpy as np
import pytest
from scipy.optimize import minimize

from cs231n_lab import loss_surfaces as ls
from cs231n_lab import second_order as so
from cs231n_lab.gradcheck import eval_numerical_gradient, rel_error


def _quadratic(rng, D=6):
    M = rng.standard_normal((D, D))
    A = M @ M.T + 0.1 * np.eye(D)
    b = rng.standard_normal(D)
    return A, b, (lambda w: 0.5 * w @ A @ w - b @ w), (lambda w: A @ w - b), (lambda w: A)


def test_newton_converges_in_one_step_on_a_quadratic(rng):
    A, b, f, g, h = _quadratic(rng)
    res = so.newton(f, g, h, rng.standard_normal(6) * 10, gtol=1e-9)
    assert res["n_iter"] == 1 and res["converged"]
    np.testing.assert_allclose(res["w"], np.linalg.solve(A, b), rtol=1e-10, atol=1e-10)
    taco = ls.taco_shell()
    res = so.newton(taco.value, taco.gradient, taco.hessian, taco.start, gtol=1e-12)
    assert res["n_iter"] == 1
    np.testing.assert_allclose(res["w"], 0.0, atol=1e-14)


def test_pure_newton_is_attracted_to_the_saddle():
    s = ls.saddle()
    res = so.newton(s.value, s.gradient, s.hessian, s.start, gtol=1e-10)
    assert res["converged"]
    np.testing.assert_allclose(res["w"], 0.0, atol=1e-9)
    assert np.linalg.eigvalsh(s.hessian(res["w"]))[0] < 0, "it stopped on a saddle, not a minimum"
    damped = so.newton(s.value, s.gradient, s.hessian, s.start, gtol=1e-10, line_search=True)
    assert damped["losses"][-1] <= res["losses"][-1]


@pytest.mark.parametrize("D", [2, 5, 10])
def test_lbfgs_and_bfgs_match_scipy_on_rosenbrock(D):
    r = ls.rosenbrock()
    # (for 4 <= D <= 7 Rosenbrock also has a local minimum near (-1, 1, ..., 1): start away from it)
    w0 = {2: r.start, 5: np.linspace(1.3, 0.2, 5), 10: np.full(10, -1.2)}[D]
    ref_l = minimize(r.value, w0, jac=r.gradient, method="L-BFGS-B",
                     options={"gtol": 1e-10, "ftol": 1e-16, "maxiter": 2000})
    ref_b = minimize(r.value, w0, jac=r.gradient, method="BFGS", options={"gtol": 1e-10})
    ours_l = so.lbfgs(r.value, r.gradient, w0, gtol=1e-9)
    ours_b = so.bfgs(r.value, r.gradient, w0, gtol=1e-9)
    assert ours_l["converged"] and ours_b["converged"]
    np.testing.assert_allclose(ours_l["w"], ref_l.x, atol=1e-6)
    np.testing.assert_allclose(ours_b["w"], ref_b.x, atol=1e-6)
    assert ours_l["losses"][-1] <= ref_l.fun + 1e-12
    # both are far from Newton's O(D^3) per step yet need a comparable number of iterations to scipy's
    assert ours_l["n_iter"] < 3 * ref_l.nit and ours_b["n_iter"] < 3 * ref_b.nit


def test_lbfgs_matches_torch_lbfgs_on_rosenbrock():
    torch = pytest.importorskip("torch")
    r = ls.rosenbrock()
    w0 = np.linspace(-1.0, 1.0, 6)
    p = torch.tensor(w0, requires_grad=True)
    opt = torch.optim.LBFGS([p], lr=1, max_iter=1000, history_size=10, tolerance_grad=1e-10,
                            tolerance_change=1e-14, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.sum(100 * (p[1:] - p[:-1] ** 2) ** 2 + (1 - p[:-1]) ** 2)
        loss.backward()
        return loss
    opt.step(closure)
    ours = so.lbfgs(r.value, r.gradient, w0, gtol=1e-9)
    np.testing.assert_allclose(ours["w"], p.detach().numpy(), atol=1e-6)


def test_logistic_regression_problem_and_its_minimum():
    prob = so.logistic_regression(N=200, D=5, seed=1)
    assert prob.X.shape == (200, 6) and set(np.unique(prob.y)) == {0.0, 1.0}
    w = np.random.default_rng(0).standard_normal(6) * 0.3
    num = eval_numerical_gradient(prob.value, w.copy(), verbose=False)
    assert rel_error(num, prob.gradient(w)) < 1e-7
    num_h = np.array([eval_numerical_gradient(lambda v: prob.gradient(v)[i], w.copy(), verbose=False)
                      for i in range(6)])
    assert rel_error(num_h, prob.hessian(w)) < 1e-6
    ref = minimize(prob.value, prob.start, jac=prob.gradient, method="L-BFGS-B",
                   options={"gtol": 1e-10, "ftol": 1e-16})
    np.testing.assert_allclose(prob.minimum, ref.x, atol=1e-5)
    # (gtol 1e-7: far below that, a loss of about 0.5 no longer resolves the line search's decrease)
    for res in (so.newton(prob.value, prob.gradient, prob.hessian, prob.start, gtol=1e-7),
                so.bfgs(prob.value, prob.gradient, prob.start, gtol=1e-7),
                so.lbfgs(prob.value, prob.gradient, prob.start, gtol=1e-7)):
        assert res["converged"]
        np.testing.assert_allclose(res["w"], prob.minimum, atol=1e-5)


def test_newton_converges_quadratically_on_logistic_regression():
    prob = so.logistic_regression()
    res = so.newton(prob.value, prob.gradient, prob.hessian, prob.start, gtol=1e-12)
    g = res["grad_norms"]
    assert res["n_iter"] <= 8
    # quadratic convergence: once close, the gradient norm is squared (times a constant) each step
    close = np.nonzero(g < 1e-2)[0]
    k = close[0]
    assert g[k + 1] < 10 * g[k] ** 2


def test_result_records_the_path():
    r = ls.rosenbrock()
    res = so.bfgs(r.value, r.gradient, r.start, max_iter=5)
    assert res["n_iter"] == 5 and res["path"].shape == (6, 2) and len(res["losses"]) == 6
    np.testing.assert_array_equal(res["path"][0], r.start)
    assert np.all(np.diff(res["losses"]) < 0), "every line-searched step decreases the loss"
    assert res["n_evals"] >= res["n_iter"]


def test_bad_input():
    r = ls.rosenbrock()
    with pytest.raises(ValueError, match="w0"):
        so.lbfgs(r.value, r.gradient, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="m "):
        so.lbfgs(r.value, r.gradient, np.zeros(2), m=0)
    with pytest.raises(ValueError, match="max_iter"):
        so.bfgs(r.value, r.gradient, np.zeros(2), max_iter=-1)
    with pytest.raises(FloatingPointError, match="NaN"):
        so.newton(lambda w: np.nan, r.gradient, r.hessian, np.zeros(2))
    with pytest.raises(ValueError, match="reg"):
        so.logistic_regression(reg=0.0)
