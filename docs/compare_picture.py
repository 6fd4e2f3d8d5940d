"""Draw the README's picture of compare mode (docs/img/compare.png): the window, offscreen at
1280 × 720, comparing the vanishing-gradient lesson's RNN, LSTM and GRU after a few seconds of
live training (each run in its own process, as in the window). Live: the picture differs a
little from one drawing to the next.

    python docs/compare_picture.py docs/img/compare.png [SECONDS]
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer

from rnnviz.gui.app import make_app, offscreen_notices_silenced
from rnnviz.gui.main_window import MainWindow
from rnnviz.training.cell_list import parse_cells
from rnnviz.training.presets import load_preset


def main(out: str, seconds: float = 12.0) -> int:
    app = make_app()
    with offscreen_notices_silenced():
        return _draw(app, out, seconds)


def _draw(app, out: str, seconds: float) -> int:
    window = MainWindow()
    window.resize(1280, 720)
    window.show()
    lesson = load_preset("vanishing_gradient")
    window.start(lesson.name, play=False)
    window.compare_cells(parse_cells("rnn,lstm,gru"), lesson, True)
    saved = []

    def shoot() -> None:
        saved.append(window.grab().save(out))
        window.close()
        app.quit()

    QTimer.singleShot(int(seconds * 1000), shoot)
    app.exec()
    return 0 if saved and saved[0] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], *(float(a) for a in sys.argv[2:3])))
