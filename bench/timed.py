"""Runs a command and prints `wall cpu rss status`: its wall seconds and CPU seconds (user +
system, its own and its children's) to the millisecond, its peak resident megabytes, its exit status.

usage: timed.py COMMAND [ARGUMENT ...]   (the command's stdout is discarded)

`/usr/bin/time` gives CPU to the hundredth of a second only: a run of 0.11 s and one of 0.12 s
could not be told apart, and storage-write's goal (0.10 s for 200,000 rows) lies between them.
CPU and wall come from the resource usage the kernel reports for the command (`wait4`); the peak
resident size still comes from GNU time, started in between: a command started from this Python
process would count Python's own 13 MB as its peak. Its CPU (about 0.6 ms) is counted with the
command's."""
import os
import subprocess
import sys
import tempfile
import time

with tempfile.NamedTemporaryFile(mode="r") as report:
    start = time.monotonic()
    child = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", report.name] + sys.argv[1:], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - start
    kilobytes = report.read().strip().splitlines()
rss = int(kilobytes[-1]) / 1024 if kilobytes and kilobytes[-1].isdigit() else 0.0
print(f"{wall:.3f} {usage.ru_utime + usage.ru_stime:.3f} {rss:.1f} {os.waitstatus_to_exitcode(status)}")
