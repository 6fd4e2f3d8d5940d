"""rnnviz: watch a recurrent neural network learn, live."""

__version__ = "0.1.0"
