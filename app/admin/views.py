"""Admin pages: who holds which role, and where."""
