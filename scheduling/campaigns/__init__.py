"""Coordinators' campaign pages: list, create, edit (reshaping the shifts), generate shifts."""
