import numpy as np
import pandas as pd


def summarize(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        raise ValueError("no values")
    return {
        "count": int(arr.size),
        "mean": float(arr.mean()),
        "std": float(arr.std(ddof=1)) if arr.size > 1 else 0.0,
        "p50": float(np.percentile(arr, 50)),
        "p95": float(np.percentile(arr, 95)),
    }


def trend(values: list[float]) -> dict[str, float]:
    """Least-squares slope and intercept (goes through LAPACK: needs libblas/liblapack at run time)."""
    y = np.asarray(values, dtype=float)
    x = np.vstack([np.arange(y.size), np.ones(y.size)]).T
    (slope, intercept), *_ = np.linalg.lstsq(x, y, rcond=None)
    return {"slope": float(slope), "intercept": float(intercept)}


def weekly(values: list[float]) -> list[dict[str, float]]:
    s = pd.Series(values, index=pd.date_range("2024-01-01", periods=len(values), freq="D"))
    return [{"week": str(k.date()), "total": float(v)} for k, v in s.resample("W").sum().items()]
