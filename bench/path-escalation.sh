#!/usr/bin/env bash
# Every spelling of the admin and actuator paths (encoded characters, case, //, dot segments, ;params, encoded and
# back slashes, double encoding), sent with a tenant key and with no key to the service as packaged, on its embedded
# default. Prints each request that was not refused (400, 401 or 403) or that showed a key, a metric or a Java name,
# then the count; exits 1 if there was any. The probe is the one PathAuthorizationTest runs in the build.
# Usage: bench/path-escalation.sh   Needs target/shears.jar and target/test-classes (built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${SHEARS_BENCH_PORT:-18094}"
KEY="bench-admin-key-0123456789"
OUT=target/bench/path-escalation
mkdir -p "$OUT"
[ -f target/shears.jar ] && [ -f target/test-classes/io/shears/service/PathEscalationProbe.class ] \
  || ./mvnw -q -B -ntp package -DskipTests
. bench/packaged-service.sh
start_packaged_service "$PWD/target/shears.jar" "$PORT" "$KEY" "$PWD/$OUT/service.log"
java -cp target/test-classes io.shears.service.PathEscalationProbe 127.0.0.1 "$PORT" "$KEY"
