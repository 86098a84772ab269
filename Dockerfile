# Builds every e2gate app (and the native engine, and the web app) into one image; choose the app with the command
# (docker-compose.yml does). Not exercised in CI (no Docker engine there); the build stage installs what
# scripts/setup.sh installs for a build (a test keeps the two lists in step).
#   docker build --build-arg VERSION=$(git describe --tags --always) --build-arg COMMIT=$(git rev-parse HEAD) .
FROM node:20-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential pkg-config clang libclang-dev \
      libavcodec-dev libavformat-dev libavfilter-dev libavutil-dev libswresample-dev libswscale-dev libva-dev \
      curl ca-certificates && rm -rf /var/lib/apt/lists/*
RUN curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
ENV PATH=/root/.cargo/bin:$PATH
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm run build && npm run build:web && npm prune --omit=dev \
 && rm -rf native/target apps/web/node_modules .cache

FROM node:20-bookworm-slim
# Empty: the apps report the package version and `unknown` (build-info.json treats empty as not given).
ARG VERSION=
ARG COMMIT=
LABEL org.opencontainers.image.title="e2gate" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.licenses="GPL-3.0-or-later"
# Runtime libraries only: no compiler, no -dev packages. `video` and `render` give the user /dev/dri (VAAPI).
# VAAPI needs a driver for the GPU: Mesa's (AMD) and, on amd64, Intel's: i965 (up to Coffee Lake) and the media
# driver (Broadwell and later; Debian's free build encodes with the low-power VDENC entry points, docs/hardware.md).
# /nats-auth: docker-compose's one-shot nats-config writes the services' NATS keys there (its volume takes the owner).
RUN apt-get update && apt-get install -y --no-install-recommends \
      libavcodec59 libavformat59 libavfilter8 libavutil57 libswresample4 libswscale6 libva2 libva-drm2 \
      mesa-va-drivers \
      && if [ "$(dpkg --print-architecture)" = amd64 ]; then \
           apt-get install -y --no-install-recommends intel-media-va-driver i965-va-driver; fi \
      && rm -rf /var/lib/apt/lists/* \
      && groupadd --system --force render \
      && useradd --system --create-home --uid 10001 --gid nogroup --groups video,render e2gate \
      && mkdir -p /data /nats-auth && chown e2gate /data /nats-auth
WORKDIR /app
COPY --from=build --chown=root:root /app /app
# The running apps report these (e2gate_build_info, /api/v1/status); .dockerignore keeps .git out of the image.
RUN printf '{"version":"%s","commit":"%s"}\n' "${VERSION}" "${COMMIT}" > /app/build-info.json
ENV E2GATE_DATA_DIR=/data \
    NODE_ENV=production
USER e2gate
VOLUME /data
# The gateway's port; catalog (8091) and transcoder (8092) override it in docker-compose.yml.
ENV HEALTH_URL=http://127.0.0.1:8080/healthz
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.HEALTH_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/apps/gateway/src/main.js"]
