"""The text demo's sentence scorer: log P of two sentences (nats; closer to 0 is more probable)
and which one the network prefers, by how much, with each character's surprise (−log₂ P) as a
coloured strip under its sentence. A button switches between the word-order pair ("the cat is
small" / "small is the cat") and the word-choice pair ("walking home after school" /
"walking house after school"). None of them is in the training text, not even inside a longer
line (the classroom corpus holds them out): a line under the verdict says so, or says which
sentence the user typed is in it. Under it, the n-gram tables' sizes beside the network's
parameter count (``text_tables``).
"""

from __future__ import annotations

import html
import math

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from rnnviz.gui.demos._text_widgets import (
    GOOD,
    MUTED,
    TypingField,
    char_glyph,
    fit_to_vocabulary,
    label,
    percent,
    quoted,
    value_colors,
)
from rnnviz.gui.demos.activation_text import ActivationText
from rnnviz.gui.demos.text_run import TextRun
from rnnviz.gui.demos.text_tables import count, sizes_html, table_sizes_label
from rnnviz.gui.panels._common import FOREGROUND, TEXT_PT, font
from rnnviz.training.demos.text import (
    START,
    WORD_CHOICE,
    WORD_ORDER,
    char_log_probs,
    found_in,
    sentence_log_prob,
)

__all__ = ["SURPRISE_BITS", "WORD_CHOICE", "WORD_ORDER", "SentenceScorer"]

#: Surprise (bits) drawn darkest red.
SURPRISE_BITS = 6.0
_SURPRISE_KEY = (
    f"Each character's surprise, −log₂ P: white = expected, dark red = {SURPRISE_BITS:g} bits "
    "or more. Hover for the exact value."
)


def _times(ratio: float) -> str:
    """ "about 54 times", "about 3.2 × 10⁶ times", "hardly" (for a ratio near 1)."""
    if ratio < 1.05:
        return "hardly"
    if ratio < 10:
        return f"about {ratio:.1f} times"
    return f"about {count(ratio)} times"


