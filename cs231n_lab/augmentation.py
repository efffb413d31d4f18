"""Tier B - data augmentation on image batches, NumPy (Lecture 7).

Augmentation is the lecture's common pattern applied to the data: transform each training
image at random (label-preserving), train on the transformed copies, test on the plain image.

Every operation takes a batch x of shape (N, C, H, W) (float; C = 3 for RGB, 1 for grey) and
an explicit ``rng`` (a ``numpy.random.Generator`` or an int seed), and is split in two steps
so that the NumPy and the torch versions (``cs231n_lab.pytorch.augment``) can be checked
against each other on the *same* random draws:

    params = sample_<op>(N, ..., rng)     # all the randomness, as small arrays
    out    = apply_<op>(x, params)        # deterministic given params
    random_<op>(x, ..., rng) == apply_<op>(x, sample_<op>(...))

Operations: horizontal flip, random crop with zero padding, random resized crop (scale and
aspect ratio, bilinear resampling), colour jitter (brightness, contrast, saturation), PCA
colour offsets (AlexNet), Cutout, and Mixup (which also mixes the labels).  No operation clips
values, so they work on raw pixels or on mean-subtracted data alike.
"""

import numpy as np

__all__ = ["sample_flip", "apply_flip", "random_flip",
           "sample_crop", "apply_crop", "random_crop",
           "sample_resized_crop", "apply_resized_crop", "random_resized_crop",
           "sample_color_jitter", "apply_color_jitter", "color_jitter", "GRAY_WEIGHTS",
           "fit_pca_color", "sample_pca_color", "apply_pca_color", "pca_color",
           "sample_cutout", "apply_cutout", "cutout",
           "sample_mixup", "apply_mixup", "mixup", "make_augment"]

GRAY_WEIGHTS = (0.299, 0.587, 0.114)  # ITU-R 601 luma, as PIL and torchvision use


def as_rng(rng, fn):
    """A numpy Generator from ``rng`` (a Generator or an int seed); None is refused (explicit randomness)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"{fn}: rng must be a numpy Generator or an int seed, got {type(rng).__name__}")


def check_images(x, fn):
    """x must be a float array (N, C, H, W)."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{fn}: x must be an image batch (N, C, H, W), got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{fn}: x must be a float array, got dtype {x.dtype}")
    return x


def _pair(value, name, fn):
    pair = (value, value) if np.isscalar(value) else tuple(value)
    if len(pair) != 2 or not all(np.isscalar(v) for v in pair):
        raise ValueError(f"{fn}: {name} must be a number or a pair, got {value!r}")
    return pair


# --- horizontal flip -------------------------------------------------------------------------
def sample_flip(N, rng, prob=0.5):
    """flip (N,) bool: which images to mirror, each with probability ``prob``."""
    if not 0 <= prob <= 1:
        raise ValueError(f"sample_flip: prob must be in [0, 1], got {prob!r}")
    return {"flip": as_rng(rng, "sample_flip").random(N) < prob}


def apply_flip(x, params):
    """Mirror left-right (reverse the W axis) the images where params['flip'] is True."""
    x = check_images(x, "apply_flip")
    return np.where(params["flip"][:, None, None, None], x[..., ::-1], x)


def random_flip(x, rng, prob=0.5):
    return apply_flip(x, sample_flip(len(x), rng, prob))


# --- random crop with padding ----------------------------------------------------------------
def sample_crop(N, H, W, size, padding, rng):
    """top, left (N,) ints: corner of a size=(h, w) window in the zero-padded (H+2P, W+2P) image."""
    h, w = (int(v) for v in _pair(size, "size", "sample_crop"))
    if padding < 0:
        raise ValueError(f"sample_crop: padding must be >= 0, got {padding!r}")
    if not (0 < h <= H + 2 * padding and 0 < w <= W + 2 * padding):
        raise ValueError(f"sample_crop: crop size {(h, w)} is larger than the padded image "
                         f"{(H + 2 * padding, W + 2 * padding)} (H, W = {H}, {W}, padding {padding})")
    rng = as_rng(rng, "sample_crop")
    return {"top": rng.integers(0, H + 2 * padding - h + 1, N),
            "left": rng.integers(0, W + 2 * padding - w + 1, N), "size": (h, w), "padding": int(padding)}


