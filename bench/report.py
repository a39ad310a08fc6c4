"""Figures beside their floors: the ratio ours/floor, the target and PASS/MISS; results.json and a Markdown table."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ratio(ours: float | None, floor: float | None) -> float | None:
    if ours is None or floor is None or floor <= 0:
        return None
    return ours / floor


def evaluate(fig: dict[str, Any]) -> bool:
    """Whether a figure meets its target. Target keys: max_ratio, min_ratio, max_sql, max_value, max_errors;
    `or_max_value` passes a figure that misses max_ratio but stays under that absolute value (a rollup served
    fast enough)."""
    target = fig.get("target", {})
    r = fig.get("ratio")
    checks = []
    if "max_ratio" in target:
        ok = r is not None and r <= target["max_ratio"]
        if not ok and "or_max_value" in target:
            ok = fig["ours"] <= target["or_max_value"]
        checks.append(ok)
    if "min_ratio" in target:
        checks.append(r is not None and r >= target["min_ratio"])
    if "max_sql" in target:
        checks.append(fig.get("sql") is not None and fig["sql"] <= target["max_sql"])
    if "max_value" in target:
        checks.append(fig["ours"] is not None and fig["ours"] <= target["max_value"])
    if "max_errors" in target:
        checks.append(fig.get("errors", 0) <= target["max_errors"])
    if "plan_ok" in target:
        checks.append(bool(fig.get("plan_ok")))
    return all(checks) if checks else True


def target_text(target: dict[str, Any]) -> str:
    parts = []
    if "max_ratio" in target:
        parts.append(f"≤ {target['max_ratio']:g}× floor" + (f" or ≤ {target['or_max_value']:g}" if "or_max_value" in
                                                           target else ""))
    if "min_ratio" in target:
        parts.append(f"≥ {target['min_ratio']:g}× floor")
    if "max_sql" in target:
        parts.append(f"≤ {target['max_sql']} SQL")
    if "max_value" in target:
        parts.append(f"≤ {target['max_value']:g}")
    if "max_errors" in target:
        parts.append(f"{target['max_errors']} errors")
    if "plan_ok" in target:
        parts.append("no seq scan")
    return ", ".join(parts)


def finish(fig: dict[str, Any]) -> dict[str, Any]:
    fig["ratio"] = ratio(fig.get("ours"), fig.get("floor"))
    if "min_ratio" in fig.get("target", {}) or fig.get("higher_is_better"):
        fig["higher_is_better"] = True
    fig["pass"] = evaluate(fig)
    return fig


def _num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}".replace(",", " ")
    return f"{value:,}".replace(",", " ")


def markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    sizes = meta["sizes"]
    lines = [
        f"**Scale {meta['scale']:g} on {meta['engine']}** ({_num(sizes['contacts'])} contacts, "
        f"{_num(sizes['companies'])} companies, {_num(sizes['deals'])} deals, "
        f"{_num(meta['rows'].get('activities_activity', 0))} activities), {meta['cpus']} CPUs, "
        f"gunicorn {meta['workers']} workers; load {meta['load_seconds']:.0f} s, whole run {meta['wall_seconds']:.0f} s, "
        f"{meta['date']}.",
        "",
        "| Measure | Ours | Floor | Ours / floor | Target | Result |",
        "|---|---:|---:|---:|---|---|",
    ]
    for fig in results["figures"]:
        ours = _num(fig.get("ours")) + (f" {fig['unit']}" if fig.get("unit") else "")
        if fig.get("p50") is not None:
            ours += f" (p50 {_num(fig['p50'])})"
        if fig.get("sql") is not None:
            ours += f", {fig['sql']} SQL"
        if fig.get("pss") is not None:
            ours += f" (PSS {_num(fig['pss'])})"
        if fig.get("errors") is not None:
            ours += f", {fig['errors']} errors"
        floor = _num(fig.get("floor")) if fig.get("floor") is not None else "—"
        if fig.get("floor_kind"):
            floor += f" ({fig['floor_kind']})"
        r = fig.get("ratio")
        lines.append(f"| {fig['label']} | {ours} | {floor} | {_num(r, 2) + '×' if r is not None else '—'} | "
                     f"{target_text(fig.get('target', {}))} | {'PASS' if fig['pass'] else '**MISS**'} |")
    met = sum(1 for f in results["figures"] if f["pass"])
    lines += ["", f"{met} of {len(results['figures'])} targets met."]
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], json_path: Path, md_path: Path) -> None:
    json_path.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n")
    md_path.write_text(markdown(results))
