"""How far back a scan reads traffic: the default window, and the longest CloudWatch answers at daily periods."""

from __future__ import annotations

TRAFFIC_DAYS = 14
# CloudWatch keeps data points of one hour (and longer) for 455 days ("Amazon CloudWatch concepts", retention).
MAX_TRAFFIC_DAYS = 455
