#!/usr/bin/env python3
"""Table and SVG plot of the compute-optimal transfer results (stdlib only).

    python3 bench/experiments/plot_results.py /root/scratch-experiment/results.csv \\
        --svg docs/experiments/compute-optimal-transfer.svg --table /root/scratch-experiment/table.md

The plot is drawn from a summary (mean, std and n per scope, fraction and budget). `--write-summary` saves the one
computed from the rows; `--summary` draws from a saved one instead, so a plot can be redrawn when some runs' rows are
kept only as their summary.
"""
import argparse
import csv
import math
import statistics
from collections import defaultdict

COLOURS = {1.0: "#222222", 0.75: "#1f77b4", 0.5: "#2ca02c", 0.25: "#d62728"}


def fnum(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def ms(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None, 0
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0), len(values)


def pct(m, s, n):
    if m is None:
        return "–"
    return f"{100 * m:.1f} ± {100 * s:.1f} (n={n})" if n > 1 else f"{100 * m:.1f} (n=1)"


def load(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def groups(rows, calibration=True):
    g = defaultdict(list)
    for r in rows:
        if int(r["calibration"]) != int(calibration):
            continue
        g[(r["scope"], float(r["fraction"]), float(r["budget_x"]))].append(r)
    return g


def table(rows):
    out = []
    g = groups(rows, True)
    budgets = sorted({k[2] for k in g})
    out.append("Target test top-1 (%) after fine-tuning, mean ± std over seeds; BN recalibrated (20 batches) before "
               "fine-tuning. Columns: fine-tuning budget as a multiple X of the dense model's forward FLOPs over the "
               "1,000 training images (maxTrainFlops in parentheses).\n")
    mtf = {}
    for r in rows:
        mtf[float(r["budget_x"])] = int(r["max_train_flops"])
    out.append("| scope | fraction | MACs (ratio) | " + " | ".join(f"{x:g}× ({mtf[x]:.3g})" for x in budgets) + " |")
    out.append("|---|---|---|" + "---|" * len(budgets))
    keys = sorted({(k[0], k[1]) for k in g}, key=lambda k: (k[0] != "dense", k[0], -k[1]))
    for scope, frac in keys:
        cells = []
        macs = ""
        for x in budgets:
            rs = g.get((scope, frac, x), [])
            ok = [r for r in rs if r["state"] == "SUCCEEDED"]
            if rs and not ok:
                cells.append(", ".join(sorted({r["error_code"] or r["state"] for r in rs})))
                continue
            if ok and not macs:
                macs = f"{int(ok[0]['pruned_macs']):,} ({float(ok[0]['macs_ratio']):.3f})"
            cells.append(pct(*ms([fnum(r["final_top1"]) for r in ok])))
        out.append(f"| {scope} | {frac:g} | {macs or '–'} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def stage_table(rows):
    """Per cell at the lowest budget: zero-shot, recalibrated, fine-tuned with and without calibration."""
    budgets = sorted({float(r["budget_x"]) for r in rows})
    if not budgets:
        return ""
    low = budgets[0]
    cal, nocal = groups(rows, True), groups(rows, False)
    out = [f"Stages at the lowest budget ({low:g}×), top-1 (%) mean ± std over seeds.\n",
           "| scope | fraction | pruned zero-shot | recalibrated | fine-tuned (with recalibration) | "
           "fine-tuned (no recalibration) | epochs (cal) |", "|---|---|---|---|---|---|---|"]
    keys = sorted({(k[0], k[1]) for k in cal if k[2] == low}, key=lambda k: (k[0] != "dense", k[0], -k[1]))
    for scope, frac in keys:
        rc = [r for r in cal.get((scope, frac, low), []) if r["state"] == "SUCCEEDED"]
        rn = [r for r in nocal.get((scope, frac, low), []) if r["state"] == "SUCCEEDED"]
        ep = sorted({r["epochs"] for r in rc})
        out.append(f"| {scope} | {frac:g} | {pct(*ms([fnum(r['acc_pruned_zero_shot']) for r in rc]))} | "
                   f"{pct(*ms([fnum(r['acc_recalibrated']) for r in rc]))} | "
                   f"{pct(*ms([fnum(r['final_top1']) for r in rc]))} | "
                   f"{pct(*ms([fnum(r['final_top1']) for r in rn]))} | {', '.join(ep)} |")
    return "\n".join(out)


def answers(rows, recal_rows=None):
    """The headline comparisons: pruned against dense per budget, filters against channels paired by seed, and the
    recalibration check."""
    out = []
    cal = groups(rows, True)
    ok = lambda rs: {int(r["seed"]): fnum(r["final_top1"]) for r in rs if r["state"] == "SUCCEEDED"}
    for x in sorted({k[2] for k in cal}):
        dense = ok(cal.get(("dense", 1.0, x), []))
        if not dense:
            continue
        dm = statistics.mean(dense.values())
        out.append(f"budget {x:g}x: dense {100 * dm:.2f}% (n={len(dense)})")
        for (scope, frac, xx), rs in sorted(cal.items()):
            if xx != x or scope == "dense":
                continue
            acc = ok(rs)
            paired = [acc[s] - dense[s] for s in acc if s in dense]
            if not acc:
                continue
            m = statistics.mean(acc.values())
            out.append(f"  {scope:8s} {frac:<5g}: {100 * m:.2f}% (n={len(acc)}), vs dense {100 * (m - dm):+.2f} pt, "
                       f"relative accuracy {100 * (m / dm - 1):+.2f}%, relative error {100 * ((1 - m) / (1 - dm) - 1):+.1f}%"
                       + (f", paired diffs {[round(100 * d, 2) for d in paired]}" if paired else ""))
        for frac in sorted({k[1] for k in cal if k[2] == x and k[0] != "dense"}, reverse=True):
            f_, c_ = ok(cal.get(("filters", frac, x), [])), ok(cal.get(("channels", frac, x), []))
            d = [f_[s] - c_[s] for s in f_ if s in c_]
            if d:
                out.append(f"  filters - channels at {frac:g}: {[round(100 * v, 2) for v in d]} pt, mean "
                           f"{100 * statistics.mean(d):+.2f} pt")
    nocal = groups(rows, False)
    diffs = []
    for k, rs in nocal.items():
        a, b = ok(cal.get(k, [])), ok(rs)
        diffs += [a[s] - b[s] for s in a if s in b]
    if diffs:
        out.append(f"fine-tuned with minus without recalibration: {len(diffs)} pairs, max |diff| "
                   f"{100 * max(abs(d) for d in diffs):.3f} pt")
    if recal_rows:
        out.append("source task, pruned zero-shot (no fine-tuning), top-1 without -> with recalibration:")
        by = defaultdict(dict)
        for r in recal_rows:
            by[(r["scope"], float(r["fraction"]))][int(r["calibration"])] = r
        for (scope, frac), d in sorted(by.items(), key=lambda kv: (kv[0][0] != "dense", kv[0][0], -kv[0][1])):
            a = d.get(0, {}).get("final_top1")
            b = d.get(1, {}).get("final_top1")
            out.append(f"  {scope:8s} {frac:<5g}: {a} -> {b}")
    return "\n".join(out)


SUMMARY_FIELDS = ["scope", "fraction", "budget_x", "max_train_flops", "mean", "std", "n"]


def summarise(rows):
    """Mean, std and n of the final top-1 per (scope, fraction, budget) over the recalibrated cells' seeds."""
    out = []
    for (scope, frac, x), rs in sorted(groups(rows, True).items()):
        m, sd, n = ms([fnum(r["final_top1"]) for r in rs if r["state"] == "SUCCEEDED"])
        if m is not None:
            out.append({"scope": scope, "fraction": frac, "budget_x": x,
                        "max_train_flops": float(rs[0]["max_train_flops"]), "mean": m, "std": sd, "n": n})
    return out


def write_summary(summary, path):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=SUMMARY_FIELDS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for p in summary:
            w.writerow({**p, "fraction": f"{p['fraction']:g}", "budget_x": f"{p['budget_x']:g}",
                        "max_train_flops": f"{p['max_train_flops']:.0f}", "mean": f"{p['mean']:.6f}",
                        "std": f"{p['std']:.6f}"})


def load_summary(path):
    return [{"scope": r["scope"], "fraction": float(r["fraction"]), "budget_x": float(r["budget_x"]),
             "max_train_flops": float(r["max_train_flops"]), "mean": float(r["mean"]), "std": float(r["std"]),
             "n": int(r["n"])} for r in load(path)]


def svg(summary, path):
    panels = ["filters", "channels"]
    W, H, PW, PH, ML, MT = 1080, 430, 380, 300, 70, 50
    xs = [p["max_train_flops"] for p in summary]
    ys = [v for p in summary for v in (p["mean"] - p["std"], p["mean"] + p["std"])]
    if not xs or not ys:
        return
    x0, x1 = math.log10(min(xs)) - 0.15, math.log10(max(xs)) + 0.15
    step = 0.01 if max(ys) - min(ys) < 0.06 else 0.05
    y0 = max(0.0, math.floor((min(ys) - step) / step) * step)
    y1 = min(1.0, math.ceil((max(ys) + step / 2) / step) * step)
    el = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
          f'font-family="sans-serif" font-size="12">', f'<rect width="{W}" height="{H}" fill="white"/>',
          f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="15">Fashion-MNIST 0–4 → 5–9: target test top-1 '
          f'against fine-tuning budget (mean ± std over seeds)</text>']
    for pi, scope in enumerate(panels):
        ox = ML + pi * (PW + 90)

        def px(v):
            return ox + (math.log10(v) - x0) / (x1 - x0) * PW

        def py(v):
            return MT + PH - (v - y0) / (y1 - y0) * PH

        el.append(f'<rect x="{ox}" y="{MT}" width="{PW}" height="{PH}" fill="none" stroke="#888"/>')
        el.append(f'<text x="{ox + PW / 2}" y="{MT - 8}" text-anchor="middle" font-weight="bold">scope {scope}'
                  f'</text>')
        for e in range(math.ceil(x0), math.floor(x1) + 1):
            for m in (1, 2, 5):
                v = m * 10 ** e
                if x0 <= math.log10(v) <= x1:
                    el.append(f'<line x1="{px(v):.1f}" y1="{MT}" x2="{px(v):.1f}" y2="{MT + PH}" stroke="#eee"/>')
            v = 10 ** e
            el.append(f'<text x="{px(v):.1f}" y="{MT + PH + 16}" text-anchor="middle">1e{e}</text>')
        t = y0
        while t <= y1 + 1e-9:
            el.append(f'<line x1="{ox}" y1="{py(t):.1f}" x2="{ox + PW}" y2="{py(t):.1f}" stroke="#eee"/>')
            el.append(f'<text x="{ox - 6}" y="{py(t) + 4:.1f}" text-anchor="end">{100 * t:.0f}%</text>')
            t += step
        el.append(f'<text x="{ox + PW / 2}" y="{MT + PH + 34}" text-anchor="middle">fine-tuning budget '
                  f'maxTrainFlops (log scale)</text>')
        if pi == 0:
            el.append(f'<text transform="translate({ox - 48},{MT + PH / 2}) rotate(-90)" text-anchor="middle">'
                      f'target test top-1</text>')
        for frac in sorted(COLOURS, reverse=True):
            key_scope = "dense" if frac == 1.0 else scope
            pts = sorted((p["max_train_flops"], p["mean"], p["std"]) for p in summary
                         if p["scope"] == key_scope and p["fraction"] == frac)
            if not pts:
                continue
            c = COLOURS[frac]
            dash = ' stroke-dasharray="5,3"' if frac == 1.0 else ""
            el.append(f'<polyline fill="none" stroke="{c}" stroke-width="2"{dash} points="'
                      + " ".join(f"{px(x):.1f},{py(m):.1f}" for x, m, _ in pts) + '"/>')
            for x, m, sd in pts:
                el.append(f'<circle cx="{px(x):.1f}" cy="{py(m):.1f}" r="3.5" fill="{c}"/>')
                if sd > 0:
                    el.append(f'<line x1="{px(x):.1f}" y1="{py(m - sd):.1f}" x2="{px(x):.1f}" y2="{py(m + sd):.1f}" '
                              f'stroke="{c}"/>')
    lx = ML + 2 * PW + 90 + 100
    for i, frac in enumerate(sorted(COLOURS, reverse=True)):
        y = MT + 10 + i * 20
        label = "dense (1.0)" if frac == 1.0 else f"fraction {frac:g}"
        el.append(f'<line x1="{lx - 70}" y1="{y}" x2="{lx - 50}" y2="{y}" stroke="{COLOURS[frac]}" stroke-width="2"'
                  + (' stroke-dasharray="5,3"' if frac == 1.0 else "") + '/>')
        el.append(f'<text x="{lx - 45}" y="{y + 4}">{label}</text>')
    el.append(f'<text x="{ML}" y="{H - 12}" fill="#555">MACs fraction kept; the dense line is the same in both panels. '
              f'Bars: ± 1 std over seeds.</text>')
    el.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(el) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="?", help="the driver's rows (compute_optimal.py --out)")
    ap.add_argument("--svg")
    ap.add_argument("--table")
    ap.add_argument("--recal", help="CSV of the recalibration check (compute_optimal.py --recalibration-check)")
    ap.add_argument("--write-summary", help="save the rows' summary, which the plot is drawn from, as CSV")
    ap.add_argument("--summary", help="draw the plot from this saved summary instead of the rows")
    a = ap.parse_args()
    if not a.csv and not a.summary:
        ap.error("give the rows CSV, --summary, or both")
    summary = None
    if a.csv:
        rows = load(a.csv)
        recal = load(a.recal) if a.recal else None
        text = table(rows) + "\n\n" + stage_table(rows) + "\n\n```\n" + answers(rows, recal) + "\n```\n"
        print(text)
        if a.table:
            open(a.table, "w").write(text)
        summary = summarise(rows)
        if a.write_summary:
            write_summary(summary, a.write_summary)
    if a.summary:
        summary = load_summary(a.summary)
    if a.svg:
        svg(summary, a.svg)


if __name__ == "__main__":
    main()
