"""Spec rules: naming. Registered on import."""