def apply_crop(x, params):
    """out[n] = pad(x[n])[:, top:top+h, left:left+w]  -> (N, C, h, w)."""
    x = check_images(x, "apply_crop")
    P, (h, w) = params["padding"], params["size"]
    xp = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))
    rows = params["top"][:, None] + np.arange(h)    # (N, h)
    cols = params["left"][:, None] + np.arange(w)   # (N, w)
    n, c = np.arange(len(x))[:, None, None, None], np.arange(x.shape[1])[None, :, None, None]
    return xp[n, c, rows[:, None, :, None], cols[:, None, None, :]]


def random_crop(x, size, padding, rng):
    x = check_images(x, "random_crop")
    return apply_crop(x, sample_crop(len(x), x.shape[2], x.shape[3], size, padding, rng))


# --- random resized crop ---------------------------------------------------------------------
def sample_resized_crop(N, H, W, rng, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)):
    """A box (top, left, height, width) per image, floats in pixels.

    area = s * H * W with s ~ U(scale); aspect w/h = exp(U(log ratio)); the box is shrunk to fit
    the image if needed (instead of torchvision's retry loop), then placed uniformly inside it.
    """
    lo, hi = _pair(scale, "scale", "sample_resized_crop")
    if not 0 < lo <= hi <= 1:
        raise ValueError(f"sample_resized_crop: scale must satisfy 0 < lo <= hi <= 1, got {scale!r}")
    rlo, rhi = _pair(ratio, "ratio", "sample_resized_crop")
    if not 0 < rlo <= rhi:
        raise ValueError(f"sample_resized_crop: ratio must satisfy 0 < lo <= hi, got {ratio!r}")
    rng = as_rng(rng, "sample_resized_crop")
    area = rng.uniform(lo, hi, N) * H * W
    aspect = np.exp(rng.uniform(np.log(rlo), np.log(rhi), N))
    height = np.minimum(np.sqrt(area / aspect), H)
    width = np.minimum(np.sqrt(area * aspect), W)
    return {"top": rng.random(N) * (H - height), "left": rng.random(N) * (W - width),
            "height": height, "width": width}


def resample_coords(start, length, out_len, limit):
    """Bilinear source coordinates for out_len pixels covering [start, start+length) (pixel centres).

    Returns (i0, i1, frac): lower and upper neighbour indices (N, out_len) and the weight of i1.
    """
    pos = start[:, None] + (np.arange(out_len) + 0.5) * (length[:, None] / out_len) - 0.5
    pos = np.clip(pos, 0, limit - 1)
    i0 = np.floor(pos).astype(np.int64)
    return i0, np.minimum(i0 + 1, limit - 1), pos - i0


def apply_resized_crop(x, params, size=None):
    """Cut each box out and resize it to ``size`` (default: the input's H, W) bilinearly -> (N, C, h, w)."""
    x = check_images(x, "apply_resized_crop")
    N, C, H, W = x.shape
    h, w = (H, W) if size is None else (int(v) for v in _pair(size, "size", "apply_resized_crop"))
    y0, y1, fy = resample_coords(params["top"], params["height"], h, H)
    x0, x1, fx = resample_coords(params["left"], params["width"], w, W)
    n, c = np.arange(N)[:, None, None, None], np.arange(C)[None, :, None, None]
    fy, fx = fy[:, None, :, None].astype(x.dtype), fx[:, None, None, :].astype(x.dtype)

    def at(rows, cols):
        return x[n, c, rows[:, None, :, None], cols[:, None, None, :]]
    top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx
    bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx
    return top * (1 - fy) + bottom * fy


def random_resized_crop(x, rng, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3), size=None):
    x = check_images(x, "random_resized_crop")
    return apply_resized_crop(x, sample_resized_crop(len(x), x.shape[2], x.shape[3], rng, scale, ratio), size)


