"""Reference data: countries, sectors, organizations with aliases, FX rates."""
