"""A synthetic incident in telemetry, generated with a fixed seed (the shape of issue 11).

Three hours of an application log: 0.1% errors; a bad deploy at T0 raises them to 30%; an alert fires at
T0+6 min; a rollback at T0+40 brings them down, linearly, back to the baseline at T0+52. Routine lines
that would fool keyword rules: "worker restarted" 20 minutes before T0, "connection pool recovered" an hour
after the end, and the log's first line an hour before T0.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

START = pd.Timestamp("2025-03-03T13:00:00Z")
T0 = pd.Timestamp("2025-03-03T14:00:00Z")
ALERT = T0 + pd.Timedelta(minutes=6)
ROLLBACK = T0 + pd.Timedelta(minutes=40)
END = T0 + pd.Timedelta(minutes=52)
SPAN = pd.Timedelta(hours=3)
RESTARTED = T0 - pd.Timedelta(minutes=20)
RECOVERED = END + pd.Timedelta(hours=1)
DEPLOY_TEXT = "Deploy of checkout-api v2.14.0 started"
ROLLBACK_TEXT = "Rollback of checkout-api to v2.13.2 started"
NEW_ERROR = "payment declined: card processor returned 502 for order"


def error_share(times: pd.DatetimeIndex) -> np.ndarray:
    """The true error ratio at each time."""
    minutes = np.asarray((times - T0).total_seconds(), dtype=np.float64) / 60
    share = np.full(len(times), 0.001)
    share[(minutes >= 0) & (minutes < 40)] = 0.30
    decay = (minutes >= 40) & (minutes < 52)
    share[decay] = 0.30 - (0.30 - 0.001) * (minutes[decay] - 40) / 12
    return share


def incident_log(rows: int = 20_000, *, seed: int = 11) -> pd.DataFrame:
    """The log as a table: timestamp (ISO 8601 UTC), level, service, message, in time order."""
    rng = np.random.default_rng(seed)
    offsets = np.sort(rng.integers(0, int(SPAN.total_seconds() * 1000), rows))
    offsets[0] = 0
    times = START + pd.to_timedelta(offsets, unit="ms")
    error = rng.random(rows) < error_share(times)
    ids = rng.integers(10_000, 99_999, rows).astype(str)
    ms = rng.integers(5, 400, rows).astype(str)
    message = np.asarray(
        ["GET /api/v1/orders/" + i + " 200 in " + m + "ms" for i, m in zip(ids, ms, strict=True)],
        dtype=object,
    )
    level = np.full(rows, "INFO", dtype=object)
    during = np.asarray((times >= T0) & (times < END))
    old_error = error & (~during | (rng.random(rows) < 0.3))
    new_error = error & ~old_error
    message[old_error] = [
        "upstream timeout after " + m + "ms calling payments-gateway" for m in ms[old_error]
    ]
    message[new_error] = [f"{NEW_ERROR} {i}" for i in ids[new_error]]
    level[error] = "ERROR"
    frame = pd.DataFrame({"timestamp": times, "level": level, "service": "checkout-api", "message": message})
    special = pd.DataFrame(
        {
            "timestamp": [T0, ROLLBACK, RESTARTED, RECOVERED],
            "level": ["INFO"] * 4,
            "service": ["deployer", "deployer", "checkout-api", "checkout-api"],
            "message": [DEPLOY_TEXT, ROLLBACK_TEXT, "worker 3 restarted", "connection pool recovered"],
        }
    )
    frame = pd.concat([frame, special], ignore_index=True).sort_values("timestamp", kind="stable")
    return frame.reset_index(drop=True)


def write_log_csv(path: Path, rows: int = 20_000, *, seed: int = 11) -> Path:
    frame = incident_log(rows, seed=seed)
    stamps = frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z"
    frame.assign(timestamp=stamps).to_csv(path, index=False)
    return path


def write_metric_csv(path: Path, *, seed: int = 12, step_s: int = 30) -> Path:
    """A Grafana-style panel export: a time column and numeric columns, one row per ``step_s``."""
    rng = np.random.default_rng(seed)
    times = pd.date_range(START, START + SPAN, freq=f"{step_s}s", inclusive="left")
    requests = rng.poisson(6000, len(times)).astype(float)
    errors = rng.binomial(requests.astype(int), error_share(times + pd.Timedelta(seconds=step_s / 2)))
    latency = 120 + rng.normal(0, 5, len(times)) + 900 * (error_share(times) > 0.01)
    frame = pd.DataFrame(
        {
            "Time": (times.asi8 // 1_000_000),
            "checkout error ratio": np.round(errors / requests, 5),
            "requests per minute": requests * 60 / step_s,
            "p95 latency (ms)": np.round(latency, 1),
        }
    )
    frame.to_csv(path, index=False)
    return path


def write_alertmanager(path: Path) -> Path:
    """The Alertmanager webhook for the alert: fired at T0+6 min, resolved a minute before the errors end."""
    payload = {
        "version": "4",
        "status": "resolved",
        "receiver": "pagerduty",
        "alerts": [
            {
                "status": "resolved",
                "labels": {
                    "alertname": "CheckoutErrorRatioHigh",
                    "severity": "critical",
                    "job": "checkout-api",
                },
                "annotations": {"summary": "checkout-api error ratio above 5%"},
                "startsAt": ALERT.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "endsAt": (END - pd.Timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "fingerprint": "a1b2c3d4e5f60718",
            }
        ],
    }
    path.write_text(json.dumps(payload, indent=2))
    return path


#: What each input of :func:`write_incident` is written by.
WRITERS = {"app.csv": write_log_csv, "panel.csv": write_metric_csv, "alerts.json": write_alertmanager}
#: The synthetic incident's facts, as its author would write them.
CHECKOUT: dict[str, object] = {
    "product_name": "Checkout",
    "incident_date": "March 3, 2025",
    "affected_scope": "customers paying by card",
    "customer_experience": "some card payments failed and had to be retried",
    "root_cause": "a routine update to our payment service sent some card payments down a path that failed",
    "remediation": "rolled the update back",
    "prevention": "test each payment service update against card payments before it reaches customers; "
    "alert on failed payments within two minutes",
    "data_impact": "no payment was charged twice",
}


def write_incident(folder: Path, *inputs: str, **fields: object) -> Path:
    """An incident file in ``folder`` whose ``timeline:`` lists the synthetic ``inputs`` (``app.csv``, the
    log; ``panel.csv``, the metric panel; ``alerts.json``, the alert), written next to it; zone UTC."""
    from postmortem_widgets.incident.record import Incident, save_incident

    folder.mkdir(parents=True, exist_ok=True)
    names = inputs or ("app.csv", "alerts.json")
    for name in names:
        WRITERS[name](folder / name)
    path = folder / "incident.yaml"
    fields.setdefault("product_name", "Checkout")
    save_incident(Incident(timeline=list(names), **fields), path)  # type: ignore[arg-type]
    return path


def write_checkout(folder: Path, *, timezone: str = "America/New_York", log: bool = True) -> Path:
    """The synthetic incident with every field an author writes, over the log (unless ``log`` is false),
    the metric panel and the alert."""
    inputs = (("app.csv",) if log else ()) + ("panel.csv", "alerts.json")
    return write_incident(folder, *inputs, **{**CHECKOUT, "timezone": timezone})
