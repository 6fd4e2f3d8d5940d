"""The network diagram: the recurrent loop, and the same network unrolled in time.

``view.DiagramView`` is the window's view; ``geometry`` places every box and arrow (Qt-free,
from ``shapes``, with ``feedforward`` for the network the loop is contrasted with),
``readings`` takes the boxes' values from a snapshot, ``painting`` draws it all.
"""

from rnnviz.gui.diagram.view import DiagramView

__all__ = ["DiagramView"]
