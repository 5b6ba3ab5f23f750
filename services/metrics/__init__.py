"""Metrics over stored runs: a window's summary and its time series, with one percentile rule."""

from services.metrics.service import Metrics
from services.metrics.summary import MetricsSummary, summarize
from services.metrics.timeseries import EPOCH, MetricsBucket, bucket_range, timeseries

__all__ = [
    "EPOCH",
    "Metrics",
    "MetricsBucket",
    "MetricsSummary",
    "bucket_range",
    "summarize",
    "timeseries",
]
