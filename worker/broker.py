"""The embedded broker: kombu's ``filesystem://`` transport, with message files that appear whole.

kombu 5.7's filesystem transport creates a message file and then writes into it. A worker polling
the folder can take the file in between, read nothing, and stop with "Unrecoverable error:
JSONDecodeError" (it happened here within minutes at a 50 ms poll). Here a message is written
under a temporary name and renamed into place (atomic on POSIX), and a consumer takes a message
by renaming it into ``processed_folder`` on the same file system (upstream moves it to the system
temp folder, a copy when that is another file system) and deletes it once read. File names start
with the zero-padded wall-clock time in ns, so that they sort in sending order, also across
processes and restarts (upstream's unpadded monotonic milliseconds do not).

Everything else (fanout for remote control, exchange tables, polling) is upstream's. Selected
with ``broker_url = "atomicfs://"``; the alias is registered when this module is imported.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from queue import Empty
from time import time_ns
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

SCHEME = "atomicfs"


class Channel(filesystem.Channel):
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]  # as upstream
        folder = Path(self.data_folder_out)
        # No dot in the temporary name: _get only looks at "<stamp>.<queue>.msg" files.
        temporary = folder / f"incoming-{uuid.uuid4()}"
        try:
            temporary.write_bytes(str_to_bytes(dumps(payload)))  # type: ignore[no-untyped-call]
            temporary.replace(folder / f"{time_ns():020d}_{uuid.uuid4()}.{queue}.msg")
        except OSError as exc:
            raise ChannelError(f"Cannot add a message to {str(folder)!r}") from exc

    def _get(self, queue: Any, timeout: Any = None) -> Any:
        wanted = f"{queue}.msg"
        for path in sorted(Path(self.data_folder_in).iterdir()):
            if path.name.partition(".")[2] != wanted:
                continue
            taken = Path(self.processed_folder) / path.name
            try:
                path.replace(taken)
            except OSError:
                continue  # another consumer took it first
            try:
                payload = taken.read_bytes()
                taken.unlink()
            except OSError as exc:
                raise ChannelError(f"Cannot read the message {str(taken)!r}") from exc
            return loads(bytes_to_str(payload))  # type: ignore[no-untyped-call]
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel


TRANSPORT_ALIASES.setdefault(SCHEME, f"{__name__}:Transport")
