"""Preprocessing (L6): statistics fit on training data, PCA on data of known covariance."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.decomposition import PCA

from cs231n_lab.preprocessing import (explained_variance_ratio, fit_mean, fit_normalization, fit_pca,
                                      normalize, pca_project, pca_reconstruct, pca_whiten, zca_whiten,
                                      zero_center)


def rotation(theta):
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


# ---------------------------------------------------------------- zero-centring, normalisation

def test_mean_image_and_channel_mean_by_hand():
    # Two 2-channel 1x2 images. Mean image = average of the two; channel means average H, W too.
    X = np.array([[[[1.0, 3.0]], [[10.0, 10.0]]],
                  [[[5.0, 7.0]], [[20.0, 40.0]]]])            # (N=2, C=2, H=1, W=2)
    np.testing.assert_array_equal(fit_mean(X, "image"), [[[3.0, 5.0]], [[15.0, 25.0]]])
    channel = fit_mean(X, "channel")
    assert channel.shape == (2, 1, 1)
    np.testing.assert_array_equal(channel.ravel(), [4.0, 20.0])
    np.testing.assert_array_equal(zero_center(X, channel)[1, 1], [[0.0, 20.0]])


def test_test_data_is_centred_with_the_training_mean(rng):
    X_train = rng.normal(2.0, 1.0, (50, 3))
    X_test = rng.normal(5.0, 1.0, (10, 3))
    mean = fit_mean(X_train)
    np.testing.assert_allclose(zero_center(X_test, mean), X_test - X_train.mean(axis=0))
    assert abs(zero_center(X_train, mean).mean()) < 1e-12


def test_zero_center_keeps_float32_and_promotes_integers():
    X = np.arange(12, dtype=np.uint8).reshape(3, 4)
    out = zero_center(X, fit_mean(X))
    assert out.dtype == np.float64 and out[0, 0] == -4.0  # uint8 would wrap around to 252
    assert zero_center(X.astype(np.float32), fit_mean(X)).dtype == np.float32


def test_normalization_gives_unit_variance_and_survives_constant_pixels(rng):
    X = rng.normal(3.0, 7.0, (200, 1, 4, 4))
    X[:, 0, 0, 0] = 5.0  # a constant pixel (std 0)
    mean, std = fit_normalization(X)
    out = normalize(X, mean, std)
    assert np.isfinite(out).all() and np.allclose(out[:, 0, 0, 0], 0.0)
    np.testing.assert_allclose(out.std(axis=0).ravel()[1:], 1.0, rtol=1e-6)
    mean_c, std_c = fit_normalization(X, "channel")
    assert std_c.shape == (1, 1, 1)
    np.testing.assert_allclose(std_c.item(), X.std(), rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(N=st.integers(1, 6), C=st.integers(1, 4), H=st.integers(1, 5), W=st.integers(1, 5),
       seed=st.integers(0, 2**16))
def test_channel_mean_equals_a_loop_over_channels(N, C, H, W, seed):
    X = np.random.default_rng(seed).normal(size=(N, C, H, W))
    expected = [np.mean([X[n, c, h, w] for n in range(N) for h in range(H) for w in range(W)]) for c in range(C)]
    np.testing.assert_allclose(fit_mean(X, "channel").ravel(), expected, atol=1e-12)
    np.testing.assert_allclose(zero_center(X, fit_mean(X, "channel")).mean(axis=(0, 2, 3)), 0, atol=1e-12)


# ---------------------------------------------------------------- PCA, whitening

def test_pca_of_data_with_exactly_known_covariance():
    # Points (+-3, 0) and (0, +-1): covariance diag(9/2, 1/2). Rotated by 30 degrees and
    # shifted, the covariance is R diag(4.5, 0.5) R^T: eigenvalues 4.5 and 0.5, eigenvectors R's columns.
    R = rotation(np.pi / 6)
    X = np.array([[3.0, 0.0], [-3.0, 0.0], [0.0, 1.0], [0.0, -1.0]]) @ R.T + [10.0, -2.0]
    pca = fit_pca(X)
    np.testing.assert_allclose(pca["mean"], [10.0, -2.0], atol=1e-12)
    np.testing.assert_allclose(pca["S"], [4.5, 0.5], atol=1e-12)
    for k in range(2):
        assert abs(pca["U"][:, k] @ R[:, k]) == pytest.approx(1.0, abs=1e-12)  # up to sign
    rot = pca_project(X, pca)
    np.testing.assert_allclose(np.abs(rot), [[3, 0], [3, 0], [0, 1], [0, 1]], atol=1e-12)
    np.testing.assert_allclose(explained_variance_ratio(pca), [0.9, 0.1])


def test_pca_recovers_a_sampled_covariance(rng):
    R = rotation(0.4)
    cov = R @ np.diag([9.0, 1.0]) @ R.T
    X = rng.multivariate_normal([1.0, 2.0], cov, size=50_000)
    pca = fit_pca(X)
    np.testing.assert_allclose(pca["S"], [9.0, 1.0], rtol=0.03)
    assert abs(pca["U"][:, 0] @ R[:, 0]) > 0.999


def test_pca_agrees_with_scikit_learn(rng):
    X = rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6))
    pca = fit_pca(X)
    ref = PCA().fit(X)
    N = X.shape[0]
    np.testing.assert_allclose(pca["S"] * N / (N - 1), ref.explained_variance_, rtol=1e-9)  # sklearn divides by N-1
    np.testing.assert_allclose(np.abs(pca_project(X, pca, 3)), np.abs(ref.transform(X)[:, :3]), atol=1e-9)


def test_whitening_gives_identity_covariance(rng):
    X = rng.normal(size=(2000, 4)) @ np.array([[3, 1, 0, 0], [0, 2, 0, 0], [0, 0, 1, 0.5], [0, 0, 0, 0.2]])
    pca = fit_pca(X)
    white = pca_whiten(X, pca, epsilon=0.0)
    np.testing.assert_allclose(white.T @ white / len(X), np.eye(4), atol=1e-9)
    zca = zca_whiten(X, pca, epsilon=0.0)
    np.testing.assert_allclose(zca.T @ zca / len(X), np.eye(4), atol=1e-9)
    # ZCA stays closest to the original: its whitening matrix U diag(1/sqrt(S)) U^T is symmetric.
    W = np.linalg.lstsq(X - pca["mean"], zca, rcond=None)[0]
    np.testing.assert_allclose(W, W.T, atol=1e-8)
    # epsilon damps the small directions: variance S / (S + eps) < 1.
    damped = pca_whiten(X, pca, epsilon=1.0)
    np.testing.assert_allclose(damped.var(axis=0), pca["S"] / (pca["S"] + 1.0), rtol=1e-9)


def test_reconstruction_error_is_the_dropped_variance(rng):
    X = rng.normal(size=(500, 5)) * [5, 3, 2, 1, 0.5]
    pca = fit_pca(X)
    np.testing.assert_allclose(pca_reconstruct(pca_project(X, pca), pca), X, atol=1e-10)
    for k in range(1, 5):
        residual = X - pca_reconstruct(pca_project(X, pca, k), pca)
        np.testing.assert_allclose((residual ** 2).sum(axis=1).mean(), pca["S"][k:].sum(), rtol=1e-9)


def test_pca_is_fit_on_training_data_only(rng):
    X_train, X_test = rng.normal(size=(100, 3)), rng.normal(3.0, 1.0, size=(10, 3))
    pca = fit_pca(X_train)
    np.testing.assert_allclose(pca_project(X_test, pca), (X_test - X_train.mean(axis=0)) @ pca["U"])


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, error, message", [
    (lambda: fit_mean([[1.0]]), TypeError, "X must be a numpy array, got list"),
    (lambda: fit_mean(np.zeros((3, 4)), "pixel"), ValueError, "mode must be one of"),
    (lambda: fit_mean(np.zeros((3, 4)), "channel"), ValueError, r"NCHW images \(4 dimensions\), got shape \(3, 4\)"),
    (lambda: fit_mean(np.zeros((0, 4))), ValueError, "at least one example"),
    (lambda: fit_mean(np.zeros(4)), ValueError, r"shaped \(N, \.\.\.\)"),
    (lambda: fit_mean(np.array([["a"]])), TypeError, "must hold numbers"),
    (lambda: zero_center(np.zeros((3, 4)), np.zeros(5)), ValueError, r"mean of shape \(5,\) does not fit"),
    (lambda: fit_pca(np.zeros((3, 2, 2))), ValueError, "must have 2 dimensions"),
    (lambda: pca_project(np.zeros((3, 5)), fit_pca(np.eye(4)), None), ValueError, "D=5 features but the PCA was fit on D=4"),
    (lambda: pca_project(np.zeros((3, 4)), fit_pca(np.eye(4)), 0), ValueError, r"num_components must be an integer in 1\.\.4"),
    (lambda: pca_whiten(np.zeros((3, 4)), {"U": 1}), TypeError, "returned by fit_pca"),
])
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_normalize_rejects_a_list():
    with pytest.raises(TypeError, match="X must be a numpy array"):
        normalize([[1.0]], np.zeros(1), np.ones(1))
