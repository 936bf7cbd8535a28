"""Raw inbound messages and the steps of their processing."""
