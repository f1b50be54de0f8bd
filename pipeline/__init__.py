"""Offline translation and localisation pipeline."""

__version__ = "0.1.0"
