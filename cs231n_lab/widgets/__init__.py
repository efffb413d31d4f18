"""Tier D - ipywidgets wiring for the notebooks (``make_*_widget``).

Each widget only connects sliders to a ``compute_*`` / ``plot_*`` pair from
``cs231n_lab.viz``; the numbers and figures are unit-tested there without a browser.
"""
