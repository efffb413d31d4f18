"""Tier C - regularisation and ensembles in PyTorch (Lecture 7).

Randomness at train time, averaged out at test time:

* ``make_mlp``: CS231n's FullyConnectedNet as an ``nn.Sequential`` with ``nn.Dropout``
  (torch's ``p`` is the probability of *dropping*: ``nn.Dropout(1 - keep)``) and batch norm.
* ``StochasticDepthBlock`` (Huang et al. 2016): a residual block whose branch is skipped at
  random, out = x + b * F(x) / p with b ~ Bernoulli(p) per example in training and
  out = x + F(x) at test time (the inverted form, as for dropout; the paper scales F(x) by p at
  test time instead - the same expectation).  ``survival_probs`` gives the paper's linear decay.
* ``fractional_max_pool2d``: torch's fractional max pooling (Graham 2014) with its random pooling
  regions drawn from an explicit generator.

Ensembles ("about 2%" in the lecture):

* ``ensemble_predict``: average the softmax probabilities of independently trained models.
* ``SnapshotEnsemble``: snapshots of one run with a cyclic (cosine) learning rate, taken at
  the end of every cycle (Huang et al. 2017).
* ``WeightAverage``: Polyak averaging (equal weights, ``decay=None``) or an exponential moving
  average of the weights; parameters agree with ``torch.optim.swa_utils.AveragedModel`` with
  the default average / ``get_ema_multi_avg_fn(decay)``.
* ``tta_predict``: test-time augmentation - average the predictions over transformed copies.
"""

import copy
import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["make_mlp", "StochasticDepthBlock", "survival_probs", "fractional_max_pool2d",
           "ensemble_predict", "SnapshotEnsemble", "WeightAverage", "tta_predict", "flip_transforms"]


def make_mlp(input_dim, hidden_dims, num_classes, dropout_keep_ratio=1.0, normalization=None):
    """{Linear - [BatchNorm1d] - ReLU - [Dropout]} x (L - 1) - Linear, like FullyConnectedNet.

    dropout_keep_ratio: CS231n's p (probability of keeping); becomes nn.Dropout(1 - p).
    normalization: None or "batchnorm".  Inputs (N, d_1, ..., d_k) are flattened.
    """
    if not 0 < dropout_keep_ratio <= 1:
        raise ValueError(f"make_mlp: dropout_keep_ratio is the probability of keeping a unit and "
                         f"must be in (0, 1], got {dropout_keep_ratio!r}")
    if normalization not in (None, "batchnorm"):
        raise ValueError(f"make_mlp: normalization must be None or 'batchnorm', got {normalization!r}")
    layers, dims = [nn.Flatten()], [input_dim] + list(hidden_dims)
    for d_in, d_out in zip(dims[:-1], dims[1:]):
        layers.append(nn.Linear(d_in, d_out))
        if normalization == "batchnorm":
            layers.append(nn.BatchNorm1d(d_out))
        layers.append(nn.ReLU())
        if dropout_keep_ratio < 1:
            layers.append(nn.Dropout(1 - dropout_keep_ratio))
    layers.append(nn.Linear(dims[-1], num_classes))
    return nn.Sequential(*layers)


def survival_probs(num_blocks, last=0.5):
    """Linear decay p_l = 1 - l / L * (1 - last), l = 1..L: early blocks almost always survive."""
    if not (isinstance(num_blocks, int) and num_blocks >= 1):
        raise ValueError(f"survival_probs: num_blocks must be a positive int, got {num_blocks!r}")
    if not 0 < last <= 1:
        raise ValueError(f"survival_probs: last must be in (0, 1], got {last!r}")
    return [1 - l / num_blocks * (1 - last) for l in range(1, num_blocks + 1)]


class StochasticDepthBlock(nn.Module):
    """out = x + b * branch(x) / p in training (b ~ Bernoulli(p) per example), x + branch(x) in eval.

    branch: a module mapping x to a tensor of x's shape.  survival_prob: p in (0, 1].
    generator: optional torch.Generator for the per-example coins (reproducible runs).
    """

    def __init__(self, branch, survival_prob, generator=None):
        super().__init__()
        if not 0 < survival_prob <= 1:
            raise ValueError(f"StochasticDepthBlock: survival_prob must be in (0, 1], got {survival_prob!r}")
        self.branch, self.survival_prob, self.generator = branch, float(survival_prob), generator

    def forward(self, x):
        if not self.training or self.survival_prob == 1:
            return x + self.branch(x)
        coin = torch.rand((x.shape[0],) + (1,) * (x.ndim - 1), generator=self.generator,
                          device=x.device) < self.survival_prob
        # A dropped block costs nothing in the paper; here the branch is still computed for
        # simplicity and multiplied by 0, which gives the same output and gradients.
        return x + coin.to(x.dtype) * self.branch(x) / self.survival_prob


