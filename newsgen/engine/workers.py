"""Running a CPU-bound stage on every core, with results in input order (deterministic).

On Linux workers are forked, so they inherit the stage's state (the Markdown converter, the
renderer and its Site) instead of receiving it pickled; only indexes go out and results come
back. Windows has no fork, and on macOS it is unsafe (system frameworks a library loads may
crash a forked child), so there workers are *spawned*: fresh interpreters that receive a
:class:`Portable` task (a module-level function and its picklable state) once each. A stage
whose task is a closure runs in this process there, as does a small batch everywhere.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import functools
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import IO, Any, Generic, TypeVar

T = TypeVar("T")
MIN_PARALLEL = 200
WORKER_CHUNKS = 20
_TASK: Callable[[int], Any] | None = None
START_METHODS = ("fork", "spawn", "serial")
# A spawned pool of two was ready after 0.27-0.42 s (a fresh Python importing newsgen's
# stages); a stage pays for that only when its items are many or slow: see Portable users.
SPAWN_START_SECONDS = 0.3


@dataclasses.dataclass(frozen=True)
class Portable(Generic[T]):
    """A task a spawned worker can run: ``make(state)`` gives the function of an index.
    ``make`` is a module-level function and ``state`` pickles; each worker receives them
    once and calls ``make`` once."""

    make: Callable[[Any], Callable[[int], T]]
    state: Any
    spawn_from: int = MIN_PARALLEL  # fewer items run here: see SPAWN_START_SECONDS
    # The same function already made in this process, when making it again would repeat
    # work (the render stage's templates and page lists); forked workers inherit it.
    here: Callable[[int], T] | None = None

    def local(self) -> Callable[[int], T]:
        return self.here if self.here is not None else self.make(self.state)


def _start_spawned(payload: bytes) -> None:
    """A spawned worker's start. A failure here is raised by the worker's first task, so it
    reaches the parent: a pool whose initializer fails starts new workers forever."""
    global _TASK
    try:
        make, state = pickle.loads(payload)  # noqa: S301 - our parent's bytes
        _TASK = make(state)
    except Exception as exc:  # noqa: BLE001 - handed to the parent, see above
        failure = RuntimeError(f"a spawned worker could not start: {exc!r}")
        _TASK = functools.partial(_fail, failure)


def _fail(failure: Exception, _index: int) -> Any:
    raise failure


def _run(index: int) -> Any:
    assert _TASK is not None
    return _TASK(index)


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    return [_run(i) for i in range(*bounds)]


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """Run a build with the cyclic garbage collector mostly idle (workers inherit this).

    A build allocates millions of objects and frees nearly all of them by reference count,
    but with the default thresholds each burst of allocations sets off a collection, and a
    full one walks every object of a 10,000-article site: a third of a small rebuild's time,
    measured. Young objects are still collected often; the old generation rarely."""
    old = gc.get_threshold()
    gc.set_threshold(50_000, 50, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()  # what ``settle`` froze may be collected again (a server builds on)


def settle() -> None:
    """Leave every object alive now out of the cyclic GC's collections for the rest of the
    build (they are still freed by reference count). Called once the site is loaded: its
    objects otherwise sit in the young generations until a collection walks them all, and
    at 100,000 articles that one collection took 0.9 s, in the middle of planning pages."""
    gc.freeze()


def release_free_memory() -> None:
    """Hand memory the C allocator holds but no object uses back to the system (glibc only).

    Loading a large site frees hundreds of megabytes in scattered blocks (parsed cache rows,
    the manifest's JSON text); glibc keeps them mapped, and a forked worker inherits that
    mapping. Measured at 100,000 articles: 90 MB less per process tree at the render fork."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:  # pragma: no cover - no loadable C library
        return None


def worker_count() -> int:
    env = os.environ.get("NEWSGEN_WORKERS")
    if env and env.isdigit():
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def start_method() -> str:
    """How this system runs workers: 'fork' (Linux and other systems with a safe fork),
    'spawn' (Windows, macOS) or 'serial' (one process); NEWSGEN_START_METHOD chooses."""
    chosen = os.environ.get("NEWSGEN_START_METHOD", "")
    if chosen in START_METHODS:
        return chosen if chosen != "fork" or _can_fork() else "spawn"
    return "fork" if _can_fork() and sys.platform != "darwin" else "spawn"


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def worth_forking(items: int, workers: int | None, most: int | None = None) -> bool:
    """Whether work over ``items`` things should go to forked workers: enough of them, at
    most ``most``, more than one worker allowed, and a system where fork is safe."""
    return worth_parallel(items, workers, most) and start_method() == "fork"


def worth_parallel(items: int, workers: int | None, most: int | None = None) -> bool:
    workers = worker_count() if workers is None else workers
    return workers > 1 and MIN_PARALLEL <= items <= (items if most is None else most) \
        and start_method() != "serial"


def parallel_map(task: Callable[[int], T] | Portable[T], count: int,
                 workers: int | None = None, progress: Callable[[int], None] | None = None,
                 chunks_per_worker: int = WORKER_CHUNKS) -> Sequence[T]:
    """``[task(i) for i in range(count)]``, spread over workers when it pays."""
    results: list[T] = []
    parallel_each(task, count, lambda _index, result: results.append(result), workers,
                  progress, chunks_per_worker)
    return results


def parallel_each(task: Callable[[int], T] | Portable[T], count: int,
                  consume: Callable[[int, T], None], workers: int | None = None,
                  progress: Callable[[int], None] | None = None,
                  chunks_per_worker: int = WORKER_CHUNKS) -> None:
    """``consume(i, task(i))`` for every ``i`` in order, as results arrive: a stage whose
    results are large (converted bodies) passes them on without holding them all."""
    workers = worker_count() if workers is None else workers
    method = start_method() if worth_parallel(count, workers) else "serial"
    if method == "spawn" and isinstance(task, Portable) and count >= task.spawn_from:
        _spawned(task, count, consume, workers, progress)
        return
    function = task.local() if isinstance(task, Portable) else task
    if method != "fork":
        for index in range(count):
            consume(index, function(index))
            if progress:
                progress(index + 1)
        return
    _forked(function, count, consume, workers, progress, chunks_per_worker)


def _chunks(count: int, workers: int) -> list[tuple[int, int]]:
    size = max(20, min(200, count // (workers * 8) or 1))
    return [(start, min(count, start + size)) for start in range(0, count, size)]


def _spawned(task: Portable[T], count: int, consume: Callable[[int, T], None], workers: int,
             progress: Callable[[int], None] | None) -> None:
    """The spawn path: each worker starts Python afresh, imports newsgen and receives the
    task's state once; then only index ranges go out."""
    context = multiprocessing.get_context("spawn")
    # Pickled once here, not once per worker: a 10,000-article render state is 9 MB and
    # took 0.8 s to pickle (measured); bytes are copied to each worker as they are.
    payload = pickle.dumps((task.make, task.state), pickle.HIGHEST_PROTOCOL)
    with context.Pool(workers, initializer=_start_spawned, initargs=(payload,)) as pool:
        _drain(pool, count, workers, consume, progress)


def _drain(pool: Any, count: int, workers: int, consume: Callable[[int, Any], None],
           progress: Callable[[int], None] | None) -> None:
    """Hand ``pool`` the index chunks and consume the results in input order, reporting
    progress after each chunk (the fork and spawn paths differ only in their pools)."""
    done = 0
    for chunk in pool.imap(_run_chunk, _chunks(count, workers)):
        for result in chunk:
            consume(done, result)
            done += 1
        if progress:
            progress(done)


def _forked(task: Callable[[int], T], count: int, consume: Callable[[int, T], None],
            workers: int, progress: Callable[[int], None] | None,
            chunks_per_worker: int) -> None:
    global _TASK
    _TASK = task
    try:
        context = multiprocessing.get_context("fork")
        # Objects the workers inherit stay shared with this process only while nothing
        # writes to them; the cyclic GC would (it marks every object it visits), copying
        # the whole heap into each worker. Frozen objects are left out of collections.
        release_free_memory()
        gc.freeze()
        # A worker is replaced after a number of chunks: what it caches, and the inherited
        # pages it has touched (copy-on-write), would otherwise grow with the site; each
        # replacement costs page faults, so not too often.
        with context.Pool(workers, maxtasksperchild=chunks_per_worker) as pool:
            _drain(pool, count, workers, consume, progress)
    finally:
        _TASK = None
        gc.unfreeze()


def all_parts(check: Callable[[int, int], bool], count: int, parts: int) -> bool:
    """Whether ``check(start, stop)`` holds on every slice of ``range(count)`` cut into
    ``parts``: the first slice checked here while forked children check the others. For a
    check bound by system calls (an ``lstat`` for each of 240,000 output files took 0.70 s
    in one process, 0.36 s in two; threads took longer than one, as they contend for the
    interpreter between calls). A child that fails in any way has its slice checked here:
    a failure costs time, never a result."""
    if parts < 2 or count < 2 * MIN_PARALLEL or start_method() != "fork":
        return check(0, count)
    bounds = [(count * k // parts, count * (k + 1) // parts) for k in range(parts)]
    children: list[tuple[int, int, int]] = []
    try:
        for start, stop in bounds[1:]:
            pid = os.fork()
            if pid == 0:  # the child: its answer is its exit status; no cleanup runs
                status = 2
                try:
                    gc.disable()
                    status = 0 if check(start, stop) else 1
                finally:
                    os._exit(status)
            children.append((pid, start, stop))
        holds = check(*bounds[0])
        while children:
            pid, start, stop = children[0]
            if not holds:  # the answer is known: stop the rest
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            _pid, status = os.waitpid(pid, 0)
            children.pop(0)
            if holds and os.WIFEXITED(status) and os.WEXITSTATUS(status) in (0, 1):
                holds = os.WEXITSTATUS(status) == 0
            elif holds:
                holds = check(start, stop)
        return holds
    finally:  # interrupted: no child is left running or unreaped
        for pid, _start, _stop in children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


class Aside(Generic[T]):
    """``task()`` computed in a forked process while this one goes on; :meth:`result` waits
    for it. A rebuild's parent has a few tenths of a second of work that depends on the
    site alone (feed and sitemap keys) while the other core waits. Where fork is
    unavailable, or the child fails in any way, the task runs here instead: a failed child
    costs time, never a result. The child leaves its result in a temporary file, not a
    pipe, so that it exits (and frees the memory it copied) as soon as it is done. Where
    fork is missing or unsafe the task runs in this process when its result is asked for:
    a spawned child would have to load the site again."""

    def __init__(self, task: Callable[[], T], enabled: bool = True) -> None:
        self._task = task
        self._pid = 0
        self._file: IO[bytes] | None = None
        if enabled and start_method() == "fork":
            self._start()

    def _start(self) -> None:
        self._file = tempfile.TemporaryFile()
        pid = os.fork()
        if pid == 0:  # the child: compute, write, leave without running any cleanup
            status = 1
            try:
                gc.disable()  # short-lived: collections would only copy shared pages
                self._file.write(pickle.dumps(self._task(), pickle.HIGHEST_PROTOCOL))
                self._file.flush()
                status = 0
            finally:
                os._exit(status)
        self._pid = pid

    def result(self) -> T:
        if self._pid:
            _pid, status = os.waitpid(self._pid, 0)
            self._pid = 0
            if status == 0 and self._file is not None:
                self._file.seek(0)
                try:
                    return pickle.loads(self._file.read())  # noqa: S301 - our child's bytes
                except Exception:  # noqa: BLE001 - fall back to computing here
                    pass
        return self._task()

    def close(self) -> None:
        """Stop a child whose result is no longer wanted (the build failed meanwhile)."""
        if self._pid:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = 0
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> Aside[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
