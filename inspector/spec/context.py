"""Spec rules: context. Registered on import."""
