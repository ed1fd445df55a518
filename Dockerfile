# Kirim's reference server. `docker compose up` runs it with PostgreSQL (compose.yaml); alone it keeps SQLite on
# the /data volume: docker run -p 8000:8000 -v kirim-data:/data -e KIRIM_ADMIN_TOKEN=... kirim
# NODE_IMAGE: a Debian-based Node 22 image with npm. CI builds on a local one (.ci/container-base).
ARG NODE_IMAGE=node:22-bookworm-slim

# The workspace's manifests: what npm ci installs from.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/http-express/package.json packages/http-express/
COPY packages/server/package.json packages/server/
COPY packages/storage-kysely/package.json packages/storage-kysely/
COPY packages/storage-postgres/package.json packages/storage-postgres/
COPY packages/storage-sqlite/package.json packages/storage-sqlite/
COPY packages/wa-sim/package.json packages/wa-sim/

# The packages' JavaScript (dist/). No install scripts: nothing here runs a native module, and the root `prepare`
# would build before the sources are copied. build:js, not build: the image runs JavaScript, and the type
# declarations are for npm (CI type-checks before it builds the image).
FROM manifests AS build
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY packages packages
RUN npm run build:js

# Production dependencies only. The one install script the server needs is better-sqlite3's (the root
# package.json's allowScripts), run by itself; it compiles when no prebuilt binary can be fetched, so the compiler
# lives in this stage and never reaches the runtime. Then out go what npm keeps though the server never loads it:
# the packages the lockfile marks devOptional (vitest and its tree, an optional peer of @kirim/core/testing), type
# declarations, source maps, and better-sqlite3's C sources and objects.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=manifests /app ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
RUN node -e "for (const [path, p] of Object.entries(require('./package-lock.json').packages)) \
      if (p.devOptional) require('node:fs').rmSync(path, { recursive: true, force: true })" \
  && find . -type f \( -name '*.d.ts' -o -name '*.d.[cm]ts' -o -name '*.map' \) -delete \
  && rm -rf node_modules/better-sqlite3/build/Release/obj* node_modules/better-sqlite3/deps node_modules/better-sqlite3/src

FROM ${NODE_IMAGE}
ENV NODE_ENV=production DATA_DIR=/data PORT=8000
RUN groupadd --system kirim && useradd --system --gid kirim --home-dir /data --shell /usr/sbin/nologin kirim \
  && mkdir /data && chown kirim:kirim /data && ln -s /app/packages/server/bin/kirim.js /usr/local/bin/kirim
WORKDIR /app
COPY --from=deps /app ./
COPY --from=build /app/packages/core/dist packages/core/dist
COPY --from=build /app/packages/http-express/dist packages/http-express/dist
COPY --from=build /app/packages/storage-kysely/dist packages/storage-kysely/dist
COPY --from=build /app/packages/storage-postgres/dist packages/storage-postgres/dist
COPY --from=build /app/packages/storage-sqlite/dist packages/storage-sqlite/dist
COPY --from=build /app/packages/server/dist packages/server/dist
COPY packages/server/bin packages/server/bin
COPY packages/server/console packages/server/console
# The app stays root's (read-only to the server); the server writes only to /data (SQLite, secret.key).
USER kirim
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and main.js handles SIGTERM: it stops taking requests, lets in-flight ones finish for up to
# KIRIM_SHUTDOWN_TIMEOUT_MS (10 s), then stops the engine and closes the database, and exits 0. Give `docker stop`
# more than that (`-t 30`; compose.yaml's stop_grace_period) or it kills the process half-way.
CMD ["node", "packages/server/dist/main.js"]
