"""Shift swaps: a volunteer offers a shift they hold, another takes it in one move."""
