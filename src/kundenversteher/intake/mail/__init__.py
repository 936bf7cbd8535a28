"""E-mail transport: IMAP mailboxes (polling, IDLE), optional inbound SMTP, outbound SMTP queue."""
