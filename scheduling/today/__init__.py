"""The volunteer's and the coordinator's blocks on the home page: today's shifts at a glance."""
