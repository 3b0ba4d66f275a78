"""Benchmark the geo package on Jawa Barat: load and dissolve, indexed lookup, naive baseline."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from geo import AreaIndex, dissolve_parents, read_boundaries  # noqa: E402

JAWA_BARAT = ROOT / "data" / "boundaries" / "prov_jawa_barat.geojson.gz"
SEED = 20250101


def bench_load(path: Path = JAWA_BARAT) -> dict:
    """Time read_boundaries (read + validate + normalise) and dissolve_parents separately."""
    started = time.perf_counter()
    frame = read_boundaries(path)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    parents = dissolve_parents(frame)
    dissolve_s = time.perf_counter() - started
    return {
        "frame": frame,
        "kelurahan": len(frame),
        "kecamatan": len(parents["kecamatan"]),
        "kab_kota": len(parents["kab_kota"]),
        "read_validate_s": read_s,
        "dissolve_s": dissolve_s,
        "load_total_s": read_s + dissolve_s,
    }


def random_points_inside(geoms: np.ndarray, n: int, seed: int = SEED) -> tuple[np.ndarray, ...]:
    """n points uniform (in lng/lat) over the union of the polygons, with a fixed seed.

    Picks a polygon with probability proportional to its area, draws in its bounding box and
    keeps the draws that fall inside it: the same distribution as drawing in the province's
    bounding box and keeping the points inside, without building the province's union.
    """
    rng = np.random.default_rng(seed)
    # Copies, so the preparation here does not speed up the naive baseline's polygons.
    geoms = shapely.from_wkb(shapely.to_wkb(geoms))
    shapely.prepare(geoms)
    weights = shapely.area(geoms)
    weights = weights / weights.sum()
    bounds = shapely.bounds(geoms)
    xs, ys, total = [], [], 0
    while total < n:
        pick = rng.choice(len(geoms), size=2 * (n - total) + 1000, p=weights)
        x = rng.uniform(bounds[pick, 0], bounds[pick, 2])
        y = rng.uniform(bounds[pick, 1], bounds[pick, 3])
        keep = shapely.contains_xy(geoms[pick], x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        total += int(keep.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def bench_indexed(codes, geoms, lng: np.ndarray, lat: np.ndarray) -> dict:
    """Build an AreaIndex and look all points up with lookup_many."""
    started = time.perf_counter()
    index = AreaIndex(codes, geoms)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    found = index.lookup_many(lng, lat)
    lookup_s = time.perf_counter() - started
    return {
        "index": index,
        "found": found,
        "build_s": build_s,
        "lookup_s": lookup_s,
        "points": len(lng),
        "per_point_s": lookup_s / len(lng),
        "misses": int(sum(code is None for code in found)),
    }


def naive_lookup(codes, geoms, lng: np.ndarray, lat: np.ndarray) -> list:
    """The baseline: for each point, test every polygon in order until one contains it."""
    answers = []
    points = shapely.points(lng, lat)
    for point in points:
        answer = None
        for code, polygon in zip(codes, geoms, strict=True):
            if polygon.contains(point):
                answer = code
                break
        answers.append(answer)
    return answers


def bench_naive(codes, geoms, lng: np.ndarray, lat: np.ndarray) -> dict:
    """Time the naive loop on fresh (unprepared) copies of the polygons."""
    fresh = list(shapely.from_wkb(shapely.to_wkb(np.asarray(geoms, dtype=object))))
    started = time.perf_counter()
    answers = naive_lookup(list(codes), fresh, lng, lat)
    seconds = time.perf_counter() - started
    return {
        "answers": answers,
        "seconds": seconds,
        "points": len(lng),
        "per_point_s": seconds / len(lng),
    }


def run(n_points: int = 1_000_000, naive_points: int = 10_000, seed: int = SEED) -> dict:
    """Run all three benchmarks; returns the figures (seconds, counts, ratio) as plain numbers."""
    load = bench_load()
    frame = load.pop("frame")
    codes = frame["code"].tolist()
    geoms = np.asarray(frame.geometry.values, dtype=object)

    lng, lat = random_points_inside(geoms, n_points, seed)
    indexed = bench_indexed(codes, geoms, lng, lat)

    naive = bench_naive(codes, geoms, lng[:naive_points], lat[:naive_points])
    sample = indexed["found"][:naive_points]
    disagreements = sum(a != b for a, b in zip(naive["answers"], sample, strict=True))

    return {
        **load,
        "cpus": os.cpu_count(),
        "points": n_points,
        "index_build_s": indexed["build_s"],
        "indexed_lookup_s": indexed["lookup_s"],
        "indexed_total_s": indexed["build_s"] + indexed["lookup_s"],
        "indexed_per_point_us": indexed["per_point_s"] * 1e6,
        "indexed_misses": indexed["misses"],
        "naive_points": naive_points,
        "naive_s": naive["seconds"],
        "naive_per_point_us": naive["per_point_s"] * 1e6,
        "naive_extrapolated_s": naive["per_point_s"] * n_points,
        "speedup": naive["per_point_s"] / indexed["per_point_s"],
        "naive_disagreements": disagreements,
    }


def print_table(result: dict) -> None:
    """The figures as a compact table."""
    rows = [
        ("(a) Jawa Barat read + validate", f"{result['read_validate_s']:.2f} s",
         f"{result['kelurahan']:,} desa/kelurahan"),
        ("    dissolve kecamatan + kab/kota", f"{result['dissolve_s']:.2f} s",
         f"{result['kecamatan']:,} kecamatan, {result['kab_kota']} kab/kota"),
        ("    total", f"{result['load_total_s']:.2f} s", ""),
        ("(b) AreaIndex build", f"{result['index_build_s']:.3f} s", "tree + prepared polygons"),
        ("    lookup_many", f"{result['indexed_lookup_s']:.2f} s",
         f"{result['points']:,} points, {result['indexed_per_point_us']:.2f} µs/point, "
         f"{result['indexed_misses']} not found"),
        ("    build + lookup", f"{result['indexed_total_s']:.2f} s", ""),
        ("(c) naive loop", f"{result['naive_s']:.2f} s",
         f"{result['naive_points']:,} points, {result['naive_per_point_us']:.0f} µs/point"),
        ("    naive, extrapolated", f"{result['naive_extrapolated_s']:.0f} s",
         f"for {result['points']:,} points"),
        ("    speedup (per point)", f"{result['speedup']:,.0f}x",
         f"answers disagree on {result['naive_disagreements']} of {result['naive_points']:,}"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"geo benchmark, Jawa Barat, {result['cpus']} CPUs")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")


def main() -> None:
    """Command line: python bench/bench_geo.py [--points N] [--naive-points N]."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--naive-points", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    print_table(run(args.points, args.naive_points, args.seed))


if __name__ == "__main__":
    main()
