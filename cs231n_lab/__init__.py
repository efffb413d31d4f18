"""cs231n-lab: complete, tested reference code for the CS231n neural-network lectures.

The package is layered in tiers; imports only point downward (tests/test_architecture.py
checks it):

    A  pure-Python scalar autograd            engine, gates
    B  NumPy course code                      everything else at the top level, models/, datasets/
    C  PyTorch code                           pytorch/
    D  presentation and grading               viz/, widgets/, grading/, bench/, cli, notebook_tools

Module -> lecture -> notebook (kept in step with the README's table):

    engine, gates                     L4 backprop           notebooks/04_backprop.ipynb
    gradcheck                         L4 gradient checks    notebooks/04_backprop.ipynb
    fully_connected, losses           L4 layers, losses     notebooks/04_backprop.ipynb
    activations                       L4/L6 activations     notebooks/04_backprop.ipynb
    layers                            all layers, one namespace (CS231n's cs231n.layers)
    models.TwoLayerNet                L4 two-layer net      notebooks/04_backprop.ipynb
    optim                             L7 update rules
    viz.graph, widgets.backprop       L4 graph drawing and widget

Importing ``cs231n_lab`` imports nothing heavy: import the module you need.
"""

__version__ = "0.1.0"
