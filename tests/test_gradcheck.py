"""The gradient checker itself: it must find right gradients right and wrong ones wrong."""

import numpy as np
import pytest

from cs231n_lab.gradcheck import (eval_numerical_gradient, eval_numerical_gradient_array, grad_check_sparse,
                                  rel_error)


def test_numerical_gradient_of_known_function(rng):
    x = rng.standard_normal((3, 4))
    before = x.copy()
    grad = eval_numerical_gradient(lambda v: np.sum(v ** 3), x, verbose=False)
    assert rel_error(grad, 3 * x ** 2) < 1e-8
    assert np.array_equal(x, before)  # restored after perturbing


def test_array_gradient_of_known_function(rng):
    x, df = rng.standard_normal(5), rng.standard_normal(5)
    grad = eval_numerical_gradient_array(np.sin, x, df)
    assert rel_error(grad, np.cos(x) * df) < 1e-8


def test_sparse_check_flags_a_wrong_gradient(rng):
    x = rng.standard_normal((4, 4))
    right = grad_check_sparse(lambda v: np.sum(v ** 2), x, 2 * x, num_checks=5, rng=0, verbose=False)
    wrong = grad_check_sparse(lambda v: np.sum(v ** 2), x, 3 * x, num_checks=5, rng=0, verbose=False)
    assert max(right) < 1e-7
    assert min(wrong) > 0.1


def test_rel_error_is_scale_free():
    assert rel_error(np.array([1e-3]), np.array([1.001e-3])) == pytest.approx(0.001 / 2.001, rel=1e-6)
    assert rel_error(np.array([1e3]), np.array([1.001e3])) == pytest.approx(0.001 / 2.001, rel=1e-6)


def test_bad_inputs_are_named():
    with pytest.raises(TypeError, match="floating-point numpy array"):
        eval_numerical_gradient(np.sum, np.arange(3), verbose=False)
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="analytic_grad has shape"):
        grad_check_sparse(np.sum, np.zeros(3), np.zeros(4))
