"""Attendance: QR check-in and check-out at service points, every scan logged (as pretix does)."""
