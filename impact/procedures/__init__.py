"""The procedure catalogue: its seed, its admin pages and the picker of the log screen."""
