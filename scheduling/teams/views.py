"""Pages of teams, placement and shift staffing."""
