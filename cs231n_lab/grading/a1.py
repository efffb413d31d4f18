"""Tier D - assignment A1 (Lecture 4): backprop through fully connected layers and losses.

Graded items, in notebook order: affine_forward, affine_backward, relu_forward,
relu_backward, softmax_loss, svm_loss and the two-layer net's loss and gradients
(``TwoLayerNet``). Each item has 2 public cases (what ``check`` runs in the notebook) and 3
hidden ones (other shapes, N=1, large scores that overflow a naive softmax, regularisation).
"""

from cs231n_lab.grading.spec import Assignment, Item
from cs231n_lab.grading.spec import make_cases as cases

__all__ = ["ASSIGNMENT"]


# ---- drivers: run in the student's process with f = the student's functions ---------------

def drive_affine_forward(f, x, w, b):
    out, _ = f.affine_forward(x, w, b)
    return {"out": out}


def drive_affine_backward(f, x, w, b, dout):
    _, cache = f.affine_forward(x, w, b)
    dx, dw, db = f.affine_backward(dout, cache)
    return {"dx": dx, "dw": dw, "db": db}


def drive_relu_forward(f, x):
    out, _ = f.relu_forward(x)
    return {"out": out}


def drive_relu_backward(f, x, dout):
    _, cache = f.relu_forward(x)
    return {"dx": f.relu_backward(dout, cache)}


def drive_softmax_loss(f, x, y):
    loss, dx = f.softmax_loss(x, y)
    return {"loss": loss, "dx": dx}


def drive_svm_loss(f, x, y):
    loss, dx = f.svm_loss(x, y)
    return {"loss": loss, "dx": dx}


def drive_two_layer_net(f, X, y, W1, b1, W2, b2, reg):
    D, H = W1.shape
    model = f.TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=W2.shape[1], weight_scale=1e-3, reg=reg)
    model.params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}  # fixed weights: no init randomness
    scores = model.loss(X)
    loss, grads = model.loss(X, y)
    return {"scores": scores, "loss": loss, "dW1": grads["W1"], "db1": grads["b1"],
            "dW2": grads["W2"], "db2": grads["b2"]}


# ---- input generators (grader side) ----------------------------------------------------------

def affine_inputs(x_shape, M, scale=1.0):
    def make(rng):
        D = 1
        for d in x_shape[1:]:
            D *= d
        return {"x": scale * rng.standard_normal(x_shape), "w": rng.standard_normal((D, M)),
                "b": rng.standard_normal(M), "dout": rng.standard_normal((x_shape[0], M))}
    return make


def only(make, *keys):
    return lambda rng: {k: v for k, v in make(rng).items() if k in keys}


def relu_inputs(shape, zeros=False):
    def make(rng):
        x = rng.standard_normal(shape)
        if zeros:
            x.flat[::3] = 0.0  # exact zeros: relu(0) = 0
        return {"x": x, "dout": rng.standard_normal(shape)}
    return make


def loss_inputs(N, C, scale=1.0):
    def make(rng):
        return {"x": scale * rng.standard_normal((N, C)), "y": rng.integers(0, C, size=N)}
    return make


def net_inputs(N, D, H, C, reg):
    def make(rng):
        return {"X": rng.standard_normal((N, D)), "y": rng.integers(0, C, size=N),
                # b1 > 0 keeps most ReLUs alive: a dead layer would hide a wrong backward pass
                "W1": 0.5 * rng.standard_normal((D, H)), "b1": 0.5 + 0.1 * rng.standard_normal(H),
                "W2": 0.5 * rng.standard_normal((H, C)), "b2": 0.1 * rng.standard_normal(C), "reg": reg}
    return make


AFFINE_SHAPES = ([((2, 4, 5, 6), 3), ((3, 5), 4)],
                 [((1, 2, 3), 5), ((4, 3, 2, 2, 2), 7), ((10, 20), 15)])

ITEMS = [
    Item("affine_forward", 10, drive_affine_forward,
         cases([only(affine_inputs(*s), "x", "w", "b") for s in AFFINE_SHAPES[0]],
               [only(affine_inputs(*s), "x", "w", "b") for s in AFFINE_SHAPES[1]], 1100),
         hint="flatten each example with x.reshape(N, -1) before multiplying by w, then add b"),
    Item("affine_backward", 15, drive_affine_backward,
         cases([affine_inputs(*s) for s in AFFINE_SHAPES[0]],
               [affine_inputs(*s) for s in AFFINE_SHAPES[1]], 1200),
         hint="dx = dout @ w.T reshaped to x.shape, dw = x2d.T @ dout, db = dout summed over N",
         uses=("affine_forward",)),
    Item("relu_forward", 5, drive_relu_forward,
         cases([only(relu_inputs((3, 4)), "x"), only(relu_inputs((2, 3, 4)), "x")],
               [only(relu_inputs((7,), zeros=True), "x"), only(relu_inputs((2, 2, 2, 2)), "x"),
                only(relu_inputs((1, 9), zeros=True), "x")], 1300),
         hint="out = np.maximum(0, x), the same shape as x"),
    Item("relu_backward", 10, drive_relu_backward,
         cases([relu_inputs((3, 4)), relu_inputs((2, 3, 4))],
               [relu_inputs((7,)), relu_inputs((2, 2, 2, 2)), relu_inputs((1, 9))], 1400),
         hint="the gradient passes where the input was > 0 and is 0 elsewhere: dx = dout * (x > 0)",
         uses=("relu_forward",)),
    Item("softmax_loss", 15, drive_softmax_loss,
         cases([loss_inputs(5, 4), loss_inputs(10, 3)],
               [loss_inputs(1, 6), loss_inputs(8, 10, scale=1000.0), loss_inputs(20, 2)], 1500),
         hint="subtract each row's max before exp (large scores overflow); dx = (p - onehot(y)) / N"),
    Item("svm_loss", 15, drive_svm_loss,
         cases([loss_inputs(5, 4), loss_inputs(10, 3)],
               [loss_inputs(1, 6), loss_inputs(8, 10, scale=10.0), loss_inputs(20, 2)], 1600),
         hint="margins = max(0, x - x[correct] + 1) with the correct class's margin set to 0; average over N"),
    Item("TwoLayerNet", 30, drive_two_layer_net,
         cases([net_inputs(3, 5, 4, 3, 0.0), net_inputs(4, 6, 5, 3, 0.1)],
               [net_inputs(1, 4, 8, 2, 0.0), net_inputs(7, 8, 6, 5, 0.5), net_inputs(5, 3, 10, 4, 0.05)],
               1700),
         hint="scores from affine - relu - affine; loss = softmax loss + 0.5 * reg * (sum W1^2 + sum W2^2); "
              "grads of the regulariser are reg * W",
         uses=("affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss")),
]

ASSIGNMENT = Assignment(
    name="A1", title="Backpropagation and fully connected layers", notebook="A1_fully_connected.ipynb",
    items=ITEMS,
    references={"affine_forward": "cs231n_lab.layers:affine_forward",
                "affine_backward": "cs231n_lab.layers:affine_backward",
                "relu_forward": "cs231n_lab.layers:relu_forward",
                "relu_backward": "cs231n_lab.layers:relu_backward",
                "softmax_loss": "cs231n_lab.layers:softmax_loss",
                "svm_loss": "cs231n_lab.layers:svm_loss",
                "TwoLayerNet": "cs231n_lab.models:TwoLayerNet"},
)
