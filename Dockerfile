# syntax=docker/dockerfile:1
# Portcullis container image: multi-stage, Node 24, runs as a non-root user on a read-only
# root filesystem (manifests/deployment.yaml sets readOnlyRootFilesystem; only /tmp, an
# emptyDir, is writable, and Portcullis writes nothing when given a config file).
#
#   docker build -t ghcr.io/portcullis-dev/portcullis:0.1.0 .
#
# For people with Docker. The released image is built without an engine, reproducibly, by
# scripts/build-image.sh (docs/image.md); both run the same way: user 65532:65532, entry point
# /usr/local/bin/node /app/bin/portcullis.js, the same CMD, WORKDIR, NODE_ENV and ports, the
# same /app paths (scripts/image/image-config.ts; test/unit/image/dockerfile-consistency.test.ts
# keeps the two in step).

# The node scripts/image/inputs.json pins (the `node` devDependency), on Debian 12 like the
# engine-free image's libraries.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim
# opa compiles the bundled default policy (policies/*.rego → Wasm) at build time only.
ARG OPA_IMAGE=openpolicyagent/opa:1.22.3-static

FROM ${OPA_IMAGE} AS opa

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the build uses the image's own node, and nothing here needs a native build.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
COPY policies ./policies
COPY --from=opa /opa /usr/local/bin/opa
# The two steps of `npm run build`, called with the image's node directly (not `npm run`):
# the `node` devDependency's shim is not installed with --ignore-scripts.
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && mkdir -p dist/policy \
 && PORTCULLIS_OPA=/usr/local/bin/opa node bin/portcullis.js policy build policies --out dist/policy/bundle.tar.gz \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Owned by root, read-only for the runtime user.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The uid/gid the manifests run as (runAsNonRoot needs a numeric USER).
USER 65532:65532
EXPOSE 8443 9090
ENTRYPOINT ["/usr/local/bin/node", "/app/bin/portcullis.js"]
CMD ["serve", "--config", "/etc/portcullis/config/portcullis.yaml"]
