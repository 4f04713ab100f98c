"""Screens of the inspector UI."""
