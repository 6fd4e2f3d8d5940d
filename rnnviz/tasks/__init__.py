"""Learning tasks: data sets and targets for the recurrent networks (NumPy only)."""
