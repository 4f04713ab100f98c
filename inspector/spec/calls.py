"""Spec rules: calls. Registered on import."""