def fractional_max_pool2d(x, output_ratio=1 / math.sqrt(2), kernel_size=2, generator=None):
    """Fractional max pooling: pooling regions of size 1 or 2 (on average 1/output_ratio) placed
    pseudo-randomly, so the map shrinks by a non-integer factor such as sqrt(2).

    x: (N, C, H, W).  Wraps ``F.fractional_max_pool2d``; its random offsets u (N, C, 2) in [0, 1)
    are drawn from ``generator`` so a run can be repeated.  Returns (N, C, floor(H r), floor(W r)).
    """
    if x.ndim != 4:
        raise ValueError(f"fractional_max_pool2d: x must be (N, C, H, W), got shape {tuple(x.shape)}")
    if not 0 < output_ratio < 1:
        raise ValueError(f"fractional_max_pool2d: output_ratio must be in (0, 1), got {output_ratio!r}")
    samples = torch.rand(x.shape[0], x.shape[1], 2, generator=generator, device=x.device, dtype=x.dtype)
    return F.fractional_max_pool2d(x, kernel_size, output_ratio=(output_ratio, output_ratio),
                                   _random_samples=samples)


@torch.no_grad()
def ensemble_predict(models, x):
    """Mean of softmax(model(x)) over the models, each in eval mode: (N, C) probabilities."""
    models = list(models)
    if not models:
        raise ValueError("ensemble_predict: models must contain at least one model, got none")
    probs = []
    for model in models:
        was_training = model.training
        model.eval()
        probs.append(F.softmax(model(x), dim=1))
        model.train(was_training)
    return torch.stack(probs).mean(0)


class SnapshotEnsemble:
    """Snapshots of one training run, taken at the end of each learning-rate cycle.

    With ``cs231n_lab.schedules.cyclic_cosine(base_lr, cycle_steps, cycle_mult)`` the lr is lowest
    at the end of each cycle (steps T_0 - 1, T_0 + T_1 - 1, ...): the model sits in a minimum,
    then the restart kicks it towards another one.  Call ``after_step(model, step)`` after every
    optimiser step (step counted from 0); ``predict(model, x)`` averages the snapshots.
    """

    def __init__(self, cycle_steps, cycle_mult=1):
        if not (isinstance(cycle_steps, int) and cycle_steps >= 1 and isinstance(cycle_mult, int) and cycle_mult >= 1):
            raise ValueError(f"SnapshotEnsemble: cycle_steps and cycle_mult must be positive ints, "
                             f"got {cycle_steps!r}, {cycle_mult!r}")
        self.cycle_steps, self.cycle_mult = cycle_steps, cycle_mult
        self.snapshots, self.steps = [], []

    def is_cycle_end(self, step):
        end, length = 0, self.cycle_steps
        while end + length <= step + 1:
            end += length
            length *= self.cycle_mult
        return end == step + 1

    def after_step(self, model, step):
        if self.is_cycle_end(step):
            self.snapshots.append(copy.deepcopy(model.state_dict()))
            self.steps.append(step)

    def models(self, model):
        """One copy of ``model`` per snapshot, with the snapshot's weights loaded."""
        out = []
        for state in self.snapshots:
            m = copy.deepcopy(model)
            m.load_state_dict(state)
            out.append(m)
        return out

    def predict(self, model, x):
        if not self.snapshots:
            raise ValueError("SnapshotEnsemble.predict: no snapshot yet (no cycle has ended)")
        return ensemble_predict(self.models(model), x)


class WeightAverage:
    """Polyak average (decay=None) or exponential moving average (0 <= decay < 1) of the weights.

        first update:   avg <- w
        EMA:            avg <- decay * avg + (1 - decay) * w
        Polyak:         avg <- avg + (w - avg) / (n + 1)       (mean of the n + 1 iterates seen)

    Parameters agree with ``torch.optim.swa_utils.AveragedModel(model)`` (Polyak) and
    ``AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay))``.  Buffers (batch-norm
    running statistics) are copied from the live model at each update, not averaged.
    ``self.module`` is the averaged model, ready for evaluation.
    """

    def __init__(self, model, decay=None):
        if decay is not None and not 0 <= decay < 1:
            raise ValueError(f"WeightAverage: decay must be None (Polyak) or in [0, 1), got {decay!r}")
        self.module, self.decay, self.n_averaged = copy.deepcopy(model), decay, 0

    @torch.no_grad()
    def update(self, model):
        for avg, w in zip(self.module.parameters(), model.parameters()):
            if self.n_averaged == 0:
                avg.copy_(w)
            elif self.decay is None:
                avg.add_((w - avg) / (self.n_averaged + 1))
            else:
                avg.mul_(self.decay).add_(w, alpha=1 - self.decay)
        for avg_b, b in zip(self.module.buffers(), model.buffers()):
            avg_b.copy_(b)
        self.n_averaged += 1


def flip_transforms():
    """The usual cheap test-time augmentation: the image and its mirror image."""
    return [lambda x: x, lambda x: x.flip(-1)]


@torch.no_grad()
def tta_predict(model, x, transforms=None):
    """Mean over transforms t of softmax(model(t(x))), model in eval mode: (N, C) probabilities."""
    transforms = flip_transforms() if transforms is None else list(transforms)
    if not transforms:
        raise ValueError("tta_predict: transforms must contain at least one callable, got none")
    was_training = model.training
    model.eval()
    probs = torch.stack([F.softmax(model(t(x)), dim=1) for t in transforms]).mean(0)
    model.train(was_training)
    return probs
