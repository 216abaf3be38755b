FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api ./api
COPY mobile_pwa ./mobile_pwa
RUN pip install --no-cache-dir . && useradd --create-home undercover
USER undercover
ENV UNDERCOVER_PWA_DIR=/app/mobile_pwa
EXPOSE 8000
CMD ["undercover", "serve", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
