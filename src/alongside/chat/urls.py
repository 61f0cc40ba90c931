"""``/chat/``: conversations and group rooms."""

from alongside.chat.views.conversations import urlpatterns as conversation_patterns
from alongside.chat.views.rooms import urlpatterns as room_patterns

app_name = "chat"
urlpatterns = [*conversation_patterns, *room_patterns]
