"""The audit log: who changed whose data, when, and from what to what."""
