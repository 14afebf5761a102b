# The workspace-operator image: /usr/local/bin/wsctl on Debian 12 (bookworm), run as the
# non-root user 65532. The Helm chart in charts/workspace-operator runs `wsctl controller`.
#
#   docker build -t ghcr.io/workspace-operator/wsctl:0.1.0 .
#
# Every dependency comes from Debian packages (ARCHITECTURE.md section 8); nothing is
# downloaded at build time.

# --- build: the -dev packages of scripts/deps.sh, a Release build of wsctl only.
FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config ca-certificates \
      libboost-dev libboost-system-dev libboost-program-options-dev \
      libyaml-cpp-dev nlohmann-json3-dev prometheus-cpp-dev libspdlog-dev \
      libsqlite3-dev libssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Tests are built and run by scripts/test.sh, not here; warnings are not fatal in the image
# build (a newer optimiser warning must not break a release).
RUN cmake -S . -B /build -G Ninja \
      -DCMAKE_BUILD_TYPE=Release -DWSOP_BUILD_TESTS=OFF -DWSOP_WERROR=OFF \
 && cmake --build /build --target wsctl \
 && strip /build/cmd/wsctl/wsctl

# --- runtime: only the shared libraries wsctl links, and the CA certificates it trusts.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libyaml-cpp0.7 libspdlog1.10 libfmt9 libprometheus-cpp-core1.0 libsqlite3-0 libssl3 zlib1g \
      libboost-program-options1.74.0 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 wsctl \
 && useradd --system --uid 65532 --gid 65532 --no-create-home \
      --home-dir /var/lib/workspace-operator --shell /usr/sbin/nologin wsctl \
 && install -d -o 65532 -g 65532 -m 0750 /var/lib/workspace-operator
COPY --from=build /build/cmd/wsctl/wsctl /usr/local/bin/wsctl
# Fail the build here, not at run time, if a shared library is missing.
RUN ! ldd /usr/local/bin/wsctl | grep 'not found' \
 && /usr/local/bin/wsctl version
USER 65532:65532
WORKDIR /var/lib/workspace-operator
# The controller's /metrics, /healthz, /readyz and /api/v1/workspaces (--metrics-addr :8080).
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/wsctl"]
CMD ["--help"]
