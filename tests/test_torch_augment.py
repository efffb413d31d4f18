"""cs231n_lab.pytorch.augment agrees with cs231n_lab.augmentation on the same random draws."""

import numpy as np
import pytest
import torch

from cs231n_lab import augmentation as A
from cs231n_lab.pytorch import augment as T
from conftest import requires_gpu


def pair(rng, N=6, C=3, H=8, W=9, dtype=np.float64):
    x = rng.normal(size=(N, C, H, W)).astype(dtype)
    return x, torch.from_numpy(x.copy())


def same(t, a, tol):
    np.testing.assert_allclose(t.detach().cpu().numpy(), a, rtol=tol, atol=tol)


CASES = {
    "flip": (lambda N, C, H, W, r: A.sample_flip(N, r), A.apply_flip, T.apply_flip),
    "crop": (lambda N, C, H, W, r: A.sample_crop(N, H, W, (H - 1, W - 2), 3, r), A.apply_crop, T.apply_crop),
    "resized_crop": (lambda N, C, H, W, r: A.sample_resized_crop(N, H, W, r),
                     A.apply_resized_crop, T.apply_resized_crop),
    "jitter": (lambda N, C, H, W, r: A.sample_color_jitter(N, r, 0.5, 0.5, 0.5),
               A.apply_color_jitter, T.apply_color_jitter),
    "cutout": (lambda N, C, H, W, r: A.sample_cutout(N, H, W, 4, r), A.apply_cutout, T.apply_cutout),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("C", [1, 3])
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_apply_agrees_with_numpy(name, C, dtype, tol, rng):
    x, xt = pair(rng, C=C, dtype=dtype)
    sample, apply_np, apply_t = CASES[name]
    params = sample(*x.shape, rng)
    out_t = apply_t(xt, T.params_to_torch(params))
    assert out_t.dtype == xt.dtype and out_t.shape == x.shape[:2] + out_t.shape[2:]
    same(out_t, apply_np(x, params), tol)


def test_resized_crop_to_other_size_agrees(rng):
    x, xt = pair(rng)
    params = A.sample_resized_crop(len(x), 8, 9, rng, scale=(0.05, 0.3), ratio=(0.5, 2))
    same(T.apply_resized_crop(xt, T.params_to_torch(params), size=(13, 5)),
         A.apply_resized_crop(x, params, size=(13, 5)), 1e-12)


def test_pca_and_mixup_agree(rng):
    x, xt = pair(rng)
    eigvals, eigvecs = A.fit_pca_color(x)
    tvals, tvecs = T.fit_pca_color(xt)
    np.testing.assert_allclose(tvals.numpy(), eigvals, atol=1e-12)
    np.testing.assert_allclose(np.abs(tvecs.numpy().T @ eigvecs), np.eye(3), atol=1e-8)  # up to sign
    params = A.sample_pca_color(len(x), 3, rng, std=0.3)
    same(T.apply_pca_color(xt, T.params_to_torch(params), eigvals, eigvecs),
         A.apply_pca_color(x, params, eigvals, eigvecs), 1e-12)
    y = rng.integers(0, 4, len(x))
    mp = A.sample_mixup(len(x), rng, alpha=0.5)
    xm, ym = A.apply_mixup(x, y, mp, 4)
    xmt, ymt = T.apply_mixup(xt, torch.from_numpy(y), T.params_to_torch(mp), 4)
    same(xmt, xm, 1e-12)
    same(ymt, ym, 1e-12)


@pytest.mark.parametrize("name", ["flip", "crop", "resized_crop", "jitter", "pca", "cutout"])
def test_torch_samplers_are_seeded_and_in_range(name, rng):
    x, xt = pair(rng, N=64)
    N, C, H, W = x.shape
    pca = T.fit_pca_color(xt)
    samplers = {
        "flip": lambda g: T.sample_flip(N, g, 0.5),
        "crop": lambda g: T.sample_crop(N, H, W, (H, W), 2, g),
        "resized_crop": lambda g: T.sample_resized_crop(N, H, W, g, (0.2, 0.6)),
        "jitter": lambda g: T.sample_color_jitter(N, g, 0.2, 0.3, 0.4),
        "pca": lambda g: T.sample_pca_color(N, C, g, 0.1),
        "cutout": lambda g: T.sample_cutout(N, H, W, 3, g),
    }
    a = samplers[name](torch.Generator().manual_seed(3))
    b = samplers[name](torch.Generator().manual_seed(3))
    for k in a:
        assert torch.equal(torch.as_tensor(a[k]), torch.as_tensor(b[k]))
    if name == "crop":
        assert int(a["top"].min()) >= 0 and int(a["top"].max()) <= 4 and int(a["left"].max()) <= 4
    if name == "resized_crop":
        area = a["height"] * a["width"] / (H * W)
        assert float(area.max()) <= 0.6 + 1e-9 and bool(torch.all(a["top"] + a["height"] <= H + 1e-9))
    if name == "jitter":
        assert float(a["saturation"].min()) >= 0.6 and float(a["saturation"].max()) <= 1.4
    # Through the NumPy apply as well: the torch draws are valid NumPy params.
    np_params = {k: v.cpu().numpy() if isinstance(v, torch.Tensor) else v for k, v in a.items()}
    apply_np = {"flip": A.apply_flip, "crop": A.apply_crop, "resized_crop": A.apply_resized_crop,
                "jitter": A.apply_color_jitter, "cutout": A.apply_cutout,
                "pca": lambda x, p: A.apply_pca_color(x, p, pca[0].numpy(), pca[1].numpy())}[name]
    apply_t = {"flip": T.apply_flip, "crop": T.apply_crop, "resized_crop": T.apply_resized_crop,
               "jitter": T.apply_color_jitter, "cutout": T.apply_cutout,
               "pca": lambda x, p: T.apply_pca_color(x, p, *pca)}[name]
    same(apply_t(xt, a), apply_np(x, np_params), 1e-12)


def test_make_augment_pipeline_is_deterministic_and_keeps_shape(rng):
    x, xt = pair(rng, dtype=np.float32)
    augment = T.make_augment(flip=0.5, crop_padding=2, resized_crop_scale=(0.5, 1), jitter=(0.2, 0.2, 0.2),
                             pca=T.fit_pca_color(xt) + (0.1,), cutout_size=3)
    a = augment(xt, torch.Generator().manual_seed(0))
    b = augment(xt, torch.Generator().manual_seed(0))
    assert a.shape == xt.shape and a.dtype == torch.float32 and torch.equal(a, b)
    assert not torch.equal(a, augment(xt, torch.Generator().manual_seed(1)))


def test_mixup_sampler(rng):
    x, xt = pair(rng)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    g = torch.Generator().manual_seed(0)
    xm, ym = T.mixup(xt, y, 3, g, alpha=1.0)
    assert torch.allclose(ym.sum(1), torch.ones(6, dtype=ym.dtype))
    p1 = T.sample_mixup(6, torch.Generator().manual_seed(5))
    p2 = T.sample_mixup(6, torch.Generator().manual_seed(5))
    assert p1["lam"] == p2["lam"] and torch.equal(p1["perm"], p2["perm"]) and 0 <= p1["lam"] <= 1


def test_bad_arguments(rng):
    x, xt = pair(rng)
    g = torch.Generator().manual_seed(0)
    with pytest.raises(ValueError, match="does not fit"):
        T.sample_crop(6, 8, 9, (20, 9), 1, g)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        T.apply_flip(xt[0], T.sample_flip(6, g))
    with pytest.raises(TypeError, match="generator"):
        T.make_augment(flip=0.5)(xt, 0)
    with pytest.raises(ValueError, match="alpha"):
        T.sample_mixup(6, g, alpha=-1)


@requires_gpu
def test_pipeline_runs_on_the_gpu(rng):
    x, xt = pair(rng, dtype=np.float32)
    xt = xt.cuda()
    g = torch.Generator(device="cuda").manual_seed(0)
    out = T.make_augment(flip=0.5, crop_padding=2, resized_crop_scale=(0.3, 1), jitter=(0.2, 0.2, 0.2),
                         pca=T.fit_pca_color(xt) + (0.1,), cutout_size=3)(xt, g)
    assert out.device.type == "cuda" and out.shape == xt.shape
    params = A.sample_resized_crop(len(x), 8, 9, rng)
    same(T.apply_resized_crop(xt, T.params_to_torch(params, "cuda")), A.apply_resized_crop(x, params), 1e-5)
