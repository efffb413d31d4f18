"""Tier D - pure ``compute_*`` functions and matplotlib ``plot_*`` functions behind the notebooks.

No ipywidgets here: the widgets in ``cs231n_lab.widgets`` only wire these together.
"""
