"""Intake: channel adapters (e-mail, letters and faxes via OCR, web form, API) and the one inbound
pipeline (store raw → parse → identify → understand → enrich → case → route)."""
