# Sourced by the bench scripts (from the repository root): the packaged service in a temporary working and data
# directory, stopped and deleted when the script exits.
# start_packaged_service JAR PORT KEY LOG [JAVA_OPTION...] starts it, waits until it is ready and sets SERVICE_PID.
DATA="$(mktemp -d)"
SERVICE_PID=
cleanup() {
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

start_packaged_service() {
  local jar="$1" port="$2" key="$3" log="$4"
  shift 4
  # Another service on the port would answer the health checks and take the benchmark's requests.
  if curl -s -o /dev/null "localhost:$port"; then
    echo "port $port is in use; set SHEARS_BENCH_PORT to a free one" >&2
    exit 1
  fi
  # The port goes in as SERVER_PORT (Spring reads it from the environment), so the command line stays the default one.
  (cd "$DATA" && SERVER_PORT="$port" SHEARS_API_KEY="$key" exec java "$@" -jar "$jar" > "$log" 2>&1) &
  SERVICE_PID=$!
  for _ in $(seq 120); do
    curl -sf "localhost:$port/actuator/health/readiness" > /dev/null && break
    kill -0 "$SERVICE_PID" 2>/dev/null || { echo "the service exited; see $log" >&2; exit 1; }
    sleep 1
  done
  curl -sf "localhost:$port/actuator/health/readiness" > /dev/null
}
