"""Reads for the safety app, with access checks, one module per area."""
