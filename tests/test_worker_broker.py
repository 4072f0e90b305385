"""The embedded broker's transport: a message is read whole, by exactly one consumer, or not at all."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path
from queue import Empty

from kombu import Connection

from worker import broker

BODY = "x" * 50_000  # large enough that writing it takes a while: a half-written file would show


def connection(folder: Path) -> Connection:
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "taken"),
        "control_folder": str(folder / "control"),
        "polling_interval": 0,
    }
    for key in ("data_folder_in", "processed_folder", "control_folder"):
        Path(options[key]).mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]
    return Connection(f"{broker.SCHEME}://", transport_options=options)


def test_it_never_hands_out_a_half_written_message_nor_one_message_twice(tmp_path: Path):
    count, consumers = 200, 3
    received: list[list[str]] = [[] for _ in range(consumers)]
    intact: list[list[bool]] = [[] for _ in range(consumers)]
    name = f"posts-{secrets.token_hex(4)}"  # kombu keeps declared queues per process, across folders
    done = threading.Event()
    errors: list[BaseException] = []  # a consumer that failed says how, instead of a message missing

    def consume(n: int) -> None:
        try:
            with connection(tmp_path) as conn:
                queue = conn.SimpleQueue(name)
                while not (done.is_set() and queue.qsize() == 0):
                    try:
                        message = queue.get(block=False)
                    except Empty:
                        continue
                    received[n].append(message.payload["id"])
                    intact[n].append(message.payload["body"] == BODY)
                    message.ack()
                queue.close()
        except BaseException as e:
            errors.append(e)
            raise

    threads = [threading.Thread(target=consume, args=(n,)) for n in range(consumers)]
    for thread in threads:
        thread.start()
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue(name)
        for i in range(count):
            queue.put({"id": f"post-{i}", "body": BODY})
        queue.close()
    done.set()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [] and not any(thread.is_alive() for thread in threads)
    left = sorted(path.name for path in (tmp_path / "queue").iterdir())
    everything = [post_id for ids in received for post_id in ids]
    assert sorted(everything) == sorted(f"post-{i}" for i in range(count)), f"left in the queue: {left}"
    assert all(ok for oks in intact for ok in oks)
    assert list((tmp_path / "taken").iterdir()) == []


def test_it_keeps_messages_in_order_for_one_consumer(tmp_path: Path):
    name = f"posts-{secrets.token_hex(4)}"
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue(name)
        for i in range(5):
            queue.put({"id": i})
        taken = [queue.get(block=False).payload["id"] for _ in range(5)]
        queue.close()
    assert taken == [0, 1, 2, 3, 4]
