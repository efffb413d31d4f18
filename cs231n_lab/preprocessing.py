"""Tier B - data preprocessing (Lecture 6): zero-centring, normalisation, PCA and whitening.

Every transform comes in two halves, because the lecture's rule is that the statistics
are computed on the *training* data only and then applied unchanged to validation and
test data (fitting on test data leaks it into training):

    mean = fit_mean(X_train, mode="image")        # or mode="channel"
    X_train, X_val = zero_center(X_train, mean), zero_center(X_val, mean)

Shapes use the lecture's letters: images are NCHW (N, C, H, W); flattened data is (N, D).

- Zero-centring subtracts the mean image (AlexNet) or one mean per colour channel (VGG).
- Normalisation also divides by the standard deviation, so every feature has unit scale.
- PCA (CS231n notes): cov = X^T X / N on centred X, U, S, _ = svd(cov); rotating into the
  eigenbasis, Xrot = X U, decorrelates the features and keeping the first k columns of U
  keeps the directions of largest variance.
- Whitening divides each rotated feature by sqrt(S + epsilon), giving identity covariance.
  ZCA whitening rotates back, Xwhite U^T, so the result is again an image. The lecture's
  advice: for images, zero-centre (and perhaps normalise) only; PCA/whitening are shown
  because they explain what correlation in the data looks like.
"""

import numpy as np

__all__ = ["fit_mean", "zero_center", "fit_normalization", "normalize",
           "fit_pca", "pca_project", "pca_reconstruct", "pca_whiten", "zca_whiten",
           "explained_variance_ratio"]

_MODES = ("image", "channel")


def _check_data(X, name="X", ndim=None, fitting=True):
    if not isinstance(X, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(X).__name__}")
    if not (np.issubdtype(X.dtype, np.floating) or np.issubdtype(X.dtype, np.integer)):
        raise TypeError(f"{name} must hold numbers, got dtype {X.dtype}")
    if ndim is not None and X.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {X.shape}")
    if X.ndim < 2:
        raise ValueError(f"{name} must be shaped (N, ...), got shape {X.shape}")
    if fitting and X.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one example to fit statistics on, got shape {X.shape}")


def _check_mode(mode, X):
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    if mode == "channel" and X.ndim != 4:
        raise ValueError(f"mode='channel' needs NCHW images (4 dimensions), got shape {X.shape}")


def _axes(mode, X):
    """The axes the statistics average over: N (mean image) or N, H, W (per channel)."""
    return 0 if mode == "image" else (0, 2, 3)


def fit_mean(X, mode="image"):
    """The training-set mean to subtract.

    X: (N, ...) training data; NCHW images for mode="channel".
    mode="image":   mu = (1/N) sum_n X[n]            -> shape X.shape[1:] (the mean image)
    mode="channel": mu_c = mean of X[:, c, :, :]     -> shape (C, 1, 1), broadcasts over H, W
    Returns float64 statistics (accumulating in float32 loses digits on large N).
    """
    _check_data(X)
    _check_mode(mode, X)
    mean = X.mean(axis=_axes(mode, X), dtype=np.float64)
    return mean if mode == "image" else mean.reshape(-1, 1, 1)


def _check_stat(X, stat, name):
    if not isinstance(stat, np.ndarray):
        raise TypeError(f"{name} must be a numpy array from fit_*, got {type(stat).__name__}")
    try:
        np.broadcast_shapes(X.shape[1:], stat.shape)
    except ValueError:
        raise ValueError(f"{name} of shape {stat.shape} does not fit data of shape {X.shape}; "
                         f"expected the shape of one example {X.shape[1:]} or (C, 1, 1)") from None


def zero_center(X, mean):
    """X - mean, in X's floating dtype (float64 for integer X). Shape unchanged."""
    _check_data(X, fitting=False)
    _check_stat(X, mean, "mean")
    dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.float64
    return (X - mean).astype(dtype, copy=False)


