"""The Lecture 5 conv-geometry numbers, figures and widget, tested without a browser."""

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

from cs231n_lab.viz.convnets import (compute_conv_geometry, plot_conv_geometry, plot_filters,  # noqa: E402
                                     plot_pooling, resize_nearest)


def _torch_stack_sizes(N, F, S, P, L):
    h = torch.zeros(1, 1, N, N)
    sizes = [N]
    for _ in range(L):
        h = torch.nn.functional.conv2d(h, torch.zeros(1, 1, F, F), stride=S, padding=P)
        sizes.append(h.shape[-1])
    return sizes


@pytest.mark.parametrize("N, F, S, P, L", [(28, 5, 1, 2, 1), (28, 3, 1, 1, 3), (33, 3, 2, 1, 2), (15, 3, 2, 0, 2)])
def test_geometry_that_fits_matches_a_torch_stack(N, F, S, P, L):
    geom = compute_conv_geometry(N, F, S, P, L)
    assert geom["ok"] and geom["error"] is None
    assert geom["sizes"] == _torch_stack_sizes(N, F, S, P, L)
    first, last = geom["span"]
    assert last - first + 1 == geom["receptive_field"]
    assert geom["starts"] == [i * S - P for i in range(geom["sizes"][1])]


def test_geometry_reports_the_layer_that_does_not_fit():
    geom = compute_conv_geometry(7, 3, 2, 1, 2)  # 7 -> 4, then (4 - 3 + 2) / 2 does not fit
    assert not geom["ok"] and geom["sizes"] == [7, 4] and geom["span"] is None
    assert geom["error"].startswith("layer 2: stride S=2 does not fit")


def test_lecture_quiz_in_the_widget_numbers():
    geom = compute_conv_geometry(32, 5, 1, 2)
    assert geom["sizes"] == [32, 32] and geom["receptive_field"] == 5


def test_resize_nearest_keeps_blocks():
    img = np.arange(4).reshape(2, 2)
    np.testing.assert_array_equal(resize_nearest(img, 4), np.kron(img, np.ones((2, 2), int)))


def test_plots_return_figures_with_the_right_panels():
    img = np.random.default_rng(0).random((28, 28))
    fig = plot_conv_geometry(compute_conv_geometry(28, 3, 1, 1, 2), img)
    assert "receptive field of the centre unit on top: 5x5" in fig.axes[0].get_title()
    fig = plot_conv_geometry(compute_conv_geometry(28, 3, 2, 0), img)
    assert "does not fit" in fig.axes[0].get_title()
    fig = plot_filters(np.random.default_rng(0).standard_normal((10, 3, 5, 5)), ncols=5)
    assert len(fig.axes) == 10
    fig = plot_pooling(img, [img[::2, ::2]], ["image", "pooled"])
    assert [a.get_title() for a in fig.axes] == ["image\n28x28", "pooled\n14x14"]
    with pytest.raises(ValueError, match="plot_filters: W must be"):
        plot_filters(np.zeros((4, 2, 3, 3)))
    with pytest.raises(ValueError, match="need 2 titles"):
        plot_pooling(img, [img], ["only one"])


def test_widget_recomputes_on_slider_change():
    from cs231n_lab.widgets.convnets import make_conv_geometry_widget
    w = make_conv_geometry_widget(np.zeros((28, 28)))
    sliders = {s.description: s for s in w.children[0].children}
    assert list(sliders) == ["input N", "filter F", "stride S", "pad P", "layers L"]
    assert w.result["sizes"] == [28, 28]
    sliders["stride S"].value = 2  # (28 - 5 + 4) / 2 does not fit
    assert not w.result["ok"] and "does not fit" in w.result["error"]
    sliders["pad P"].value = 1     # (28 - 5 + 2) / 2 + 1 = 13.5: still not; pad 0 -> 23/2: not
    sliders["filter F"].value = 4  # (28 - 4 + 2) / 2 + 1 = 14
    assert w.result["ok"] and w.result["sizes"] == [28, 14]


def test_filter_smoothness_separates_noise_from_smooth_filters():
    from cs231n_lab.viz.convnets import compute_filter_smoothness
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((32, 1, 5, 5))
    assert abs(compute_filter_smoothness(noise)) < 0.1
    ramp = np.linspace(-1, 1, 5)
    edges = np.stack([np.outer(np.ones(5), ramp) * rng.standard_normal() for _ in range(32)])[:, None]
    assert compute_filter_smoothness(edges) > 0.5
    with pytest.raises(ValueError, match="compute_filter_smoothness: W must be"):
        compute_filter_smoothness(np.zeros((3, 1, 1, 5)))
