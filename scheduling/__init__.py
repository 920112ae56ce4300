"""Scheduling: campaigns, shifts, bookings, waitlists, teams and attendance."""
