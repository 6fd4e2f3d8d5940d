"""The character model's demo view: what the network reads, predicts and writes.

From top to bottom:

- **The example text coloured by one hidden unit** (the one selected in the heat maps, or with
  the spin box here): each character's background is h_t of that unit after reading it, on the
  blue–white–red map −1 … +1, as in Karpathy's and LSTMVis's pictures. The time cursor's
  character is outlined; clicking a character moves the cursor. The line under it reads out the
  value and what the network expected next at the cursor.
- Three tabs:

  - **Predictive keyboard**: type, and the network's top next characters appear as keys with
    their probabilities (click one to type it), with the greedy completion after the end of
    what was typed, like a phone keyboard ("…say hi that i **am walking home** ⏎"). Capital
    letters the training text lacks are read as lower case; other characters it never saw are
    left out (and named). The page fits a projector window's demo area (about 400 × 560 px)
    without scrolling: the keys, bars and percentages shrink with it.
  - **Sentence scorer**: log P of two sentences (nats; closer to 0 is more probable) and which
    one the network prefers, by how much; a button switches between the word-order pair ("the
    cat is small" / "small is the cat") and the word-choice pair ("walking home after school"
    / "walking house after school").
  - **Live samples** at a temperature (the spin box; ``temperature_changed(float)`` tells the
    controller, which applies it live). A new sample is drawn with the newest weights at most
    every ``SAMPLE_INTERVAL_MS``, generated a few characters per event-loop turn so the window
    never stalls, and shown when complete. The seed is fixed until "New sample" changes it, so
    successive samples differ only because the network learned.

- **Open text file…**: the file is checked (``load_text_file``); a good one is announced with
  ``text_file_chosen(path)`` (the window restarts the run on it), a bad one shows the
  ``CorpusError`` message here and emits ``failed(message)``.

A run of a lesson's settings opens the tab the lesson's "demo" field names
(``lesson_section``: the word-order lesson opens the scorer), once per lesson. The text fields
take the keyboard only when clicked, never when their tab is shown or by Tab, and Escape gives
it back: a field with the focus takes the space bar before the window's play/pause.

Everything that needs the network runs a private copy built from the snapshot's weights
(``SnapshotModel``), on the GUI thread, at most every ``REFRESH_MS`` while training runs.

Signals: ``cursor_moved(int)``, ``unit_selected(int)``, ``temperature_changed(float)``,
``text_file_chosen(str)``, ``failed(str)``.
Slots: ``show_snapshot(snapshot)``, ``set_cursor(int)``, ``select_unit(int)``,
``select_layer(int)``, ``set_temperature(float)``, ``open_text_file(str)``, ``refresh()``.
"""

from __future__ import annotations

import copy
import functools
import html
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rnnviz.gui.demos._text_widgets import (
    ActivationText,
    ColorKey,
    ElidedLabel,
    ProbabilityBars,
    TypingField,
    char_glyph,
    mono_font,
    percent,
    value_colors,
)
from rnnviz.gui.panels._common import (
    BACKGROUND,
    FOREGROUND,
    OKABE_ITO,
    TEXT_PT,
    direction_labels,
    font,
    layers_and_directions,
)
from rnnviz.tasks.corpora import CorpusError, load_text_file
from rnnviz.tasks.text import (
    START,
    TextTask,
    Vocabulary,
    char_log_probs,
    greedy_completion,
    next_char_distribution,
    sentence_log_prob,
    softmax_with_temperature,
)
from rnnviz.training.inference import SnapshotModel
from rnnviz.training.presets import PresetError, list_presets
from rnnviz.training.settings import find_setting

__all__ = ["SampleStream", "TextView", "fit_to_vocabulary", "lesson_section"]

#: Keyboard, scorer and readout follow new weights at most this often while training runs.
REFRESH_MS = 250
#: A new live sample starts at most this often.
SAMPLE_INTERVAL_MS = 600
#: Characters per live sample.
SAMPLE_CHARS = 240
#: Time the sampler may take per event-loop turn, in seconds.
SAMPLE_BUDGET_S = 0.004
#: Keys on the keyboard's suggestion row.
TOP_KEYS = 8
#: Characters of the greedy completion (it also stops at a line end).
COMPLETION_CHARS = 40
#: At most this many of the typed characters are repeated before the completion (from a word
#: start, after "…"): the text field above shows them all.
COMPLETION_CONTEXT = 16
#: Surprise (bits) drawn darkest red in the sentence scorer.
SURPRISE_BITS = 6.0
#: Temperature range of the spin box: the setting's own, from the settings table.
TEMPERATURE_RANGE = (find_setting("temperature").low, find_setting("temperature").high)

WORD_ORDER = ("the cat is small", "small is the cat")
WORD_CHOICE = ("walking home after school", "walking house after school")
KEYBOARD_PROMPT = "i want to say hi that i"

GOOD = OKABE_ITO[2]
BAD = OKABE_ITO[4]
MUTED = "#555555"
BIDIRECTIONAL_NOTE = (
    "This network is bidirectional: it also reads the text from the end, so it is not a "
    "language model and these guesses mean little. Turn 'bidirectional' off."
)


def fit_to_vocabulary(text: str, vocab: Vocabulary) -> tuple[str, list[str]]:
    """``text`` in the network's characters: a character it never saw is replaced by its lower
    case when that is known ("I" → "i"), else left out. Returns the text and the distinct
    characters left out."""
    kept, dropped = [], []
    for c in text:
        if c in vocab:
            kept.append(c)
        elif c.lower() in vocab:
            kept.append(c.lower())
        elif c not in dropped:
            dropped.append(c)
    return "".join(kept), dropped


