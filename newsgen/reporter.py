"""Console output goes through a reporter, so core modules never print and tests can listen."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Reporter:
    """Silent by default; subclasses decide where messages go."""

    def info(self, message: str) -> None:
        """A line for the person running the build."""

    def detail(self, message: str) -> None:
        """A line shown only with ``--verbose``."""

    def progress(self, done: int, total: int, label: str) -> None:
        """Progress through a long stage."""

    def finish_progress(self) -> None:
        """The stage is over: clear any bar."""


class ConsoleReporter(Reporter):
    """Prints to a stream; draws a progress bar only on a terminal and only once a stage has
    run for a second, so short builds and logs in CI stay clean."""

    def __init__(self, stream: TextIO | None = None, verbose: bool = False,
                 quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.verbose = verbose
        self.quiet = quiet
        self.started = time.monotonic()
        self._bar = False
        self._last_draw = 0.0

    def info(self, message: str) -> None:
        if not self.quiet:
            self.finish_progress()
            print(message, file=self.stream)

    def detail(self, message: str) -> None:
        if self.verbose:
            self.finish_progress()
            print(message, file=self.stream)

    def progress(self, done: int, total: int, label: str) -> None:
        if self.quiet or not self.stream.isatty() or total <= 0:
            return
        now = time.monotonic()
        if now - self.started < 1.0 or (now - self._last_draw < 0.1 and done < total):
            return
        self._last_draw = now
        width = 30
        filled = int(width * done / total)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{label:<10} [{bar}] {done}/{total}")
        self.stream.flush()
        self._bar = True

    def finish_progress(self) -> None:
        if self._bar:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._bar = False


class CollectingReporter(Reporter):
    """Keeps messages in a list: for tests and for the dev server."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def info(self, message: str) -> None:
        self.messages.append(message)

    def detail(self, message: str) -> None:
        self.messages.append(message)
