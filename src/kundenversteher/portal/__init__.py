"""The customers' side: magic-link login, my cases, replies, uploads, contact form, help centre."""
