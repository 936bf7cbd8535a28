"""Mailboxes (credentials encrypted), their IMAP sync state, and the outbound mail queue."""
