"""Tier C - the augmentation operations of ``cs231n_lab.augmentation`` as batched torch ops.

Everything runs on the batch's device (no per-image Python loop, no copy to the CPU), with
the randomness drawn from an explicit ``torch.Generator`` that lives on that device.  Each
operation has the same two steps as the NumPy version, with the same formulas:

    params = sample_<op>(N, ..., generator)   # tensors on generator.device
    out    = apply_<op>(x, params)            # deterministic given params

``params_to_torch(params, device)`` turns the NumPy module's params into tensors, so a test
can draw once with NumPy and check that both ``apply_<op>`` give the same images.

For the training loop (``cs231n_lab.pytorch.loop.fit(augment=...)``) build a pipeline with
``make_augment(...)``: it returns ``augment(x_batch, generator) -> x_batch``.  Mixup changes
the labels as well, so it is not part of the pipeline: call ``mixup`` in the loss instead.
"""

import math

import numpy as np
import torch

from cs231n_lab.augmentation import GRAY_WEIGHTS

__all__ = ["params_to_torch", "sample_flip", "apply_flip", "sample_crop", "apply_crop",
           "sample_resized_crop", "apply_resized_crop", "sample_color_jitter", "apply_color_jitter",
           "fit_pca_color", "sample_pca_color", "apply_pca_color", "sample_cutout", "apply_cutout",
           "sample_mixup", "apply_mixup", "mixup", "make_augment"]


def params_to_torch(params, device="cpu"):
    """NumPy params dict -> the same dict with arrays as tensors on ``device`` (scalars kept)."""
    return {k: torch.as_tensor(v, device=device) if isinstance(v, np.ndarray) else v
            for k, v in params.items()}


def _check_images(x, fn):
    if not isinstance(x, torch.Tensor) or x.ndim != 4 or not x.is_floating_point():
        got = f"{x.dtype} tensor of shape {tuple(x.shape)}" if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{fn}: x must be a float tensor (N, C, H, W), got {got}")
    return x


def _check_generator(generator, fn):
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"{fn}: generator must be a torch.Generator, got {type(generator).__name__}")
    return generator


def _uniform(N, lo, hi, g):
    return lo + (hi - lo) * torch.rand(N, generator=g, device=g.device, dtype=torch.float64)


def _index(x):
    N, C = x.shape[:2]
    return (torch.arange(N, device=x.device)[:, None, None, None],
            torch.arange(C, device=x.device)[None, :, None, None])


# --- flip, crop ------------------------------------------------------------------------------
def sample_flip(N, generator, prob=0.5):
    g = _check_generator(generator, "sample_flip")
    if not 0 <= prob <= 1:
        raise ValueError(f"sample_flip: prob must be in [0, 1], got {prob!r}")
    return {"flip": torch.rand(N, generator=g, device=g.device) < prob}


def apply_flip(x, params):
    x = _check_images(x, "apply_flip")
    return torch.where(params["flip"][:, None, None, None], x.flip(-1), x)


def sample_crop(N, H, W, size, padding, generator):
    g = _check_generator(generator, "sample_crop")
    h, w = (size, size) if isinstance(size, int) else size
    if padding < 0 or not (0 < h <= H + 2 * padding and 0 < w <= W + 2 * padding):
        raise ValueError(f"sample_crop: crop size {(h, w)} does not fit the padded image "
                         f"{(H + 2 * padding, W + 2 * padding)} (padding {padding} must be >= 0)")
    return {"top": torch.randint(0, H + 2 * padding - h + 1, (N,), generator=g, device=g.device),
            "left": torch.randint(0, W + 2 * padding - w + 1, (N,), generator=g, device=g.device),
            "size": (int(h), int(w)), "padding": int(padding)}


def apply_crop(x, params):
    x = _check_images(x, "apply_crop")
    P, (h, w) = params["padding"], params["size"]
    xp = torch.nn.functional.pad(x, (P, P, P, P))
    rows = params["top"][:, None] + torch.arange(h, device=x.device)
    cols = params["left"][:, None] + torch.arange(w, device=x.device)
    n, c = _index(x)
    return xp[n, c, rows[:, None, :, None], cols[:, None, None, :]]


