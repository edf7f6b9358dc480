#!/usr/bin/env python3
"""Compute-optimal transfer experiment, run against a Shears service through its public API only (stdlib only).

Uploads the BN-kept source model and the target datasets, then submits one job per grid cell
    prune fraction x scope x fine-tuning budget (maxTrainFlops) x seed  [+ no-calibration cells]
polls them, downloads report.json and appends one CSV row per finished cell. Rerunning resumes: cells already in the
CSV are skipped, cells submitted but not recorded are polled again (the job id is kept in a side file, and the
Idempotency-Key is the cell key, so a retried submission never runs twice).

Budgets are multiples X of the dense model's forward FLOPs over the training set:
    maxTrainFlops = X * flops * trainCount        (flops = forward FLOPs per image from the model upload)
Shears charges 3 x forward FLOPs per training sample seen, so X = 3 is one dense epoch.

Cells run cheapest first: ordered by X * (1 + 2 * seed), so with the default budgets the order is 10x seeds 0 and 1,
46x seed 0, 10x seed 2, 46x seed 1, 215x seed 0, ...; the no-calibration cells (lowest budget) go with their budget. Fraction 1.0 is the dense model: it is
run once per budget and seed (scope 'dense') unless --dense-per-scope.

    python3 bench/experiments/compute_optimal.py --url http://localhost:8282 --key experiment-key-0123456789 \\
        --models /root/scratch-experiment/models --out /root/scratch-experiment/results.csv
"""
import argparse
import csv
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request

# fineTune.epochs of the recorded grid; at 1000x the 0.25 models reach it before their budget.
DEFAULT_MAX_EPOCHS = 1000

FIELDS = ["key", "fraction", "scope", "budget_x", "max_train_flops", "seed", "calibration", "round_to", "job_id",
          "state", "error_code", "error_message", "original_macs", "pruned_macs", "macs_ratio", "pruned_params",
          "acc_original", "acc_pruned_zero_shot", "acc_recalibrated", "acc_fine_tuned", "final_top1",
          "eval_samples", "train_flops", "steps", "epochs", "budget_reached", "finetune_seconds", "job_seconds",
          "started_at", "finished_at", "threads"]


class Api:
    def __init__(self, url, key):
        self.url = url.rstrip("/")
        self.key = key

    class NotFound(RuntimeError):
        """A 404: the id is unknown to this service (for instance a job recorded against an earlier data directory)."""

    def call(self, method, path, body=None, ctype=None, headers=None, raw=False, timeout=600):
        h = {"Authorization": "Bearer " + self.key}
        if ctype:
            h["Content-Type"] = ctype
        h.update(headers or {})
        data = body
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        for attempt in range(30):
            try:
                with urllib.request.urlopen(req, timeout=timeout) as r:
                    payload = r.read()
                    return payload if raw else json.loads(payload or b"null")
            except urllib.error.HTTPError as e:
                detail = e.read().decode(errors="replace")
                if e.code >= 500 or e.code == 429:
                    time.sleep(min(2 ** attempt, 30))
                    continue
                error = Api.NotFound if e.code == 404 else RuntimeError
                raise error(f"{method} {path}: HTTP {e.code}: {detail}") from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                time.sleep(min(2 ** attempt, 30))
                last = e
        raise RuntimeError(f"{method} {path}: service unreachable: {last}")


def upload(api, state, kind, path, name):
    """Uploads once per file (by path and size); the id is kept in the state file and checked on the server."""
    tag = f"{kind}:{os.path.abspath(path)}:{os.path.getsize(path)}"
    if tag in state["uploads"]:
        try:
            return api.call("GET", f"/v1/{kind}/{state['uploads'][tag]['id']}")
        except RuntimeError:
            pass
    with open(path, "rb") as f:
        view = api.call("POST", f"/v1/{kind}?name={name}", f.read(), "application/octet-stream")
    state["uploads"][tag] = view
    return view


