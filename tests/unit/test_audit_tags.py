"""Audit records read as people: action names in Indonesian, only the fields a change touched."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from shared_apps.audit.templatetags.audit_tags import audit_action, audit_changes

pytestmark = pytest.mark.unit


def test_known_actions_are_named_in_indonesian_and_unknown_ones_fall_back_to_their_code():
    assert audit_action("region.suspended") == "Wilayah ditangguhkan"
    assert audit_action("eoffice.something_new") == "eoffice.something_new"


def test_changes_list_only_the_fields_that_changed():
    record = SimpleNamespace(
        before={"status": "active", "reason": ""},
        after={"status": "suspended", "reason": "tunggakan", "modules": ["eoffice", "ekinerja"]},
    )
    assert audit_changes(record) == [
        ("modules", "", "eoffice, ekinerja"),
        ("reason", "", "tunggakan"),
        ("status", "active", "suspended"),
    ]


def test_long_values_are_summarised_and_missing_sides_are_fine():
    record = SimpleNamespace(before=None, after={"title": "x" * 200})
    ((field, old, new),) = audit_changes(record)
    assert (field, old, len(new), new[-1]) == ("title", "", 80, "…")
