"""Heat maps time × unit of the example sequence: hidden states, gates and the LSTM cell state.

``HiddenStatePanel``: one map per layer and direction ("layer 1 →", "layer 1 ←", …).
``GatePanel``: one map per gate of the layer·direction the window's selector chose
(``set_layer``), and the LSTM's cell state c; a vanilla RNN shows a message instead. Every map
has the fixed levels of its values' range (``snapshot.layout.value_range``): sigmoid gates
0 … 1 on viridis, tanh values (h, the candidates g / n) −1 … 1 on blue–white–red; the
unbounded cell state c is drawn on −1 … 1 too.

Both draw column t of the shared time cursor, emit ``cursor_moved(t)`` on a click/drag/arrow
key, and ``unit_selected(unit)`` when a row is clicked; the line under the maps reads out the
exact value under the mouse.

Fast path: each map is one ImageItem over a preallocated row-major float32 (H, T) buffer with
fixed levels and a 256-entry lookup table; a snapshot copies into the buffers and calls
``setImage``. Items are only rebuilt when the shape (layers, directions, T, H, gates) changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFontMetrics, QFontMetricsF

from rnnviz.core.layers import GATE_DESCRIPTIONS
from rnnviz.gui.panels._common import ColumnCursor, Panel, TimeViewBox, point_cell
from rnnviz.gui.panels.axes import IntegerAxis
from rnnviz.gui.panels.style import (
    TICK_PT,
    TITLE_PT,
    color_bar,
    fixed_levels,
    font,
    hide_tick_values,
    map_of,
    set_title,
    style_plot,
)
from rnnviz.gui.view import cell_formula

__all__ = ["GatePanel", "HeatMap", "HiddenStatePanel"]

#: Pixels between two stacked maps with titles (the title row sets them apart).
MAP_SPACING = 8
CELL_STATE_DESCRIPTION = "cell state c: the memory the gates read, write and delete"
NO_GATES_MESSAGE = (
    "A vanilla RNN has no gates.\n\n"
    "Its new state is simply h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh).\n"
    "Switch the cell to LSTM or GRU to see input, forget and output gates."
)


def tick_label_height() -> float:
    """The height of a tick label (the maps' unit numbers, the colour bars' values)."""
    return QFontMetricsF(font(TICK_PT)).height()


class HeatMap:
    """One time × unit heat map: a fixed-level image, the cursor column and the selected unit.

    Cell (t, unit) is centred on (t, unit) in data coordinates; unit 0 is at the top.
    """

    def __init__(
        self,
        panel: _HeatMapPanel,
        title: str,
        levels: tuple[float, float],
        name: str,
        short_title: str | None = None,
    ):
        self.name = name
        self.title = title
        #: Titles from longest to none, the longest that fits is shown (see ``fit_titles``).
        self.titles = (title, short_title or title, None)
        self.levels = tuple(levels)
        self.view = TimeViewBox(panel._on_pointer, panel._on_hover)
        self.plot = pg.PlotItem(
            viewBox=self.view,
            axisItems={"bottom": IntegerAxis("bottom"), "left": IntegerAxis("left")},
        )
        style_plot(self.plot, None, "unit", title)
        self.view.invertY(True)
        self.view.setDefaultPadding(0.0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(map_of(self.levels))
        self.image.setLevels(self.levels)
        self.plot.addItem(self.image)
        self.cursor = ColumnCursor(self.view)
        self.unit_outline = ColumnCursor(self.view, horizontal=True, dashed=True)
        self.unit_outline.setVisible(False)
        self.buffer = np.zeros((0, 0), np.float32)  # (H, T)
        self.steps = self.units = 0
        self.shown_title: str | None = title

    def show_title(self, text: str | None) -> None:
        """Show ``text`` over the map (None: no title row)."""
        if text is None:
            # a hidden title's text still counts in the plot's least width
            self.plot.titleLabel.setText("")
        set_title(self.plot, text)

    def resize(self, steps: int, units: int) -> None:
        self.steps, self.units = steps, units
        self.buffer = np.zeros((units, steps), np.float32)
        self.image.setImage(self.buffer, autoLevels=False, levels=self.levels)
        self.image.setRect(QRectF(-0.5, -0.5, steps, units))
        self.view.setRange(
            xRange=(-0.5, steps - 0.5), yRange=(-0.5, units - 0.5), padding=0.0, update=False
        )

    def set_data(self, values: np.ndarray) -> None:
        """Show ``values`` (T, H)."""
        np.copyto(self.buffer, values.T)
        self.image.setImage(self.buffer, autoLevels=False)

    def place_cursor(self, t: int, unit: int | None) -> None:
        self.cursor.place(t, (-0.5, self.units - 0.5))
        if unit is None or not 0 <= unit < self.units:
            self.unit_outline.setVisible(False)
        else:
            self.unit_outline.place(unit, (-0.5, self.steps - 0.5))
            self.unit_outline.setVisible(True)

    def value(self, t: int, unit: int) -> float:
        return float(self.buffer[unit, t])


class _HeatMapPanel(Panel):
    """Shared behaviour of the heat-map panels: a column of ``HeatMap`` rows."""

    #: Whether the maps may go without their titles when the view is low (each map is named
    #: otherwise), so that the view asks only for the room of the maps themselves.
    titles_optional = False

    def map_spacing(self) -> int:
        """Pixels between two stacked maps."""
        return MAP_SPACING

    #: The user clicked on a unit's row (for the text view's activation colouring).
    unit_selected = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.maps: list[HeatMap] = []
        self.bars: list[pg.ColorBarItem] = []
        self._shape_key = None
        self._selected_unit: int | None = None
        self._hover: tuple[int, int, int] | None = None  # (map index, t, unit)
        self._measuring = False  # show_plots is measuring the view's least size
        self._titled_height: int | None = None  # the view's least height with titles shown
        self.view.installEventFilter(self)  # titles follow the view's size

    # ---------------------------------------------------------------- building

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self.fit_titles()
        return super().eventFilter(watched, event)

    def fit_titles(self) -> None:
        """Show each map's full title if it fits, else its short one; a panel whose titles are
        optional (``titles_optional``) shows none when the view is too low for a title row
        over every map (the colour bars and the read-out still name each map)."""
        if not self.maps:
            return
        metrics = QFontMetrics(font(TITLE_PT))
        width = self.view.width() - 190  # the unit axis and the colour bar
        high_enough = not self._measuring and (
            self._titled_height is None or self.view.height() >= self._titled_height
        )
        retitled = False
        for m in self.maps:
            full, short, _ = m.titles
            if not self.titles_optional and self._measuring:
                text = short  # the view asks for room for its short titles
            elif not self.titles_optional or high_enough:
                text = full if metrics.horizontalAdvance(full) <= width else short
                if self.titles_optional and metrics.horizontalAdvance(text) > width:
                    text = None
            else:
                text = None
            if m.shown_title != text:
                m.shown_title = text
                m.show_title(text)
                retitled = True
        if retitled:
            # the layout may have been given its geometry while the titles it measured with
            # were shown (Qt keeps a widget at least its minimum): fitted to the view again, or
            # the maps overflow it until its next resize (seen after a focused lesson moved the
            # panel). Later, not inside the resize: this panel may be on its way out, and the
            # timer goes with it
            QTimer.singleShot(0, self, self._fit_layout)

    def _fit_layout(self) -> None:
        self.view.ci.setGeometry(self.view.range)

    def _measuring_size(self, measuring: bool) -> None:
        # Once a run the view measures itself (Panel.show_plots): with no titles where they
        # are optional, so that five gate maps fit a projector's 720 px in a tab (with a title
        # row each they asked for 631 px and pushed the window to 788), and then how high it
        # must be to show them, which fit_titles compares with the height it gets.
        if not measuring and self.titles_optional and self.maps:
            for m in self.maps:
                m.show_title(m.titles[1])
            self.view.ci.layout.invalidate()
            titled = self.view.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize).height()
            self._titled_height = math.ceil(titled) + 2
            for m in self.maps:
                m.show_title(m.shown_title)
        self._measuring = measuring
        self.fit_titles()

    def _clear(self) -> None:
        self.view.ci.clear()
        self._titled_height = None
        self.maps = []
        self.bars = []
        self._hover = None

    def _finish_rows(self, steps: int, units: int) -> None:
        """Size every map, link their time axes, label the bottom one."""
        self.view.ci.layout.setVerticalSpacing(self.map_spacing())
        for k, m in enumerate(self.maps):
            m.resize(steps, units)
            if k:
                m.plot.setXLink(self.maps[0].plot)
            if k < len(self.maps) - 1:
                hide_tick_values(m.plot)
        if self.maps:
            last = self.maps[-1].plot.getAxis("bottom")
            last.setLabel("time step t", color="#1a1a1a", **{"font-size": "15pt"})
        self.fit_titles()

    # ---------------------------------------------------------------- cursor and unit

    def _place_cursor(self) -> None:
        t = self.cursor()
        for m in self.maps:
            m.place_cursor(t, self._selected_unit)

    def selected_unit(self) -> int | None:
        return self._selected_unit

    @Slot(int)
    def set_unit(self, unit: int) -> None:
        """Outline ``unit``'s row (a negative unit clears it); emits nothing."""
        self._selected_unit = int(unit) if unit is not None and unit >= 0 else None
        self._place_cursor()

    def _index_of(self, view) -> int:
        for k, m in enumerate(self.maps):
            if m.view is view:
                return k
        return -1

    def _on_pointer(self, view, point, is_click: bool) -> None:
        k = self._index_of(view)
        if k < 0 or self._steps <= 0:
            return
        m = self.maps[k]
        t = round(point.x())
        if 0 <= t < m.steps:
            self._user_cursor(t)
        cell = point_cell(point, m.steps, m.units)
        if is_click and cell is not None:
            self._selected_unit = cell[1]
            self._place_cursor()
            self.unit_selected.emit(cell[1])

    def _on_hover(self, view, point) -> None:
        if not self._hover_moves(view, point):
            return
        k = self._index_of(view)
        cell = None if k < 0 else point_cell(point, self.maps[k].steps, self.maps[k].units)
        self._hover = None if cell is None else (k, *cell)
        self._refresh_hover()

    def _refresh_hover(self) -> None:
        if self._hover is None or self._hover[0] >= len(self.maps):
            self.set_readout(None)
            return
        k, t, unit = self._hover
        m = self.maps[k]
        if t >= m.steps or unit >= m.units:
            self.set_readout(None)
            return
        self.set_readout(self._describe(m, t, unit))

    def _describe(self, m: HeatMap, t: int, unit: int) -> str:
        raise NotImplementedError

    def _add_map(self, row: int, levels, title: str, name: str, short_title=None) -> None:
        m = HeatMap(self, title, levels, name=name, short_title=short_title)
        self.view.addItem(m.plot, row=row, col=0)
        self.maps.append(m)

    def _add_bar(self, row: int, levels, label: str, rowspan: int = 1) -> None:
        bar = color_bar(map_of(levels), levels, label)
        self.view.addItem(bar, row=row, col=1, rowspan=rowspan)
        self.bars.append(bar)

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        drawn = self._maps_of(snapshot)
        if isinstance(drawn, str):
            self._steps = 0  # no maps: no step for the keys and clicks to move to
            self.show_message(drawn)
            return
        key, rebuild, values = drawn
        if key != self._shape_key:
            rebuild()
            self._shape_key = key
        for m, v in zip(self.maps, values, strict=True):
            m.set_data(v)
        self._steps = self.maps[0].steps
        self._place_cursor()
        self._refresh_hover()
        self.show_plots()

    def _maps_of(self, snapshot) -> tuple[object, Callable[[], None], list[np.ndarray]] | str:
        """What ``snapshot`` shows: the maps' shape key (they are rebuilt when it changes),
        how to rebuild them, and each map's (T, H) values; or the message shown instead when
        it has nothing to map."""
        raise NotImplementedError


