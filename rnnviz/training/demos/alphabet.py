"""The alphabet lesson's slide prompts, for the window's alphabet view.

The window never imports a task module; it asks this one for the report of the three prompts
(from A, from F, backwards from Z) continued by a snapshot's model.
"""

from __future__ import annotations

from rnnviz.tasks.alphabet import prompts_report

__all__ = ["prompts_report"]
