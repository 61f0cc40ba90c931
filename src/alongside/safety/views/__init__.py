"""Thin views for the safety app: moderators' queue and tools, members' reports and protections."""
