"""The workspace's adoption figures (collected in every active region, licensed modules or not): accounts and
how many people used them. The contract is tenant_apps.base.Metric; shared_apps.reports collects.

Activity is read from `last_login`, which keeps only each account's latest sign-in: the figures are exact for
the day the nightly job collects (the day that has just ended) and undercount when a past day is collected
again later, because a sign-in since then has overwritten the one that fell inside the window.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from shared_apps.reports.periods import day_window
from tenant_apps.base import Metric

STAFF_ACCOUNTS = "workspace.staff_accounts"
ACTIVE_7D = "workspace.active_users_7d"
ACTIVE_30D = "workspace.active_users_30d"

METRICS = (
    Metric(STAFF_ACCOUNTS, _("Akun staf aktif")),
    Metric(ACTIVE_7D, _("Pengguna aktif 7 hari terakhir")),
    Metric(ACTIVE_30D, _("Pengguna aktif 30 hari terakhir")),
)
# All three are states at the end of the day, not events: a period shows its last day.
AGGREGATE = {STAFF_ACCOUNTS: "last", ACTIVE_7D: "last", ACTIVE_30D: "last"}


def collect(*, day: date) -> dict[str, float | None]:
    _start, end = day_window(day)
    row = (
        get_user_model()
        .objects.filter(is_active=True, date_joined__lt=end)
        .aggregate(
            staff=Count("pk"),
            active_7d=Count("pk", filter=Q(last_login__gte=end - timedelta(days=7), last_login__lt=end)),
            active_30d=Count("pk", filter=Q(last_login__gte=end - timedelta(days=30), last_login__lt=end)),
        )
    )
    return {STAFF_ACCOUNTS: row["staff"], ACTIVE_7D: row["active_7d"], ACTIVE_30D: row["active_30d"]}
