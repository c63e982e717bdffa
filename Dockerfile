# Multi-stage image for the API, the UI and the scheduler (one image, three commands).
FROM python:3.11-slim AS build
WORKDIR /app
COPY requirements.lock ./
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir -r requirements.lock
COPY pyproject.toml README.md alembic.ini ./
COPY domain domain
COPY api api
COPY streamlit_app streamlit_app
COPY jobs jobs
COPY cashflow cashflow
COPY migrations migrations
RUN /venv/bin/pip install --no-cache-dir --no-deps .

FROM python:3.11-slim
# DejaVu: the PDF report's font with Hebrew glyphs.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* && useradd --create-home cashflow
COPY --from=build /venv /venv
COPY --from=build /app /app
WORKDIR /app
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1
USER cashflow
EXPOSE 8000 8501
CMD ["cashflow", "api", "--host", "0.0.0.0"]
