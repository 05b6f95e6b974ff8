# The production-like image: gunicorn serving Django, static files through whitenoise.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ARCHIVE_DATA_DIR=/app/var

WORKDIR /app
COPY pyproject.toml README.md ./
COPY archive ./archive
COPY questions ./questions
RUN pip install --no-cache-dir .
COPY . .
RUN mkdir -p var && SECRET_KEY=build-only-key-not-used-at-run-time-0123456789 \
    python manage.py collectstatic --no-input --verbosity 0 \
    && useradd --system --home /app archive && mkdir -p /uploads && chown -R archive /app/var /uploads

USER archive
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --no-input && exec gunicorn archive.asgi:application --config archive/gunicorn_conf.py --bind 0.0.0.0:8000"]
