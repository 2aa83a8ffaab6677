#!/usr/bin/env python3
"""Turns BenchmarkDotNet CSV reports into the Markdown tables of docs/performance.md.

Usage: python3 benchmarks/scripts/performance_tables.py BenchmarkDotNet.Artifacts/results
Cell rows: SequenceKit / raw TorchSharp ratio per category, and the achieved fraction of the float32 matmul speed
measured in the same run (FLOPs per sample per step, forward: 2*gates*(input+hidden)*hidden; forward+backward ~3x).
"""
import csv, glob, os, sys

def seconds(text):
    value, unit = text.replace(",", "").split()
    return float(value) * {"ns": 1e-9, "us": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0}[unit]

folder = sys.argv[1]
rows = {}
for path in glob.glob(os.path.join(folder, "*-report.csv")):
    with open(path, newline="", encoding="utf-8") as f:
        rows[os.path.basename(path)] = list(csv.DictReader(f))

def find(name):
    return next((v for k, v in rows.items() if name in k), [])

matmul = {r["ThreadCount"]: seconds(r["Mean"]) for r in find("MatrixMultiply")}
flop = 2 * 1024 ** 3
if matmul:
    print("| Threads | 1024² matmul | GFLOP/s |\n|---|---|---|")
    for threads, t in sorted(matmul.items()):
        print(f"| {'all' if threads == '0' else threads} | {t * 1e3:.2f} ms | {flop / t / 1e9:.1f} |")
    print()
peak = flop / matmul.get("0", min(matmul.values())) if matmul else None

cells = find("RecurrentCell")
if cells:
    gates = {"SimpleRnn": 1, "Lstm": 4, "Gru": 3}
    print("| Cell | Steps | Hidden | Batch | Raw fwd | SequenceKit fwd | Ratio | Raw fwd+bwd | SequenceKit fwd+bwd | Ratio | fwd+bwd, % of matmul |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    key = lambda r: (r["Cell"], int(r["Steps"]), int(r["Hidden"]), int(r["Batch"]))
    grouped = {}
    for r in cells:
        grouped.setdefault(key(r), {})[r["Method"]] = r
    worst = []
    for (cell, steps, hidden, batch), m in sorted(grouped.items()):
        rf, sf, rb, sb = (seconds(m[x]["Mean"]) for x in ("RawForward", "SequenceKitForward", "RawForwardBackward", "SequenceKitForwardBackward"))
        flops = 3 * 2 * gates[cell] * (32 + hidden) * hidden * steps * batch
        share = f"{100 * flops / sb / peak:.1f}%" if peak else "n/a"
        worst.append((sf / rf, sb / rb))
        print(f"| {cell} | {steps} | {hidden} | {batch} | {rf*1e3:.3f} ms | {sf*1e3:.3f} ms | {sf/rf:.2f} | {rb*1e3:.3f} ms | {sb*1e3:.3f} ms | {sb/rb:.2f} | {share} |")
    ratios = [r for pair in worst for r in pair]
    within = sum(1 for r in ratios if r <= 1.03)
    print(f"\nRatios within 3%: {within} of {len(ratios)}; median {sorted(ratios)[len(ratios)//2]:.3f}; largest {max(ratios):.2f}.")
    print()

inference = find("Inference")
if inference:
    print("| Batch | Raw no-grad forward | SequenceKit Predict | Ratio | Sequences/s (SequenceKit) |\n|---|---|---|---|---|")
    by = {}
    for r in inference:
        by.setdefault(r["BatchSize"], {})[r["Method"]] = seconds(r["Mean"])
    for b, m in sorted(by.items(), key=lambda p: int(p[0])):
        print(f"| {b} | {m['RawNoGradForward']*1e3:.1f} ms | {m['SequenceKitPredict']*1e3:.1f} ms | {m['SequenceKitPredict']/m['RawNoGradForward']:.2f} | {1024/m['SequenceKitPredict']:,.0f} |")
