"""What the window's demos ask of a task, reached through the training layer.

The window never imports a task module (``tests/test_architecture.py`` checks it): the text
demo's sampler and scorer, the ball demo's throw and the alphabet's prompts come from here,
each module wrapping its task's functions for the window:

- ``text``: sampling, completion and scoring with a snapshot's model, and opening a text file;
- ``ball``: simulating a thrown ball and scoring the shown throw;
- ``alphabet``: the slide's three prompts.
"""