class SentenceScorer(QWidget):
    """The scorer page (see the module docstring): ``edits`` the two sentences,
    ``score_labels`` their log P, ``scores`` the numbers (None when a sentence cannot be
    scored), ``surprise`` each character's bits, ``verdict_label`` which is preferred,
    ``seen_label`` whether the sentences are in the training text, ``sizes_label`` the n-gram
    tables' sizes and the network's parameters, ``pair_button`` the switch between the
    pairs."""

    def __init__(self, run: TextRun, parent=None) -> None:
        super().__init__(parent)
        self._run = run
        self.scores: list[float | None] = [None, None]
        self.sentences = ["", ""]  # as scored: in the network's characters
        self._seen_key: tuple | None = None  # (run id, sentences) the "seen" note is of
        self._sizes_run: int | None = None  # the run the sizes table is of
        self.surprise: list[np.ndarray | None] = [None, None]  # bits per character
        explanation = label("closer to 0 = more probable", TEXT_PT - 1, color=MUTED)
        explanation.setToolTip(
            "log P(sentence): the log-probabilities of its characters and of the line end, "
            "summed, in nats"
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        # the scores under a "log P" heading, as short numbers: "log P = …" beside each sentence
        # left the sentences too little room at a projector's size
        heading = label("log P (nats)", TEXT_PT - 1, bold=True, wrap=False, color=MUTED)
        heading.setToolTip(explanation.toolTip())
        grid.addWidget(explanation, 0, 0)
        grid.addWidget(heading, 0, 1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        score_font = font(TEXT_PT + 2, bold=True)
        score_width = QFontMetrics(score_font).horizontalAdvance("−99.9  ✓") + 4
        self.edits: list[TypingField] = []
        self.score_labels: list[QLabel] = []
        self.surprise_strips: list[ActivationText] = []
        for k, text in enumerate(WORD_ORDER):
            edit = TypingField(text)
            edit.setFont(font(TEXT_PT + 3))
            edit.textChanged.connect(self.refresh)
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
            self.edits.append(edit)
            self.score_labels.append(score)
            self.surprise_strips.append(strip)
        grid.setColumnStretch(0, 1)
        self.surprise_label = label(_SURPRISE_KEY, TEXT_PT - 1, color=MUTED)
        self.verdict_label = label("", TEXT_PT + 1, bold=True)
        self.verdict_label.setTextFormat(Qt.TextFormat.RichText)
        self.pair_button = QPushButton()
        self.pair_button.setFont(font(TEXT_PT))
        self.pair_button.clicked.connect(self.switch_sentences)
        self._set_pair_button()
        self.note = label("", TEXT_PT - 1, color=MUTED)
        self.seen_label = label("", TEXT_PT)
        self.seen_label.setTextFormat(Qt.TextFormat.RichText)
        self.seen_label.setToolTip(
            "Whether each sentence is in the text the network trained on, as a line or inside "
            "a longer one. The sentences offered here never are: the network scores them by "
            "what it learned from similar ones (“the dog is small”, “my cat is big”)."
        )
        self.sizes_label = table_sizes_label()
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 4)
        column.setSpacing(6)
        column.addLayout(grid)
        # the verdict first, the key to the colours after it: what the lesson is about should
        # not need scrolling to
        column.addWidget(self.verdict_label)
        column.addWidget(self.seen_label)
        column.addWidget(self.sizes_label)
        row = QHBoxLayout()
        row.addWidget(self.pair_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self.surprise_label)
        column.addWidget(self.note)
        column.addStretch(1)

    def _set_pair_button(self) -> None:
        texts = [e.text() for e in self.edits]
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
        texts = tuple(e.text() for e in self.edits)
        pair = WORD_ORDER if texts == WORD_CHOICE else WORD_CHOICE
        for edit, text in zip(self.edits, pair, strict=True):
            edit.blockSignals(True)
            edit.setText(text)
            edit.blockSignals(False)
        self._set_pair_button()
        self.refresh()

    @Slot()
    def refresh(self, *_args) -> None:
        """Score both sentences with the latest weights."""
        model = self._run.model()
        if model is None:
            return
        self._set_pair_button()
        notes = [self._score(k, model) for k in range(2)]
        self._show_verdict()
        # both read only the run's text and tables, not its weights: worked out again only
        # for a new run or new sentences (the training text may be megabytes long)
        seen_key = (self._run.snapshot.run_id, tuple(self.sentences))
        if seen_key != self._seen_key:
            self._seen_key = seen_key
            self.seen_label.setText(self._seen_note())
            self.seen_label.setVisible(bool(self.seen_label.text()))
        if self._run.snapshot.run_id != self._sizes_run:
            self._sizes_run = self._run.snapshot.run_id
            self.sizes_label.setText(sizes_html(self._run.snapshot))
            self.sizes_label.setVisible(bool(self.sizes_label.text()))
        notes.append(self._run.language_note())
        self.note.setText(" ".join(n for n in notes if n))

    def _score(self, k: int, model) -> str:
        """Score sentence ``k``; returns why it could not be scored, or ""."""
        vocab = self._run.vocab
        # the sentence is read after a line start and scored up to its line end, as the
        # training lines were; a text without line ends has neither
        end = START if START in vocab else ""
        sentence, dropped = fit_to_vocabulary(self.edits[k].text(), vocab)
        self.sentences[k] = "" if dropped else sentence
        score_label, strip = self.score_labels[k], self.surprise_strips[k]
        self.scores[k] = None
        self.surprise[k] = None
        score_label.setStyleSheet(f"QLabel {{ color: {MUTED}; }}")
        if dropped:
            score_label.setText("–")
            strip.set_text([], None)
            return f"Sentence {k + 1} has characters the network never saw: {quoted(dropped)}."
        try:
            with np.errstate(all="ignore"):
                score = sentence_log_prob(model, vocab, sentence, end=end)
                logp = char_log_probs(model, vocab, sentence + end)
        except ValueError as error:
            score_label.setText("–")
            strip.set_text([], None)
            return str(error)
        self.scores[k] = score
        score_label.setText(f"{score:.1f}".replace("-", "−"))
        chars = list(sentence + end)
        bits = np.full(len(chars), np.nan)
        bits[len(chars) - len(logp) :] = -logp / math.log(2)  # the first may be unscored
        self.surprise[k] = bits
        shade = np.clip(np.nan_to_num(bits, nan=0.0) / SURPRISE_BITS, 0.0, 1.0)
        colors = value_colors(shade)
        colors[~np.isfinite(bits)] = 230
        strip.set_text(chars, None, colors)
        return ""

    def _seen_note(self) -> str:
        """Whether the sentences scored are in the training text; "" when that cannot be told
        (the text could not be rebuilt) or there is nothing to score."""
        text = self._run.training_text()
        shown = [s for s in self.sentences if s]
        if text is None or not shown:
            return ""
        where = {s: found_in(text, s) for s in shown}
        if not any(where.values()):
            one = len(set(shown)) == 1
            return (
                f"{'This sentence is not' if one else 'Neither sentence is'} in the training text."
            )
        said = []
        for sentence, place in where.items():
            quote = f"“{html.escape(sentence)}”"
            if place == "a line":
                said.append(f"{quote} is a line of the training text.")
            elif place:
                said.append(f"{quote} is in the training text, inside a longer line.")
            else:
                said.append(f"{quote} is not in the training text.")
        return " ".join(said)

    def _show_verdict(self) -> None:
        a, b = self.scores
        for k, score_label in enumerate(self.score_labels):
            if self.scores[k] is None:
                continue
            other = self.scores[1 - k]
            best = other is None or self.scores[k] >= other
            color = GOOD if best and other is not None else FOREGROUND
            score_label.setStyleSheet(f"QLabel {{ color: {color}; }}")
            if best and other is not None:
                score_label.setText(score_label.text() + "  ✓")
        if a is not None and b is not None and math.isfinite(a) and math.isfinite(b):
            winner = 0 if a >= b else 1
            texts = [e.text() for e in self.edits]
            ratio = math.exp(min(abs(a - b), 700.0))
            # the other sentence is not repeated: it stands right above, and the line under
            # the verdict should stay in sight at a projector's size
            self.verdict_label.setText(
                f"The network prefers “{html.escape(texts[winner])}”, "
                f"{_times(ratio)} more probable."
            )
            self.verdict_label.setStyleSheet(f"QLabel {{ color: {FOREGROUND}; }}")
        else:
            self.verdict_label.setText("")

    def _on_surprise_hovered(self, k: int, t: int) -> None:
        bits = self.surprise[k]
        if bits is None or not 0 <= t < len(bits):
            self.surprise_label.setText(_SURPRISE_KEY)
            return
        char = char_glyph(self.surprise_strips[k].chars[t], key=True)
        if not math.isfinite(bits[t]):
            self.surprise_label.setText(f"“{char}” is the first character: nothing predicts it.")
            return
        self.surprise_label.setText(
            f"“{char}”: {bits[t]:.2f} bits of surprise; the network gave it "
            f"P = {percent(2.0 ** -bits[t])}"
        )
