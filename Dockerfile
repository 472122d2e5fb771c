# Sodamolek's image. Build stage: the locked dependencies, then the project as a wheel (with its
# templates, static files and service worker), into one virtualenv. Runtime stage: that
# virtualenv owned by root, so the runtime user can read the code but not change it; the data
# folder on a volume. The same commands as the Makefile.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
# Keep in step with the Makefile's UV_VERSION and pyproject's required-version.
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
ENV UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/sodamolek
WORKDIR /src
# Dependencies first: this layer changes only with uv.lock.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY backend ./backend
COPY web ./web
COPY service_worker ./service_worker
# --no-editable: the project is built as a wheel and installed, nothing points back to /src.
RUN uv sync --frozen --no-dev --no-editable

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 sodamolek \
    && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin sodamolek \
    && install -d -o 10001 -g 10001 -m 0700 /data
# Copied as root (no --chown): read-only for the runtime user.
COPY --from=build /opt/sodamolek /opt/sodamolek
ENV PATH="/opt/sodamolek/bin:${PATH}" \
    SODAMOLEK_DATA_DIR=/data \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
# Numeric, so an orchestrator can tell it is not root (runAsNonRoot).
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
# Migrations and the seed take a lock (several replicas may start at once), then serve.
CMD ["sh", "-c", "sodamolek migrate && sodamolek seed && exec sodamolek serve --host 0.0.0.0 --port 8000 --workers \"${SODAMOLEK_WORKERS:-1}\""]
