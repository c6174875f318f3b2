# syntax=docker/dockerfile:1
# One image for every WorkHub process: the web server (`workhub run`, the default command),
# `workhub worker`, `workhub migrate` and the other commands; compose.yaml picks the command.
# Build: docker build -t workhub .   (docs/operations.md)

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# 1. The dashboard. Vite writes the build into src/workhub/static, which the web server serves.
FROM node:20-bookworm-slim AS dashboard
WORKDIR /app/src/dashboard
COPY src/dashboard/package.json src/dashboard/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY src/dashboard/ ./
RUN npm run build

# 2. The Python environment, exactly as uv.lock pins it, without the development tools.
FROM ${PYTHON_IMAGE} AS python
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir "uv==0.13.10"
WORKDIR /app
# Dependencies first: this layer is rebuilt only when the lock or a package's metadata changes.
COPY pyproject.toml uv.lock README.md ./
COPY plugins/ plugins/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --all-packages --no-install-workspace
# Then WorkHub itself (installed in place: `workhub migrate` reads /app/migrations).
COPY alembic.ini ./
COPY migrations/ migrations/
COPY src/workhub/ src/workhub/
COPY --from=dashboard /app/src/workhub/static/ src/workhub/static/
# Every workspace plugin but the example one, which is for copying, not for running.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --all-packages --no-install-package workhub-example

# 3. The runtime: the slim Python image, the app in /app (owned by root, read-only to the
# app), data under /var/lib/workhub, a user without privileges.
FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 workhub \
    && useradd --system --uid 10001 --gid workhub --home-dir /var/lib/workhub --shell /usr/sbin/nologin workhub \
    && mkdir -p /var/lib/workhub/jobs \
    && chown -R workhub:workhub /var/lib/workhub
WORKDIR /app
COPY --from=python /app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    WORKHUB_ENV=prod \
    WORKHUB_HOST=0.0.0.0 \
    WORKHUB_PORT=8000 \
    WORKHUB_DATA_DIR=/var/lib/workhub \
    WORKHUB_JOBS_DIR=/var/lib/workhub/jobs \
    WORKHUB_DEMO_DATA=false
USER 10001:10001
EXPOSE 8000
# The web server's liveness (the worker and one-shot commands turn it off in compose.yaml).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('WORKHUB_PORT', '8000'), timeout=2)"]
CMD ["workhub", "run"]
