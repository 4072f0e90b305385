# The service's image: the `campaigns` command, the Celery worker/beat and the sandbox, as a non-root user.
# docker-compose.yml runs it as separate migrate / worker / beat / sandbox containers; alone,
# `docker run IMAGE` starts `campaigns run` (SQLite + embedded broker in /data).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 campaigns \
    && mkdir /data && chown campaigns:campaigns /data

# Exactly the locked versions (hash-checked), in their own layer so that a code change reuses it.
COPY requirements/runtime.lock ./requirements/
RUN pip install --require-hashes -r requirements/runtime.lock

COPY pyproject.toml README.md ./
COPY campaigns ./campaigns
COPY worker ./worker
COPY scheduler ./scheduler
COPY sandbox ./sandbox
RUN pip install --no-deps . && rm -rf build *.egg-info

# The bundled campaigns; docker-compose.yml mounts ./campaign_specs over them so edits apply live.
COPY campaign_specs ./campaign_specs

USER campaigns
ENV DATA_DIR=/data \
    SPECS_DIR=/app/campaign_specs
VOLUME ["/data"]
EXPOSE 8765 8766
CMD ["campaigns", "run", "--health-host", "0.0.0.0"]
