"""e-Office's counters on the region's home page: dispositions waiting for the positions the user holds."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tenant_apps.eoffice.models import Disposition
from tenant_apps.eoffice.selectors import user_positions
from tenant_apps.workspace.counters import Counter


def disposition_counters(request: HttpRequest) -> list[Counter]:
    """Unread and still-open dispositions addressed to the user's positions today (acting ones included):
    one query for the positions, one COUNT query for both numbers."""
    positions = [official.position.pk for official in user_positions(user=request.user)]
    if not positions:
        return []
    counts = Disposition.objects.filter(to_position_id__in=positions).aggregate(
        unread=Count("id", filter=Q(status=Disposition.Status.SENT)),
        open=Count("id", filter=Q(status__in=Disposition.OPEN)),
    )
    url = reverse("eoffice:dispositions")
    return [
        Counter(_("Disposisi belum dibaca"), counts["unread"], url),
        Counter(_("Disposisi belum selesai"), counts["open"], url),
    ]
