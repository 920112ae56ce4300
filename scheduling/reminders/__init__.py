"""Reminders the day before and two hours before a shift, sent by the queue's scheduler
(`scheduling/jobs.py`) or by `flask scheduling send-reminders`."""
