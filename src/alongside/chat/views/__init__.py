"""Chat pages: conversations (list, one conversation, starting one, leaving) and group rooms."""
