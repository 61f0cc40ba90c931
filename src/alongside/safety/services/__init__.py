"""Writes for the safety app, one module per area: screening, alerts, moderation, duty,
reports, members' own protections and the audit log. Each function is one transaction."""
