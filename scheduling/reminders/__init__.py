"""Reminders the day before a shift, sent by `flask scheduling send-reminders` from cron."""
