# Builds every e2gate app (and the native engine) into one image; choose the app with the command.
# Not exercised in CI (no Docker engine there); kept in step with scripts/setup.sh.
FROM node:20-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential pkg-config clang libclang-dev \
      libavcodec-dev libavformat-dev libavfilter-dev libavutil-dev libswresample-dev libswscale-dev libva-dev \
      curl ca-certificates && rm -rf /var/lib/apt/lists/*
RUN curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
ENV PATH=/root/.cargo/bin:$PATH
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm run build && npm run build:web && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libavcodec59 libavformat59 libavfilter8 libavutil57 libswresample4 libswscale6 libva2 \
      && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
ENV E2GATE_DATA_DIR=/data
VOLUME /data
CMD ["node", "--enable-source-maps", "dist/apps/catalog/src/main.js"]
