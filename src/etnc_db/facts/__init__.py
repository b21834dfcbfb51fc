"""Curated facts: reviewed YAML files -> validated records with located evidence."""
