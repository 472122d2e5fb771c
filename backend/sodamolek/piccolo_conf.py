"""Piccolo's configuration module. DB is replaced at run time by sodamolek.db.use_engine."""

from __future__ import annotations

from typing import Any

from sodamolek.db.engine import build_engine
from sodamolek.settings import Settings

DB = build_engine(Settings.from_env())


def __getattr__(name: str) -> Any:
    """APP_REGISTRY when first asked for (by migrations and Piccolo's own commands):
    piccolo.conf.apps imports black, to write migration files, at its top — about a sixth of a
    second of every server's, worker's and command's start."""
    if name != "APP_REGISTRY":
        raise AttributeError(name)
    from piccolo.conf.apps import AppRegistry

    registry = AppRegistry(apps=["sodamolek.piccolo_app"])
    globals()["APP_REGISTRY"] = registry
    return registry
