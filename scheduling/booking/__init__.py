"""Booking: the one operation that places a person on a shift, and the operations built on it.

`placement.place` holds the rules (closed shift, overlap, weekly limit, capacity and waitlist)
under the row locks and answers with a reason code; self-booking and the waitlist (`services`),
team placement and a coordinator's staffing of a shift (`staffing`, its pages in `views`) and the
walk-in at check-in (scheduling.checkin.services) all go through it, each stating its policy.
"""
