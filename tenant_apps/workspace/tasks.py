"""Workspace tasks: thin, take ids, run inside the region that sent them (RegionTask)."""

from __future__ import annotations

import smtplib

from celery import shared_task

from tenant_apps.workspace.notifications import notification_mail_send
from tenant_apps.workspace.services import password_reset_mail_send
from tenants.tasks import RegionTask


@shared_task(
    base=RegionTask,
    name="workspace.send_password_reset_mail",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
)
def send_password_reset_mail(user_id: int) -> bool:
    """Build and send one account's reset mail in the region's schema; the link is made here, from the
    region's own address, so no request header can reach it."""
    return password_reset_mail_send(user_id=user_id)


@shared_task(
    base=RegionTask,
    name="workspace.send_notification_mails",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
)
def send_notification_mails(notification_ids: list[int]) -> int:
    """Mail the given notifications of the region (each at most once, whatever the deliveries); returns how
    many went out in this run."""
    return sum(notification_mail_send(notification_id=int(pk)) for pk in notification_ids)
