"""Starts the local BigQuery emulator with its DuckDB access serialised.

The emulator answers REST calls on its event loop and gRPC AppendRows on a thread pool, and
both use one DuckDB connection without a common lock: a REST write (insertAll, a query job)
running while an AppendRows request is flushed can deadlock inside DuckDB, after which every
call hangs. This wrapper gives each thread other than the event loop's its own cursor on the
same database and runs every DuckDB call under one process-wide lock, gives the gRPC handlers a
thread pool of their own (see below), then hands over to the emulator's own command line:

    python scripts/emulator_server.py start --project demo ...
"""

import concurrent.futures
import sys
import threading

import grpc

from bqemulator.storage import engine as _engine

_LOCK = threading.RLock()


class SerialConnection:
    """A DuckDB connection whose calls run one at a time, each thread on its own cursor."""

    def __init__(self, connection):
        self._raw = connection
        self._owner = threading.get_ident()
        self._cursors = threading.local()

    def _connection(self):
        if threading.get_ident() == self._owner:
            return self._raw
        cursor = getattr(self._cursors, "cursor", None)
        if cursor is None:
            with _LOCK:
                cursor = self._raw.cursor()
                cursor.execute("SET TimeZone = 'UTC'")
            self._cursors.cursor = cursor
        return cursor

    def __getattr__(self, name):
        target = getattr(self._connection(), name)
        if not callable(target):
            return target

        def call(*args, **kwargs):
            with _LOCK:
                connection = self._connection()
                result = getattr(connection, name)(*args, **kwargs)
            return self if result is connection else result

        return call


_original_start = _engine.DuckDBEngine.start


async def _start(self):
    await _original_start(self)
    if self._connection is not None and not isinstance(self._connection, SerialConnection):
        self._connection = SerialConnection(self._connection)


_engine.DuckDBEngine.start = _start

# The emulator's gRPC handlers are synchronous and run on a thread pool. A handler whose
# AppendRows stream was broken by the client (a reset, a dropped connection) stays blocked
# waiting for the next request and keeps its thread; with the event loop's default pool
# (min(32, cores + 4) threads) a few broken streams leave no thread to answer anyone. A large
# pool of its own keeps the emulator answering through the fault-injection tests.
_original_aio_server = grpc.aio.server


def _aio_server(*args, **kwargs):
    kwargs.setdefault("migration_thread_pool",
                      concurrent.futures.ThreadPoolExecutor(max_workers=512, thread_name_prefix="grpc-sync"))
    return _original_aio_server(*args, **kwargs)


grpc.aio.server = _aio_server

if __name__ == "__main__":
    from bqemulator.cli import main

    sys.argv[0] = "bqemulator"
    sys.exit(main())