# --- colour jitter ---------------------------------------------------------------------------
def sample_color_jitter(N, rng, brightness=0.0, contrast=0.0, saturation=0.0):
    """Factors (N,) ~ U(max(0, 1 - k), 1 + k) for each of brightness, contrast, saturation."""
    rng = as_rng(rng, "sample_color_jitter")
    params = {}
    for name, k in (("brightness", brightness), ("contrast", contrast), ("saturation", saturation)):
        if not (np.isscalar(k) and k >= 0):
            raise ValueError(f"sample_color_jitter: {name} must be a number >= 0, got {k!r}")
        params[name] = rng.uniform(max(0.0, 1 - k), 1 + k, N)
    return params


def gray(x):
    """Luma (N, 1, H, W): 0.299 R + 0.587 G + 0.114 B for C = 3; the channel itself for C = 1."""
    if x.shape[1] == 1:
        return x
    if x.shape[1] != 3:
        raise ValueError(f"gray: needs C = 1 or 3 channels, got C = {x.shape[1]}")
    return np.tensordot(np.asarray(GRAY_WEIGHTS, dtype=x.dtype), x, axes=([0], [1]))[:, None]


def apply_color_jitter(x, params):
    """Brightness, then contrast, then saturation (a fixed order; torchvision shuffles it).

    brightness b:  x <- b x
    contrast c:    x <- c x + (1 - c) mean(gray(x))       (per-image mean grey level)
    saturation s:  x <- s x + (1 - s) gray(x)             (per pixel; a no-op for C = 1,
                                                           a grey image has no saturation)
    """
    x = check_images(x, "apply_color_jitter")
    b, c, s = (params[k].astype(x.dtype)[:, None, None, None] for k in ("brightness", "contrast", "saturation"))
    x = x * b
    x = c * x + (1 - c) * gray(x).mean(axis=(1, 2, 3), keepdims=True)
    if x.shape[1] == 3:
        x = s * x + (1 - s) * gray(x)
    return x


def color_jitter(x, rng, brightness=0.0, contrast=0.0, saturation=0.0):
    return apply_color_jitter(x, sample_color_jitter(len(x), rng, brightness, contrast, saturation))


# --- PCA colour augmentation (AlexNet) -------------------------------------------------------
def fit_pca_color(X):
    """Principal components of the pixel colours of X (N, C, H, W): (eigvals (C,), eigvecs (C, C) by column)."""
    X = check_images(X, "fit_pca_color")
    pixels = X.transpose(0, 2, 3, 1).reshape(-1, X.shape[1]).astype(np.float64)
    cov = np.atleast_2d(np.cov(pixels, rowvar=False))
    eigvals, eigvecs = np.linalg.eigh(cov)
    return np.clip(eigvals, 0, None), eigvecs


def sample_pca_color(N, C, rng, std=0.1):
    """alpha (N, C) ~ N(0, std^2): one random weight per principal component per image."""
    if not std >= 0:
        raise ValueError(f"sample_pca_color: std must be >= 0, got {std!r}")
    return {"alpha": as_rng(rng, "sample_pca_color").normal(0.0, std, (N, C))}


def apply_pca_color(x, params, eigvals, eigvecs):
    """Add to every pixel of image n the colour offset  sum_i alpha_ni sqrt(lambda_i) p_i.

    AlexNet's formula writes lambda_i; we scale by sqrt(lambda_i), the standard deviation along
    p_i, so the offset has the units of the pixels whatever their scale (0-1, 0-255, centred).
    """
    x = check_images(x, "apply_pca_color")
    offset = (params["alpha"] * np.sqrt(eigvals)) @ np.asarray(eigvecs).T   # (N, C)
    return x + offset.astype(x.dtype)[:, :, None, None]


def pca_color(x, eigvals, eigvecs, rng, std=0.1):
    x = check_images(x, "pca_color")
    return apply_pca_color(x, sample_pca_color(len(x), x.shape[1], rng, std), eigvals, eigvecs)


