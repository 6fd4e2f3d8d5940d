"""The live views: small QWidget panels wrapping pyqtgraph, each drawn from a ``Snapshot``.

Every panel is a view (``rnnviz.gui.view``): ``name`` and ``about`` (what it shows, for a
student), ``show_snapshot(snapshot)`` (GUI thread only), the time cursor slot ``set_cursor(t)``
and signal ``cursor_moved(int)`` (emitted when the user clicks or drags on a time axis or presses
Shift+←/→, Home/End, in the panel; ``set_cursor`` never emits, so no loops), and
``set_layer(k)``, entry k of ``snapshot.layout``, chosen by the window's one selector.

- ``HiddenStatePanel`` ("hidden"): hidden states, time × unit, one map per layer and direction.
- ``GatePanel`` ("gates"): gate activations and the LSTM cell state of the chosen layer.
- ``GradientFlowPanel`` ("gradient"): ‖∂L/∂h_t‖ per step (log y) and, for the chosen layer,
  its iteration × step history.
- ``LossPanel`` ("loss"): loss and metric curves with labelled baselines (no time axis).

The heat-map panels also emit ``unit_selected(int)`` when a unit's row is clicked and take
``set_unit(int)``. The shared style is in ``style``, the axes in ``axes``.
"""

from rnnviz.gui.panels.curves import LossPanel
from rnnviz.gui.panels.gradient_flow import GradientFlowPanel
from rnnviz.gui.panels.heatmaps import GatePanel, HiddenStatePanel

__all__ = ["GatePanel", "GradientFlowPanel", "HiddenStatePanel", "LossPanel"]
