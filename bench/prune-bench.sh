#!/bin/sh
# Benchmark of the pruning core: `shears prune` on one full-size model of bench/models/out/ to 0.5 of its MACs, against
# the floor of reading and writing the same file with the same reader and writer. Run through a wrapper that names the
# model: bench/prune-resnet50.sh (torchvision ResNet-50), bench/prune-vit.sh (torchvision ViT-B/16).
#
# usage: MODEL_FILE=F EXPORT_ARGS='..' BENCH_NAME=N HEAP_MIB=M bench/prune-bench.sh [RUNS]
#        (default 5 runs; env also: RUNS, BENCH_OUT, JAVA)
#   MODEL_FILE   the model's file name in bench/models/out/
#   EXPORT_ARGS  the arguments of bench/models/export_torchvision.py that write it when it is missing
#   BENCH_NAME   the name of the output directory under target/bench/
#   HEAP_MIB     the -Xmx of both processes, in MiB, and the heap bar
#
# Per run it measures
#   (a) java -Xmx$HEAP_MIB -jar target/shears.jar prune MODEL -o OUT --target-fraction 0.5 --report REPORT
#       - analysis + pruning: the report's timings.totalMs (analysis, solve, surgery, verify; no file I/O)
#       - whole-process wall time (JVM start to exit, measured around the java command)
#       - peak heap used: the largest "before" figure of the GC log's "Pause ... X M->Y M(Z M)" lines and the heap
#         used at exit (-Xlog:gc+heap+exit), whichever is larger; the run must also succeed under that -Xmx
#   (b) the floor: io.shears.cli.ReadWriteFloor (src/test/java) run from the same jar with the same launcher
#       (Spring Boot PropertiesLauncher, test classes added by loader.path): ModelReader.read + ModelWriter.write
#       of MODEL, nothing else; the same three figures
# and prints markdown rows of median / min / max. Runs alternate (a) and (b); the model is read once first so
# every run starts with it in the page cache.
#
# Builds nothing unless something is missing: the jar (mvn package), the test classes (mvn test-compile), the model
# (bench/models/export_torchvision.py; needs Debian python3-torch python3-torchvision python3-onnx).
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/.." && pwd -P)
cd "$repo"

runs=${1:-${RUNS:-5}}
case $runs in
    '' | *[!0-9]* | 0) echo "error: USAGE: RUNS must be a positive integer, got '$runs'" >&2; exit 2 ;;
esac
java=${JAVA:-java}
heap_mib=${HEAP_MIB:?HEAP_MIB is not set: run bench/prune-resnet50.sh or bench/prune-vit.sh}
out=${BENCH_OUT:-$repo/target/bench/${BENCH_NAME:?BENCH_NAME is not set}}
model=$repo/bench/models/out/${MODEL_FILE:?MODEL_FILE is not set}
jar=$repo/target/shears.jar
floor_class=$repo/target/test-classes/io/shears/cli/ReadWriteFloor.class

if [ ! -f "$jar" ]; then
    echo "# $jar missing: mvn -q -B package -DskipTests" >&2
    mvn -q -B package -DskipTests
fi
if [ ! -f "$floor_class" ]; then
    echo "# $floor_class missing: mvn -q -B test-compile" >&2
    mvn -q -B test-compile
fi
if [ ! -f "$model" ]; then
    echo "# $model missing: exporting it (bench/models/README.md)" >&2
    if ! /usr/bin/python3 -c 'import torch, torchvision, onnx' 2>/dev/null; then
        echo "error: MISSING_PACKAGES: exporting the model needs: apt-get install python3-torch python3-torchvision python3-onnx" >&2
        exit 1
    fi
    # shellcheck disable=SC2086 # EXPORT_ARGS is a word list
    /usr/bin/python3 bench/models/export_torchvision.py ${EXPORT_ARGS:?EXPORT_ARGS is not set}
fi

rm -rf "$out"
mkdir -p "$out"
# Private copies, so that a build running meanwhile cannot swap the jar or the class under the runs.
cp "$jar" "$out/shears.jar"
mkdir -p "$out/floor-classes/io/shears/cli"
cp "$floor_class" "$out/floor-classes/io/shears/cli/"
jar=$out/shears.jar
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
cat "$model" >/dev/null

now_ns() { date +%s%N; }

i=1
while [ "$i" -le "$runs" ]; do
    # (a) the pruning run
    t0=$(now_ns)
    if ! "$java" -Xmx"$heap_mib"m -Xlog:gc,gc+heap+exit:file="$out/prune-gc-$i.log" -jar "$jar" \
            prune "$model" -o "$out/pruned-$i.onnx" --target-fraction 0.5 --report "$out/report-$i.json" \
            >"$out/prune-$i.out" 2>"$out/prune-$i.err"; then
        echo "error: prune run $i failed under -Xmx${heap_mib}m:" >&2
        cat "$out/prune-$i.err" >&2
        exit 1
    fi
    t1=$(now_ns)
    echo "$(( (t1 - t0) / 1000000 ))" >"$out/prune-wall-$i.ms"

    # (b) the floor: read + write of the same file, same jar, launcher, reader and writer
    t0=$(now_ns)
    if ! "$java" -Xmx"$heap_mib"m -Xlog:gc,gc+heap+exit:file="$out/floor-gc-$i.log" \
            -Dloader.path="$out/floor-classes" -Dloader.main=io.shears.cli.ReadWriteFloor \
            -cp "$jar" org.springframework.boot.loader.launch.PropertiesLauncher "$model" "$out/floor-$i.onnx" \
            >"$out/floor-$i.out" 2>"$out/floor-$i.err"; then
        echo "error: floor run $i failed:" >&2
        cat "$out/floor-$i.err" >&2
        exit 1
    fi
    t1=$(now_ns)
    echo "$(( (t1 - t0) / 1000000 ))" >"$out/floor-wall-$i.ms"
    rm -f "$out/floor-$i.onnx"
    if [ "$i" -gt 1 ]; then
        if ! cmp -s "$out/pruned-1.onnx" "$out/pruned-$i.onnx"; then
            echo "error: run $i wrote different bytes than run 1" >&2
            exit 1
        fi
        rm -f "$out/pruned-$i.onnx"
    fi
    i=$((i + 1))
