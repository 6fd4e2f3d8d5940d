"""`rnnviz render --compare rnn,lstm,gru`: the compare page as a picture.

Each cell trains the lesson headless for the same number of updates (the lesson's config with
that cell: the same data and seed), one after another; the page then draws their last
snapshots side by side, as compare mode shows them live (``rnnviz.gui.compare_page``).
"""

from __future__ import annotations

from PySide6.QtCore import QSize

__all__ = ["render_compare"]


def render_compare(preset: str, steps: int, out: str, cells, size, settings=None) -> dict:
    """Train ``preset`` with each of ``cells`` for ``steps`` updates and write the compare page
    to ``out`` at ``size`` (PNG, SVG or another format its extension names)."""
    from rnnviz.gui.app import (
        _lay_out_at,
        make_app,
        offscreen_notices_silenced,
    )
    from rnnviz.gui.compare_page import ComparePage
    from rnnviz.gui.picture_files import save_and_dispose
    from rnnviz.gui.quit_signals import SignalReceived, quit_on_signals
    from rnnviz.training.cell_list import cell_label
    from rnnviz.training.presets import load_preset
    from rnnviz.training.trainer import Trainer

    app = make_app(offscreen_if_headless=True)
    lesson = load_preset(preset)
    base = lesson.config.with_settings(settings or {})
    snapshots = []
    for cell in cells:
        trainer = Trainer(base.with_settings({"model.cell": cell.value}))
        for _ in trainer.run(steps=steps, snapshot_every=None):
            pass
        snapshots.append((cell, trainer.snapshot()))
    with offscreen_notices_silenced(), quit_on_signals() as quitter:
        page = ComparePage()
        page.set_runs([(k, cell.value, cell_label(cell)) for k, (cell, _) in enumerate(snapshots)])
        page.resize(*size)
        page.show()

        def draw() -> None:
            for k, (_, snapshot) in enumerate(snapshots):
                page.show_run(k, snapshot, f"{snapshot.iteration:,} updates")
            page._draw(every=True)
            page.set_cursor(snapshots[0][1].seq_len // 2)

        drawn = _lay_out_at(app, page, QSize(*size), draw)
        ok = save_and_dispose(app, page, out, QSize(*size), quitter)
    if quitter.signum is not None:
        raise SignalReceived(quitter.signum)
    if not ok:
        raise OSError(f"could not write {out}")
    return {
        "out": out,
        "compare": [cell.value for cell in cells],
        "iteration": steps,
        "loss": {cell.value: s.loss for cell, s in snapshots},
        "size": list(size),
        "drawn_at": [drawn.width(), drawn.height()],
    }