def _cell_of(snapshot) -> str | None:
    """The cell of ``snapshot``'s run ("lstm", …), None before the first snapshot."""
    return None if snapshot is None else snapshot.layout.cell


class HiddenStatePanel(_HeatMapPanel):
    """Hidden states h_t of the example, unrolled: one heat map time × unit per layer and
    direction, on the fixed levels of h.

    Signals: ``cursor_moved(int)``, ``unit_selected(int)``.
    Slots: ``show_snapshot(snapshot)``, ``set_cursor(int)``, ``set_unit(int)``,
    ``set_layer(int)`` (kept while every layer·direction is shown).

    ``most_maps`` (None: no limit) caps the maps: a model with more layer·directions shows
    only the chosen one (``set_layer``), as the gates do. Compare mode's columns, one per run
    under the shared plots, have room for two maps, not a deep bidirectional model's four.
    """

    name = "hidden"
    most_maps: int | None = None
    about = (
        "The hidden state h_t, the network's memory, at every time step of the example. "
        "Each row is one hidden unit, each column one time step; red is positive, blue "
        "negative, white near zero. A unit that stays one colour over many steps is holding "
        "on to something; one that flips with the input is reacting to it."
    )

    @property
    def formula(self) -> str:
        """h_t's equation for the shown run's cell (before the first run: every cell's)."""
        return cell_formula(_cell_of(self.snapshot), ("h_t",))

    def _shown(self, snapshot) -> list[int]:
        """The entries of ``snapshot.layout`` shown: all, or the chosen one past ``most_maps``."""
        count = min(snapshot.layout.count, len(snapshot.hidden))
        if self.most_maps is not None and count > self.most_maps:
            return [self.layer()]
        return list(range(count))

    def _layer_changed(self) -> None:
        if self.most_maps is not None and self.snapshot.layout.count > self.most_maps:
            self.show_snapshot(self.snapshot)

    def _rebuild(self, snapshot, labels: list[str], steps: int, units: int) -> None:
        self._clear()
        levels = fixed_levels(*snapshot.layout.value_range("h"))
        for row, label in enumerate(labels):
            self._add_map(row, levels, label, label)
        self._add_bar(0, levels, "hidden state h", rowspan=max(1, len(labels)))
        self._finish_rows(steps, units)

    def _maps_of(self, snapshot):
        if not snapshot.hidden:
            return "This snapshot holds no hidden states."
        shown = self._shown(snapshot)
        hidden = [snapshot.hidden[k] for k in shown]  # (T, H) each
        labels = [snapshot.layout.labels[k] for k in shown]
        steps, units = hidden[0].shape
        key = (tuple(labels), snapshot.layout.value_range("h"), steps, units)
        return key, lambda: self._rebuild(snapshot, labels, steps, units), hidden

    def _describe(self, m: HeatMap, t: int, unit: int) -> str:
        return f"{m.name}   t = {t}   unit {unit}   h = {m.value(t, unit):+.4f}"


