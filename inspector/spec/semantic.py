"""Spec rules: semantic. Registered on import."""
