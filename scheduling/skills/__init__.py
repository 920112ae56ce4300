"""Skills that match shifts: what a campaign asks for, and what each shift has and lacks."""
