"""Offline question answering over your articles, with citations."""

__version__ = "0.1.0"