# --- random resized crop ---------------------------------------------------------------------
def sample_resized_crop(N, H, W, generator, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)):
    """Boxes (top, left, height, width) in float64, drawn as in the NumPy version."""
    g = _check_generator(generator, "sample_resized_crop")
    if not (0 < scale[0] <= scale[1] <= 1 and 0 < ratio[0] <= ratio[1]):
        raise ValueError(f"sample_resized_crop: need 0 < scale lo <= hi <= 1 and 0 < ratio lo <= hi, "
                         f"got scale={scale!r}, ratio={ratio!r}")
    area = _uniform(N, scale[0], scale[1], g) * H * W
    aspect = torch.exp(_uniform(N, math.log(ratio[0]), math.log(ratio[1]), g))
    height = torch.clamp(torch.sqrt(area / aspect), max=H)
    width = torch.clamp(torch.sqrt(area * aspect), max=W)
    return {"top": _uniform(N, 0, 1, g) * (H - height), "left": _uniform(N, 0, 1, g) * (W - width),
            "height": height, "width": width}


def _coords(start, length, out_len, limit):
    pos = start[:, None] + (torch.arange(out_len, device=start.device, dtype=torch.float64) + 0.5) \
        * (length[:, None] / out_len) - 0.5
    pos = pos.clamp(0, limit - 1)
    i0 = pos.floor().long()
    return i0, torch.clamp(i0 + 1, max=limit - 1), pos - i0


def apply_resized_crop(x, params, size=None):
    """Bilinear resize of each box to ``size`` (default H, W); float64 coordinates as in NumPy."""
    x = _check_images(x, "apply_resized_crop")
    N, C, H, W = x.shape
    h, w = (H, W) if size is None else ((size, size) if isinstance(size, int) else size)
    p = {k: torch.as_tensor(v, device=x.device, dtype=torch.float64) for k, v in params.items()}
    y0, y1, fy = _coords(p["top"], p["height"], h, H)
    x0, x1, fx = _coords(p["left"], p["width"], w, W)
    n, c = _index(x)
    fy, fx = fy[:, None, :, None].to(x.dtype), fx[:, None, None, :].to(x.dtype)

    def at(rows, cols):
        return x[n, c, rows[:, None, :, None], cols[:, None, None, :]]
    top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx
    bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx
    return top * (1 - fy) + bottom * fy


# --- colour ----------------------------------------------------------------------------------
def sample_color_jitter(N, generator, brightness=0.0, contrast=0.0, saturation=0.0):
    g = _check_generator(generator, "sample_color_jitter")
    params = {}
    for name, k in (("brightness", brightness), ("contrast", contrast), ("saturation", saturation)):
        if not k >= 0:
            raise ValueError(f"sample_color_jitter: {name} must be >= 0, got {k!r}")
        params[name] = _uniform(N, max(0.0, 1 - k), 1 + k, g)
    return params


def _gray(x):
    if x.shape[1] == 1:
        return x
    return torch.tensordot(torch.tensor(GRAY_WEIGHTS, dtype=x.dtype, device=x.device), x, dims=([0], [1]))[:, None]


def apply_color_jitter(x, params):
    """Brightness, contrast, saturation as in ``cs231n_lab.augmentation.apply_color_jitter``."""
    x = _check_images(x, "apply_color_jitter")
    b, c, s = (params[k].to(x.device, x.dtype)[:, None, None, None] for k in ("brightness", "contrast", "saturation"))
    x = x * b
    x = c * x + (1 - c) * _gray(x).mean(dim=(1, 2, 3), keepdim=True)
    if x.shape[1] == 3:  # saturation of a grey image is a no-op
        x = s * x + (1 - s) * _gray(x)
    return x


def fit_pca_color(X):
    """(eigvals (C,), eigvecs (C, C)) of the pixel-colour covariance of X (N, C, H, W), float64."""
    pixels = _check_images(X, "fit_pca_color").permute(0, 2, 3, 1).reshape(-1, X.shape[1]).double()
    cov = torch.atleast_2d(torch.cov(pixels.T))
    eigvals, eigvecs = torch.linalg.eigh(cov)
    return eigvals.clamp(min=0), eigvecs


