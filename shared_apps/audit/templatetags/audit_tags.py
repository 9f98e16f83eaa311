"""Reading audit records as people: Indonesian action names and the fields a change touched."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

ACTION_LABELS = {
    "region.register": _("Wilayah didaftarkan"),
    "region.provision_request": _("Penyiapan diminta"),
    "region.provision_resend": _("Penyiapan dikirim ulang"),
    "region.provisioning": _("Penyiapan berjalan"),
    "region.active": _("Wilayah aktif"),
    "region.failed": _("Penyiapan gagal"),
    "region.suspended": _("Wilayah ditangguhkan"),
    "region.terminated": _("Wilayah diakhiri"),
    "region.setup_link_shown": _("Tautan aktivasi admin ditampilkan"),
    "region.export": _("Data wilayah diekspor"),
    "region.schema_drop": _("Skema wilayah dihapus"),
    "agreement.create": _("Kerja sama dicatat"),
    "agreement.update": _("Kerja sama diubah"),
    "agreement.scan": _("Pindaian kerja sama diunggah"),
    "agreement.sign": _("Kerja sama ditandatangani"),
    "agreement.activate": _("Kerja sama berlaku"),
    "agreement.expire": _("Kerja sama berakhir"),
    "agreement.terminate": _("Kerja sama diakhiri"),
    "licence.issue": _("Lisensi diterbitkan"),
    "licence.renew": _("Lisensi diperbarui"),
    "licence.extend": _("Lisensi diperpanjang"),
    "licence.modules": _("Modul lisensi diubah"),
    "licence.revoked": _("Lisensi dicabut"),
    "licence.expired": _("Lisensi berakhir"),
    "licence.supersede": _("Lisensi digantikan oleh pembaruan"),
    # e-Office letters (their timelines)
    "eoffice.incoming.register": _("Surat masuk dicatat"),
    "eoffice.incoming.terdaftar": _("Surat kembali menunggu disposisi"),
    "eoffice.incoming.didisposisi": _("Surat berstatus didisposisi"),
    "eoffice.incoming.selesai": _("Surat selesai ditindaklanjuti"),
    "eoffice.disposition.send": _("Disposisi dikirim"),
    "eoffice.disposition.dibaca": _("Disposisi dibaca"),
    "eoffice.disposition.diproses": _("Disposisi mulai diproses"),
    "eoffice.disposition.selesai": _("Disposisi diselesaikan"),
    "eoffice.disposition.dikembalikan": _("Disposisi dikembalikan"),
    "eoffice.disposition.dibatalkan": _("Disposisi dibatalkan"),
    "eoffice.outgoing.create": _("Draf naskah dibuat"),
    "eoffice.outgoing.update": _("Draf naskah diubah"),
    "eoffice.outgoing.diperiksa": _("Naskah diajukan kepada verifikator"),
    "eoffice.outgoing.disetujui": _("Naskah disetujui"),
    "eoffice.outgoing.dikembalikan": _("Naskah dikembalikan kepada penyusun"),
    "eoffice.outgoing.ditolak": _("Naskah ditolak"),
    "eoffice.outgoing.ditandatangani": _("Naskah ditandatangani"),
    "eoffice.outgoing.review.setuju": _("Verifikator menyetujui"),
    "eoffice.outgoing.review.kembalikan": _("Verifikator mengembalikan"),
    "eoffice.outgoing.review.tolak": _("Verifikator menolak"),
    "eoffice.outgoing.sign": _("Nomor dan tanggal naskah ditetapkan"),
    "notification.email_preference": _("Pilihan e-mail notifikasi diubah"),
}
# Values longer than this are summarised: the record itself keeps everything for `mitra audit verify`.
_MAX_VALUE = 80


@register.filter
def audit_action(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def _short(value: Any) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


@register.filter
def audit_changes(record: Any) -> list[tuple[str, str, str]]:
    """(field, before, after) for each field the change set or altered; empty values are left out."""
    before = record.before if isinstance(record.before, dict) else {}
    after = record.after if isinstance(record.after, dict) else {}
    rows = []
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old == new or (old in (None, "", []) and new in (None, "", [])):
            continue
        rows.append((field, "" if old in (None, "") else _short(old), "" if new in (None, "") else _short(new)))
    return rows