class GatePanel(_HeatMapPanel):
    """Gate activations and the LSTM cell state of one layer·direction (``set_layer``), one
    heat map each, on the fixed levels of its values. A vanilla RNN has no gates and gets a
    message instead.

    Signals: ``cursor_moved(int)``, ``unit_selected(int)``.
    Slots: ``show_snapshot(snapshot)``, ``set_cursor(int)``, ``set_unit(int)``,
    ``set_layer(int)`` (which layer·direction, in the snapshot's layer-major order).
    """

    name = "gates"
    about = (
        "The gates of one layer (the layer selector picks which), at every time step and "
        "unit. A gate is a dial from 0 (closed, dark purple) to 1 (open, yellow): "
        "the forget gate says how much of the memory to keep, the input gate how much new "
        "to write, the output gate how much to show. For an LSTM the last map is the cell "
        "state c, the memory itself."
    )

    @property
    def formula(self) -> str:
        """The gates' (and the LSTM cell state's) equations for the shown run's cell; before
        the first run, the LSTM's and the GRU's."""
        cell = _cell_of(self.snapshot)
        if cell is not None and cell.startswith("rnn"):
            return "A plain RNN has no gates: " + cell_formula(cell)
        gates = ("i_t", "f_t", "g_t", "o_t", "c_t", "r_t", "z_t", "n_t")
        return cell_formula(cell, gates)

    #: each map has its own colour bar, labelled with its gate's letter
    titles_optional = True

    def map_spacing(self) -> int:
        # with no title row between them, the unit labels at the maps' ends ("15" under one,
        # "0" over the next) need most of a line of room to stay apart
        return round(tick_label_height() * 0.8)

    def _layer_changed(self) -> None:
        self.show_snapshot(self.snapshot)

    def _rebuild(self, layout, names: tuple[str, ...], steps: int, units: int) -> None:
        self._clear()
        for row, name in enumerate(names):
            levels = fixed_levels(*layout.value_range(name))
            title = CELL_STATE_DESCRIPTION if name == "c" else GATE_DESCRIPTIONS.get(name, name)
            self._add_map(row, levels, title, name, short_title=title.split(":")[0])
            self._add_bar(row, levels, name)
        self._finish_rows(steps, units)

    def _maps_of(self, snapshot):
        gates = snapshot.gates
        if not gates:
            return "This snapshot holds no gate activations."
        k = min(self.layer(), len(gates) - 1)
        chosen = gates[k]
        cell = snapshot.cell_states[k] if k < len(snapshot.cell_states) else None
        layout = snapshot.layout
        names = tuple(n for n in layout.gates if n in chosen) + (() if cell is None else ("c",))
        if not names:
            return NO_GATES_MESSAGE
        values = [cell if n == "c" else chosen[n] for n in names]
        steps, units = values[0].shape
        key = (names, tuple(layout.value_range(n) for n in names), steps, units)
        return key, lambda: self._rebuild(layout, names, steps, units), values

    def _describe(self, m: HeatMap, t: int, unit: int) -> str:
        where = self.snapshot.layout.labels[self.layer()]
        value = m.value(t, unit)
        number = f"{value:+.4f}" if m.levels[0] < 0 else f"{value:.4f}"
        what = m.title.split(":")[0]
        return f"{what} ({where})   t = {t}   unit {unit}   {m.name} = {number}"
