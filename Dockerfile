# Celeriac services image: loan-api, loan-worker (every pool), taskctl and loan-demo. About
# 330 MB: bookworm-slim 75, the C libraries with their dependencies ~50 (ICU alone 36), the
# Swift runtime ~80, loan-worker 75 (static, see below), the other executables ~35, the
# backtracer 10 (sizes measured on Debian 12).
#   docker build -t celeriac:dev .
#   docker run --env-file my.env celeriac:dev              # a worker (the default command)
#   docker run --env-file my.env celeriac:dev loan-api     # the API
# Both stages are Debian 12 (bookworm), so the runtime libraries are the very versions the
# build stage compiled against; the pins below name their upstream series.

# ---- Build stage: Swift 6 with the C libraries' headers.
FROM swift:6.3-bookworm AS build
# pipefail: a failing ldd must fail the build, not feed an empty list to cp.
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      librabbitmq-dev=0.11.* libhiredis-dev=0.14.* libbson-dev=1.23.* libmongoc-dev=1.23.* pkg-config=1.8.* \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies resolve in their own layer, reused until Package.swift changes.
COPY Package.swift ./
RUN swift package resolve
# The manifest also declares the test and benchmark targets, so their folders must exist.
COPY Sources ./Sources
COPY Tests ./Tests
COPY bench ./bench
# loan-api, taskctl and loan-demo share one copy of the Swift runtime instead of each linking
# it statically: Foundation with its ICU data is ~60 MB per static binary, the shared runtime
# ~80 MB once. loan-worker, the process operators run many of, links it statically: without
# the relocated shared Swift libraries each worker process is ~6 MB smaller in memory (idle RSS
# 25 instead of 31 MB, measured by scripts/bench.sh compare). ldd lists exactly the runtime
# libraries the others load; they go to /usr/lib/swift/linux in the runtime stage, the RUNPATH
# the toolchain gives every binary it links. --strip-debug drops the DWARF (~70 %) but keeps
# the symbols, so crash backtraces (swift-backtrace-static) still name the functions.
RUN for product in loan-api taskctl loan-demo; do \
      swift build -c release --product "$product" || exit 1; \
    done \
 && swift build -c release --static-swift-stdlib --product loan-worker \
 && mkdir -p /out/bin /out/swift \
 && bin="$(swift build -c release --show-bin-path)" \
 && cp "$bin/loan-api" "$bin/loan-worker" "$bin/taskctl" "$bin/loan-demo" /out/bin/ \
 && strip --strip-debug /out/bin/* \
 && ldd /out/bin/* | awk '$3 ~ /^\/usr\/lib\/swift\// { print $3 }' | sort -u | xargs cp -L -t /out/swift/ \
 && test -f /out/swift/libswiftCore.so \
 && cp /usr/libexec/swift/linux/swift-backtrace-static /out/bin/

# ---- Runtime stage: the Swift runtime and C libraries the binaries load, nothing else.
FROM debian:bookworm-slim
# ca-certificates is deliberately unpinned: it is the trust store (MongoDB URLs with tls=true)
# and should always be the release's newest; the libraries are pinned to their ABI series.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      librabbitmq4=0.11.* libhiredis0.14=0.14.* libbson-1.0-0=1.23.* libmongoc-1.0-0=1.23.* ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin celeriac
COPY --from=build /out/swift/ /usr/lib/swift/linux/
COPY --from=build /out/bin/ /usr/local/bin/
# A numeric user, so Kubernetes' runAsNonRoot can verify it without resolving names.
USER 10001:10001
WORKDIR /tmp
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/bin/swift-backtrace-static \
    WORKER_HEALTH_FILE=/tmp/loan-worker.health
# The health check fits the default command (a worker rewrites WORKER_HEALTH_FILE every 5 s);
# a container running loan-api overrides it with a GET /health (docker-compose.yml does).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["loan-worker", "health-check"]
CMD ["loan-worker"]
