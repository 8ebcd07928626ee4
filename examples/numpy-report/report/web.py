from flask import Flask, jsonify, request

from report import stats

app = Flask(__name__)

SAMPLE = [12.0, 15.5, 11.2, 18.9, 21.3, 19.8, 25.1, 23.4, 27.9, 30.2, 28.7, 33.0, 35.6, 34.1]


@app.get("/health")
def health():
    # Touch LAPACK so a missing libblas/liblapack shows up here, not on the first real request.
    stats.trend([1.0, 2.0, 3.0])
    return jsonify(status="ok")


@app.get("/report")
def report():
    raw = request.args.get("values")
    values = [float(v) for v in raw.split(",")] if raw else SAMPLE
    return jsonify(summary=stats.summarize(values), trend=stats.trend(values), weekly=stats.weekly(values))
