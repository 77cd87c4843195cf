# One image for web, worker, beat and bot.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend/web
COPY frontend/web/package.json frontend/web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/web/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    CHANCETAP_VAR_DIR=/app/var
WORKDIR /app
# pg_dump/pg_restore must match the server (postgres:16 in docker-compose.yml); bookworm ships 15,
# so the client comes from the PostgreSQL project's apt repository.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
        https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update && apt-get install -y --no-install-recommends postgresql-client-16 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 chancetap
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
COPY --from=frontend /src/frontend/static/frontend /app/frontend/static/frontend
RUN DJANGO_DEBUG=1 python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R chancetap /app/var
USER chancetap
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
EXPOSE 8000
# Empties the Prometheus multiprocess directory, then runs the command (web, worker, beat, bot).
ENTRYPOINT ["/app/ops/docker-entrypoint.sh"]
# No per-message deflate: browsers offer it, and compressing every small frame cost 2 000-player
# games p95 7.7 s instead of 0.4 s in `make bench` (docs/architecture.md).
# X-Forwarded-* is trusted only from the addresses in FORWARDED_ALLOW_IPS (uvicorn reads it; default
# 127.0.0.1): set it to the proxy's address.
CMD ["uvicorn", "chancetap.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", "--ws-per-message-deflate", "false", "--ws-max-size", "16384", "--ws", "websockets-sansio"]
