"""The campaign's impact: assisted submissions against the city's targets, for coordinators and
for the public."""
