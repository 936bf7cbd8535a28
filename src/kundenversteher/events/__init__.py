"""The append-only activity log: every touchpoint of every customer, written by one function."""
