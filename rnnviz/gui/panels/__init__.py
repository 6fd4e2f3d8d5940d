"""The live views: small QWidget panels wrapping pyqtgraph, each drawn from a ``Snapshot``.

Every panel has the slot ``show_snapshot(snapshot)`` (GUI thread only), the time cursor slot
``set_cursor(t)`` and the signal ``cursor_moved(int)``, emitted when the user clicks or drags on
a time axis or presses Shift+←/→ (Home/End) in the panel. Connect every panel's ``cursor_moved`` to
every panel's ``set_cursor`` to share one cursor; ``set_cursor`` never emits, so no loops.

- ``HiddenStatePanel``: hidden states, time × unit, one map per layer and direction (−1 … 1).
- ``GatePanel``: gate activations and the LSTM cell state of one layer·direction.
- ``GradientFlowPanel``: ‖∂L/∂h_t‖ per step (log y) and its iteration × step history.
- ``LossPanel``: loss and metric curves with labelled baselines (no time axis).

The heat-map panels also emit ``unit_selected(int)`` when a unit's row is clicked and take
``set_unit(int)``.
"""

from rnnviz.gui.panels.curves import LossPanel
from rnnviz.gui.panels.gradient_flow import GradientFlowPanel
from rnnviz.gui.panels.heatmaps import GatePanel, HiddenStatePanel

__all__ = ["GatePanel", "GradientFlowPanel", "HiddenStatePanel", "LossPanel"]
