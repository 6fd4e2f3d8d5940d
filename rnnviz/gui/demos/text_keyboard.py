"""The text demo's predictive keyboard: type, and the network's top next characters appear as
keys with their probabilities (click one to type it), with the greedy completion after the end
of what was typed, like a phone keyboard ("…say hi that i **am walking home** ⏎").

Capital letters the training text lacks are read as lower case; other characters it never saw
are left out (and named). The page fits a projector window's demo area (about 400 × 560 px)
without scrolling: the keys, bars and percentages shrink with it. Its prompt, the lecture's
"i want to say hi that i", is in no line of the classroom corpus: the completion is the
network's own, from similar messages ("i only want to say hi that i am late").
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from rnnviz.gui.demos._text_widgets import MUTED, TypingField, fit_to_vocabulary, label, quoted
from rnnviz.gui.demos.probability_bars import ProbabilityBars
from rnnviz.gui.demos.text_run import TextRun
from rnnviz.gui.panels._common import FOREGROUND, OKABE_ITO, TEXT_PT, font
from rnnviz.training.demos.text import (
    KEYBOARD_PROMPT,
    greedy_completion,
    next_char_distribution,
)

__all__ = [
    "COMPLETION_CHARS",
    "COMPLETION_CONTEXT",
    "KEYBOARD_PROMPT",
    "TOP_KEYS",
    "PredictiveKeyboard",
    "breakable",
    "completion_html",
]

#: Keys on the keyboard's suggestion row.
TOP_KEYS = 8
#: Characters of the greedy completion (it also stops at a line end).
COMPLETION_CHARS = 40
#: At most this many of the typed characters are repeated before the completion (from a word
#: start, after "…"): the text field above shows them all.
COMPLETION_CONTEXT = 16
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


class PredictiveKeyboard(QWidget):
    """The keyboard page (see the module docstring): ``edit`` the typed text, ``suggestions``
    the keys (``chars``, ``probs``), ``completion`` the greedy completion and
    ``completion_label`` its line, ``note`` what was left out or read otherwise."""

    def __init__(self, run: TextRun, parent=None) -> None:
        super().__init__(parent)
        self._run = run
        self.completion = ""
        self.edit = TypingField(KEYBOARD_PROMPT)
        self.edit.setFont(font(TEXT_PT + 6))
        self.edit.setPlaceholderText("Type a message…")
        self.edit.setClearButtonEnabled(True)
        self.edit.textChanged.connect(self.refresh)
        self.completion_label = QLabel()
        self.completion_label.setFont(font(TEXT_PT + 4))
        self.completion_label.setTextFormat(Qt.TextFormat.RichText)
        self.completion_label.setWordWrap(True)
        self.completion_label.setToolTip(
            "What the network would write next, one best guess at a time"
        )
        self.suggestions = ProbabilityBars()
        self.suggestions.key_clicked.connect(self._type_key)
        self.note = label("", TEXT_PT - 1, color=MUTED)
        self.note.setVisible(False)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 4)
        column.setSpacing(4)
        column.addWidget(self.edit)
        column.addWidget(self.completion_label)
        column.addWidget(label("Guesses for the next character:", TEXT_PT, bold=True))
        column.addWidget(self.suggestions, 1)
        column.addWidget(self.note)

    def clear(self) -> None:
        self.completion_label.setText("")

    @Slot()
    def refresh(self, *_args) -> None:
        """The guesses and the completion of the typed text, by the latest weights."""
        model = self._run.model()
        if model is None:
            return
        vocab = self._run.vocab
        typed = self.edit.text()
        prefix, dropped = fit_to_vocabulary(typed, vocab)
        notes = []
        if dropped:
            notes.append(f"Left out, never seen in the training text: {quoted(dropped)}.")
        if prefix != typed.translate({ord(c): None for c in dropped}):
            notes.append("Capital letters are read as lower case (the training text has none).")
        note = self._run.language_note()
        if note:
            notes.append(note)
        try:
            with np.errstate(all="ignore"):
                p = next_char_distribution(model, vocab, prefix)
                completion = greedy_completion(model, vocab, prefix, COMPLETION_CHARS, stop="\n")
        except ValueError as error:
            self.suggestions.set_probabilities([], [])
            self.completion = ""
            self.completion_label.setText("")
            self.note.setText(str(error))
            self.note.setVisible(True)
            return
        top = np.argsort(-p, kind="stable")[: min(TOP_KEYS, p.size)]
        self.suggestions.set_probabilities([vocab.chars[int(c)] for c in top], p[top])
        self.completion = completion
        self.completion_label.setText(completion_html(prefix, completion))
        self.note.setText(" ".join(notes))
        self.note.setVisible(bool(notes))

    @Slot(str)
    def _type_key(self, char: str) -> None:
        # the focus stays where it was: a click on a key is not a click in the field
        self.edit.setText(self.edit.text() + char)
