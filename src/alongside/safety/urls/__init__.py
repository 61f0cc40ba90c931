"""URL configurations of the safety app: ``moderation`` (moderators), ``member`` and ``appeals``."""
