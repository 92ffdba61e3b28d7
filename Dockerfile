# SATGAS image: one image for web (gunicorn), worker and beat (celery); see docker-compose.yml.
#   docker build -t satgas .

# Front-end packages (Bootstrap, Bootstrap Icons, htmx) from the npm registry; only the
# runtime dependencies, the test-only ones (axe-core) stay out.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=satgas.settings.production \
    SATGAS_PRIVATE_ROOT=/var/lib/satgas/private

# WeasyPrint's runtime libraries (Pango, HarfBuzz), fonts, gettext for the translations:
# the Makefile's SYSTEM_PACKAGES.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b gettext fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 satgas \
    && useradd --system --uid 10001 --gid satgas --home-dir /app --no-create-home satgas

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
COPY --from=assets /src/node_modules ./node_modules

# Static files (hashed, compressed; WhiteNoise serves them) and translations are built into
# the image. The production settings refuse to load without their required variables, so
# harmless build-time values are given here; the real ones come from the environment at run time.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    DJANGO_ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://build:6379/0 \
    SATGAS_SITE_URL=https://build.invalid \
    sh -c "python manage.py collectstatic --noinput -v 0 \
           && python manage.py compilemessages --ignore=node_modules -v 0" \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p /var/lib/satgas/private \
    && chown -R satgas:satgas /var/lib/satgas

USER satgas
EXPOSE 8000
# The same commands as the Procfile; docker-compose.yml picks one per service.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "satgas.wsgi"]
