"""Tier B - the arithmetic of convolution layers (Lecture 5): sizes, receptive fields, parameters.

A conv layer with F x F filters, stride S and zero-padding P turns an N x N input into

    (N - F + 2P) / S + 1

outputs per side. The division must be exact: if it is not, the filters do not fit the
padded input evenly and the layer is mis-specified (CS231n: "a stride that does not fit").
With stride 1, padding P = (F - 1) / 2 keeps the size (F=3,P=1; F=5,P=2; F=7,P=3).

Receptive field: each unit of layer l sees a window of the input. Going down a layer
with kernel K_l and stride S_l, the window grows by (K_l - 1) times the product of the
strides below it ("the jump"):

    r_0 = 1,  j_0 = 1;   r_l = r_{l-1} + (K_l - 1) * j_{l-1},   j_l = j_{l-1} * S_l

so L stacked K x K stride-1 convolutions see 1 + L * (K - 1) pixels per side.

Parameters: a conv layer with F filters of size C x HH x WW has F*C*HH*WW weights and F
biases (one per filter); a pooling layer has none.
"""

import numbers

__all__ = ["conv_output_size", "receptive_field", "receptive_field_span", "conv_num_params"]


def _int(name, value, minimum, where):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an integer, got {value!r} of type {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {value}")
    return int(value)


def conv_output_size(N, F, S=1, P=0):
    """Output size (N - F + 2P)/S + 1 of a conv (or pooling) layer along one spatial axis.

    N: input size, F: filter size, S: stride (>= 1), P: zero-padding on each side (>= 0).
    Raises ValueError when the filter is larger than the padded input or when the stride
    does not fit, i.e. (N - F + 2P) is not a multiple of S.
    """
    where = "conv_output_size"
    N = _int("N (input size)", N, 1, where)
    F = _int("F (filter size)", F, 1, where)
    S = _int("S (stride)", S, 1, where)
    P = _int("P (padding)", P, 0, where)
    span = N + 2 * P - F
    if span < 0:
        raise ValueError(f"{where}: filter size F={F} is larger than the padded input "
                         f"N + 2P = {N} + 2*{P} = {N + 2 * P}; expected F <= N + 2P")
    if span % S != 0:
        raise ValueError(f"{where}: stride S={S} does not fit: (N - F + 2P) / S = "
                         f"({N} - {F} + 2*{P}) / {S} = {span}/{S} is not an integer; "
                         f"expected (N - F + 2P) to be a multiple of S")
    return span // S + 1


def _layers(layers, where):
    try:
        layers = list(layers)
    except TypeError:
        raise TypeError(f"{where}: layers must be a sequence of (kernel, stride) pairs, "
                        f"got {type(layers).__name__}") from None
    out = []
    for i, layer in enumerate(layers):
        try:
            k, s = layer
        except (TypeError, ValueError):
            raise ValueError(f"{where}: layers[{i}] must be a (kernel, stride) pair, got {layer!r}") from None
        out.append((_int(f"layers[{i}] kernel", k, 1, where), _int(f"layers[{i}] stride", s, 1, where)))
    return out


def receptive_field(layers):
    """Receptive field (pixels per side, in the input) of one unit on top of a stack of layers.

    layers: sequence of (kernel, stride) pairs, input side first; a pooling layer is one
    such pair too (2x2 max pool with stride 2 is (2, 2)). An empty stack gives 1.
    Uses r_l = r_{l-1} + (K_l - 1) * j_{l-1} with the jump j_l = j_{l-1} * S_l.
    """
    r, jump = 1, 1
    for k, s in _layers(layers, "receptive_field"):
        r += (k - 1) * jump
        jump *= s
    return r


def receptive_field_span(layers, index):
    """Input pixels [first, last] (inclusive) seen by output unit ``index`` of a stack of layers.

    layers: sequence of (kernel, stride, pad) triples, input side first. Coordinates are
    in the unpadded input, so they can be negative or past the edge: those pixels are the
    zero padding. Each layer maps a span [a, b] of its output to [a*S - P, b*S - P + K - 1]
    of its input. last - first + 1 equals ``receptive_field`` of the (kernel, stride) pairs.
    """
    where = "receptive_field_span"
    triples = []
    for i, layer in enumerate(list(layers)):
        try:
            k, s, p = layer
        except (TypeError, ValueError):
            raise ValueError(f"{where}: layers[{i}] must be a (kernel, stride, pad) triple, "
                             f"got {layer!r}") from None
        triples.append((_int(f"layers[{i}] kernel", k, 1, where), _int(f"layers[{i}] stride", s, 1, where),
                        _int(f"layers[{i}] pad", p, 0, where)))
    first = last = _int("index", index, 0, where)
    for k, s, p in reversed(triples):
        first, last = first * s - p, last * s - p + k - 1
    return first, last


def conv_num_params(F, C, HH, WW=None, bias=True):
    """Learnable parameters of a conv layer: F filters of shape (C, HH, WW) plus F biases.

    WW defaults to HH (square filters). Example from the lecture: ten 5x5 filters on a
    3-channel input have 10*3*5*5 + 10 = 760 parameters.
    """
    where = "conv_num_params"
    F, C, HH = _int("F", F, 1, where), _int("C", C, 1, where), _int("HH", HH, 1, where)
    WW = HH if WW is None else _int("WW", WW, 1, where)
    return F * C * HH * WW + (F if bias else 0)
