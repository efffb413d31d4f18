"""Tier D - assignment A3 (Lecture 5): naive convolution, max pooling, spatial batch norm.

Graded items: conv_forward_naive, conv_backward_naive, max_pool_forward_naive,
max_pool_backward_naive, spatial_batchnorm_forward. Hidden cases use non-square inputs and
filters, stride 3 with padding 2, 1x1 convolutions and overlapping pools.
"""

from cs231n_lab.grading.spec import Assignment, Item
from cs231n_lab.grading.spec import make_cases as cases

__all__ = ["ASSIGNMENT"]


def drive_conv_forward(f, x, w, b, conv_param):
    out, _ = f.conv_forward_naive(x, w, b, conv_param)
    return {"out": out}


def drive_conv_backward(f, x, w, b, conv_param, dout):
    _, cache = f.conv_forward_naive(x, w, b, conv_param)
    dx, dw, db = f.conv_backward_naive(dout, cache)
    return {"dx": dx, "dw": dw, "db": db}


def drive_pool_forward(f, x, pool_param):
    out, _ = f.max_pool_forward_naive(x, pool_param)
    return {"out": out}


def drive_pool_backward(f, x, pool_param, dout):
    _, cache = f.max_pool_forward_naive(x, pool_param)
    return {"dx": f.max_pool_backward_naive(dout, cache)}


def drive_spatial_batchnorm_forward(f, x, gamma, beta, bn_param):
    out, _ = f.spatial_batchnorm_forward(x, gamma, beta, bn_param)
    return {"out": out, "running_mean": bn_param["running_mean"], "running_var": bn_param["running_var"]}


def conv_inputs(x_shape, w_shape, stride, pad, backward=True):
    def make(rng):
        N, _, H, W = x_shape
        F, _, HH, WW = w_shape
        Ho, Wo = (H + 2 * pad - HH) // stride + 1, (W + 2 * pad - WW) // stride + 1
        inputs = {"x": rng.standard_normal(x_shape), "w": rng.standard_normal(w_shape), "b": rng.standard_normal(F),
                  "conv_param": {"stride": stride, "pad": pad}}
        if backward:
            inputs["dout"] = rng.standard_normal((N, F, Ho, Wo))
        return inputs
    return make


def pool_inputs(x_shape, ph, pw, stride, backward=True):
    def make(rng):
        N, C, H, W = x_shape
        inputs = {"x": rng.standard_normal(x_shape), "pool_param": {"pool_height": ph, "pool_width": pw, "stride": stride}}
        if backward:
            inputs["dout"] = rng.standard_normal((N, C, (H - ph) // stride + 1, (W - pw) // stride + 1))
        return inputs
    return make


def sbn_inputs(shape, mode, momentum=0.9):
    def make(rng):
        C = shape[1]
        return {"x": 2.0 * rng.standard_normal(shape) + 3.0, "gamma": rng.standard_normal(C),
                "beta": rng.standard_normal(C),
                "bn_param": {"mode": mode, "eps": 1e-5, "momentum": momentum,
                             "running_mean": rng.standard_normal(C), "running_var": rng.random(C) + 0.5}}
    return make


CONV_PUBLIC = [((2, 3, 4, 4), (3, 3, 4, 4), 2, 1), ((2, 3, 5, 5), (2, 3, 3, 3), 1, 1)]
CONV_HIDDEN = [((1, 2, 6, 5), (4, 2, 3, 2), 1, 0), ((2, 2, 8, 8), (3, 2, 3, 3), 3, 2), ((3, 1, 7, 7), (2, 1, 1, 1), 1, 0)]
POOL_PUBLIC = [((2, 3, 4, 4), 2, 2, 2), ((3, 2, 8, 8), 2, 2, 2)]
POOL_HIDDEN = [((1, 1, 5, 5), 3, 3, 2), ((2, 2, 6, 4), 2, 2, 1), ((2, 3, 6, 6), 3, 3, 3)]

ITEMS = [
    Item("conv_forward_naive", 25, drive_conv_forward,
         cases([conv_inputs(*c, backward=False) for c in CONV_PUBLIC],
               [conv_inputs(*c, backward=False) for c in CONV_HIDDEN], 3100),
         hint="pad x with np.pad on H and W only; out[n, f, i, j] = sum(window * w[f]) + b[f] with the "
              "window starting at (i * stride, j * stride); H' = 1 + (H + 2 * pad - HH) // stride"),
    Item("conv_backward_naive", 30, drive_conv_backward,
         cases([conv_inputs(*c) for c in CONV_PUBLIC], [conv_inputs(*c) for c in CONV_HIDDEN], 3200),
         hint="loop like the forward: db[f] += dout[n, f, i, j]; dw[f] += window * dout[n, f, i, j]; "
              "dx_padded[window] += w[f] * dout[n, f, i, j]; then strip the padding from dx",
         uses=("conv_forward_naive",)),
    Item("max_pool_forward_naive", 15, drive_pool_forward,
         cases([pool_inputs(*c, backward=False) for c in POOL_PUBLIC],
               [pool_inputs(*c, backward=False) for c in POOL_HIDDEN], 3300),
         hint="out[n, c, i, j] = max of the pool_height x pool_width window starting at (i * stride, j * stride)"),
    Item("max_pool_backward_naive", 15, drive_pool_backward,
         cases([pool_inputs(*c) for c in POOL_PUBLIC], [pool_inputs(*c) for c in POOL_HIDDEN], 3400),
         hint="the max gate routes: add dout[n, c, i, j] to the position of the window's maximum "
              "(+=, windows may overlap)", uses=("max_pool_forward_naive",)),
    Item("spatial_batchnorm_forward", 15, drive_spatial_batchnorm_forward,
         cases([sbn_inputs((2, 3, 4, 5), "train"), sbn_inputs((2, 3, 2, 2), "test")],
               [sbn_inputs((4, 2, 3, 3), "train", momentum=0.5), sbn_inputs((1, 4, 5, 2), "train"),
                sbn_inputs((3, 5, 2, 3), "test")], 3500),
         hint="per channel: statistics over N, H and W (axes 0, 2, 3); e.g. move C last, reshape to "
              "(N*H*W, C), use batch norm, reshape back"),
]

ASSIGNMENT = Assignment(
    name="A3", title="Convolutional networks: naive convolution and pooling", notebook="A3_convnets.ipynb",
    items=ITEMS,
    references={"conv_forward_naive": "cs231n_lab.layers:conv_forward_naive",
                "conv_backward_naive": "cs231n_lab.layers:conv_backward_naive",
                "max_pool_forward_naive": "cs231n_lab.layers:max_pool_forward_naive",
                "max_pool_backward_naive": "cs231n_lab.layers:max_pool_backward_naive",
                "spatial_batchnorm_forward": "cs231n_lab.layers:spatial_batchnorm_forward"},
)
