"""Gazetteer entity linking: countries, organizations and sectors found in passages."""
