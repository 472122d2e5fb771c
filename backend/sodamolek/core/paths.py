"""Where the non-Python parts live: web/ (templates, static files) and service_worker/.

In the repository they sit beside `backend/`; an installed wheel carries them inside the package
as `sodamolek/assets/` (see pyproject's force-include). The bundled copy wins when present, so
an installed package never reads from whatever folder it happens to be run in.
"""

from pathlib import Path

import sodamolek

PACKAGE_DIR = Path(sodamolek.__file__).resolve().parent
BUNDLED_ASSETS = PACKAGE_DIR / "assets"
REPO_ROOT = PACKAGE_DIR.parents[1]
ASSETS_ROOT = BUNDLED_ASSETS if (BUNDLED_ASSETS / "web").is_dir() else REPO_ROOT
TEMPLATES_DIR = ASSETS_ROOT / "web" / "templates"
STATIC_DIR = ASSETS_ROOT / "web" / "static"
SERVICE_WORKER_DIR = ASSETS_ROOT / "service_worker"
