"""Learners: residents who join with a name and commune, officers, the personal resume code."""