def cells(args, budgets_x):
    out = []
    for bi, x in enumerate(budgets_x):
        for seed in args.seeds:
            for frac in args.fractions:
                scopes = args.scopes if (frac < 1.0 or args.dense_per_scope) else ["dense"]
                for scope in scopes:
                    calibs = [True]
                    if bi == 0 and args.no_calibration_at_lowest and frac < 1.0:
                        calibs.append(False)
                    for cal in calibs:
                        key = f"f{frac:g}-{scope}-x{x:g}-s{seed}-{'cal' if cal else 'nocal'}"
                        if args.max_epochs != DEFAULT_MAX_EPOCHS:
                            key += f"-e{args.max_epochs}"
                        out.append(dict(key=key, fraction=frac, scope=scope, budget_x=x, seed=seed,
                                        calibration=cal,
                                        order=(x * (1 + args.seed_weight * seed), x, seed, -frac, scope, not cal)))
    out.sort(key=lambda c: c["order"])
    return out


def check_cells(args):
    """Recalibration check: prune only, evaluate on the source task (where the head is right), with and without BN
    recalibration on source images; seed 0."""
    out = []
    for frac in args.fractions:
        for scope in (args.scopes if frac < 1.0 else ["dense"]):
            for cal in (True, False):
                key = f"f{frac:g}-{scope}-source-{'cal' if cal else 'nocal'}"
                out.append(dict(key=key, fraction=frac, scope=scope, budget_x=0, seed=0, calibration=cal,
                                order=(-frac, scope, not cal), check=True))
    return out


def job_spec(args, model, train_ds, eval_ds, cell, max_train_flops, round_to):
    scope = "filters" if cell["scope"] == "dense" else cell["scope"]
    if cell.get("check"):
        spec = {"modelId": model["id"], "budget": {"fraction": cell["fraction"]},
                "pruning": {"scope": scope, "roundTo": round_to, "seed": 0},
                "input": {"channels": "grey", "mean": [args.mean], "std": [args.std]},
                "evaluation": {"datasetId": eval_ds["id"]},
                "labels": {"experiment": "compute-optimal-transfer", "cell": cell["key"]}}
        if cell["calibration"]:
            spec["calibration"] = {"datasetId": train_ds["id"], "batches": args.calibration_batches}
        return spec
    spec = {
        "modelId": model["id"],
        "budget": {"fraction": cell["fraction"]},
        "pruning": {"scope": scope, "roundTo": round_to, "seed": cell["seed"]},
        "input": {"channels": "grey", "mean": [args.mean], "std": [args.std]},
        "fineTune": {"datasetId": train_ds["id"], "maxTrainFlops": max_train_flops, "epochs": args.max_epochs,
                     "batchSize": args.batch_size, "learningRate": args.lr, "optimizer": "sgd",
                     "seed": cell["seed"]},
        "evaluation": {"datasetId": eval_ds["id"]},
        "labels": {"experiment": "compute-optimal-transfer", "cell": cell["key"]},
    }
    if cell["calibration"]:
        spec["calibration"] = {"datasetId": train_ds["id"], "batches": args.calibration_batches}
    return spec


def top1(acc, stage):
    e = (acc or {}).get(stage)
    return "" if not e or e.get("top1") is None else f"{e['top1']:.6f}"


