"""Piccolo's configuration module. DB is replaced at run time by sodamolek.db.use_engine."""

from piccolo.conf.apps import AppRegistry

from sodamolek.db.engine import build_engine
from sodamolek.settings import Settings

DB = build_engine(Settings.from_env())

APP_REGISTRY = AppRegistry(apps=["sodamolek.piccolo_app"])