def fit_normalization(X, mode="image"):
    """Mean and standard deviation of the training data, per pixel or per channel.

    Returns (mean, std) with the shapes of fit_mean(X, mode).
    """
    mean = fit_mean(X, mode)
    axes = _axes(mode, X)
    std = np.sqrt(((X - mean) ** 2).mean(axis=axes, dtype=np.float64))
    return mean, (std if mode == "image" else std.reshape(-1, 1, 1))


def normalize(X, mean, std, epsilon=1e-8):
    """(X - mean) / (std + epsilon): zero mean, unit variance per feature.

    epsilon keeps constant features (std = 0, e.g. an always-black border pixel) finite.
    """
    _check_data(X, fitting=False)
    _check_stat(X, std, "std")
    return (zero_center(X, mean) / (std + epsilon)).astype(
        X.dtype if np.issubdtype(X.dtype, np.floating) else np.float64, copy=False)


def fit_pca(X):
    """Principal components of the training data X (N, D).

    mean = (1/N) sum_n x_n;  cov = (X - mean)^T (X - mean) / N   (D, D)
    U, S, _ = svd(cov): U's columns are the eigenvectors of cov (the principal directions),
    S the eigenvalues (the variance along each), sorted from largest to smallest.
    Returns a dict {"mean": (D,), "U": (D, D), "S": (D,)}.
    """
    _check_data(X, ndim=2)
    mean = X.mean(axis=0, dtype=np.float64)
    Xc = X - mean
    cov = Xc.T @ Xc / X.shape[0]
    U, S, _ = np.linalg.svd(cov)
    return {"mean": mean, "U": U, "S": S}


def _check_pca(pca, X, num_components):
    if not isinstance(pca, dict) or not {"mean", "U", "S"} <= set(pca):
        raise TypeError("pca must be the dict returned by fit_pca (keys mean, U, S)")
    D = pca["U"].shape[0]
    if X is not None:
        _check_data(X, ndim=2, fitting=False)
        if X.shape[1] != D:
            raise ValueError(f"X has D={X.shape[1]} features but the PCA was fit on D={D}")
    if num_components is None:
        return D
    if not isinstance(num_components, (int, np.integer)) or not 1 <= num_components <= D:
        raise ValueError(f"num_components must be an integer in 1..{D}, got {num_components!r}")
    return int(num_components)


def pca_project(X, pca, num_components=None):
    """Xrot = (X - mean) U[:, :k]   (N, D) -> (N, k); k = num_components (default D)."""
    k = _check_pca(pca, X, num_components)
    return (X - pca["mean"]) @ pca["U"][:, :k]


def pca_reconstruct(Xrot, pca):
    """Back from k principal coordinates to D features: Xrot U[:, :k]^T + mean   (N, D)."""
    if not isinstance(Xrot, np.ndarray) or Xrot.ndim != 2:
        raise ValueError(f"Xrot must be an (N, k) array from pca_project, got {getattr(Xrot, 'shape', Xrot)}")
    k = _check_pca(pca, None, Xrot.shape[1])
    return Xrot @ pca["U"][:, :k].T + pca["mean"]


def pca_whiten(X, pca, num_components=None, epsilon=1e-5):
    """Xwhite = Xrot / sqrt(S[:k] + epsilon): decorrelated and (nearly) unit variance.

    epsilon stops near-zero-variance directions (noise) from being blown up.
    """
    k = _check_pca(pca, X, num_components)
    return pca_project(X, pca, k) / np.sqrt(pca["S"][:k] + epsilon)


def zca_whiten(X, pca, epsilon=1e-5):
    """ZCA: whiten, then rotate back to the original axes, Xwhite U^T   (N, D).

    The covariance is still the identity, but each feature is again a pixel, so whitened
    images can be looked at: smooth regions vanish and edges remain.
    """
    return pca_whiten(X, pca, None, epsilon) @ pca["U"].T


def explained_variance_ratio(pca):
    """S / sum(S): the fraction of the total variance along each principal direction (D,)."""
    _check_pca(pca, None, None)
    return pca["S"] / pca["S"].sum()
