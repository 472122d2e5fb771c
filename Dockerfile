# Sodamolek: multi-stage build with uv; the same commands as the Makefile.
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv
WORKDIR /app
ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY backend ./backend
COPY web ./web
COPY service_worker ./service_worker
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /app sodamolek \
    && mkdir -p /data && chown sodamolek /data
WORKDIR /app
COPY --from=build --chown=sodamolek /app /app
ENV PATH="/app/.venv/bin:$PATH" \
    SODAMOLEK_DATA_DIR=/data \
    PYTHONUNBUFFERED=1
USER sodamolek
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status == 200 else 1)"
# Migrations are idempotent: run them, then serve. Several workers need PostgreSQL.
CMD ["sh", "-c", "sodamolek migrate && sodamolek seed && exec sodamolek serve --host 0.0.0.0 --port 8000 --workers ${SODAMOLEK_WORKERS:-1} --proxy-headers"]
