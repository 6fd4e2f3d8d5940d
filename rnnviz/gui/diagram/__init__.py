"""The network diagram: the recurrent loop, and the same network unrolled in time.

``view.DiagramView`` is the window's view; ``geometry`` places every box and arrow (Qt-free,
from ``shapes``; ``boxes`` lays out a box's inside, ``feedforward`` the network the loop is
contrasted with), ``readings`` takes the boxes' values from a snapshot, ``painting`` draws it.
"""

from rnnviz.gui.diagram.view import DiagramView

__all__ = ["DiagramView"]