done

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM," \
    "$("$java" -version 2>&1 | head -n 2 | tail -n 1), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "# load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# model: $(basename "$model"), $(wc -c <"$model") bytes; pruned: $(wc -c <"$out/pruned-1.onnx") bytes;" \
    "runs: $runs (outputs byte-identical across runs); logs in $out"

python3 - "$out" "$runs" "$heap_mib" <<'EOF'
import json, re, statistics, sys
out, runs, heap_bar = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
heap_label = f"{heap_bar // 1024} GiB" if heap_bar % 1024 == 0 else f"{heap_bar} MiB"

def peak_heap_mib(log):
    peak = 0.0
    units = {"K": 1 / 1024, "M": 1.0, "G": 1024.0}
    for line in open(log):
        m = re.search(r"Pause.* (\d+)([KMG])->\d+[KMG]\(\d+[KMG]\)", line)
        if m:
            peak = max(peak, int(m.group(1)) * units[m.group(2)])
        m = re.search(r"heap\s+total \d+K, used (\d+)K", line)
        if m:
            peak = max(peak, int(m.group(1)) / 1024)
    return peak

def read_ms(path):
    return int(open(path).read().strip())

rows = {k: [] for k in ("analysis", "solve", "surgery", "verify", "pruning", "prune_wall", "prune_heap",
                        "floor_rw", "floor_read", "floor_write", "floor_wall", "floor_heap")}
for i in range(1, runs + 1):
    t = json.load(open(f"{out}/report-{i}.json"))["timings"]
    rows["analysis"].append(t["analysisMs"]); rows["solve"].append(t["solveMs"])
    rows["surgery"].append(t["surgeryMs"]); rows["verify"].append(t["verifyMs"])
    rows["pruning"].append(t["totalMs"])
    rows["prune_wall"].append(read_ms(f"{out}/prune-wall-{i}.ms"))
    rows["prune_heap"].append(peak_heap_mib(f"{out}/prune-gc-{i}.log"))
    f = dict(kv.split("=") for kv in open(f"{out}/floor-{i}.out").read().split())
    rows["floor_rw"].append(int(f["totalMs"])); rows["floor_read"].append(int(f["readMs"]))
    rows["floor_write"].append(int(f["writeMs"]))
    rows["floor_wall"].append(read_ms(f"{out}/floor-wall-{i}.ms"))
    rows["floor_heap"].append(peak_heap_mib(f"{out}/floor-gc-{i}.log"))

def cell(xs, unit):
    if unit == "s":
        return " | ".join(f"{v / 1000:.2f} s" for v in (statistics.median(xs), min(xs), max(xs)))
    return " | ".join(f"{v:.0f} MiB" for v in (statistics.median(xs), min(xs), max(xs)))

pruning_max, heap_max = max(rows["pruning"]), max(rows["prune_heap"])
print()
print("| measure | median | min | max | bar |")
print("| --- | --- | --- | --- | --- |")
print(f"| analysis + pruning (report `timings.totalMs`) | {cell(rows['pruning'], 's')} | < 3 s: "
      f"{'met' if pruning_max < 3000 else 'MISSED'} (max {pruning_max / 1000:.2f} s) |")
for key, label in (("analysis", "analysis"), ("solve", "solve"), ("surgery", "surgery"), ("verify", "verify")):
    print(f"| &nbsp;&nbsp;of which {label} | {cell(rows[key], 's')} | |")
print(f"| floor: read + write of the same file (in the JVM) | {cell(rows['floor_rw'], 's')} | |")
print(f"| &nbsp;&nbsp;of which read | {cell(rows['floor_read'], 's')} | |")
print(f"| &nbsp;&nbsp;of which write | {cell(rows['floor_write'], 's')} | |")
print(f"| `shears prune` whole process (wall) | {cell(rows['prune_wall'], 's')} | |")
print(f"| floor whole process (wall) | {cell(rows['floor_wall'], 's')} | |")
print(f"| peak heap used, `shears prune` (-Xmx{heap_bar}m, all {runs} runs succeeded) | {cell(rows['prune_heap'], 'MiB')} "
      f"| < {heap_label}: {'met' if heap_max < heap_bar else 'MISSED'} (max {heap_max:.0f} MiB) |")
print(f"| peak heap used, floor | {cell(rows['floor_heap'], 'MiB')} | |")
EOF
