"""JSON API for members' reports and protections (blocks, muted words, taking a break)."""

from ninja import Router

router = Router(tags=["safety"])
