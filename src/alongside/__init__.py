"""Alongside: a self-hostable platform for digital peer support in mental health."""

__version__ = "0.1.0"
