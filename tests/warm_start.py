"""Real `python -m evalparity` processes without a new interpreter's start-up each time.

A test about what the process does with its streams and its exit status (the bytes on standard output, a
reader that closes the pipe, one line on standard error) needs a real process of its own, with real file
descriptors and the interpreter's own ending. It does not need the interpreter to start, import libcst
and read the knowledge base again: that is 0.6 s of each run. `run` forks the process from a warm one that
has done those once (one per test worker, started on first use). The child takes the caller's pipes as its
descriptors 0, 1 and 2, its folder, environment and arguments, runs the `evalparity` module as `python -m`
does, and ends as any interpreter ends: SystemExit, then the standard streams flushed and the exit handlers
run. What Python decides from the environment when it starts (the standard streams' encoding, the locale)
was decided once, in the warm process: `run` refuses an environment that changes those, and the tests
about them start a new interpreter."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

STARTUP_SETTINGS = ("PYTHONIOENCODING", "PYTHONUTF8", "PYTHONLEGACYWINDOWSSTDIO", "LANG", "LC_ALL", "LC_CTYPE",
                    "PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONOPTIMIZE", "PYTHONDEVMODE",
                    "PYTHONWARNINGS")


def serve(address: str) -> None:
    """The warm process: import every module a command may import and read the knowledge base, then fork
    one child per request."""
    import importlib
    import pkgutil
    import runpy

    import evalparity
    from evalparity.vocabulary.knowledge import default_knowledge

    for module in pkgutil.walk_packages(evalparity.__path__, "evalparity."):
        if module.name not in ("evalparity.__main__", "evalparity.server"):  # running it; the editor's alone
            importlib.import_module(module.name)
    default_knowledge()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen()
    listener.settimeout(1.0)
    parent = os.getppid()
    while True:
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            if os.getppid() != parent:  # the test worker is gone (killed): so is the need for this process
                return
            continue
        connection.settimeout(None)
        message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 3)
        if not message:
            return
        request = json.loads(message)
        child = os.fork()
        if child == 0:
            listener.close()
            connection.close()
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
                os.close(fd)
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            sys.argv = [request["main"], *request["args"]]
            runpy.run_module("evalparity", run_name="__main__", alter_sys=True)
            sys.exit(0)  # the module returned without exiting, as a script that ends does
        for fd in fds:
            os.close(fd)
        _, status = os.waitpid(child, 0)
        connection.sendall(str(os.waitstatus_to_exitcode(status)).encode())
        connection.close()


class WarmStart:
    """The warm process of one test worker; `run` has subprocess.run's result fields (bytes)."""

    def __init__(self) -> None:
        self._folder = tempfile.mkdtemp(prefix="evalparity-warm-")
        self._address = str(Path(self._folder) / "socket")
        self._log = open(Path(self._folder) / "log", "wb")  # noqa: SIM115 - the warm process's own errors
        self._process: subprocess.Popen | None = None
        self._environment = dict(os.environ)

    def _started(self) -> None:
        if self._process is not None:
            return
        code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import warm_start; " \
               f"warm_start.serve({self._address!r})"
        self._process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=self._log, env=self._environment)

    def _connect(self, timeout: float) -> socket.socket:
        self._started()
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._process.poll() is None:
            try:
                connection.connect(self._address)
                return connection
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.02)
        raise RuntimeError(f"the warm process did not start: {Path(self._folder, 'log').read_text()}")

    def run(self, args, *, cwd, env: dict | None = None, input: bytes | None = None,
            close_stdout: bool = False, timeout: float = 120) -> subprocess.CompletedProcess:
        env = dict(os.environ if env is None else env)
        changed = [name for name in STARTUP_SETTINGS if env.get(name) != self._environment.get(name)]
        if changed:
            raise ValueError(f"{', '.join(changed)} would change the interpreter's start-up: use subprocess.run")
        connection = self._connect(timeout=30)
        stdin_read, stdin_write = os.pipe()
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        request = {"args": [str(arg) for arg in args], "cwd": str(cwd), "env": env,
                   "main": str(Path(__import__("evalparity").__file__).with_name("__main__.py"))}
        socket.send_fds(connection, [json.dumps(request).encode()], [stdin_read, stdout_write, stderr_write])
        for fd in (stdin_read, stdout_write, stderr_write):
            os.close(fd)
        if close_stdout:
            os.close(stdout_read)
        streams: dict[int, bytes] = {}

        def read(fd: int) -> None:
            with open(fd, "rb") as stream:
                streams[fd] = stream.read()

        def write() -> None:
            with open(stdin_write, "wb") as stream:
                try:
                    stream.write(input or b"")
                except BrokenPipeError:
                    pass

        threads = [threading.Thread(target=write, daemon=True), threading.Thread(target=read, args=(stderr_read,),
                                                                               daemon=True)]
        if not close_stdout:
            threads.append(threading.Thread(target=read, args=(stdout_read,), daemon=True))
        for thread in threads:
            thread.start()
        connection.settimeout(timeout)
        try:
            status = int(connection.recv(64))
        finally:
            connection.close()
        for thread in threads:
            thread.join(timeout)
        return subprocess.CompletedProcess([sys.executable, "-m", "evalparity", *args], status,
                                           None if close_stdout else streams.get(stdout_read, b""),
                                           streams.get(stderr_read, b""))

    def close(self) -> None:
        if self._process is not None:
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                    connection.connect(self._address)  # and closed at once: an empty request ends it
            except OSError:
                pass
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()
        for name in ("socket", "log"):
            Path(self._folder, name).unlink(missing_ok=True)
        os.rmdir(self._folder)