def lesson_section(preset) -> str | None:
    """The tab ("keyboard", "scorer" or "samples") a lesson preset is about: its "demo"
    field; None when it names none."""
    return preset.demo


@functools.cache
def _text_lessons() -> tuple[tuple[object, str, str], ...]:
    """(config, name, tab) of each character-model lesson whose words name a tab (read once:
    the preset files do not change while the window runs)."""
    try:
        presets = list_presets()
    except PresetError:  # a broken preset file: the window reports it when it is opened
        return ()
    out = []
    for preset in presets:
        section = lesson_section(preset)
        if preset.config.task.value == "text" and section is not None:
            out.append((preset.config, preset.name, section))
    return tuple(out)


def _lesson_of(config) -> tuple[str, str] | None:
    """(name, tab) of the lesson whose settings ``config`` are, or None."""
    for lesson_config, name, section in _text_lessons():
        if lesson_config == config:
            return name, section
    return None


#: A word longer than this may break anywhere: an untrained model completes with one long
#: "word" ("oooooooo…") that would otherwise make the keyboard page wider than the demo.
LONGEST_UNBROKEN_WORD = 12
_ZERO_WIDTH_SPACE = "\u200b"


def breakable(text: str) -> str:
    """``text`` with a zero-width space, where Qt may wrap a line, between the characters of
    every word longer than ``LONGEST_UNBROKEN_WORD``; shorter words still wrap whole."""
    words = text.split(" ")
    return " ".join(
        _ZERO_WIDTH_SPACE.join(word) if len(word) > LONGEST_UNBROKEN_WORD else word
        for word in words
    )


def completion_html(prefix: str, completion: str) -> str:
    """The keyboard's completion line: the end of what was typed (``COMPLETION_CONTEXT``
    characters at most, from a word start, after "…"), then the completion in bold, then "⏎"
    if it ends the line, else "…". Spaces are kept and the line may wrap between words, and
    inside a word too long for a line (``breakable``)."""
    context = prefix
    if len(prefix) > COMPLETION_CONTEXT:
        context = prefix[-COMPLETION_CONTEXT:]
        space = context.find(" ")
        if 0 <= space < len(context) - 1:
            context = context[space + 1 :]
        context = "…" + context
    shown = completion.rstrip("\n")
    end = " ⏎" if completion.endswith("\n") else " …"
    return (
        '<div style="white-space: pre-wrap">'
        f'<span style="color:{FOREGROUND}">{html.escape(breakable(context))}</span>'
        f'<span style="color:{OKABE_ITO[0]}; font-weight: bold">'
        f"{html.escape(breakable(shown))}</span>"
        f'<span style="color:{MUTED}">{end}</span></div>'
    )


def _quoted(chars: list[str]) -> str:
    return ", ".join(f"“{char_glyph(c, key=True)}”" for c in chars)


class SampleStream:
    """A sample drawn a few characters at a time: the same draws as
    ``rnnviz.tasks.text.sample(model, vocab, prompt, length, temperature,
    rng=np.random.default_rng(seed), start=start)``, so that the window can spread the work
    over several event-loop turns."""

    def __init__(
        self, model, vocab: Vocabulary, prompt: str, length: int, temperature: float, seed: int
    ) -> None:
        self.model, self.vocab = model, vocab
        self.length, self.temperature = int(length), float(temperature)
        self.rng = np.random.default_rng(seed)
        lead = START if all(c in vocab for c in START) else ""
        codes = vocab.encode(lead + prompt)
        if codes.size == 0:
            raise ValueError("nothing to start a sample from")
        outputs, self.h, _ = model.forward(vocab.one_hot(codes[:, None]))  # (n, 1, V)
        self.logits = np.asarray(outputs[-1, 0], dtype=np.float64)  # (V,)
        self.codes: list[int] = []

    @property
    def done(self) -> bool:
        return len(self.codes) >= self.length

    @property
    def text(self) -> str:
        return self.vocab.decode(self.codes)

    def step(self) -> None:
        """Draw one more character."""
        p = softmax_with_temperature(self.logits, self.temperature)  # (V,)
        code = min(int(np.searchsorted(np.cumsum(p), self.rng.random(), side="right")), p.size - 1)
        self.codes.append(code)
        if self.done:
            return
        x = self.vocab.one_hot(np.array([[code]]))  # (1, 1, V)
        outputs, self.h, _ = self.model.forward(x, self.h)
        self.logits = np.asarray(outputs[-1, 0], dtype=np.float64)

    def run(self, budget_s: float) -> bool:
        """Draw characters for about ``budget_s`` seconds (at least one); True when done."""
        deadline = time.perf_counter() + budget_s
        while not self.done:
            self.step()
            if time.perf_counter() >= deadline:
                break
        return self.done


def _label(text: str = "", points: int = TEXT_PT, bold=False, wrap=True, color=None) -> QLabel:
    label = QLabel(text)
    label.setFont(font(points, bold))
    label.setWordWrap(wrap)
    label.setStyleSheet(f"QLabel {{ color: {color or FOREGROUND}; }}")
    return label


