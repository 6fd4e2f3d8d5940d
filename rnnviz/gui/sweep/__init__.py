"""The delay sweep in the window and in pictures: accuracy against the delay N of the recall
task, one line per cell, filled in as runs finish (``rnnviz.training.sweep`` trains them).

- ``plot``: ``SweepPlot``, the plot itself.
- ``picture``: ``save_sweep_picture``, the plot of a finished sweep to a file (``rnnviz sweep
  --out``).
- ``window``: ``SweepWindow`` (Lessons → Delay sweep…), its cells, delays and updates, Start and
  Stop, the sweep training off the GUI thread (``SweepRunner``).
"""
