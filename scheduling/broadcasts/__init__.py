"""Coordinator broadcasts: a short message to a shift's, a team's or a campaign's people, with
its reach and SMS length shown before it goes, and its deliveries counted after."""
