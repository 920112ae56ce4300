"""Coverage: the coordinators' board and rosters, and the volunteers' calendar feeds."""
