# One image for the API, the UI, the scheduler and the migration; compose picks the command.
# Everything installed is checked against a hash: the tools and the dependencies from the
# locks, and the wheel built here from this source (the same steps as tests/test_packaging.py).
FROM python:3.11.14-slim-bookworm AS build
ENV UV_PYTHON_DOWNLOADS=never UV_NO_CACHE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements-tools.lock requirements.lock ./
RUN python -m pip install --require-hashes -r requirements-tools.lock \
    && uv venv --python /usr/local/bin/python /venv \
    && uv pip install --python /venv/bin/python --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY domain domain
COPY api api
COPY streamlit_app streamlit_app
COPY jobs jobs
COPY cashflow cashflow
COPY migrations migrations
RUN uv build --wheel --out-dir /dist --build-constraints requirements-tools.lock \
        --require-hashes . \
    && uv pip install --python /venv/bin/python --no-deps /dist/*.whl

FROM python:3.11.14-slim-bookworm
# DejaVu: the PDF report's font with Hebrew glyphs. /data and /backups belong to the app's
# user, so the named volumes compose mounts there are writable by it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core=2.37-6 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 cashflow \
    && useradd --create-home --uid 10001 --gid 10001 cashflow \
    && mkdir -p /data /backups \
    && chown cashflow:cashflow /data /backups
COPY --from=build /venv /venv
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 DATA_DIR=/data BACKUP_DIR=/backups
WORKDIR /home/cashflow
# Numeric, so a runtime that refuses root (runAsNonRoot) can check it.
USER 10001:10001
EXPOSE 8000 8501
# The API's health; compose gives the UI its own check and turns it off for one-shot commands.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:' + os.environ.get('API_PORT', '8000') + '/health', timeout=4)"]
CMD ["cashflow", "api", "--host", "0.0.0.0"]
