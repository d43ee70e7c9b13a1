"""wpimap: an open, rerunnable science map and emerging-field detection pipeline."""

__version__ = "0.1.0"

__all__ = ["__version__"]
