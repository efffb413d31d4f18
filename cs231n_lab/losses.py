"""Tier B - classification losses with their gradients (Lectures 3-4, label smoothing L7).

Both take class scores x (N, C) and integer labels y (N,) with 0 <= y[i] < C and
return (loss, dx): the mean loss over the batch and its gradient dL/dx (N, C).
"""

import numpy as np

__all__ = ["softmax_loss", "svm_loss", "check_scores_and_labels"]


def check_scores_and_labels(x, y, fn):
    """Validate (scores, labels) and return them as arrays; errors name fn and the problem."""
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2:
        raise ValueError(f"{fn}: scores x must be 2-D (N, C), got shape {x.shape}")
    if y.shape != (x.shape[0],):
        raise ValueError(f"{fn}: labels y must have shape (N,) = ({x.shape[0]},), got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{fn}: labels y must be integers, got dtype {y.dtype}")
    C = x.shape[1]
    if y.size and (y.min() < 0 or y.max() >= C):
        bad = y[(y < 0) | (y >= C)]
        raise ValueError(f"{fn}: labels y must lie in [0, {C - 1}] for C={C} classes, "
                         f"got {bad.size} out of range (e.g. {int(bad[0])})")
    return x, y


def softmax_loss(x, y, label_smoothing=0.0):
    """Softmax (cross-entropy) loss.

    p = softmax(x);  L = -1/N sum_i sum_c q_ic log p_ic
    where q is the one-hot label, or with label smoothing eps the softened target
    q = (1 - eps) * onehot + eps / C  (the same definition as torch's
    ``cross_entropy(label_smoothing=eps)``).  dL/dx = (p - q) / N.
    """
    x, y = check_scores_and_labels(x, y, "softmax_loss")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"softmax_loss: label_smoothing must be in [0, 1], got {label_smoothing}")
    N, C = x.shape
    shifted = x - x.max(axis=1, keepdims=True)  # subtracting the max avoids overflow in exp
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    q = np.full_like(log_p, label_smoothing / C)
    q[np.arange(N), y] += 1.0 - label_smoothing
    loss = -(q * log_p).sum() / N
    dx = (np.exp(log_p) - q) / N
    return float(loss), dx


def svm_loss(x, y):
    """Multiclass SVM (hinge) loss with margin 1.

    L = 1/N sum_i sum_{c != y_i} max(0, x_ic - x_iy_i + 1).
    """
    x, y = check_scores_and_labels(x, y, "svm_loss")
    N = x.shape[0]
    correct = x[np.arange(N), y][:, None]
    margins = np.maximum(0, x - correct + 1.0)
    margins[np.arange(N), y] = 0
    loss = margins.sum() / N
    positive = (margins > 0).astype(x.dtype)
    dx = positive.copy()
    dx[np.arange(N), y] -= positive.sum(axis=1)
    return float(loss), dx / N
