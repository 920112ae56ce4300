"""Resident cards: a pseudonymous resident, known only by keyed digests of their card codes."""
