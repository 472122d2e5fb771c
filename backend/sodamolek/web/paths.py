"""Where the non-Python parts live: the repository's web/ and service_worker/ folders."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
TEMPLATES_DIR = REPO_ROOT / "web" / "templates"
STATIC_DIR = REPO_ROOT / "web" / "static"
SERVICE_WORKER_DIR = REPO_ROOT / "service_worker"
