from alongside.accounts.models import User
from alongside.notifications.models import Notification


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
