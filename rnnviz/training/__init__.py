"""Training loops, optimisers and the run state the GUI watches (NumPy only)."""
