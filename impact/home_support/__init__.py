"""Home support: residents who cannot come are visited at home by two volunteers."""
