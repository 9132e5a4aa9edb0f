"""Real `python -m evalparity` processes without a new interpreter's start-up each time.

A test about what the process does with its streams and its exit status (the bytes on standard output, a
reader that closes the pipe, one line on standard error) needs a real process of its own, with real file
descriptors and the interpreter's own ending. It does not need the interpreter to start, import libcst
and read the knowledge base again: that is 0.6 s of each run. `run` and `start` fork the process from a warm
one that has done those once (started on first use, in each test worker). The child takes the caller's pipes as its
descriptors 0, 1 and 2, its folder, environment and arguments, runs the `evalparity` module as `python -m`
does, and ends as any interpreter ends: SystemExit, then the standard streams flushed and the exit handlers
run. What Python decides from the environment when it starts (the standard streams' encoding, the locale,
the module path) was decided in the warm process: there is one warm process for each such start-up
environment. A warm process starts with Ctrl-C's default handling (as from a terminal, not the ignored
SIGINT a shell's background job gives), so Python turns it into KeyboardInterrupt."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

STARTUP_SETTINGS = ("PYTHONIOENCODING", "PYTHONUTF8", "PYTHONLEGACYWINDOWSSTDIO", "LANG", "LC_ALL", "LC_CTYPE",
                    "PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONOPTIMIZE", "PYTHONDEVMODE",
                    "PYTHONWARNINGS", "PYTHONHASHSEED")


def serve(address: str) -> None:
    """The warm process: import every module a command may import and read the knowledge base, then fork
    one child per request; tell the caller the child's pid, then its exit status."""
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
            sys.argv = ["", *request["args"]]  # run_module puts the module's path first, as `python -m` does
            runpy.run_module("evalparity", run_name="__main__", alter_sys=True)
            sys.exit(0)  # the module returned without exiting, as a script that ends does
        for fd in fds:
            os.close(fd)
        connection.sendall(f"{child}\n".encode())
        _, status = os.waitpid(child, 0)
        connection.sendall(str(os.waitstatus_to_exitcode(status)).encode())
        connection.close()


class Child:
    """A started command: its pid, a signal to it, its exit status (subprocess.Popen's names)."""

    def __init__(self, connection: socket.socket, args: list[str]) -> None:
        self.args = args
        self._connection = connection
        self._received = b""
        connection.settimeout(30)  # a warm process still waiting for an earlier command that never ended
        try:
            while b"\n" not in self._received:
                self._received += self._take()
        except TimeoutError:
            raise RuntimeError("the warm process did not start the command: an earlier one has not ended") from None
        finally:
            connection.settimeout(None)
        pid, _, self._received = self._received.partition(b"\n")
        self.pid = int(pid)
        self.returncode: int | None = None

    def _take(self) -> bytes:
        data = self._connection.recv(64)
        if not data:
            raise RuntimeError("the warm process ended before the command did")
        return data

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def poll(self) -> int | None:
        try:
            return self.wait(timeout=0.001)
        except subprocess.TimeoutExpired:
            return None

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._connection.settimeout(timeout)
            try:
                while True:  # the status is the rest of the reply, sent when the command has ended
                    try:
                        data = self._connection.recv(64)
                    except TimeoutError:
                        raise subprocess.TimeoutExpired(self.args, timeout) from None
                    if not data:
                        break
                    self._received += data
            finally:
                self._connection.settimeout(None)
            self.returncode = int(self._received)
            self._connection.close()
        return self.returncode


class _Warm:
    """One warm interpreter, started with one start-up environment."""

    def __init__(self, folder: str, number: int, environment: dict) -> None:
        self.address = str(Path(folder) / f"socket-{number}")
        code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import warm_start; " \
               f"warm_start.serve({self.address!r})"
        # its standard streams are pipes, as the commands' are: Python remembers whether a stream can seek
        # (/dev/null can), and a command's stream keeps what the warm process found
        self.process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env=environment,
                                        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.errors: list[bytes] = []
        self.reader = threading.Thread(target=lambda: self.errors.extend(self.process.stderr), daemon=True)
        self.reader.start()

    def connect(self, timeout: float = 30) -> socket.socket:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                connection.connect(self.address)
                return connection
            except (FileNotFoundError, ConnectionRefusedError):
                connection.close()
                time.sleep(0.02)
        raise RuntimeError(f"the warm process did not start: {b''.join(self.errors).decode(errors='replace')}")

    def close(self) -> None:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.connect(self.address)  # and closed at once: an empty request ends it
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(5)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()


class WarmStart:
    """The warm processes of one test worker, one per start-up environment."""

    def __init__(self) -> None:
        self._folder = tempfile.mkdtemp(prefix="evalparity-warm-")
        self._warm: dict[tuple, _Warm] = {}

    def prepare(self, env: dict | None = None) -> _Warm:
        """The warm process for this environment's start-up settings, started now if it is not yet (it warms
        up while the caller goes on)."""
        env = dict(os.environ if env is None else env)
        key = tuple(env.get(name) for name in STARTUP_SETTINGS)
        if key not in self._warm:
            self._warm[key] = _Warm(self._folder, len(self._warm), env)
        return self._warm[key]

    def start(self, args, *, cwd, env: dict | None = None, stdin: int = subprocess.DEVNULL,
              stdout: int = subprocess.DEVNULL, stderr: int = subprocess.DEVNULL) -> Child:
        """`python -m evalparity ARGS` with these file descriptors (or subprocess.DEVNULL) as its streams."""
        env = dict(os.environ if env is None else env)
        connection = self.prepare(env).connect()
        devnull = os.open(os.devnull, os.O_RDWR)
        try:
            streams = [devnull if fd == subprocess.DEVNULL else fd for fd in (stdin, stdout, stderr)]
            request = {"args": [str(arg) for arg in args], "cwd": str(cwd), "env": env}
            socket.send_fds(connection, [json.dumps(request).encode()], streams)
        finally:
            os.close(devnull)
        return Child(connection, [sys.executable, "-m", "evalparity", *map(str, args)])

    def run(self, args, *, cwd, env: dict | None = None, input: bytes | None = None,
            close_stdout: bool = False, timeout: float = 120) -> subprocess.CompletedProcess:
        """subprocess.run(capture_output=True)'s result (bytes); with `close_stdout`, standard output is a pipe
        its reader closed before the command started (stdout None)."""
        stdin_read, stdin_write = os.pipe()
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        if close_stdout:
            os.close(stdout_read)
        try:
            child = self.start(args, cwd=cwd, env=env, stdin=stdin_read, stdout=stdout_write, stderr=stderr_write)
        finally:
            for fd in (stdin_read, stdout_write, stderr_write):
                os.close(fd)
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

        readers = (stderr_read,) if close_stdout else (stdout_read, stderr_read)
        threads = [threading.Thread(target=write, daemon=True)]
        threads += [threading.Thread(target=read, args=(fd,), daemon=True) for fd in readers]
        for thread in threads:
            thread.start()
        status = child.wait(timeout)
        for thread in threads:
            thread.join(timeout)
        return subprocess.CompletedProcess(child.args, status, None if close_stdout else streams[stdout_read],
                                           streams[stderr_read])

    def close(self) -> None:
        for warm in self._warm.values():
            warm.close()
        for path in Path(self._folder).iterdir():
            path.unlink()
        os.rmdir(self._folder)
