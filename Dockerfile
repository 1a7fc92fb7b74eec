# syntax=docker/dockerfile:1
# Tavern's production image: dependencies from the hashed lock in a build stage, a slim non-root runtime.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY deploy/requirements.lock /tmp/requirements.lock
# --require-hashes: every package, direct or not, is the exact file that was locked; wheels only, so the
# build needs no compiler and installs the same bytes on every machine.
RUN /opt/venv/bin/pip install --no-cache-dir --require-hashes --only-binary=:all: -r /tmp/requirements.lock

FROM ${PYTHON_IMAGE} AS runtime
ARG APP_VERSION=dev
LABEL org.opencontainers.image.title="tavern" \
      org.opencontainers.image.description="Build, equip and run fantasy role-playing characters." \
      org.opencontainers.image.version="${APP_VERSION}"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_ENV=production \
    APP_VERSION=${APP_VERSION} \
    FLASK_APP=webapp:create_app \
    PORT=8000 \
    GUNICORN_BIND=0.0.0.0:8000
# No PROMETHEUS_MULTIPROC_DIR here: deploy/gunicorn.conf.py makes a fresh one under /tmp for each server,
# and one-off commands (flask db upgrade, backups) must not look for a folder that only Gunicorn creates.

# pg_dump / pg_restore of the server's major version, for deploy/backup.sh and deploy/restore.sh.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15=15.* \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1001 tavern \
    && useradd --system --uid 1001 --gid 1001 --home-dir /app --no-create-home --shell /usr/sbin/nologin tavern

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# The code belongs to root and is read-only for the app; only var/ (local uploads, when not on S3) and
# /srv/static (where the release task publishes static files for Nginx) are writable by it.
COPY webapp ./webapp
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY deploy/gunicorn.conf.py deploy/healthcheck.py deploy/release.sh deploy/backup.sh deploy/restore.sh deploy/backup_tool.py ./deploy/
RUN python -m compileall -q webapp migrations \
    && mkdir -p /app/var/uploads /srv/static \
    && chown -R 1001:1001 /app/var /srv/static

USER 1001:1001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["python", "deploy/healthcheck.py"]
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py"]
