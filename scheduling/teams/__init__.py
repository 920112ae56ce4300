"""Teams (đội hình) of volunteers, placing them on shifts, and staffing one shift."""
