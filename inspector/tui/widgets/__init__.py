"""Widgets of the inspector UI."""
