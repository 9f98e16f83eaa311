"""Which metrics exist and where they come from.

Sources are the workspace (always collected: accounts exist in every region, licensed or not) and every
region module whose ModuleSpec names a metrics file (tenant_apps/base.py, Metric). A module's metrics are
collected for a region on a day only if the region's licence covered the module that day.

A metrics file may also define, beyond the contract in tenant_apps/base.py:
- `AGGREGATE = {code: "sum" | "last" | "mean"}` — how a period folds daily values. Without it, counts are
  summed (events of the day), percentages take the last day (a state) and hours are averaged over days;
  a count that is a state (accounts, overdue items) says "last".
- `collect_by_unit(*, day) -> {unit_code: (unit_name, {code: value})}` for the metrics it can split by OPD,
  or `collect_with_units(*, day) -> (values, by_unit)` when the same queries give both (e-Office).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import ModuleType
from typing import Any

from django.utils.translation import gettext_lazy as _

from shared_apps.licensing.selectors import licensed_module_codes
from tenant_apps.base import Metric
from tenant_apps.registry import all_modules

logger = logging.getLogger(__name__)

WORKSPACE = "workspace"
# Not a module (no licence, no ModuleSpec), but its figures are collected in every active region.
ALWAYS_COLLECTED = {WORKSPACE: "tenant_apps.workspace.metrics"}
DEFAULT_AGGREGATE = {"count": "sum", "percent": "last", "hours": "mean"}
AGGREGATES = ("sum", "last", "mean")
UNIT_LABELS = {"count": "", "percent": "%", "hours": _("jam")}


@dataclass(frozen=True)
class MetricInfo:
    code: str
    label: Any  # lazy: translated when shown
    unit: str
    source: str  # "workspace" or a module code
    aggregate: str  # sum | last | mean

    @property
    def unit_label(self) -> str:
        return str(UNIT_LABELS.get(self.unit, ""))


def source_paths() -> dict[str, str]:
    """Every metrics source: the workspace, then the modules that declare a metrics file."""
    paths = dict(ALWAYS_COLLECTED)
    for spec in all_modules():
        if spec.metrics:
            paths[spec.code] = spec.metrics
    return paths


def load_source(path: str) -> ModuleType:
    module = importlib.import_module(path)
    if not isinstance(getattr(module, "METRICS", None), tuple) or not callable(getattr(module, "collect", None)):
        raise TypeError(f"{path} must define METRICS (a tuple of Metric) and collect(*, day)")
    return module


def _infos(source: str, module: ModuleType) -> list[MetricInfo]:
    overrides = getattr(module, "AGGREGATE", {}) or {}
    infos = []
    for metric in module.METRICS:
        if not isinstance(metric, Metric):
            raise TypeError(f"{module.__name__}.METRICS holds {metric!r}, not a Metric")
        aggregate = overrides.get(metric.code, DEFAULT_AGGREGATE.get(metric.unit, "sum"))
        if aggregate not in AGGREGATES:
            raise ValueError(f"{module.__name__}: unknown aggregate {aggregate!r} for {metric.code}")
        infos.append(MetricInfo(metric.code, metric.label, metric.unit, source, aggregate))
    return infos


@cache
def metric_catalogue() -> dict[str, MetricInfo]:
    """Every known metric by code, in source order (workspace first). A source whose file cannot be loaded
    is left out and logged: the dashboard stays up while a module's metrics file is broken."""
    found: dict[str, MetricInfo] = {}
    for source, path in source_paths().items():
        try:
            infos = _infos(source, load_source(path))
        except Exception:
            logger.exception("metrics source %s (%s) cannot be loaded", source, path)
            continue
        for info in infos:
            found.setdefault(info.code, info)
    return found


def metric_info(code: str) -> MetricInfo | None:
    return metric_catalogue().get(code)


def sources_for(*, schema_name: str, day: date) -> dict[str, str]:
    """The sources to collect for a region on `day`: the workspace, and the modules licensed that day."""
    licensed = licensed_module_codes(schema_name=schema_name, on=day)
    return {code: path for code, path in source_paths().items() if code in ALWAYS_COLLECTED or code in licensed}


def source_label(source: str) -> str:
    if source == WORKSPACE:
        return str(_("Ruang kerja"))
    for spec in all_modules():
        if spec.code == source:
            return spec.name
    return source
