"""Exit 0 once a Kafka broker answers a Metadata request, 1 on timeout. Standard library only, so the broker
script works before the project's virtual environment exists."""

import socket
import struct
import sys
import time

API_METADATA, VERSION = 3, 4  # v4 is the oldest Metadata version a Kafka 4.x broker still accepts (KIP-896)


def metadata_request(correlation_id: int) -> bytes:
    client_id = b"kafka-local"
    header = struct.pack(">hhih", API_METADATA, VERSION, correlation_id, len(client_id)) + client_id
    body = struct.pack(">ib", -1, 0)  # all topics, no auto-creation
    payload = header + body
    return struct.pack(">i", len(payload)) + payload


def broker_count(host: str, port: int) -> int:
    with socket.create_connection((host, port), timeout=2) as sock:
        sock.sendall(metadata_request(7))
        size = struct.unpack(">i", _read(sock, 4))[0]
        data = _read(sock, size)
    correlation_id, _throttle, brokers = struct.unpack(">iii", data[:12])
    if correlation_id != 7:
        raise OSError("unexpected correlation id")
    return brokers


def _read(sock: socket.socket, n: int) -> bytes:
    chunks = b""
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            raise OSError("connection closed")
        chunks += chunk
    return chunks


def main() -> int:
    host, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if broker_count(host, port) > 0:
                return 0
        except (OSError, struct.error):
            pass
        time.sleep(0.25)
    return 1


if __name__ == "__main__":
    sys.exit(main())
