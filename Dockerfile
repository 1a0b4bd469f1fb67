# Production image: the web (gunicorn), the Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DATA_DIR=/data

# WeasyPrint needs Pango; the PDFs need a serif font with every Vietnamese letter
# (fonts-liberation2 / DejaVu, not the old fonts-liberation).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-liberation2 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .
COPY . .

# Static files are collected into the image (whitenoise serves them); this key exists only for the build.
RUN DJANGO_DEBUG=false SECRET_KEY=collectstatic-at-build-time-only-0123456789-abcdefghijklmnop \
    ALLOWED_HOSTS=localhost DATA_DIR=/tmp/build python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 app && mkdir -p /data && chown app /data
USER app
VOLUME ["/data"]
EXPOSE 8000
CMD ["gunicorn", "directive03.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
