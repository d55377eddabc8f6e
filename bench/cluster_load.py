"""Load for bench/cluster.sh: posts requests to conveyor hosts from a pool of threads, each thread
keeping one http.client connection per host (keep-alive).

usage: cluster_load.py enqueue N PROCESS PORT[,PORT...]
    posts N `POST /api/processes/PROCESS/executions?wait=false` (no body), spread round robin over
    the hosts, 8 threads; exits 1 when an answer is not 202. Prints the time the posting took.

(The listener load itself is generated with wrk; this client only enqueues.)
"""
import http.client
import sys
import threading
import time

THREADS = 8


def main():
    mode, count, process, ports = sys.argv[1], int(sys.argv[2]), sys.argv[3], [int(p) for p in sys.argv[4].split(",")]
    if mode != "enqueue":
        sys.exit("usage: cluster_load.py enqueue N PROCESS PORT[,PORT...]")
    path = "/api/processes/%s/executions?wait=false" % process
    lock = threading.Lock()
    state = {"next": 0, "bad": 0, "statuses": {}, "first_error": None}

    def take():
        with lock:
            if state["next"] >= count:
                return None
            state["next"] += 1
            return state["next"] - 1

    def worker():
        connections = {}
        while True:
            number = take()
            if number is None:
                break
            port = ports[number % len(ports)]
            for attempt in range(3):
                connection = connections.get(port)
                if connection is None:
                    connection = connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                try:
                    connection.request("POST", path, body=b"", headers={"Content-Length": "0"})
                    answer = connection.getresponse()
                    body = answer.read()
                    break
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    connections.pop(port, None)
                    if attempt == 2:
                        answer, body = None, str(error).encode()
            with lock:
                status = answer.status if answer is not None else "error"
                state["statuses"][status] = state["statuses"].get(status, 0) + 1
                if status != 202:
                    state["bad"] += 1
                    state["first_error"] = state["first_error"] or (status, body[:300])
        for connection in connections.values():
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    print("posted %d triggers in %.2f s (%d/s), answers %s" % (count, took, count / took, state["statuses"]))
    if state["bad"]:
        print("first unexpected answer: %s" % (state["first_error"],), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
