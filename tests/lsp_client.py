"""A minimal language client: starts `python -m mkdocs_postmortem lsp` and speaks
JSON-RPC to it over stdio with Content-Length framing, as an editor does.
Used by the tests and by benchmarks/lsp_latency.py."""

from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONIOENCODING": "utf-8"}


class LspClient:
    def __init__(self, root: Path, *extra: str) -> None:
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs_postmortem", "lsp", *extra],
            cwd=root,
            env=ENV,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._ids = itertools.count(1)
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.stderr = b""
        self._stderr_reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_reader.start()

    # -- framing ---------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    self._messages.put(None)
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            assert length is not None, "a message without Content-Length"
            self._messages.put(json.loads(stream.read(length)))

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr += line

    def _next(self, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no answer from the server; its stderr:\n{self.stderr.decode()}")
        try:
            message = self._messages.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError(
                f"no answer from the server; its stderr:\n{self.stderr.decode()}"
            ) from None
        if message is None:
            raise EOFError(f"the server closed stdout; its stderr:\n{self.stderr.decode()}")
        if "method" in message and "id" in message:  # a request of the server's
            self._send({"id": message["id"], "result": None})
        elif "method" in message:
            self.notifications.append(message)
        return message

    # -- what an editor does -------------------------------------------------------------

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        number = next(self._ids)
        self._send({"id": number, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline)
            if message.get("id") == number and "method" not in message:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def wait_for(self, method: str, uri: str | None = None, timeout: float = 60) -> Any:
        """The params of the next notification `method` (about `uri`), waiting for it;
        those that came before are used first, then dropped."""
        deadline = time.monotonic() + timeout
        while True:
            for index, message in enumerate(self.notifications):
                params = message.get("params") or {}
                if message["method"] == method and (uri is None or params.get("uri") == uri):
                    del self.notifications[: index + 1]
                    return params
            self._next(deadline)

    def initialize(self) -> dict[str, Any]:
        result = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": self.root.as_uri(),
                "capabilities": {
                    "textDocument": {
                        "publishDiagnostics": {},
                        "completion": {"completionItem": {"documentationFormat": ["markdown"]}},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "codeAction": {},
                    }
                },
            },
        )
        self.notify("initialized", {})
        return dict(result)

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.as_uri()
        if text is None:
            text = path.read_text(encoding="utf-8")
        self.versions = getattr(self, "versions", {})
        self.versions[uri] = 1
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}},
        )
        return uri

    def change(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": self.versions[uri]},
                "contentChanges": [{"text": text}],
            },
        )

    def close(self) -> int:
        """shutdown, exit, and the server's exit code."""
        try:
            self.request("shutdown", None, timeout=30)
            self.notify("exit", None)
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
