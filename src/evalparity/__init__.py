"""evalparity: find where evaluation data paths drifted from training ones."""

__version__ = "0.1.0"
