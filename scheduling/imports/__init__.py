"""Importing volunteers from a spreadsheet: accounts with an invitation, and their teams."""