# --- Cutout ----------------------------------------------------------------------------------
def sample_cutout(N, H, W, size, rng):
    """Centres cy, cx (N,) ints uniform over the image; the square may stick out (DeVries & Taylor)."""
    if not (isinstance(size, (int, np.integer)) and 0 < size):
        raise ValueError(f"sample_cutout: size must be a positive int, got {size!r}")
    rng = as_rng(rng, "sample_cutout")
    return {"cy": rng.integers(0, H, N), "cx": rng.integers(0, W, N), "size": int(size)}


def apply_cutout(x, params, fill=0.0):
    """Set a size x size square (clipped to the image) around (cy, cx) to ``fill`` in every channel."""
    x = check_images(x, "apply_cutout")
    half, size = params["size"] // 2, params["size"]
    rows = np.arange(x.shape[2]) - (params["cy"][:, None] - half)   # (N, H): inside when 0 <= . < size
    cols = np.arange(x.shape[3]) - (params["cx"][:, None] - half)
    inside = ((rows >= 0) & (rows < size))[:, None, :, None] & ((cols >= 0) & (cols < size))[:, None, None, :]
    return np.where(inside, np.asarray(fill, dtype=x.dtype), x)


def cutout(x, size, rng, fill=0.0):
    x = check_images(x, "cutout")
    return apply_cutout(x, sample_cutout(len(x), x.shape[2], x.shape[3], size, rng), fill)


# --- Mixup -----------------------------------------------------------------------------------
def sample_mixup(N, rng, alpha=0.2):
    """lam ~ Beta(alpha, alpha) (one per batch, as in Zhang et al.) and a partner permutation (N,)."""
    if not alpha > 0:
        raise ValueError(f"sample_mixup: alpha must be > 0, got {alpha!r}")
    rng = as_rng(rng, "sample_mixup")
    return {"lam": float(rng.beta(alpha, alpha)), "perm": rng.permutation(N)}


def apply_mixup(x, y, params, num_classes):
    """x_mix = lam x + (1 - lam) x[perm];  y_mix = lam onehot(y) + (1 - lam) onehot(y[perm]) (N, num_classes).

    Each row of y_mix sums to 1; train on it with a soft-target cross-entropy.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    if y.shape != (len(x),) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"apply_mixup: y must be integer labels of shape ({len(x)},), got {y.dtype} {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"apply_mixup: labels must lie in [0, {num_classes - 1}], got range "
                         f"[{y.min()}, {y.max()}]")
    lam, perm = params["lam"], params["perm"]
    onehot = np.eye(num_classes, dtype=x.dtype)[y]
    return lam * x + (1 - lam) * x[perm], lam * onehot + (1 - lam) * onehot[perm]


def mixup(x, y, num_classes, rng, alpha=0.2):
    return apply_mixup(x, y, sample_mixup(len(x), rng, alpha), num_classes)


def make_augment(flip=None, crop_padding=None, resized_crop_scale=None, jitter=None,
                 pca=None, cutout_size=None):
    """A pipeline ``augment(x, rng) -> x`` (shape kept) applying the chosen operations in order.

    flip: probability; crop_padding: P for a random crop of the input size; resized_crop_scale:
    (lo, hi); jitter: (brightness, contrast, saturation); pca: (eigvals, eigvecs, std);
    cutout_size: int.  None leaves an operation out.
    """
    def augment(x, rng):
        x, rng = check_images(x, "augment"), as_rng(rng, "augment")
        N, C, H, W = x.shape
        if flip is not None:
            x = apply_flip(x, sample_flip(N, rng, flip))
        if crop_padding is not None:
            x = apply_crop(x, sample_crop(N, H, W, (H, W), crop_padding, rng))
        if resized_crop_scale is not None:
            x = apply_resized_crop(x, sample_resized_crop(N, H, W, rng, resized_crop_scale))
        if jitter is not None:
            x = apply_color_jitter(x, sample_color_jitter(N, rng, *jitter))
        if pca is not None:
            x = apply_pca_color(x, sample_pca_color(N, C, rng, pca[2]), pca[0], pca[1])
        if cutout_size is not None:
            x = apply_cutout(x, sample_cutout(N, H, W, cutout_size, rng))
        return x
    return augment
