"""The live window: the only package that may import PySide6 or pyqtgraph."""
