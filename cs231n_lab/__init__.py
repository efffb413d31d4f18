"""cs231n-lab: complete, tested reference code for the CS231n neural-network lectures.

The package is layered in tiers; imports only point downward (tests/test_architecture.py
checks it):

    A  pure-Python scalar autograd            engine, gates
    B  NumPy course code                      everything else at the top level, models/, datasets/
    C  PyTorch code                           pytorch/
    D  presentation and grading               viz/, widgets/, grading/, bench/, cli, notebook_tools

Module -> lecture -> notebook (kept in step with the README's table):

    datasets                              data: loaders, resolver, fetch, bundled default   00_data_tour
    preprocessing                         L6 zero-centring, normalisation, PCA, whitening   00_data_tour
    engine, gates                         L4 scalar autograd, gradient-flow patterns        04_backprop
    gradcheck                             L4 numerical gradient checks                      04_backprop
    fully_connected, losses               L4 affine layer, softmax/SVM (+ label smoothing)  04_backprop
    layers                                every layer in one namespace (CS231n's cs231n.layers)
    models.TwoLayerNet                    L4 two-layer net                                  04_backprop
    viz.graph, viz/widgets.backprop       L4 graph drawing and widget                       04_backprop
    conv, conv_fast, pooling              L5 conv/pool layers, naive and fast               05_convnets
    conv_arithmetic, conv_layers          L5 sizes, receptive field, sandwich layers        05_convnets
    models.ThreeLayerConvNet              L5 three-layer ConvNet                            05_convnets
    viz/widgets.convnets, bench.conv      L5 geometry widget, conv benchmark                05_convnets
    activations, weight_init              L6 activations, initialisation                    06a_activations_and_init
    batchnorm, layernorm, dropout         L6 normalisation, L7 dropout                      06b_batchnorm_and_babysitting
    models.FullyConnectedNet, solver      L6 deep FC net, the NumPy Solver                  06b_batchnorm_and_babysitting
    babysitting, hyperparameter_search    L6 babysitting the learning process, search       06b_batchnorm_and_babysitting
    viz/widgets.activations, .weight_init, .learning_rate   L6 explorers, lr widget      06a, 06b
    optim, schedules                      L7 update rules, learning-rate schedules          07a_optimizers
    loss_surfaces, second_order           L7 SGD's problems, Newton/BFGS/L-BFGS             07a_optimizers
    viz/widgets.optimizers                L7 optimizer race, schedule plotter               07a_optimizers
    regularization, augmentation          L7 penalties, DropConnect, noise, augmentation    07b_regularization
    pytorch.augment, pytorch.regularization  L7 the same on the device; stochastic depth, ensembles, EMA  07b_regularization
    viz/widgets.regularization            L7 dropout and augmentation explorers             07b_regularization
    pytorch.transfer                      L7 transfer learning                              07c_transfer_learning
    pytorch (device, data, loop, callbacks, checkpoint, distributed, models), train   L8 training loop  08_gpu_training
    viz/widgets.training, bench.loop      L8 torch learning-rate widget, loop benchmarks    08_gpu_training
    grading, cli                          auto-graded assignments A1-A3, cs231n-lab CLI     assignments/A1..A3

Importing ``cs231n_lab`` imports nothing heavy: import the module you need.
"""

__version__ = "0.1.0"
