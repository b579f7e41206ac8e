# Celeriac services image: loan-worker (every pool) and the other executables.
# Build stage: Swift 6 on Debian 12 with the C libraries' headers.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends librabbitmq-dev libhiredis-dev libbson-dev libmongoc-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY bench ./bench
COPY Tests ./Tests
# The Swift runtime is linked statically, so the runtime image needs only the C libraries.
RUN swift build -c release --static-swift-stdlib --product loan-worker \
 && swift build -c release --static-swift-stdlib --product loan-demo \
 && mkdir -p /out \
 && cp "$(swift build -c release --show-bin-path)/loan-worker" "$(swift build -c release --show-bin-path)/loan-demo" /out/

# Runtime stage: only the shared libraries the binaries load.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends librabbitmq4 libhiredis0.14 libbson-1.0-0 libmongoc-1.0-0 tzdata ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app celeriac
COPY --from=build /out/ /app/
ENV PATH=/app:$PATH
USER celeriac
WORKDIR /app
# Workers have no HTTP port: the healthcheck asks whether the process is alive.
HEALTHCHECK --interval=30s --timeout=5s CMD ["/bin/sh", "-c", "kill -0 1"]
ENTRYPOINT ["/app/loan-worker"]
