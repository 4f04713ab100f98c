"""Spec rules: reserved. Registered on import."""
