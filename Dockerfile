# syntax=docker/dockerfile:1.7
#
# Shears image. CPU by default; the GPU image (CUDA 12.4, Maven profile gpu) is the same file with
#   docker build -t shears:0.1.0 .
#   docker build -t shears:0.1.0-gpu --build-arg FLAVOR=gpu .
# Both start with no network: PyTorch's native library is extracted into the image at build time.

# cpu | gpu. Global, so the FROM lines below can pick their base by it.
ARG FLAVOR=cpu
# Temurin builds its JRE against an old glibc, so the same JRE runs on the CUDA image's Ubuntu 22.04 too.
ARG JRE_IMAGE=eclipse-temurin:17-jre
ARG CUDA_IMAGE=nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04

# ---------------------------------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
ARG FLAVOR
WORKDIR /src
COPY pom.xml ./
COPY src/main src/main
# The cache mount keeps ~/.m2 between builds, so a rebuild after a code change downloads nothing.
# maven.test.skip (not just skipTests): the test sources are not in the build context (.dockerignore).
RUN --mount=type=cache,target=/root/.m2 \
    set -eu; \
    case "$FLAVOR" in \
      cpu) profile= ;; \
      gpu) profile=-Pgpu ;; \
      *) echo "FLAVOR must be cpu or gpu, is '$FLAVOR'" >&2; exit 2 ;; \
    esac; \
    mvn -B -ntp $profile -Dmaven.test.skip=true package; \
    cp target/shears.jar /shears.jar

# ---------------------------------------------------------------------------------------------------------------
FROM ${JRE_IMAGE} AS jre

FROM ${JRE_IMAGE} AS base-cpu
# On the CPU the service compiles its Java code with C1 alone: a job's code only dispatches to PyTorch's kernels, and
# C2's own compiling took seconds of the cores from the first jobs' kernels (io.shears.engine.startup.JitCompilers).
# The java launcher reads JDK_JAVA_OPTIONS (after JAVA_TOOL_OPTIONS); an empty one restores C2. The GPU image keeps
# both compilers: there the dispatch is a larger share of a step.
ENV JDK_JAVA_OPTIONS=-XX:TieredStopAtLevel=1

FROM ${CUDA_IMAGE} AS base-gpu
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH=/opt/java/openjdk/bin:$PATH
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
# Tells the NVIDIA container runtime to mount the driver's compute libraries; the CUDA base sets these too, kept
# explicit so a different CUDA_IMAGE still gets them.
ENV NVIDIA_VISIBLE_DEVICES=all
ENV NVIDIA_DRIVER_CAPABILITIES=compute,utility

# ---------------------------------------------------------------------------------------------------------------
FROM base-${FLAVOR} AS runtime
ARG FLAVOR
# curl for HEALTHCHECK (the CUDA base has none); ca-certificates for HTTPS to S3.
RUN set -eu; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl ca-certificates; \
    rm -rf /var/lib/apt/lists/*; \
    groupadd --system --gid 10001 shears; \
    useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/shears --no-create-home \
      --shell /usr/sbin/nologin shears; \
    mkdir -p /opt/shears/djl /var/lib/shears/data; \
    chown -R 10001:10001 /var/lib/shears

COPY --from=build /shears.jar /opt/shears/shears.jar

# Extract PyTorch's native library (and DJL's JNI library) now, so a container never fetches or unpacks it at start.
# The GPU build needs no GPU here: libtorch_cuda.so does not link libcuda.so.1 (the driver the NVIDIA runtime mounts
# into the container); PyTorch opens it only when a GPU is used. The cache must belong to the runtime user: DJL writes
# there at every start, even when the libraries are present (on a read-only cache the engine fails to load).
RUN set -eu; \
    java -Dshears.engine.cache-dir=/opt/shears/djl -jar /opt/shears/shears.jar engine; \
    chown -R 10001:10001 /opt/shears/djl

# OpenMP threads that spin only briefly after a parallel region, then sleep: on a shared node or under a CPU limit,
# spinning threads take the time the other threads (and the neighbours) need, while sleeping at once made an idle
# epoch 1.5x as long. PyTorch's OpenMP reads it once, at load; report.json records it (fineTuning.threading.openMp).
# glibc's malloc keeps what libtorch frees for the next step instead of handing it back to the kernel, which maps and
# zeroes it again every step (bin/shears says more); glibc reads it at process start (fineTuning.threading.mallocTunables).
ENV SHEARS_DATA_DIR=/var/lib/shears/data \
    SHEARS_ENGINE_CACHE_DIR=/opt/shears/djl \
    HOME=/var/lib/shears \
    GOMP_SPINCOUNT=100000 \
    GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824

LABEL io.shears.flavor=${FLAVOR}

USER 10001:10001
WORKDIR /var/lib/shears
EXPOSE 8080

# Liveness only: readiness also waits for the database, and a container that is merely waiting must not be restarted.
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${SERVER_PORT:-8080}/actuator/health/liveness" || exit 1

ENTRYPOINT ["java", "-jar", "/opt/shears/shears.jar"]
