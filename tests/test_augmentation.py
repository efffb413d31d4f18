"""Tests for cs231n_lab.augmentation: shapes, dtypes, determinism, labels, maths, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lab import augmentation as A


def batch(rng, N=5, C=3, H=8, W=10, dtype=np.float64):
    return rng.random((N, C, H, W)).astype(dtype)


OPS = {
    "flip": lambda x, r: A.random_flip(x, r),
    "crop": lambda x, r: A.random_crop(x, x.shape[2:], 2, r),
    "resized_crop": lambda x, r: A.random_resized_crop(x, r, scale=(0.2, 1.0)),
    "jitter": lambda x, r: A.color_jitter(x, r, 0.4, 0.4, 0.4),
    "pca": lambda x, r: A.pca_color(x, *A.fit_pca_color(x), r, std=0.5),
    "cutout": lambda x, r: A.cutout(x, 3, r),
    "pipeline": lambda x, r: A.make_augment(0.5, 2, (0.3, 1), (0.3, 0.3, 0.3), None, 3)(x, r),
}


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("C", [1, 3])
def test_shape_dtype_determinism(name, dtype, C, rng):
    x = batch(rng, C=C, dtype=dtype)
    before = x.copy()
    a, b = OPS[name](x, 7), OPS[name](x, 7)
    assert a.shape == x.shape and a.dtype == x.dtype
    np.testing.assert_array_equal(a, b)                 # same seed, same images
    np.testing.assert_array_equal(x, before)            # the input is not modified
    c = OPS[name](x, np.random.default_rng(8))
    assert not np.array_equal(a, c)                     # a different draw changes something


def test_generator_advances_between_calls(rng):
    x = batch(rng, N=20)
    gen = np.random.default_rng(0)
    assert not np.array_equal(A.random_flip(x, gen), A.random_flip(x, gen))


def test_flip_of_asymmetric_image():
    # A "7"-like asymmetric image: a horizontal bar at the top and a bar on the right.
    img = np.zeros((1, 1, 5, 5))
    img[0, 0, 0, :] = 1
    img[0, 0, :, 4] = 2
    out = A.apply_flip(img, {"flip": np.array([True])})
    assert np.all(out[0, 0, :, 0] == 2) and np.all(out[0, 0, 1:, 4] == 0)
    np.testing.assert_array_equal(out[0, 0], img[0, 0, :, ::-1])
    np.testing.assert_array_equal(A.apply_flip(img, {"flip": np.array([False])}), img)


def test_flip_probability(rng):
    flips = A.sample_flip(20000, rng, prob=0.3)["flip"]
    assert abs(flips.mean() - 0.3) < 0.02


def test_crop_matches_padded_slice(rng):
    x = batch(rng)
    params = A.sample_crop(len(x), 8, 10, (6, 7), 3, rng)
    out = A.apply_crop(x, params)
    padded = np.pad(x, ((0, 0), (0, 0), (3, 3), (3, 3)))
    for n in range(len(x)):
        t, l = params["top"][n], params["left"][n]
        np.testing.assert_array_equal(out[n], padded[n, :, t:t + 6, l:l + 7])
    assert params["top"].max() <= 8 + 6 - 6 and params["left"].max() <= 10 + 6 - 7


def test_resized_crop_whole_image_is_identity_and_box_is_sampled_inside(rng):
    x = batch(rng)
    N, C, H, W = x.shape
    full = {"top": np.zeros(N), "left": np.zeros(N), "height": np.full(N, 8.0), "width": np.full(N, 10.0)}
    np.testing.assert_allclose(A.apply_resized_crop(x, full), x)
    p = A.sample_resized_crop(2000, H, W, rng, scale=(0.1, 0.5))
    assert np.all(p["top"] >= 0) and np.all(p["top"] + p["height"] <= H + 1e-9)
    assert np.all(p["left"] >= 0) and np.all(p["left"] + p["width"] <= W + 1e-9)
    assert np.all(p["height"] * p["width"] <= 0.5 * H * W + 1e-9)


def test_resized_crop_integer_box_is_a_slice_and_upscale_of_constant(rng):
    x = batch(rng)
    N = len(x)
    box = {"top": np.full(N, 2.0), "left": np.full(N, 3.0), "height": np.full(N, 4.0), "width": np.full(N, 5.0)}
    np.testing.assert_allclose(A.apply_resized_crop(x, box, size=(4, 5)), x[:, :, 2:6, 3:8])
    const = np.full((2, 3, 6, 6), 0.7)
    p = A.sample_resized_crop(2, 6, 6, rng)
    np.testing.assert_allclose(A.apply_resized_crop(const, p, size=12), 0.7)


def test_color_jitter_formulas(rng):
    x = batch(rng, N=3)
    ones = np.ones(3)
    f = np.array([0.5, 1.0, 1.7])
    np.testing.assert_allclose(A.apply_color_jitter(x, {"brightness": f, "contrast": ones, "saturation": ones}),
                               x * f[:, None, None, None])
    # saturation 0 -> grey image: every channel equals the luma
    grey = A.apply_color_jitter(x, {"brightness": ones, "contrast": ones, "saturation": np.zeros(3)})
    luma = np.einsum("c,nchw->nhw", A.GRAY_WEIGHTS, x)
    for c in range(3):
        np.testing.assert_allclose(grey[:, c], luma)
    # contrast 0 -> a flat image at the mean grey level
    flat = A.apply_color_jitter(x, {"brightness": ones, "contrast": np.zeros(3), "saturation": ones})
    np.testing.assert_allclose(flat, np.broadcast_to(luma.mean(axis=(1, 2))[:, None, None, None], x.shape))


def test_saturation_is_a_no_op_for_grey_images(rng):
    x = batch(rng, C=1)
    ones = np.ones(len(x))
    out = A.apply_color_jitter(x, {"brightness": ones, "contrast": ones, "saturation": np.full(len(x), 3.0)})
    np.testing.assert_array_equal(out, x)


def test_pca_color_offsets_follow_the_principal_components(rng):
    # Pixels spread along one colour direction: the offsets must lie along it too.
    direction = np.array([1.0, 2.0, -0.5]) / np.linalg.norm([1.0, 2.0, -0.5])
    t = rng.normal(size=(50, 1, 6, 6))
    X = t * direction[None, :, None, None] + 1e-3 * rng.normal(size=(50, 3, 6, 6))
    eigvals, eigvecs = A.fit_pca_color(X)
    np.testing.assert_allclose(abs(eigvecs[:, -1] @ direction), 1.0, atol=1e-4)
    cov = np.cov(X.transpose(0, 2, 3, 1).reshape(-1, 3), rowvar=False)
    np.testing.assert_allclose(eigvecs @ np.diag(eigvals) @ eigvecs.T, cov, atol=1e-10)
    out = A.pca_color(X, eigvals, eigvecs, rng, std=1.0)
    offsets = (out - X)[:, :, 0, 0]
    assert np.allclose(out - X, offsets[:, :, None, None])               # one offset per image
    cos = np.abs(offsets @ direction) / np.linalg.norm(offsets, axis=1)
    assert cos.min() > 0.99


def test_cutout_square(rng):
    x = np.ones((1, 2, 9, 9))
    out = A.apply_cutout(x, {"cy": np.array([4]), "cx": np.array([4]), "size": 3})
    assert (out == 0).sum() == 2 * 9 and np.all(out[:, :, 3:6, 3:6] == 0)
    corner = A.apply_cutout(x, {"cy": np.array([0]), "cx": np.array([8]), "size": 4})
    assert (corner[0, 0] == 0).sum() == 2 * 3            # rows -2..1 and cols 6..9, clipped to the image
    many = A.cutout(np.ones((200, 1, 9, 9)), 3, rng)
    assert set(np.unique((many == 0).sum(axis=(1, 2, 3)))) <= {4, 6, 9}


def test_mixup_labels_and_images(rng):
    x = batch(rng, N=6)
    y = np.array([0, 1, 2, 2, 1, 0])
    params = A.sample_mixup(6, rng, alpha=0.4)
    xm, ym = A.apply_mixup(x, y, params, num_classes=4)
    lam, perm = params["lam"], params["perm"]
    assert 0 <= lam <= 1 and sorted(perm) == list(range(6))
    np.testing.assert_allclose(ym.sum(axis=1), 1.0)
    np.testing.assert_allclose(xm, lam * x + (1 - lam) * x[perm])
    for i in range(6):
        expect = np.zeros(4)
        expect[y[i]] += lam
        expect[y[perm[i]]] += 1 - lam
        np.testing.assert_allclose(ym[i], expect)
    assert ym.shape == (6, 4) and np.all(ym[:, 3] == 0)


@settings(max_examples=25, deadline=None)
@given(N=st.integers(1, 4), C=st.sampled_from([1, 3]), H=st.integers(3, 9), W=st.integers(3, 9),
       pad=st.integers(0, 3), seed=st.integers(0, 2**16))
def test_crop_and_cutout_shapes_property(N, C, H, W, pad, seed):
    x = np.random.default_rng(seed).random((N, C, H, W))
    h, w = min(H + 2 * pad, 3), min(W + 2 * pad, 4)
    assert A.random_crop(x, (h, w), pad, seed).shape == (N, C, h, w)
    assert A.cutout(x, 2, seed).shape == x.shape
    assert A.random_resized_crop(x, seed, size=(h, w)).shape == (N, C, h, w)


def test_bad_arguments(rng):
    x = batch(rng)
    with pytest.raises(ValueError, match="larger than the padded image"):
        A.random_crop(x, (12, 10), 1, rng)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        A.random_flip(x[0], rng)
    with pytest.raises(TypeError, match="float"):
        A.random_flip(x.astype(np.uint8), rng)
    with pytest.raises(TypeError, match="rng"):
        A.random_flip(x, None)
    with pytest.raises(ValueError, match="scale"):
        A.random_resized_crop(x, rng, scale=(0.5, 1.5))
    with pytest.raises(ValueError, match="prob"):
        A.random_flip(x, rng, prob=1.5)
    with pytest.raises(ValueError, match="alpha"):
        A.mixup(x, np.zeros(5, dtype=int), 3, rng, alpha=0)
    with pytest.raises(ValueError, match="labels"):
        A.mixup(x, np.array([0, 1, 2, 3, 4]), 3, rng)
    with pytest.raises(ValueError, match="size"):
        A.cutout(x, 0, rng)
    with pytest.raises(ValueError, match="contrast"):
        A.color_jitter(x, rng, contrast=-1)
