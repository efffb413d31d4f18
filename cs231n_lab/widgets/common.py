"""Tier D - one helper every widget uses to put a figure into its Output area."""

import matplotlib.pyplot as plt

__all__ = ["show_figure"]


def show_figure(out, fig):
    """Replace what the ``ipywidgets.Output`` ``out`` shows with the matplotlib figure ``fig``.

    ``out.append_display_data`` sets the Output widget's own state instead of capturing
    messages from a ``with out:`` block. Both work in JupyterLab, but only this one also
    works where no front end is listening (nbval, nbclient, tests): there, ``with out:``
    output leaks into the cell's outputs and makes the stored notebook differ on re-runs.
    """
    out.outputs = ()
    out.append_display_data(fig)
    plt.close(fig)
