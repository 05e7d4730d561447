"""Write load through two Aerolith nodes across a primary failover; see .ci/failover.

usage: failover-load.py PORT_A PORT_B ADMIN_KEY_FILE AFTER_SECONDS PRIMARY_PGDATA KILL_SCRIPT
"""
import http.client
import json
import subprocess
import sys
import threading
import time

WRITERS_PER_NODE = 2
WARM_SECONDS = 3
RECOVERY_SECONDS_MAX = 60
REQUEST_TIMEOUT_SECONDS = 10

port_a, port_b, key_file, after_seconds, _, kill_script = sys.argv[1:7]
ports = [int(port_a), int(port_b)]
after_seconds = float(after_seconds)
admin = open(key_file).read().strip()


def call(port, method, path, key, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


status, tenant = call(ports[0], "POST", "/v1/tenants", admin, {"name": "failover"})
assert status == 201, tenant
tenant_id = json.loads(tenant)["id"]
status, key = call(ports[0], "POST", f"/v1/tenants/{tenant_id}/keys", admin, {"name": "load"})
assert status == 201, key
key = json.loads(key)["key"]
assert call(ports[0], "POST", "/v1/collections", key, {"name": "load"})[0] == 201

acknowledged = []  # (time the request was sent, id)
failures = []  # (time, what)
lock = threading.Lock()
stop = threading.Event()


def writer(name, port):
    index = 0
    while not stop.is_set():
        document_id = f"{name}-{index}"
        index += 1
        sent = time.monotonic()
        try:
            status, _ = call(port, "POST", "/v1/collections/load/documents", key, {"id": document_id, "n": index})
        except Exception as error:  # a connection the node dropped: not acknowledged
            status = repr(error)
        with lock:
            if status == 201:
                acknowledged.append((sent, document_id))
            else:
                failures.append((time.monotonic(), status))
        if status != 201:
            time.sleep(0.05)


threads = [
    threading.Thread(target=writer, args=(f"w{node}{n}", port))
    for node, port in enumerate(ports)
    for n in range(WRITERS_PER_NODE)
]
for thread in threads:
    thread.start()
time.sleep(WARM_SECONDS)
subprocess.run(["bash", kill_script], check=True)
killed_at = time.monotonic()  # every process of the primary is gone: from here no write can commit there
deadline = killed_at + RECOVERY_SECONDS_MAX
recovered_at = None
while time.monotonic() < deadline:
    with lock:
        # Recovered: writes sent after the primary died are acknowledged again, on both nodes.
        later = [at for at, _ in acknowledged if at > killed_at]
        nodes = {document_id[1] for at, document_id in acknowledged if at > killed_at}
    if later and len(nodes) == len(ports):
        recovered_at = min(later)
        break
    time.sleep(0.1)
if recovered_at is not None:
    time.sleep(after_seconds)
stop.set()
for thread in threads:
    thread.join()

with lock:
    acked = list(acknowledged)
    failed = list(failures)
# Acknowledged writes: every one must be readable, through either node.
lost = []
for number, (_, document_id) in enumerate(acked):
    for attempt in range(5):
        try:
            status, _ = call(ports[number % 2], "GET", f"/v1/collections/load/documents/{document_id}", key)
        except Exception:
            status = None
        if status in (200, 404):
            break
        time.sleep(0.5)
    if status != 200:
        lost.append((document_id, status))
status, info = call(ports[0], "GET", "/v1/collections/load", key)
stored = json.loads(info).get("document_count") if status == 200 else None

gaps = [b - a for (a, _), (b, _) in zip(sorted(acked), sorted(acked)[1:])]
print(f"acknowledged writes      {len(acked):8d}   ({len([1 for at, _ in acked if at > killed_at])} sent after the kill)")
print(f"failed or dropped writes {len(failed):8d}   (refused with 503 or cut off while the primary moved; not acknowledged)")
print(f"documents stored         {stored!s:>8}   (acknowledged, plus writes committed whose answer was cut off)")
if recovered_at is None:
    print(f"no acknowledged write on both nodes within {RECOVERY_SECONDS_MAX} s of the kill")
else:
    print(f"seconds unavailable      {recovered_at - killed_at:8.2f}   (kill to the first acknowledged write sent after it)")
    print(f"longest gap              {max(gaps):8.2f}   (between two acknowledged writes)")
print(f"acknowledged writes lost {len(lost):8d}   (must be 0)")
for document_id, status in lost[:10]:
    print(f"  lost {document_id}: {status}")
sys.exit(0 if recovered_at is not None and not lost else 1)