class TextView(QWidget):
    """The character model's demo view (see the module docstring).

    Attributes for inspection (and tests): ``activation_text`` (``colors``, ``cursor``),
    ``keyboard_edit``, ``suggestions`` (``chars``, ``probs``), ``completion``,
    ``sentence_edits``, ``scores`` (log P of each sentence, None when it cannot be scored),
    ``temperature_box``, ``sample_label``, ``status_label``, ``tabs``.
    """

    cursor_moved = Signal(int)
    #: The user picked a unit with the spin box here.
    unit_selected = Signal(int)
    #: The user changed the sampling temperature.
    temperature_changed = Signal(float)
    #: The user chose a text file that loads; the window restarts the run on it.
    text_file_chosen = Signal(str)
    #: Something went wrong that the user should read (a bad text file).
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.snapshot = None
        self._model = SnapshotModel()  # keyboard, scorer, sampler (the sampler runs a copy)
        self._vocab: Vocabulary | None = None
        self._run_id: int | None = None
        self._codes = np.zeros(0, np.int64)
        self._requested_cursor = 0
        self._unit = 0
        self._layer = 0
        self._config_temperature: float | None = None
        self._sample_seed = 0
        self._sampler: SampleStream | None = None
        self._sample_wanted = False
        self._last_sample_start = -math.inf
        self._hovered = -1
        self._sample_info = (0, 1.0)
        self._lesson: str | None = None  # the lesson whose tab was last opened
        self.scores: list[float | None] = [None, None]
        self.surprise: list[np.ndarray | None] = [None, None]  # bits per character
        self.completion = ""
        #: Asks the user for a text file (replaceable, so that tests need no modal dialog).
        self.ask_for_file: Callable[[], str] = self._ask_for_file

        self.setAutoFillBackground(True)
        self.setStyleSheet(f"TextView {{ background: {BACKGROUND}; }}")
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._sample_timer = QTimer(self)
        self._sample_timer.setInterval(0)
        self._sample_timer.timeout.connect(self._continue_sample)
        self._sample_gate = QTimer(self)
        self._sample_gate.setSingleShot(True)
        self._sample_gate.timeout.connect(self._start_sample_if_due)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addLayout(self._build_header())
        layout.addWidget(self._build_example())
        self.tabs = QTabWidget()
        self.tabs.setFont(font(TEXT_PT + 1, bold=True))
        # each page scrolls up and down rather than being squeezed when the view is small; it
        # never needs to scroll sideways (its lines wrap or are cut with "…")
        for page, title in (
            (self._build_keyboard(), "Keyboard"),
            (self._build_scorer(), "Scorer"),
            (self._build_samples(), "Samples"),
        ):
            page.setObjectName("page")
            page.setStyleSheet(f"#page {{ background: {BACKGROUND}; }}")
            scroll = QScrollArea()
            scroll.setWidget(page)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.tabs.addTab(scroll, title)
        for k, tip in enumerate(
            ("The predictive keyboard", "The sentence scorer", "Live samples at a temperature")
        ):
            self.tabs.setTabToolTip(k, tip)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        # the tabs get the room the title and the example leave, not their preferred height:
        # else the example's rows were cut at a projector's size
        self.tabs.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        layout.addWidget(self.tabs, 1)
        self.typing_fields = (self.keyboard_edit, *self.sentence_edits)
        self._show_waiting()

    # ---------------------------------------------------------------- building

    def _build_header(self) -> QHBoxLayout:
        self.title_label = _label("Character model", TEXT_PT + 3, bold=True, wrap=False)
        # the iteration and loss beside the title, cut rather than wrapped: a title wrapped over
        # four lines pushed the keyboard out of a projector's window
        self.progress_label = ElidedLabel()
        self.progress_label.setFont(font(TEXT_PT))
        self.progress_label.setStyleSheet(f"QLabel {{ color: {MUTED}; }}")
        self.open_button = QPushButton("Open text file…")
        self.open_button.setFont(font(TEXT_PT))
        self.open_button.clicked.connect(self._choose_file)
        self.status_label = _label("", TEXT_PT)
        self.status_label.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.title_label)
        row.addSpacing(4)
        row.addWidget(self.progress_label, 1, Qt.AlignmentFlag.AlignBaseline)
        row.addWidget(self.open_button)
        column = QVBoxLayout()
        column.addLayout(row)
        column.addWidget(self.status_label)
        outer = QHBoxLayout()
        outer.addLayout(column)
        return outer

    def _build_example(self) -> QWidget:
        box = QWidget()
        self.unit_box = QSpinBox()
        self.unit_box.setFont(font(TEXT_PT))
        self.unit_box.setRange(0, 0)
        self.unit_box.setPrefix("hidden unit ")
        self.unit_box.valueChanged.connect(self._on_unit_chosen)
        self.layer_box = QComboBox()
        self.layer_box.setFont(font(TEXT_PT))
        self.layer_box.currentIndexChanged.connect(self._on_layer_chosen)
        self.layer_box.setVisible(False)
        caption = _label("Text coloured by", TEXT_PT, bold=True, wrap=False)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(caption)
        row.addWidget(self.unit_box)
        row.addWidget(self.layer_box)
        row.addStretch(1)
        self.activation_text = ActivationText(20)
        self.activation_text.clicked.connect(self._on_char_clicked)
        self.activation_text.hovered.connect(self._on_char_hovered)
        self.readout = _label("", TEXT_PT, color=FOREGROUND)
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # the guesses under both the read-out and the colour key, on one line: as many as fit
        # (beside the key they took three lines at a projector's size)
        self.readout_next = ElidedLabel()
        self.readout_next.setFont(font(TEXT_PT))
        self.readout_next.setTextFormat(Qt.TextFormat.PlainText)
        self.readout_next.setVisible(False)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addLayout(row)
        column.addWidget(self.activation_text)
        below = QHBoxLayout()  # the colour key here, not beside the caption: a narrower view
        below.setContentsMargins(0, 0, 0, 0)
        below.addWidget(self.readout, 1)
        below.addWidget(ColorKey(), 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(below)
        column.addWidget(self.readout_next)
        return box

    def _build_keyboard(self) -> QWidget:
        page = QWidget()
        self.keyboard_edit = TypingField(KEYBOARD_PROMPT)
        self.keyboard_edit.setFont(font(TEXT_PT + 6))
        self.keyboard_edit.setPlaceholderText("Type a message…")
        self.keyboard_edit.setClearButtonEnabled(True)
        self.keyboard_edit.textChanged.connect(self._update_keyboard)
        self.completion_label = QLabel()
        self.completion_label.setFont(font(TEXT_PT + 4))
        self.completion_label.setTextFormat(Qt.TextFormat.RichText)
        self.completion_label.setWordWrap(True)
        self.completion_label.setToolTip(
            "What the network would write next, one best guess at a time"
        )
        self.suggestions = ProbabilityBars()
        self.suggestions.key_clicked.connect(self._type_key)
        self.keyboard_note = _label("", TEXT_PT - 1, color=MUTED)
        self.keyboard_note.setVisible(False)
        column = QVBoxLayout(page)
        column.setContentsMargins(6, 6, 6, 4)
        column.setSpacing(4)
        column.addWidget(self.keyboard_edit)
        column.addWidget(self.completion_label)
        column.addWidget(_label("Guesses for the next character:", TEXT_PT, bold=True))
        column.addWidget(self.suggestions, 1)
        column.addWidget(self.keyboard_note)
        return page

    def _build_scorer(self) -> QWidget:
        page = QWidget()
        explanation = _label("closer to 0 = more probable", TEXT_PT - 1, color=MUTED)
        explanation.setToolTip(
            "log P(sentence): the log-probabilities of its characters and of the line end, "
            "summed, in nats"
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        # the scores under a "log P" heading, as short numbers: "log P = …" beside each sentence
        # left the sentences too little room at a projector's size
        heading = _label("log P (nats)", TEXT_PT - 1, bold=True, wrap=False, color=MUTED)
        heading.setToolTip(explanation.toolTip())
        grid.addWidget(explanation, 0, 0)
        grid.addWidget(heading, 0, 1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        score_font = font(TEXT_PT + 2, bold=True)
        score_width = QFontMetrics(score_font).horizontalAdvance("−99.9  ✓") + 4
        self.sentence_edits: list[QLineEdit] = []
        self.score_labels: list[QLabel] = []
        self.surprise_strips: list[ActivationText] = []
        for k, text in enumerate(WORD_ORDER):
            edit = TypingField(text)
            edit.setFont(font(TEXT_PT + 3))
            edit.textChanged.connect(self._update_scores)
            score = QLabel()
            score.setFont(score_font)
            score.setMinimumWidth(score_width)  # the same width whatever the number: no jumps
            score.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            score.setToolTip("log P of this sentence in nats")
            strip = ActivationText(TEXT_PT + 4)
            strip.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            strip.hovered.connect(lambda t, k=k: self._on_surprise_hovered(k, t))
            grid.addWidget(edit, 2 * k + 1, 0)
            grid.addWidget(score, 2 * k + 1, 1)
            grid.addWidget(strip, 2 * k + 2, 0, 1, 2)
            self.sentence_edits.append(edit)
            self.score_labels.append(score)
            self.surprise_strips.append(strip)
        grid.setColumnStretch(0, 1)
        self.surprise_label = _label(
            f"Each character's surprise, −log₂ P: white = expected, dark red = "
            f"{SURPRISE_BITS:g} bits or more. Hover for the exact value.",
            TEXT_PT - 1,
            color=MUTED,
        )
        self.verdict_label = _label("", TEXT_PT + 2, bold=True)
        self.verdict_label.setTextFormat(Qt.TextFormat.RichText)
        self.pair_button = QPushButton()
        self.pair_button.setFont(font(TEXT_PT))
        self.pair_button.clicked.connect(self.switch_sentences)
        self._set_pair_button()
        self.scorer_note = _label("", TEXT_PT - 1, color=MUTED)
        column = QVBoxLayout(page)
        column.setContentsMargins(6, 6, 6, 4)
        column.setSpacing(6)
        column.addLayout(grid)
        # the verdict first, the key to the colours after it: what the lesson is about should
        # not need scrolling to
        column.addWidget(self.verdict_label)
        row = QHBoxLayout()
        row.addWidget(self.pair_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self.surprise_label)
        column.addWidget(self.scorer_note)
        column.addStretch(1)
        return page

    def _build_samples(self) -> QWidget:
        page = QWidget()
        self.temperature_box = QDoubleSpinBox()
        self.temperature_box.setFont(font(TEXT_PT))
        self.temperature_box.setRange(*TEMPERATURE_RANGE)
        self.temperature_box.setDecimals(2)
        self.temperature_box.setSingleStep(0.1)
        self.temperature_box.setValue(1.0)
        self.temperature_box.setKeyboardTracking(False)
        self.temperature_box.valueChanged.connect(self._on_temperature_chosen)
        self.new_sample_button = QPushButton("New sample")
        self.new_sample_button.setFont(font(TEXT_PT))
        self.new_sample_button.clicked.connect(self.new_sample)
        row = QHBoxLayout()
        row.addWidget(_label("Temperature", TEXT_PT, bold=True, wrap=False))
        row.addWidget(self.temperature_box)
        row.addStretch(1)
        row.addWidget(self.new_sample_button)
        # the hint on its own line: beside the spin box it squeezed into five lines and pushed
        # the button out of a projector's window
        hint = _label(
            "low: safe · 1: the network's own odds · high: wild", TEXT_PT - 1, color=MUTED
        )
        self.sample_label = QLabel()
        self.sample_label.setFont(mono_font(TEXT_PT + 3))
        self.sample_label.setWordWrap(True)
        self.sample_label.setTextFormat(Qt.TextFormat.PlainText)
        self.sample_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.sample_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sample_label.setStyleSheet(
            f"QLabel {{ color: {FOREGROUND}; background: #f6f6f6; border: 1px solid #cccccc; "
            "padding: 8px; }"
        )
        self.sample_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.sample_label.setMinimumHeight(6 * self.sample_label.fontMetrics().height())
        self.sample_caption = _label("", TEXT_PT - 1, color=MUTED)
        column = QVBoxLayout(page)
        column.setContentsMargins(6, 6, 6, 4)
        column.setSpacing(4)
        column.addLayout(row)
        column.addWidget(hint)
        column.addWidget(self.sample_label, 1)
        column.addWidget(self.sample_caption)
        return page

    def _show_waiting(self) -> None:
        self.readout.setText("Waiting for the first training snapshot…")
        self._show_next_guesses("")
        self.progress_label.set_full_text("")
        self.completion_label.setText("")
        self.sample_label.setText("")

    # ---------------------------------------------------------------- sections

    SECTIONS = ("keyboard", "scorer", "samples")

    def set_section(self, name: str) -> None:
        """Show the tab ``name``: "keyboard", "scorer" or "samples" (for lesson presets)."""
        self.tabs.setCurrentIndex(self.SECTIONS.index(name))

    def section(self) -> str:
        return self.SECTIONS[self.tabs.currentIndex()]

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        # Qt gives a shown page the focus back where it was, which may be a text field the
        # user typed in before: then the space bar would type instead of play/pause
        self._release_typing_fields()
        self.refresh()

    def _release_typing_fields(self) -> None:
        """No text field keeps or gets back the keyboard focus until the user clicks it."""
        for field in self.typing_fields:
            # clearFocus also makes the field's parents forget it as the child to focus again
            field.clearFocus()

    # ---------------------------------------------------------------- snapshots

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        """Colour the example at once; refresh the network's guesses at most every
        ``REFRESH_MS``."""
        self.snapshot = snapshot
        predictions = snapshot.predictions
        if getattr(snapshot.config, "task", None) != "text" or "text" not in predictions:
            task = getattr(getattr(snapshot.config, "task", None), "value", "other")
            self._vocab = None
            self.activation_text.set_text([], None)
            self.readout.setText(
                f"The text view shows the character model; this run trains the {task} task."
            )
            self._show_next_guesses("")
            return
        if snapshot.run_id != self._run_id or self._vocab is None:
            self._run_id = snapshot.run_id
            self._open_lesson_section(snapshot.config)
            self._model.update(snapshot)
            task = self._model.task
            self._vocab = task.vocab if isinstance(task, TextTask) else None
            self._update_now()
        self._codes = np.asarray(predictions["text"], dtype=np.int64)
        self._sync_temperature(snapshot.config.temperature)
        self._sync_units(snapshot)
        self._title()
        self._color_example()
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _open_lesson_section(self, config) -> None:
        """A run of a lesson's settings opens the tab the lesson is about ("word order" opens
        the scorer), once per lesson: a reset or a new seed leaves the tab the user chose."""
        lesson = _lesson_of(config)
        if lesson is not None and lesson[0] != self._lesson:
            self._lesson = lesson[0]
            self.set_section(lesson[1])

    def _title(self) -> None:
        s = self.snapshot
        if math.isfinite(s.loss):
            loss = f"loss {s.loss:.2f}"
            self.progress_label.set_full_text(
                f"iteration {s.iteration} · {loss} nats/char", f"it. {s.iteration} · {loss}", loss
            )
        else:
            self.progress_label.set_full_text(f"iteration {s.iteration}", f"it. {s.iteration}")

    def _sync_temperature(self, temperature: float) -> None:
        """Follow the config's temperature when it changes there (a preset, a reset), not when
        an older snapshot still carries the previous one after the user changed it here."""
        if temperature != self._config_temperature:
            self._config_temperature = temperature
            self.set_temperature(temperature)

    def _sync_units(self, snapshot) -> None:
        hidden = snapshot.hidden
        if not hidden:
            return
        layers, directions = layers_and_directions(snapshot, len(hidden))
        labels = direction_labels(layers, directions)
        current = [self.layer_box.itemText(k) for k in range(self.layer_box.count())]
        if labels != current:
            self.layer_box.blockSignals(True)
            self.layer_box.clear()
            self.layer_box.addItems(labels)
            self._layer = min(self._layer, len(labels) - 1)
            self.layer_box.setCurrentIndex(self._layer)
            self.layer_box.blockSignals(False)
            self.layer_box.setVisible(len(labels) > 1)
        units = hidden[0].shape[1]
        if self.unit_box.maximum() != units - 1:
            self.unit_box.blockSignals(True)
            self.unit_box.setRange(0, units - 1)
            self._unit = min(self._unit, units - 1)
            self.unit_box.setValue(self._unit)
            self.unit_box.blockSignals(False)

    @Slot()
    def refresh(self) -> None:
        """Bring the keyboard, the scorer and the samples up to the latest weights now."""
        self._refresh_timer.stop()
        self._update_now()

    def _update_now(self) -> None:
        if self.snapshot is None or self._vocab is None:
            return
        self._update_keyboard()
        self._update_scores()
        self._sample_wanted = True
        self._start_sample_if_due()

    def _ready_model(self):
        """The private model at the latest weights, or None."""
        if self.snapshot is None or self._vocab is None:
            return None
        return self._model.update(self.snapshot)

    def _language_note(self) -> str:
        model = getattr(self.snapshot.config, "model", None) if self.snapshot else None
        return BIDIRECTIONAL_NOTE if getattr(model, "bidirectional", False) else ""

    # ---------------------------------------------------------------- example colouring

    def _values(self) -> np.ndarray | None:
        hidden = self.snapshot.hidden if self.snapshot is not None else ()
        if not hidden or len(self._codes) == 0:
            return None
        layer = hidden[min(self._layer, len(hidden) - 1)]  # (T, H)
        unit = min(self._unit, layer.shape[1] - 1)
        return np.asarray(layer[: len(self._codes), unit], dtype=np.float64)

    def _color_example(self) -> None:
        if self._vocab is None:
            return
        chars = [self._vocab.chars[int(c)] for c in self._codes]
        self.activation_text.set_text(chars, self._values())
        self.activation_text.set_cursor(self.cursor())
        self._update_readout()

    def _update_readout(self) -> None:
        if self._vocab is None or len(self._codes) == 0:
            return
        t = self._hovered if self._hovered >= 0 else self.cursor()
        char = self._vocab.chars[int(self._codes[t])]
        values = self._values()
        parts = [f"step {t}: “{char_glyph(char, key=True)}”"]
        if values is not None and t < len(values):
            parts.append(f"unit {self._unit} = {values[t]:+.2f}".replace("-", "−"))
        predictions = self.snapshot.predictions
        guesses = []
        if "top_chars" in predictions and t < len(predictions["top_chars"]):
            top = [
                f"{char_glyph(self._vocab.chars[int(c)], key=True)} {percent(float(p))}"
                for c, p in zip(
                    predictions["top_chars"][t][:4], predictions["top_probs"][t][:4], strict=True
                )
            ]
            guesses = ["expected next: " + ", ".join(top[:n]) for n in range(len(top), 0, -1)]
        self.readout.setText(" · ".join(parts))
        self._show_next_guesses(*guesses)

    def _show_next_guesses(self, *versions: str) -> None:
        """The read-out's second line: the first of ``versions`` (longest first) that fits."""
        self.readout_next.set_full_text(*(versions or ("",)))
        self.readout_next.setVisible(bool(versions and versions[0]))

    @Slot(int)
    def select_unit(self, unit: int) -> None:
        """Colour the example by hidden unit ``unit`` (clamped); emits nothing."""
        unit = max(0, int(unit))
        if self.unit_box.maximum() > 0:
            unit = min(unit, self.unit_box.maximum())
        self._unit = unit
        self.unit_box.blockSignals(True)
        self.unit_box.setValue(unit)
        self.unit_box.blockSignals(False)
        self._color_example()

    def selected_unit(self) -> int:
        return self._unit

    @Slot(int)
    def select_layer(self, index: int) -> None:
        """Colour by layer·direction ``index`` (0: layer 1 →, in the snapshot's order)."""
        self._layer = max(0, int(index))
        if self._layer < self.layer_box.count():
            self.layer_box.blockSignals(True)
            self.layer_box.setCurrentIndex(self._layer)
            self.layer_box.blockSignals(False)
        self._color_example()

    @Slot(int)
    def _on_unit_chosen(self, unit: int) -> None:
        self._unit = unit
        self._color_example()
        self.unit_selected.emit(unit)

    @Slot(int)
    def _on_layer_chosen(self, index: int) -> None:
        if index >= 0:
            self._layer = index
            self._color_example()

    # ---------------------------------------------------------------- time cursor

    def cursor(self) -> int:
        steps = len(self._codes)
        if steps == 0:
            return max(0, self._requested_cursor)
        return min(max(self._requested_cursor, 0), steps - 1)

    @Slot(int)
    def set_cursor(self, t: int) -> None:
        """Outline character ``t`` of the example (clamped); emits nothing."""
        self._requested_cursor = int(t)
        self.activation_text.set_cursor(self.cursor())
        self._update_readout()

    def _user_cursor(self, t: int) -> None:
        if len(self._codes) == 0:
            return
        t = min(max(int(t), 0), len(self._codes) - 1)
        if t == self.cursor() and t == self._requested_cursor:
            return
        self.set_cursor(t)
        self.cursor_moved.emit(t)

    @Slot(int)
    def _on_char_clicked(self, t: int) -> None:
        self._user_cursor(t)

    @Slot(int)
    def _on_char_hovered(self, t: int) -> None:
        self._hovered = t if t < len(self._codes) else -1
        self._update_readout()

    def keyPressEvent(self, event) -> None:
        steps = len(self._codes)
        moves = {
            Qt.Key.Key_Left: self.cursor() - 1,
            Qt.Key.Key_Right: self.cursor() + 1,
            Qt.Key.Key_Home: 0,
            Qt.Key.Key_End: steps - 1,
        }
        if steps and event.key() in moves:
            self._user_cursor(moves[event.key()])
            event.accept()
            return
        super().keyPressEvent(event)

    # ---------------------------------------------------------------- keyboard

    @Slot()
    def _update_keyboard(self, *_args) -> None:
        model = self._ready_model()
        if model is None:
            return
        typed = self.keyboard_edit.text()
        prefix, dropped = fit_to_vocabulary(typed, self._vocab)
        notes = []
        if dropped:
            notes.append(f"Left out, never seen in the training text: {_quoted(dropped)}.")
        if prefix != typed.translate({ord(c): None for c in dropped}):
            notes.append("Capital letters are read as lower case (the training text has none).")
        note = self._language_note()
        if note:
            notes.append(note)
        try:
            with np.errstate(all="ignore"):
                p = next_char_distribution(model, self._vocab, prefix)
                completion = greedy_completion(
                    model, self._vocab, prefix, COMPLETION_CHARS, stop="\n"
                )
        except ValueError as error:
            self.suggestions.set_probabilities([], [])
            self.completion = ""
            self.completion_label.setText("")
            self.keyboard_note.setText(str(error))
            self.keyboard_note.setVisible(True)
            return
        top = np.argsort(-p, kind="stable")[: min(TOP_KEYS, p.size)]
        self.suggestions.set_probabilities([self._vocab.chars[int(c)] for c in top], p[top])
        self.completion = completion
        self.completion_label.setText(completion_html(prefix, completion))
        self.keyboard_note.setText(" ".join(notes))
        self.keyboard_note.setVisible(bool(notes))

    @Slot(str)
    def _type_key(self, char: str) -> None:
        # the focus stays where it was: a click on a key is not a click in the field
        self.keyboard_edit.setText(self.keyboard_edit.text() + char)

    # ---------------------------------------------------------------- sentence scorer

    def _set_pair_button(self) -> None:
        texts = [e.text() for e in self.sentence_edits]
        # short, so that the button never widens the page; the sentences are in the tooltip
        if tuple(texts) == WORD_CHOICE:
            self.pair_button.setText("Try word order")
            self.pair_button.setToolTip("“the cat is small” / “small is the cat”")
        else:
            self.pair_button.setText("Try word choice")
            self.pair_button.setToolTip("“walking home after school” / “… house …”")

    @Slot()
    def switch_sentences(self) -> None:
        """Switch between the word-order and the word-choice pair of sentences."""
        texts = tuple(e.text() for e in self.sentence_edits)
        pair = WORD_ORDER if texts == WORD_CHOICE else WORD_CHOICE
        for edit, text in zip(self.sentence_edits, pair, strict=True):
            edit.blockSignals(True)
            edit.setText(text)
            edit.blockSignals(False)
        self._set_pair_button()
        self._update_scores()

    @Slot()
    def _update_scores(self, *_args) -> None:
        model = self._ready_model()
        if model is None:
            return
        self._set_pair_button()
        notes = []
        # the sentence is read after a line start and scored up to its line end, as the
        # training lines were; a text without line ends has neither
        end = START if START in self._vocab else ""
        for k, edit in enumerate(self.sentence_edits):
            sentence, dropped = fit_to_vocabulary(edit.text(), self._vocab)
            label = self.score_labels[k]
            strip = self.surprise_strips[k]
            self.scores[k] = None
            self.surprise[k] = None
            label.setStyleSheet(f"QLabel {{ color: {MUTED}; }}")
            if dropped:
                label.setText("–")
                strip.set_text([], None)
                notes.append(
                    f"Sentence {k + 1} has characters the network never saw: {_quoted(dropped)}."
                )
                continue
            try:
                with np.errstate(all="ignore"):
                    score = sentence_log_prob(model, self._vocab, sentence, end=end)
                    logp = char_log_probs(model, self._vocab, sentence + end)
            except ValueError as error:
                label.setText("–")
                strip.set_text([], None)
                notes.append(str(error))
                continue
            self.scores[k] = score
            label.setText(f"{score:.1f}".replace("-", "−"))
            chars = list(sentence + end)
            bits = np.full(len(chars), np.nan)
            bits[len(chars) - len(logp) :] = -logp / math.log(2)  # the first may be unscored
            self.surprise[k] = bits
            shade = np.clip(np.nan_to_num(bits, nan=0.0) / SURPRISE_BITS, 0.0, 1.0)
            colors = value_colors(shade)
            colors[~np.isfinite(bits)] = 230
            strip.set_text(chars, None, colors)
        a, b = self.scores
        for k, label in enumerate(self.score_labels):
            if self.scores[k] is None:
                continue
            other = self.scores[1 - k]
            best = other is None or self.scores[k] >= other
            color = GOOD if best and other is not None else FOREGROUND
            label.setStyleSheet(f"QLabel {{ color: {color}; }}")
            if best and other is not None:
                label.setText(label.text() + "  ✓")
        if a is not None and b is not None and math.isfinite(a) and math.isfinite(b):
            winner = 0 if a >= b else 1
            texts = [e.text() for e in self.sentence_edits]
            ratio = math.exp(min(abs(a - b), 700.0))
            self.verdict_label.setText(
                f"The network prefers “{html.escape(texts[winner])}”: "
                f"{_times(ratio)} more probable than “{html.escape(texts[1 - winner])}”."
            )
            self.verdict_label.setStyleSheet(f"QLabel {{ color: {FOREGROUND}; }}")
        else:
            self.verdict_label.setText("")
        note = self._language_note()
        if note:
            notes.append(note)
        self.scorer_note.setText(" ".join(notes))

    def _on_surprise_hovered(self, k: int, t: int) -> None:
        bits = self.surprise[k]
        strip = self.surprise_strips[k]
        if bits is None or not 0 <= t < len(bits):
            self.surprise_label.setText(
                f"Each character's surprise, −log₂ P: white = expected, dark red = "
                f"{SURPRISE_BITS:g} bits or more. Hover for the exact value."
            )
            return
        char = char_glyph(strip.chars[t], key=True)
        if not math.isfinite(bits[t]):
            self.surprise_label.setText(f"“{char}” is the first character: nothing predicts it.")
            return
        self.surprise_label.setText(
            f"“{char}”: {bits[t]:.2f} bits of surprise; the network gave it "
            f"P = {percent(2.0 ** -bits[t])}"
        )

    # ---------------------------------------------------------------- samples

    def temperature(self) -> float:
        return float(self.temperature_box.value())

    @Slot(float)
    def set_temperature(self, temperature: float) -> None:
        """Show ``temperature`` (from the config) and sample with it; emits nothing."""
        self.temperature_box.blockSignals(True)
        self.temperature_box.setValue(float(temperature))
        self.temperature_box.blockSignals(False)
        self.request_sample()

    @Slot(float)
    def _on_temperature_chosen(self, value: float) -> None:
        self.temperature_changed.emit(float(value))
        self._sample_now()

    @Slot()
    def new_sample(self) -> None:
        """Draw another sample with a new seed, now."""
        self._sample_seed += 1
        self._sample_now()

    def _sample_now(self) -> None:
        """The user asked for a different sample: drop the one in progress, start at once."""
        self._sampler = None
        self._sample_timer.stop()
        self._sample_gate.stop()
        self._last_sample_start = -math.inf
        self.request_sample()

    def request_sample(self) -> None:
        """Ask for a sample with the latest weights and temperature (started when due)."""
        self._sample_wanted = True
        self._start_sample_if_due()

    def _samples_visible(self) -> bool:
        return self.isVisible() and self.tabs.currentIndex() == self.SECTIONS.index("samples")

    @Slot()
    def _start_sample_if_due(self) -> None:
        if not self._sample_wanted or self._sampler is not None or self._vocab is None:
            return
        if self.snapshot is None or not self._samples_visible():
            return
        wait_ms = SAMPLE_INTERVAL_MS - 1000 * (time.monotonic() - self._last_sample_start)
        if wait_ms > 0:
            if not self._sample_gate.isActive():
                self._sample_gate.start(math.ceil(wait_ms))
            return
        model = self._ready_model()
        if model is None:
            return
        # a sample is drawn over several event-loop turns while new weights may be loaded into
        # the private model: it runs its own frozen copy
        model = copy.deepcopy(model)
        self._sample_wanted = False
        self._last_sample_start = time.monotonic()
        try:
            with np.errstate(all="ignore"):
                self._sampler = SampleStream(
                    model, self._vocab, self._sample_prompt(), SAMPLE_CHARS, self.temperature(),
                    self._sample_seed,
                )  # fmt: skip
        except ValueError as error:
            self.sample_label.setText(str(error))
            return
        self._sample_info = (self.snapshot.iteration, self.temperature())
        self._sample_timer.start()

    def _sample_prompt(self) -> str:
        if START in self._vocab:
            return ""
        return self._vocab.chars[int(self._codes[0])] if len(self._codes) else self._vocab.chars[0]

    @Slot()
    def _continue_sample(self) -> None:
        sampler = self._sampler
        if sampler is None:
            self._sample_timer.stop()
            return
        with np.errstate(all="ignore"):
            done = sampler.run(SAMPLE_BUDGET_S)
        if not done:
            return
        self._sample_timer.stop()
        self._sampler = None
        self.sample_label.setText(self._sample_prompt() + sampler.text)
        iteration, temperature = self._sample_info
        caption = f"Sampled at iteration {iteration}, temperature {temperature:g}, seed "
        caption += f"{self._sample_seed}. {self._language_note()}"
        self.sample_caption.setText(caption.strip())
        self._start_sample_if_due()

    def sample_in_progress(self) -> bool:
        return self._sampler is not None

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._start_sample_if_due()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._release_typing_fields()  # else Qt focuses the field again when the tab is shown
        self._sample_timer.stop()
        if self._sampler is not None:  # start over with the newest weights when shown again
            self._sampler = None
            self._sample_wanted = True

    # ---------------------------------------------------------------- text file

    def _ask_for_file(self) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a text file for the character model", "", "Text files (*.txt);;All (*)"
        )
        return path

    @Slot()
    def _choose_file(self) -> None:
        path = self.ask_for_file()
        if path:
            self.open_text_file(path)

    @Slot(str)
    def open_text_file(self, path: str) -> bool:
        """Check the text file ``path``; emit ``text_file_chosen(path)`` if it can be learned
        from, else show why and emit ``failed(message)``. Returns whether it was accepted."""
        try:
            text = load_text_file(path)
            if len(text) < TextTask.MIN_CHARS:
                raise CorpusError(
                    f"{path} is too short to learn from: {len(text)} characters; the network "
                    f"needs at least {TextTask.MIN_CHARS}"
                )
        except CorpusError as error:
            self.show_status(str(error), error=True)
            self.failed.emit(str(error))
            return False
        self.show_status(f"Training restarts on {Path(path).name} ({len(text):,} characters).")
        self.text_file_chosen.emit(str(path))
        return True

    @Slot(str)
    def show_status(self, message: str, error: bool = False) -> None:
        """Show ``message`` under the title (red for an error); an empty message hides it."""
        color = BAD if error else MUTED
        self.status_label.setStyleSheet(f"QLabel {{ color: {color}; }}")
        self.status_label.setText(("⚠ " if error else "") + message)
        self.status_label.setVisible(bool(message))


def _times(ratio: float) -> str:
    """ "about 54 times", "about 3.2 × 10⁶ times", "about as" (for a ratio near 1)."""
    if ratio < 1.05:
        return "hardly"
    if ratio < 10:
        return f"about {ratio:.1f} times"
    if ratio < 1e4:
        return f"about {ratio:,.0f} times"
    exponent = math.floor(math.log10(ratio))
    mantissa = ratio / 10**exponent
    superscript = str(exponent).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"about {mantissa:.1f} × 10{superscript} times"