def record(api, cell, job, max_train_flops, round_to):
    row = {k: "" for k in FIELDS}
    row.update(key=cell["key"], fraction=cell["fraction"], scope=cell["scope"], budget_x=cell["budget_x"],
               max_train_flops=max_train_flops, seed=cell["seed"], calibration=int(cell["calibration"]),
               round_to=round_to, job_id=job["id"], state=job["state"], started_at=job.get("startedAt") or "",
               finished_at=job.get("finishedAt") or "")
    if job.get("error"):
        row["error_code"] = job["error"].get("code", "")
        row["error_message"] = (job["error"].get("message") or "").replace("\n", " ")[:300]
    res = job.get("result") or {}
    s = res.get("summary") or {}
    row.update(original_macs=s.get("originalMacs", ""), pruned_macs=s.get("prunedMacs", ""),
               macs_ratio=s.get("macsRatio", ""), pruned_params=s.get("prunedParams", ""),
               final_top1=s.get("finalTop1", ""))
    rep = next((a for a in res.get("artifacts") or [] if a["name"] == "report.json"), None)
    if rep:
        report = json.loads(api.call("GET", rep["url"], raw=True))
        acc = report.get("accuracy") or {}
        row.update(acc_original=top1(acc, "original"), acc_pruned_zero_shot=top1(acc, "prunedZeroShot"),
                   acc_recalibrated=top1(acc, "recalibrated"), acc_fine_tuned=top1(acc, "fineTuned"),
                   eval_samples=(acc.get("fineTuned") or acc.get("prunedZeroShot") or {}).get("samples", ""))
        ft = report.get("fineTuning") or {}
        eps = ft.get("epochs") or []
        row.update(train_flops=ft.get("trainFlops", ""), steps=ft.get("steps", ""), epochs=len(eps),
                   budget_reached=ft.get("budgetReached", ""), threads=ft.get("threads", ""),
                   finetune_seconds=round(sum(e.get("seconds") or 0 for e in eps), 1))
        row["job_seconds"] = round(sum(t.get("millis") or 0 for t in report.get("stages") or []) / 1000, 1)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://localhost:8282")
    ap.add_argument("--key", default=os.environ.get("SHEARS_API_KEY", "experiment-key-0123456789"))
    ap.add_argument("--models", default="/root/scratch-experiment/models",
                    help="directory written by pretrain_fmnist.py")
    ap.add_argument("--out", default="/root/scratch-experiment/results.csv")
    ap.add_argument("--fractions", default="1.0,0.75,0.5,0.25")
    ap.add_argument("--scopes", default="filters,channels")
    ap.add_argument("--budgets-x", default="10,46.4,215,1000",
                    help="budgets as multiples of the dense forward FLOPs over the training set")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--seed-weight", type=float, default=2.0,
                    help="cells run in the order of budget_x * (1 + seed_weight * seed)")
    ap.add_argument("--max-cost-x", type=float, default=float("inf"),
                    help="only cells with budget_x * (1 + seed_weight * seed) <= this (a reduced grid, cheapest "
                         "first)")
    ap.add_argument("--limit", type=int, default=0, help="stop after this many new cells (smoke tests)")
    ap.add_argument("--max-epochs", type=int, default=DEFAULT_MAX_EPOCHS,
                    help="fineTune.epochs, the bound next to the budget; the recorded grid used 1000, which ended the "
                         "0.25 models at 1000x before their budget (the service allows up to 100000)")
    ap.add_argument("--round-to", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--mean", type=float, default=0.2860)
    ap.add_argument("--std", type=float, default=0.3530)
    ap.add_argument("--calibration-batches", type=int, default=20)
    ap.add_argument("--no-calibration-at-lowest", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--dense-per-scope", action="store_true")
    ap.add_argument("--recalibration-check", action="store_true",
                    help="instead of the grid: prune only, on the source task (fmnist04-source.zip), evaluated with "
                         "and without BN recalibration; results to OUT with -recal before .csv")
    ap.add_argument("--concurrency", type=int, default=2, help="jobs in flight at once")
    ap.add_argument("--poll", type=float, default=2.0)
    args = ap.parse_args()
    args.fractions = [float(f) for f in args.fractions.split(",")]
    args.scopes = args.scopes.split(",")
    args.seeds = [int(s) for s in args.seeds.split(",")]
    budgets_x = [float(b) for b in args.budgets_x.split(",")]

    api = Api(args.url, args.key)
    if args.recalibration_check:
        args.out = args.out[:-4] + "-recal.csv" if args.out.endswith(".csv") else args.out + "-recal"
    state_path = args.out + ".state.json"
    state = json.load(open(state_path)) if os.path.exists(state_path) else {"uploads": {}, "jobs": {}}
    lock = threading.Lock()

    def save_state():
        tmp = state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f, indent=1)
        os.replace(tmp, state_path)

    model = upload(api, state, "models", os.path.join(args.models, "fmnist04-resnet-bnkeep.onnx"), "fmnist04-bnkeep")
    train_ds = upload(api, state, "datasets", os.path.join(args.models, "fmnist59-finetune.zip"), "fmnist59-finetune")
    eval_ds = upload(api, state, "datasets", os.path.join(args.models, "fmnist59-target.zip"), "fmnist59-target")
    if args.recalibration_check:
        train_ds = eval_ds = upload(api, state, "datasets", os.path.join(args.models, "fmnist04-source.zip"),
                                    "fmnist04-source")
    save_state()
    dense_fwd = model["flops"] * train_ds["trainCount"]
    print(f"model {model['id']}: {model['macs']} MACs, {model['flops']} FLOPs/image, {model['params']} params; "
          f"fine-tune dataset {train_ds['id']}: train {train_ds['trainCount']}, val {train_ds['valCount']}; "
          f"evaluation dataset {eval_ds['id']}: train {eval_ds['trainCount']}, val {eval_ds['valCount']} "
          f"(valFromArchive {eval_ds['valFromArchive']}); dense forward FLOPs over train set {dense_fwd:.4g}",
          flush=True)
    if eval_ds["valCount"] == 0:
        sys.exit("the evaluation dataset has no validation split; evaluation would run on training images")

    done = set()
    if os.path.exists(args.out):
        with open(args.out) as f:
            reader = csv.DictReader(f)
            recorded = list(reader)
            header = reader.fieldnames or []
        done = {r["key"] for r in recorded}
        if header != FIELDS:
            # A CSV from before a column was added: rewrite it under the current header, new columns empty.
            with open(args.out, "w", newline="") as f:
                w = csv.DictWriter(f, FIELDS, restval="", extrasaction="ignore")
                w.writeheader()
                w.writerows(recorded)
    else:
        with open(args.out, "w", newline="") as f:
            csv.DictWriter(f, FIELDS).writeheader()
    grid = check_cells(args) if args.recalibration_check else cells(args, budgets_x)
    todo = [c for c in grid if c["key"] not in done and c["order"][0] <= args.max_cost_x]
    if args.limit:
        todo = todo[:args.limit]
    print(f"{len(done)} cells recorded, {len(todo)} to run", flush=True)

    def append(row):
        with lock:
            with open(args.out, "a", newline="") as f:
                csv.DictWriter(f, FIELDS).writerow(row)
                f.flush()
                os.fsync(f.fileno())

    idem_suffix = {}

    def run(cell):
        mtf = 0 if cell.get("check") else int(round(cell["budget_x"] * dense_fwd))
        round_to = args.round_to
        while True:
            jkey = f"{cell['key']}-r{round_to}"
            with lock:
                job_id = state["jobs"].get(jkey)
            if job_id is None:
                spec = job_spec(args, model, train_ds, eval_ds, cell, mtf, round_to)
                job = api.call("POST", "/v1/jobs", spec,
                               headers={"Idempotency-Key": jkey + idem_suffix.get(cell["key"], "")})
                job_id = job["id"]
                with lock:
                    state["jobs"][jkey] = job_id
                    save_state()
            t0 = time.time()
            try:
                while True:
                    job = api.call("GET", f"/v1/jobs/{job_id}")
                    if job["state"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
                        break
                    time.sleep(args.poll)
            except Api.NotFound:
                print(f"  {cell['key']}: job {job_id} is unknown to this service, submitting the cell again", flush=True)
                with lock:
                    state["jobs"].pop(jkey, None)
                    save_state()
                continue
            err = (job.get("error") or {}).get("code")
            if job["state"] == "CANCELLED":
                # Cancelled (e.g. a run stopped by hand): submit the cell again under a fresh Idempotency-Key.
                with lock:
                    state["jobs"].pop(jkey, None)
                    state["jobs"][jkey + "-cancelled"] = job_id
                    state["resubmits"] = state.get("resubmits", 0) + 1
                    idem_suffix[cell["key"]] = f"-again{state['resubmits']}"
                    save_state()
                continue
            if err == "BUDGET_UNREACHABLE" and round_to > 1:
                print(f"  {cell['key']}: unreachable with roundTo {round_to}, retrying with roundTo 1", flush=True)
                round_to = 1
                continue
            row = record(api, cell, job, mtf, round_to)
            append(row)
            print(f"{time.strftime('%H:%M:%S')} {cell['key']}: {job['state']} {err or ''} "
                  f"top1={row['final_top1']} zs={row['acc_pruned_zero_shot']} recal={row['acc_recalibrated']} "
                  f"macs={row['pruned_macs']} epochs={row['epochs']} trainFlops={row['train_flops']} "
                  f"({time.time() - t0:.0f} s)", flush=True)
            return

    # Bounded concurrency: a small pool of threads, each submitting and polling one job at a time, in cell order.
    queue = list(todo)
    errors = []

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                cell = queue.pop(0)
            try:
                run(cell)
            except Exception as e:  # keep going; the cell stays unrecorded and reruns next time
                errors.append((cell["key"], str(e)))
                print(f"  {cell['key']}: {e}", file=sys.stderr, flush=True)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, args.concurrency))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"finished: {len(todo) - len(errors)} cells recorded, {len(errors)} errors", flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
