"""A volunteer's record of service: hours per campaign from check-ins, and corrections."""
