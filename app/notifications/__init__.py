"""Notifications: in-app notices with a copy by mail, in each reader's own language."""
