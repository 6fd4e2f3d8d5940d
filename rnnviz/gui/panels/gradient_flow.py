"""Gradient flow: how much of the loss's gradient reaches each time step, and how that changes
as training goes on (the vanishing gradient, made visible).

Top: ‖∂L/∂h_t‖ against t on a log axis, one curve per layer·direction (colour = layer, dashed =
backward direction); for the LSTM also ‖∂L/∂c_t‖, the gradient reaching the cell state c_t
(dotted, same colours): the path through the forget gates that carries the LSTM's gradient back
where h's dips. Every norm above ``FLOOR`` is drawn where it is, however small (a vanilla
RNN's go down to 1e-16 and less); a zero (no gradient reaches the step at all, e.g. past the last
output a forward layer sees) is drawn on a row of its own below the data, labelled "0".
Bottom: the history, training iteration × time step, colour = log₁₀ ‖∂L/∂h_t‖ of the training
batches, for the layer·direction the window's selector chose (``set_layer``). Where the colour
fades to black, no gradient arrives: the gradient horizon. Its levels are robust percentiles
(1 % … 99 %, at most 12 decades apart), computed once per snapshot.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Slot

from rnnviz.gui.panels._common import ColumnCursor, Panel, TimeViewBox, fit_columns
from rnnviz.gui.panels.axes import IntegerAxis, NumberAxis, decade_text
from rnnviz.gui.panels.figures import nice_ceiling
from rnnviz.gui.panels.style import (
    CURVE_WIDTH,
    FOREGROUND,
    INFERNO_LUT,
    OKABE_ITO,
    TEXT_PT,
    color_bar,
    font,
    set_title,
    style_plot,
)
from rnnviz.training.snapshot import cell_state_norms
from rnnviz.training.spectral import SpectralRadius

__all__ = ["FLOOR", "GradientFlowPanel", "history_levels"]

#: Norms at or below this count as no gradient (zero): the curves draw them on the zero row,
#: the history map in its darkest colour. Far below any norm that float32 carries with
#: precision (its normal numbers end at 1.2e-38) and far below the smallest real ones seen.
FLOOR = 1e-30
LOG_FLOOR = math.log10(FLOOR)
#: At most this many decades between the history map's lowest and highest colour.
MAX_DECADES = 12.0
#: The percentiles computed look at no more than this many values.
LEVEL_SAMPLES = 20_000

LEFT_AXIS_WIDTH = 96
#: Curves over at most this many steps get a dot at every step.
MAX_DOTTED_STEPS = 40  # both plots: keeps their time axes aligned


def history_levels(log_values: np.ndarray) -> tuple[float, float]:
    """Robust colour levels of log₁₀ gradient norms: the 1st and 99th percentiles of the finite
    values above the floor (sub-sampled), at most ``MAX_DECADES`` and at least one decade apart.
    The floored ones (zeros) are left out: where a layer gets no gradient at some steps they
    would pull the lowest colour down to 10⁻³⁰, and they show in the darkest colour anyway."""
    flat = log_values.reshape(-1)
    if flat.size > LEVEL_SAMPLES:
        flat = flat[:: flat.size // LEVEL_SAMPLES + 1]
    flat = flat[np.isfinite(flat) & (flat > LOG_FLOOR + 0.5)]
    if flat.size == 0:
        return (-6.0, 0.0)
    lo, hi = np.percentile(flat, (1.0, 99.0))
    hi = float(np.ceil(hi * 2.0) / 2.0)  # half decades: the bar's labels stay steady
    lo = float(np.floor(max(lo, hi - MAX_DECADES) * 2.0) / 2.0)
    if hi - lo < 1.0:
        lo = hi - 1.0
    return lo, hi


class GradientFlowPanel(Panel):
    """‖∂L/∂h_t‖ per time step (log y), and its iteration × time-step history heat map.

    Signals: ``cursor_moved(int)``.
    Slots: ``show_snapshot(snapshot)``, ``set_cursor(int)``, ``set_layer(int)`` (whose history).
    """

    name = "gradient"
    about = (
        "How much of the error signal reaches each time step when the network learns: the "
        "size of the gradient ‖∂L/∂h_t‖, on a log scale (each grid line is ten times the "
        "one below). Where the curve drops steeply towards the start, early steps hardly "
        "learn: the vanishing gradient. Below, the same for the chosen layer over the whole "
        "run, one row per training iteration; black means no gradient arrives. For an LSTM "
        "the dotted curve is ‖∂L/∂c_t‖, the gradient along the cell state c: "
        "c_(t−1) = f_t ⊙ c_t carries it back through the forget gates, where h's can dip. "
        "For a vanilla RNN the top-left corner gives ρ(W_hh), the spectral radius (largest "
        "|eigenvalue|) of the shown layer's recurrent weights: back through each step the "
        "gradient is multiplied by W_hhᵀ and the tanh slopes, so over many steps it shrinks "
        "by about ρ per step, faster where tanh saturates (set it with the recurrent scale)."
    )
    formula = "‖∂L/∂h_t‖ = ‖∂L/∂h_T · Π_{k=t+1…T} ∂h_k/∂h_{k−1}‖\n∂h_k/∂h_{k−1} = diag(φ′) W_hh"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._shape_key = None
        self._labels: list[str] = []  # the layout's entries (the history's rows)
        self._curve_labels: list[str] = []  # every curve's: the entries', then their c's
        self._hover: tuple[str, int, int] | None = None  # ("curve", t, 0) / ("history", t, row)
        self._norms = np.zeros((0, 0), np.float32)  # (L·D, T), floored (LSTM: 2·L·D rows)
        self._raw = np.zeros((0, 0), np.float32)  # the same, as the snapshot gives them
        self.zero_row: float | None = None  # the log₁₀ y where zeros are drawn, if any
        self._history = np.zeros((0, 0), np.float32)  # log10 buffer, rows ≥ N
        self._rows = 0
        self._row_y = (0.0, 1.0)  # y of row 0's centre, spacing between rows
        self._iterations = np.zeros(0, np.int64)
        self.levels = (-6.0, 0.0)
        self._spectral = SpectralRadius()
        #: ρ(W_hh) of the shown layer·direction, in the curves' title (None: not for this cell)
        self.spectral_radius: float | None = None

        # --- top: the curves (the panel takes log10 itself, to draw the zeros on their row;
        # the axis labels the log values as pyqtgraph's log mode does, 10ⁿ)
        self.curve_view = TimeViewBox(self._on_pointer, self._on_hover)
        self.curve_plot = pg.PlotItem(
            viewBox=self.curve_view,
            axisItems={"bottom": IntegerAxis("bottom"), "left": NumberAxis("left")},
        )
        self.curve_plot.getAxis("left").logMode = True
        style_plot(self.curve_plot, None, "‖∂L/∂hₜ‖", "gradient per step")
        self.curve_plot.showGrid(x=False, y=True, alpha=0.3)
        self.curve_plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
        self.curve_plot.disableAutoRange()
        self.legend = pg.LegendItem(
            labelTextSize=f"{TEXT_PT}pt", labelTextColor=FOREGROUND, colCount=4, horSpacing=24
        )
        self.curves: list[pg.PlotDataItem] = []
        self._log_norms = np.zeros((0, 0), np.float32)  # (L·D, T) log10, what the curves draw
        self._decades: tuple = ()
        self._history_range: tuple[float, float] | None = None  # the history's y range set
        self.cursor_line = pg.InfiniteLine(
            pos=0, angle=90, movable=False, pen=pg.mkPen("#000000", width=2.5, style=Qt.DashLine)
        )
        self.cursor_line.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.curve_plot.addItem(self.cursor_line, ignoreBounds=True)
        # ρ(W_hh) in the plot's top-left corner, where a vanishing gradient's curve is low; in
        # the view box's own pixels, so it stays put as the range changes and takes no room
        # from the layout (in the title it widened the view past a 1280 × 720 window)
        self.spectral_label = pg.TextItem(
            color=FOREGROUND, fill=pg.mkBrush(255, 255, 255, 210), anchor=(0, 0)
        )
        self.spectral_label.setFont(font(TEXT_PT))
        self.spectral_label.setZValue(20)
        self.spectral_label.setParentItem(self.curve_view)
        self.spectral_label.setPos(6, 4)
        self.spectral_label.setVisible(False)
        self._spectral_texts: tuple[str, ...] = ()  # longest first: the longest that fits
        self.curve_view.sigResized.connect(self._fit_spectral_label)

        # --- bottom: the history heat map
        self.history_view = TimeViewBox(self._on_pointer, self._on_hover)
        self.history_plot = pg.PlotItem(
            viewBox=self.history_view,
            axisItems={"bottom": IntegerAxis("bottom"), "left": IntegerAxis("left")},
        )
        style_plot(self.history_plot, "time step t", "training iteration", "")
        self.history_plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
        self.history_plot.setXLink(self.curve_plot)
        self.history_view.setDefaultPadding(0.0)
        self.history_image = pg.ImageItem(axisOrder="row-major")
        self.history_image.setLookupTable(INFERNO_LUT)
        self.history_image.setLevels(self.levels)
        self.history_plot.addItem(self.history_image)
        self.history_cursor = ColumnCursor(self.history_view)
        self.history_bar = color_bar(INFERNO_LUT, self.levels, "log₁₀ ‖∂L/∂hₜ‖", ticks=False)

        self.legend.layout.setContentsMargins(0, 0, 0, 0)
        self.view.addItem(self.legend, row=0, col=0, colspan=2)
        self.view.addItem(self.curve_plot, row=1, col=0)
        self.view.addItem(self.history_plot, row=2, col=0)
        self.view.addItem(self.history_bar, row=2, col=1)
        self.view.ci.layout.setRowStretchFactor(1, 1)
        self.view.ci.layout.setRowStretchFactor(2, 1)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_legend()

    def _fit_legend(self) -> None:
        fit_columns(self.legend, self.width() - 60)

    def _measuring_size(self, measuring: bool) -> None:
        # the least room is asked with the legend in one column: measured with as many
        # columns as a wide window fitted, the panel could never be narrowed again (leaving
        # presentation mode, the settings back, the window grew past a 1280-pixel screen)
        if measuring:
            if self.legend.columnCount != 1:
                self.legend.setColumnCount(1)
        else:
            self._fit_legend()

    def _layer_changed(self) -> None:
        self._show_history(self.snapshot)
        self._show_spectral_radius(self.snapshot)
        self._refresh_hover()

    def _show_spectral_radius(self, snapshot) -> None:
        """ρ(W_hh) beside the curves (vanilla RNN, H ≤ 128; ``rnnviz.training.spectral``)."""
        k = self.layer()
        self.spectral_radius = rho = self._spectral.of(snapshot, k)
        self.spectral_label.setVisible(rho is not None)
        if rho is None:
            return
        which = f" ({snapshot.layout.labels[k]})" if snapshot.layout.count > 1 else ""
        value = f"ρ(W_hh){which} = {rho:.2f}"
        self._spectral_texts = (f"spectral radius {value}", value, f"ρ = {rho:.2f}")
        self._fit_spectral_label()

    def _fit_spectral_label(self, *_) -> None:
        """The longest of the read-out's texts that fits the plot's width, never clipped."""
        if not self._spectral_texts:
            return
        metrics = pg.QtGui.QFontMetricsF(self.spectral_label.textItem.font())
        room = self.curve_view.width() - 24  # its position and margins
        text = next(
            (t for t in self._spectral_texts if metrics.horizontalAdvance(t) <= room),
            self._spectral_texts[-1],
        )
        if self.spectral_label.toPlainText() != text:
            self.spectral_label.setText(text)

    # ---------------------------------------------------------------- drawing

    def _rebuild(self, layout, steps: int, cell_state: bool) -> None:
        for curve in self.curves:
            self.legend.removeItem(curve)
            self.curve_plot.removeItem(curve)
        self.curves = []
        self._labels = layout.labels
        self._curve_labels = curve_labels(self._labels, cell_state)
        directions, count = layout.directions, len(self._labels)
        for n, label in enumerate(self._curve_labels):
            is_c, k = divmod(n, count)
            layer, backward = divmod(k, directions)
            style = (
                (Qt.PenStyle.DashDotLine if backward else Qt.PenStyle.DotLine)
                if is_c
                else (Qt.PenStyle.DashLine if backward else Qt.PenStyle.SolidLine)
            )
            pen = pg.mkPen(
                OKABE_ITO[layer % len(OKABE_ITO)],
                width=CURVE_WIDTH + (1 if is_c else 0),
                style=style,
            )
            # dots mark the steps while they are few enough to tell apart (and cheap to draw)
            dots = (
                {"symbol": "o", "symbolSize": 7, "symbolPen": None, "symbolBrush": pen.color()}
                if steps <= MAX_DOTTED_STEPS
                else {}
            )
            curve = pg.PlotDataItem(pen=pen, name=label, antialias=True, connect="finite", **dots)
            self.curve_plot.addItem(curve)
            self.legend.addItem(curve, label)
            self.curves.append(curve)
        self.legend.setVisible(len(self._curve_labels) > 1)
        self._fit_legend()
        self._steps = steps
        self._t_axis = np.arange(steps, dtype=np.float64)
        self.curve_view.setXRange(-0.5, steps - 0.5, padding=0.0)
        self._decades = ()

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        norms = np.asarray(snapshot.dh_norms)
        if norms.ndim != 2 or norms.shape[1] == 0:
            self.show_message("This snapshot holds no gradient norms.")
            return
        cells = cell_state_norms(snapshot)
        cell_state = cells is not None  # an LSTM's ‖∂L/∂c_t‖, laid out as h's
        if cell_state:
            norms = np.concatenate([norms, cells])  # (2·L·D, T): h's rows, then c's
        self._raw = norms
        count, steps = norms.shape
        key = (tuple(snapshot.layout.labels), steps, cell_state)
        if key != self._shape_key:
            self._rebuild(snapshot.layout, steps, cell_state)
            self._norms = np.empty((count, steps), np.float32)
            self._log_norms = np.empty((count, steps), np.float32)
            self._shape_key = key
        np.maximum(norms, FLOOR, out=self._norms)  # NaN (diverged) stays NaN: not drawn
        np.log10(self._norms, out=self._log_norms)
        zeros = self._norms <= np.float32(FLOOR)
        self._fit_decades(zeros, bool(np.any((norms > 0) & zeros)))
        if self.zero_row is not None:
            self._log_norms[zeros] = self.zero_row
        for curve, row in zip(self.curves, self._log_norms, strict=True):
            if np.isfinite(row).any():
                curve.setData(self._t_axis, row)
            else:  # diverged: nothing to draw (and no all-NaN warnings from pyqtgraph)
                curve.setData(self._t_axis[:0], row[:0])
        self._show_history(snapshot)
        self._show_spectral_radius(snapshot)
        self._place_cursor()
        self._refresh_hover()
        self.show_plots()

    def _fit_decades(self, zeros: np.ndarray, tiny: bool) -> None:
        """y range: the whole decades around the norms above the floor, so it moves only when a
        curve crosses a power of ten (a steady picture while training); if some are not
        (``zeros``), a zero row below them, labelled "0" (``tiny``: some were not exactly 0 but
        below the floor, so "<10⁻³⁰"). A zero is no number of decades: drawn at 10⁻¹² or
        10⁻³⁰ it looked like data (and stretched the axis by a dozen decades)."""
        values = self._log_norms
        finite = np.isfinite(values)
        real = values[finite & ~zeros]
        has_zeros = bool(np.any(zeros & finite))
        if real.size:
            lo, hi = math.floor(float(real.min())), math.ceil(float(real.max()))
            hi = max(hi, lo + 1)
            shown = self._decades
            if shown and shown[0] <= lo and hi <= shown[1] <= shown[0] + hi - lo + 1:
                # a decade to spare is kept: a norm going to and fro across a power of ten moved
                # the axis (and drew it again) ten times a second (measured)
                lo, hi = int(shown[0]), int(shown[1])
        elif has_zeros:
            lo, hi = -1, 0  # no gradient anywhere: just the zero row and a decade above it
        else:
            return
        zero_row = float(lo - max(1, math.ceil((hi - lo) / 8))) if has_zeros else None
        self.zero_row = zero_row
        zero_text = f"<{decade_text(round(LOG_FLOOR))}" if tiny else "0"
        decades = (float(lo), float(hi), zero_row, zero_text)
        if decades != self._decades:
            self._decades = decades
            axis = self.curve_plot.getAxis("left")
            axis.zero_at, axis.zero_text = zero_row, zero_text
            axis.picture = None  # its ticks depend on the zero row, not only on the range
            axis.update()
            self.curve_view.setYRange(lo if zero_row is None else zero_row, hi, padding=0.05)

    def _show_history(self, snapshot) -> None:
        history = np.asarray(snapshot.dh_norm_history)  # (N, L·D, T)
        iterations = np.asarray(snapshot.history_iterations)
        rows = history.shape[0] if history.ndim == 3 else 0
        steps = self._steps
        k = min(self.layer(), len(self._labels) - 1)
        title = f"history ({self._labels[k]})"
        if self.history_plot.titleLabel.text != title:
            set_title(self.history_plot, title)
        if rows == 0 or history.shape[2] != steps or len(iterations) != rows:
            self._rows = 0
            self._iterations = np.zeros(0, np.int64)
            self.history_image.setVisible(False)
            self._history_frame(0.0, 1.0)
            self.history_cursor.place(self.cursor(), (0.0, 1.0))
            return
        if self._history.shape[1] != steps or self._history.shape[0] < rows:
            capacity = max(rows, int(getattr(snapshot.config, "history", rows) or rows))
            self._history = np.empty((capacity, steps), np.float32)
        out = self._history[:rows]
        np.maximum(history[:, k, :], FLOOR, out=out)
        np.log10(out, out=out)
        levels = history_levels(out)
        if levels != self.levels:
            self.levels = levels
            self.history_image.setLevels(levels)
            self.history_bar.setLevels(levels)
        self.history_image.setImage(out, autoLevels=False)
        self.history_image.setVisible(True)
        # rows are (nearly) evenly spaced in iterations; row r is centred on y0 + r·dy
        first, last = float(iterations[0]), float(iterations[-1])
        dy = (last - first) / (rows - 1) if rows > 1 and last > first else 1.0
        self._rows = rows
        self._row_y = (first, dy)
        self._iterations = iterations
        y0, height = first - dy / 2, rows * dy
        self.history_image.setRect(QRectF(-0.5, y0, steps, height))
        # the iterations' axis grows in steps, as the loss view's does, at both ends (the first
        # row's lower edge moves as the rows spread): moved with every snapshot, it drew the
        # axis again and the whole view twice a snapshot (measured)
        low = -nice_ceiling(-y0) if y0 < 0 else 0.0
        self._history_frame(low, nice_ceiling(y0 + height))

    def _history_frame(self, low: float, high: float) -> None:
        if self._history_range != (low, high):
            self._history_range = (low, high)
            self.history_view.setYRange(low, high, padding=0.0)

    # ---------------------------------------------------------------- cursor and hover

    def _history_span(self) -> tuple[float, float]:
        if self._rows == 0:
            return (0.0, 1.0)
        first, dy = self._row_y
        return (first - dy / 2, first - dy / 2 + self._rows * dy)

    def _place_cursor(self) -> None:
        t = self.cursor()
        self.cursor_line.setValue(t)
        self.history_cursor.place(t, self._history_span())

    def _on_pointer(self, view, point, is_click: bool) -> None:
        t = round(point.x())
        if 0 <= t < self._steps:
            self._user_cursor(t)

    def _history_row(self, y: float) -> int | None:
        if self._rows == 0:
            return None
        first, dy = self._row_y
        r = round((y - first) / dy)
        return r if 0 <= r < self._rows else None

    def _on_hover(self, view, point) -> None:
        if not self._hover_moves(view, point):
            return
        self._hover = None
        if point is not None and self._steps > 0:
            if view is self.curve_view:
                t = round(point.x())
                if 0 <= t < self._steps:
                    self._hover = ("curve", t, 0)
            elif view is self.history_view:
                row = self._history_row(point.y())
                t = round(point.x())
                if row is not None and 0 <= t < self._steps:
                    self._hover = ("history", t, row)
        self._refresh_hover()

    def _refresh_hover(self) -> None:
        if self._hover is None or self._hover[1] >= self._steps:
            self.set_readout(None)
            return
        where, t, row = self._hover
        if where == "curve":
            norms = self._raw  # the exact values, not the floored
            parts = [
                f"{label}: {_norm_text(norms[k, t])}" for k, label in enumerate(self._curve_labels)
            ]
            what = "‖∂L/∂hₜ‖   " if len(self._curve_labels) == len(self._labels) else ""
            self.set_readout(f"t = {t}   {what}" + "   ".join(parts))
            return
        if row >= self._rows:
            self.set_readout(None)
            return
        k = min(self.layer(), len(self._labels) - 1)
        value = float(np.asarray(self.snapshot.dh_norm_history)[row, k, t])
        self.set_readout(
            f"iteration {int(self._iterations[row])}   t = {t}   {self._labels[k]}   "
            f"‖∂L/∂hₜ‖ = {_norm_text(value)}"
        )

    def curve_data(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """The (t, log₁₀ ‖∂L/∂h_t‖) drawn for layer·direction ``index`` (zeros at
        ``zero_row``); for an LSTM, ``index`` L·D + k is entry k's ‖∂L/∂c_t‖."""
        return self._t_axis, self._log_norms[index]


def curve_labels(labels: list[str], cell_state: bool) -> list[str]:
    """The curves' names: one per layer·direction (``labels``), and with an LSTM's cell state
    the same again for ‖∂L/∂c_t‖ (a single entry's two curves say which gradient each is)."""
    if not cell_state:
        return list(labels)
    if len(labels) == 1:
        return ["‖∂L/∂hₜ‖ (hidden state)", "‖∂L/∂cₜ‖ (cell state)"]
    return [*labels, *(f"{label} ‖∂L/∂cₜ‖" for label in labels)]


def _norm_text(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    if value == 0:
        return "0"
    if value <= FLOOR:
        return f"< {FLOOR:.0e}"
    return f"{value:.3e}"
