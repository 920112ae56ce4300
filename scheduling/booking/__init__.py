"""Booking: the one operation that places a person on a shift, and the operations built on it.

`placement.place` holds the rules (closed shift, overlap, weekly limit, capacity and waitlist)
under the row locks; self-booking and the waitlist (`services`), team placement and a
coordinator's staffing (`staffing`) and the walk-in at check-in all go through it.
"""
