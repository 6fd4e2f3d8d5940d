"""The window's file commands, and the question asked before a trained run is replaced.

Open, save, import weights and open a text file (the File menu); ``ask_to_discard`` runs a
command that replaces the run at once when no work is lost, else asks "Discard the run
trained for N updates?" (Save… / Discard / Cancel) first. A mixin of ``MainWindow``: it uses
the window's ``controller``, ``show_error``, ``statusBar`` and ``_expect_lesson``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rnnviz.training.presets import load_preset

__all__ = ["FileCommands", "describe_import"]

#: How long the status bar shows a confirmation ("Saved to …", "Imported …"), in ms.
CONFIRMATION_MS = 10_000

#: The ignored entries an import's confirmation names before "and N more".
IGNORED_NAMED = 4


def _home_short(path: str) -> str:
    """``path`` with the home folder as ~ (a status bar has little room)."""
    home = str(Path.home())
    return "~" + path[len(home) :] if home != "/" and path.startswith(home + "/") else path


def describe_import(report: dict) -> str:
    """The status bar's confirmation of an import: "Imported 4 recurrent weights and the
    readout from w.npz; ignored: fc1.weight, fc1.bias"."""
    recurrent = list(report.get("recurrent", ()))
    text = f"Imported {len(recurrent)} recurrent weight{'' if len(recurrent) == 1 else 's'}"
    if report.get("readout"):
        text += " and the readout"
    name = Path(str(report.get("path", ""))).name
    if name:
        text += f" from {name}"
    ignored = list(report.get("ignored", ()))
    if ignored:
        named = ", ".join(ignored[:IGNORED_NAMED])
        more = len(ignored) - IGNORED_NAMED
        text += f"; ignored: {named}" + (f" and {more} more" if more > 0 else "")
    return text


class FileCommands:
    """File → Open / Save / Import / Open text file, and asking before a run is discarded."""

    #: "Discard the run trained for … updates?" while it is asked (see ask_to_discard)
    question: QMessageBox | None = None
    _after_save: Callable[[], None] | None = None  # what a Save… answer goes on to
    _saved_note = ""  # "Saved to …", for the status message of the run that follows

    def ask_to_discard(
        self,
        replaced_by: str,
        then: Callable[[], None],
        cancelled: Callable[[], None] | None = None,
    ) -> None:
        """Run ``then`` (which replaces the run) at once if that loses no work: the run is
        untrained or saved since its last update. Else ask first, window-modal, "Discard the
        run trained for 2,400 updates?", ``replaced_by`` saying what takes its place:

        Save…     choose a file, save, and go on once it is saved (not if that fails)
        Discard   go on
        Cancel    keep the run; ``cancelled`` puts back what the user clicked
        """
        updates = self.controller.unsaved_updates
        compared = self.controller.compared  # compare mode: the others go too
        if not updates and not any(h.unsaved_updates for h in compared[1:]):
            then()
            return
        if self.question is not None:  # one at a time (the box blocks the window meanwhile)
            if cancelled is not None:
                cancelled()
            return
        question, keeps = f"Discard the run trained for {updates:,} updates?", "it"
        if compared:
            names = [h.name or "run" for h in compared]
            trained = "; ".join(
                f"{name}: {h.unsaved_updates:,}" for name, h in zip(names, compared, strict=True)
            )
            question = f"Discard the runs side by side (updates: {trained})?"
            keeps = f"the lesson's run ({names[0]})"
        box = QMessageBox(QMessageBox.Icon.Question, "rnnviz", question, parent=self)
        box.setInformativeText(
            f"{replaced_by} Save… keeps {keeps} in a session file first (File → Open session "
            "brings it back)."
        )
        save = box.addButton("Save…", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            self.question = None
            clicked = box.clickedButton()
            if clicked is discard:
                then()
            elif clicked is save and self.save_session(then=then):
                pass  # goes on in _on_session_saved
            elif cancelled is not None:
                cancelled()

        box.finished.connect(answered)
        self.question = box
        box.open()  # window-modal, does not block the event loop

    def answer_question(self, answer: str) -> None:
        """Click the open question's button named ``answer`` ("Save…", "Discard", "Cancel")."""
        if self.question is None:
            raise RuntimeError("no question is open")
        [button] = [b for b in self.question.buttons() if b.text() == answer]
        button.click()

    @Slot(str)
    def _on_session_saved(self, path: str) -> None:
        """Say where it went; go on with what a Save… answer was asked before."""
        then, self._after_save = self._after_save, None
        self._saved_note = f"Saved to {_home_short(path)}"
        self.statusBar().showMessage(self._saved_note, CONFIRMATION_MS)
        if then is not None:
            then()  # its run_reset's message names the save too
        else:
            self._saved_note = ""

    @Slot(str)
    def _drop_pending_save(self, _message: str = "") -> None:
        """A failure (the save itself, most likely) cancels what was to follow the save."""
        self._after_save = None

    @property
    def tab_question(self) -> QMessageBox | None:
        """The question a tab click asked, while it is open (an alias of ``question``)."""
        return self.question

    @Slot(object)
    def _on_weights_imported(self, report: dict) -> None:
        self.statusBar().showMessage(describe_import(report), CONFIRMATION_MS)

    def _file(self, title: str, filters: str, save: bool = False) -> str:
        dialog = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        path, _ = dialog(self, title, str(Path.home()), filters)
        return path

    def open_session(self) -> None:
        path = self._file("Open a session", "rnnviz sessions (*.rnnviz);;All files (*)")
        if path:
            self.ask_to_discard(
                f"The session {Path(path).name} replaces it.", lambda: self.controller.open(path)
            )

    def save_session(self, then: Callable[[], None] | None = None) -> bool:
        """Choose a file and save the session to it; ``then`` runs once it is saved. False if
        no file was chosen."""
        path = self._file("Save the session", "rnnviz sessions (*.rnnviz)", save=True)
        if not path:
            return False
        self._after_save = then
        self.controller.save(path if path.endswith(".rnnviz") else path + ".rnnviz")
        return True

    def import_weights(self) -> None:
        path = self._file("Import PyTorch weights", "NumPy archives (*.npz);;All files (*)")
        if path:
            self.controller.import_weights(path)

    def open_text_file(self) -> None:
        path = self._file("Open a text file", "Text (*.txt *.md *.py);;All files (*)")
        if path:
            self.ask_to_use_text_file(path)

    @Slot(str)
    def ask_to_use_text_file(self, path: str) -> None:
        """``use_text_file``, asking first if that discards a trained run."""
        self.ask_to_discard(
            f"A character model of {Path(path).name} replaces it.",
            lambda: self.use_text_file(path),
        )

    @Slot(str)
    def use_text_file(self, path: str) -> None:
        """Train the character model on the user's own file (a new run). A file the worker
        refuses (empty, binary, a folder …) is a message; the run and the lesson stay."""
        config = self.controller.config
        if config is None or config.task.value != "text":
            config = load_preset("text_messaging").config
        try:
            config = config.with_settings({"task.corpus": "file", "task.path": path})
        except ValueError as error:
            self.show_error(str(error))
            return
        if self.controller.start(config, play=self.controller.state == "training"):
            self._expect_lesson(config, None, 0)