def sample_pca_color(N, C, generator, std=0.1):
    g = _check_generator(generator, "sample_pca_color")
    return {"alpha": std * torch.randn(N, C, generator=g, device=g.device, dtype=torch.float64)}


def apply_pca_color(x, params, eigvals, eigvecs):
    """x + sum_i alpha_ni sqrt(lambda_i) p_i for every pixel (see the NumPy version)."""
    x = _check_images(x, "apply_pca_color")
    eigvals = torch.as_tensor(eigvals, device=x.device, dtype=torch.float64)
    eigvecs = torch.as_tensor(eigvecs, device=x.device, dtype=torch.float64)
    offset = (params["alpha"].to(x.device) * eigvals.sqrt()) @ eigvecs.T
    return x + offset.to(x.dtype)[:, :, None, None]


# --- Cutout, Mixup ---------------------------------------------------------------------------
def sample_cutout(N, H, W, size, generator):
    g = _check_generator(generator, "sample_cutout")
    if not (isinstance(size, int) and size > 0):
        raise ValueError(f"sample_cutout: size must be a positive int, got {size!r}")
    return {"cy": torch.randint(0, H, (N,), generator=g, device=g.device),
            "cx": torch.randint(0, W, (N,), generator=g, device=g.device), "size": size}


def apply_cutout(x, params, fill=0.0):
    x = _check_images(x, "apply_cutout")
    half, size = params["size"] // 2, params["size"]
    rows = torch.arange(x.shape[2], device=x.device) - (params["cy"][:, None] - half)
    cols = torch.arange(x.shape[3], device=x.device) - (params["cx"][:, None] - half)
    inside = ((rows >= 0) & (rows < size))[:, None, :, None] & ((cols >= 0) & (cols < size))[:, None, None, :]
    return torch.where(inside, torch.as_tensor(fill, dtype=x.dtype, device=x.device), x)


def sample_mixup(N, generator, alpha=0.2):
    """lam ~ Beta(alpha, alpha) (one per batch) and a partner permutation perm (N,) on the device."""
    g = _check_generator(generator, "sample_mixup")
    if not alpha > 0:
        raise ValueError(f"sample_mixup: alpha must be > 0, got {alpha!r}")
    # torch.distributions take no generator, so the one scalar lam per batch is drawn by NumPy
    # from a seed taken out of the generator's stream: reproducible, one small sync per batch.
    seed = int(torch.randint(0, 2**62, (1,), generator=g, device=g.device))
    lam = float(np.random.default_rng(seed).beta(alpha, alpha))
    return {"lam": lam, "perm": torch.randperm(N, generator=g, device=g.device)}


def apply_mixup(x, y, params, num_classes):
    """(lam x + (1 - lam) x[perm],  lam onehot(y) + (1 - lam) onehot(y[perm]))."""
    lam, perm = params["lam"], params["perm"].to(x.device)
    onehot = torch.nn.functional.one_hot(y.long(), num_classes).to(x.dtype)
    return lam * x + (1 - lam) * x[perm], lam * onehot + (1 - lam) * onehot[perm]


def mixup(x, y, num_classes, generator, alpha=0.2):
    return apply_mixup(x, y, sample_mixup(len(x), generator, alpha), num_classes)


def make_augment(flip=None, crop_padding=None, resized_crop_scale=None, jitter=None,
                 pca=None, cutout_size=None):
    """``augment(x_batch, generator) -> x_batch`` with the options of the NumPy ``make_augment``."""
    def augment(x, generator):
        x = _check_images(x, "augment")
        g = _check_generator(generator, "augment")
        N, C, H, W = x.shape
        if flip is not None:
            x = apply_flip(x, sample_flip(N, g, flip))
        if crop_padding is not None:
            x = apply_crop(x, sample_crop(N, H, W, (H, W), crop_padding, g))
        if resized_crop_scale is not None:
            x = apply_resized_crop(x, sample_resized_crop(N, H, W, g, resized_crop_scale))
        if jitter is not None:
            x = apply_color_jitter(x, sample_color_jitter(N, g, *jitter))
        if pca is not None:
            x = apply_pca_color(x, sample_pca_color(N, C, g, pca[2]), pca[0], pca[1])
        if cutout_size is not None:
            x = apply_cutout(x, sample_cutout(N, H, W, cutout_size, g))
        return x
    return augment
