"""The live window: the only package that may import PySide6 or pyqtgraph."""

#: How ``rnnviz render --theme`` draws the window: as it is, or in presentation mode
#: (``rnnviz.gui.presenting``). Here, free of Qt, so that the command line can list them.
THEMES = ("default", "projector")
