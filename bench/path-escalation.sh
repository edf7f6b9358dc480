#!/usr/bin/env bash
# Every spelling of the admin and actuator paths (encoded characters, case, //, dot segments, ;params, encoded and
# back slashes, double encoding), sent with a tenant key and with no key to the service as packaged, on its embedded
# default. Prints each request that was not refused (400, 401 or 403) or that showed a key or a metric, then the
# count; exits 1 if there was any. The probe is the one PathAuthorizationTest runs in the build.
# Usage: bench/path-escalation.sh   Needs target/shears.jar and target/test-classes (built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${SHEARS_BENCH_PORT:-18081}"
KEY="bench-admin-key-0123456789"
OUT=target/bench/path-escalation
mkdir -p "$OUT"
[ -f target/shears.jar ] && [ -f target/test-classes/io/shears/service/PathEscalationProbe.class ] \
  || ./mvnw -q -B -ntp package -DskipTests
DATA="$(mktemp -d)"
SERVICE_PID=
cleanup() {
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT
(cd "$DATA" && SERVER_PORT="$PORT" SHEARS_API_KEY="$KEY" exec java -jar "$OLDPWD/target/shears.jar" \
    > "$OLDPWD/$OUT/service.log" 2>&1) &
SERVICE_PID=$!
for _ in $(seq 120); do
  curl -sf "localhost:$PORT/actuator/health/readiness" > /dev/null && break
  kill -0 "$SERVICE_PID" 2>/dev/null || { echo "the service exited; see $OUT/service.log" >&2; exit 1; }
  sleep 1
done
java -cp target/test-classes io.shears.service.PathEscalationProbe 127.0.0.1 "$PORT" "$KEY"
