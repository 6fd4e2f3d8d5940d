"""The demo views: what the lecture's examples look like while the network learns.

Both are QWidgets with the panels' time-cursor API (``set_cursor(t)`` highlights step t and
emits nothing; ``cursor_moved(int)`` when the user moves it here) and the slot
``show_snapshot(snapshot)``. Anything that needs the model (a thrown ball, the keyboard, the
sentence scorer, the sampler) runs a private copy built from the snapshot's weights
(``rnnviz.training.inference.SnapshotModel``), never the trainer's arrays.

- ``BallView``: the moving-ball arena, holding its parts: the banner and legend
  (``ball_legend``), the box, occluder, markers and arrows (``ball_arena``, drawn with
  ``arena_items``) with the trail (``ball_trail``), the title and read-out (``ball_texts``), and
  a ball thrown with the mouse (``ball_throw``); the task's facts come with the snapshot.
- ``TextView``: the character model, holding its parts: the example text coloured by a hidden
  unit (``coloured_example``), the predictive keyboard (``text_keyboard``), the sentence
  scorer (``text_scorer``), live samples at a temperature (``text_samples``), and "Open text
  file…"; they share the run's snapshot, characters and private model (``text_run``).
"""

from rnnviz.gui.demos.ball_view import BallView
from rnnviz.gui.demos.text_view import TextView

__all__ = ["BallView", "TextView"]
