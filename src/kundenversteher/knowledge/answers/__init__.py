"""Answer templates per intent and language whose slots are filled from CRM/ERP data."""
