"""Learning reports for coordinators and trainers, and assisted learning sessions."""
