"""`evalparity server`: a real Language Server Protocol session over the server's standard input and
output (a small JSON-RPC client below, every wait bounded), plus the conversions on their own and the
one-line error when the `server` extra is not installed."""

from __future__ import annotations

import atexit
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("pygls")

from lsprotocol import types as lsp  # noqa: E402
from pygls.workspace.position_codec import PositionCodec  # noqa: E402

from evalparity.facts import Location  # noqa: E402
from evalparity.findings import Finding, Related  # noqa: E402
from evalparity.server import diagnostic, fix_edits  # noqa: E402

START = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
WAIT = 60  # seconds: the longest any single answer may take before the test fails (never hangs)

TRAIN = (
    "from torchvision import transforms as T\n"
    "\n"
    "MEAN = (0.485, 0.456, 0.406)\n"
    "STD = (0.229, 0.224, 0.225)\n"
    "train_tf = T.Compose([T.RandomCrop(32, padding=4), T.ToTensor(), T.Normalize(MEAN, STD)])\n"
)
# EP201 on line 7 (its other side is data.py:5, unsafe fix); EP504 on line 12 (safe fix).
EVALUATE = (
    "from torchvision import transforms as T\n"
    "\n"
    "from data import train_tf\n"
    "\n"
    "val_tf = T.Compose([\n"
    "    T.ToTensor(),\n"
    "    T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),\n"
    "])\n"
    "\n"
    "\n"
    "def evaluate(model, loader):\n"
    "    model.eval\n"
    "    for images, labels in loader:\n"
    "        model(images)\n"
)
CLEAN = (
    EVALUATE.replace("(0.5, 0.5, 0.5), (0.5, 0.5, 0.5)", "MEAN, STD")
    .replace("from data import train_tf", "from data import MEAN, STD, train_tf")
    .replace("    model.eval\n", "    model.eval()\n")
)


class Client:
    """Speaks JSON-RPC with `Content-Length` framing to a server process (`evalparity server`, as an editor
    starts it), or to the same server run in a thread of this process over pipes (`in_process`: no Python
    start-up and imports per test; the current folder must then be the project); keeps a transcript."""

    def __init__(self, cwd: Path, in_process: bool = False) -> None:
        self.inbox: queue.Queue = queue.Queue()
        self.seen: list[dict] = []  # messages received and not yet taken by a wait
        self.transcript: list[tuple[str, dict]] = []
        self.errors: list[bytes] = []
        self._next = 0
        if in_process:
            self.process = None
            self._serve_in_thread()
        else:
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
            self.process = subprocess.Popen([sys.executable, "-m", "evalparity", "server"], cwd=cwd, env=env,
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.stdin, self.stdout = self.process.stdin, self.process.stdout
            threading.Thread(target=lambda: self.errors.extend(self.process.stderr), daemon=True).start()
        threading.Thread(target=self._read, daemon=True).start()

    def _serve_in_thread(self) -> None:
        from evalparity.server import Linter, build

        to_server, from_client = os.pipe()
        from_server, to_client = os.pipe()
        self.stdin, self.stdout = open(from_client, "wb", buffering=0), open(from_server, "rb")
        server_in, server_out = open(to_server, "rb"), open(to_client, "wb")
        self.returncode = None

        def serve() -> None:
            try:
                build(Linter()).start_io(server_in, server_out)
            except SystemExit as stop:  # the `exit` notification ends the server with its code
                self.returncode = stop.code
            except BaseException as exc:  # noqa: BLE001 - shown by the next wait that times out
                self.errors.append(repr(exc).encode())
            finally:
                server_out.close()
                server_in.close()

        self.thread = threading.Thread(target=serve, name="evalparity-server", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        stream = self.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            self.inbox.put(json.loads(stream.read(length)))

    def send(self, message: dict) -> None:
        message = {"jsonrpc": "2.0", **message}
        self.transcript.append(("client → server", message))
        body = json.dumps(message).encode("utf-8")
        self.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict | None):
        self._next += 1
        ident = self._next
        self.send({"id": ident, "method": method, "params": params})
        answer = self.wait(lambda m: m.get("id") == ident and "method" not in m)
        assert "error" not in answer, answer
        return answer["result"]

    def wait(self, wanted, timeout: float = WAIT) -> dict:
        """The first message (earlier ones included) that `wanted` accepts; the others stay for later waits."""
        for index, message in enumerate(self.seen):
            if wanted(message):
                return self.seen.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no awaited message within {timeout} s; stderr: {b''.join(self.errors)!r}")
            try:
                message = self.inbox.get(timeout=left)
            except queue.Empty:
                continue
            self.transcript.append(("server → client", message))
            if "method" in message and "id" in message:  # a request of the server's: answer it
                self.send({"id": message["id"], "result": None})
            if wanted(message):
                return message
            self.seen.append(message)

    def diagnostics(self, uri: str, version: int) -> list[dict]:
        message = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri and m["params"].get("version") == version)
        return message["params"]["diagnostics"]

    def close(self) -> int:
        if self.process is None:
            return self._close_thread()
        try:
            if self.process.poll() is None:
                self.request("shutdown", None)
                self.notify("exit", None)
            return self.process.wait(timeout=WAIT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=WAIT)

    def _close_thread(self) -> int:
        try:
            if self.thread.is_alive():
                self.request("shutdown", None)
                self.notify("exit", None)
            self.thread.join(timeout=WAIT)
            assert not self.thread.is_alive(), "the server thread did not stop after `exit`"
            return self.returncode
        finally:
            self.stdin.close()  # the server's reader sees the end of its input, whatever happened


def initialize(client: Client, root: Path, resolve: bool = False, watch: bool = False) -> dict:
    code_action = {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source.fixAll"]}}}
    if resolve:
        code_action["resolveSupport"] = {"properties": ["edit"]}
    result = client.request("initialize", {
        "processId": os.getpid(), "rootUri": root.as_uri(), "workspaceFolders": [{"uri": root.as_uri(), "name": "p"}],
        "capabilities": {"textDocument": {"publishDiagnostics": {"relatedInformation": True, "versionSupport": True},
                                          "codeAction": code_action},
                         "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": watch}}}})
    client.notify("initialized", {})
    return result


def apply(text: str, edits: list[dict]) -> str:
    """Apply LSP text edits (ranges in UTF-16 units; every test text is ASCII) to a text."""
    lines = text.splitlines(keepends=True)

    def offset(position: dict) -> int:
        return sum(len(line) for line in lines[:position["line"]]) + position["character"]

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


def _write_project(folder: Path, *, evaluate: bool = False) -> Path:
    (folder / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    (folder / "data.py").write_text(TRAIN, encoding="utf-8")
    if evaluate:
        (folder / "evaluate.py").write_text(EVALUATE, encoding="utf-8")
    return folder


@pytest.fixture
def project(tmp_path):
    return _write_project(tmp_path)


# The cache-filling test's project, written when this module is collected: when the test runs, its files are
# past the cache's "racily clean" window (their stat is recorded), as files usually are, with no wait.
SETTLED = _write_project(Path(tempfile.mkdtemp(prefix="evalparity-settled-")), evaluate=True)
SETTLED_AT = time.time()
atexit.register(shutil.rmtree, SETTLED, ignore_errors=True)


@pytest.fixture
def session(project, in_dir):
    """The server in a thread of this test's process (the first test talks to a real `evalparity server`
    process: `server_process`)."""
    in_dir(project)
    client = Client(project, in_process=True)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def server_process(project):
    client = Client(project)
    try:
        yield client
    finally:
        client.close()


def open_document(client: Client, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": version,
                                                            "text": text}})
    return uri


def test_a_session_publishes_findings_offers_fixes_and_clears_them(project, server_process):
    session = server_process
    result = initialize(session, project)
    assert result["serverInfo"]["name"] == "evalparity"
    assert "quickfix" in result["capabilities"]["codeActionProvider"]["codeActionKinds"]
    path = project / "evaluate.py"
    path.write_text(EVALUATE, encoding="utf-8")
    uri = open_document(session, path, EVALUATE)

    found = {d["code"]: d for d in session.diagnostics(uri, 1)}
    assert sorted(found) == ["EP201", "EP504"]
    normalize = found["EP201"]
    assert normalize["range"] == {"start": {"line": 6, "character": 4}, "end": {"line": 6, "character": 49}}
    assert (normalize["severity"], normalize["source"]) == (1, "evalparity")
    assert normalize["codeDescription"]["href"].endswith("/docs/rules/EP201.md")
    [other] = normalize["relatedInformation"]
    assert other["location"]["uri"] == (project / "data.py").as_uri()
    assert other["location"]["range"]["start"] == {"line": 4, "character": 65}
    assert other["message"] == "other side: training Normalize (modules linked by an import)"
    assert normalize["message"].splitlines()[0] == "evaluation Normalize mean and std differ from training"
    assert normalize["message"].splitlines()[1].startswith("note: mean: evaluation ")  # the header, then the notes

    at_normalize = session.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": normalize["range"], "context": {"diagnostics": [normalize]}})
    unsafe, silence = at_normalize
    assert silence["title"] == "EP201: disable for this line (# noqa: EP201)" and not silence.get("isPreferred")
    assert apply(EVALUATE, silence["edit"]["changes"][uri]).splitlines()[6] == \
        "    T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),  # noqa: EP201"
    assert unsafe["kind"] == "quickfix" and not unsafe.get("isPreferred")
    assert "unsafe" in unsafe["title"] and unsafe["title"].startswith("EP201: Use the training statistics")
    assert unsafe["diagnostics"][0]["code"] == "EP201"
    fixed = apply(EVALUATE, unsafe["edit"]["changes"][uri])
    assert "from data import MEAN, STD\n" in fixed and "T.Normalize(MEAN, STD)," in fixed

    at_eval = session.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": found["EP504"]["range"], "context": {"diagnostics": []}})
    safe, _ = at_eval
    assert safe["isPreferred"] is True and "(safe fix)" in safe["title"]
    assert safe["edit"]["changes"][uri] == [{"range": {"start": {"line": 11, "character": 14},
                                                       "end": {"line": 11, "character": 14}}, "newText": "()"}]
    fixed = apply(EVALUATE, unsafe["edit"]["changes"][uri] + safe["edit"]["changes"][uri])  # both, as the editor would

    session.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                              "contentChanges": [{"text": fixed}]})
    assert session.diagnostics(uri, 2) == []
    assert path.read_text(encoding="utf-8") == EVALUATE  # the server never writes files
    assert session.close() == 0


def test_disabling_for_a_line_adds_to_the_noqa_already_there(project, session):
    initialize(session, project)
    text = EVALUATE.replace("    model.eval\n", "    model.eval  # noqa: EP101 \n")
    uri = open_document(session, project / "evaluate.py", text)
    [found] = [d for d in session.diagnostics(uri, 1) if d["code"] == "EP504"]
    actions = session.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": found["range"], "context": {"diagnostics": [found]}})
    [silence] = [a for a in actions if "disable" in a["title"]]
    silenced = apply(text, silence["edit"]["changes"][uri])
    assert "    model.eval  # noqa: EP101, EP504 \n" in silenced
    session.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                              "contentChanges": [{"text": silenced}]})
    assert [d["code"] for d in session.diagnostics(uri, 2)] == ["EP201"]


def test_a_buffer_is_read_in_the_encoding_its_file_declares(project, session):
    initialize(session, project)
    text = ("# -*- coding: latin-1 -*-\n"
            "from torchvision import transforms as T\n"
            'label = "é"; val_tf = T.Compose([T.RandomHorizontalFlip(), T.ToTensor()])\n')
    uri = open_document(session, project / "latin.py", text)
    [found] = session.diagnostics(uri, 1)
    column = text.splitlines()[2].index("T.RandomHorizontalFlip")
    assert (found["code"], found["range"]["start"]) == ("EP101", {"line": 2, "character": column})


def test_the_unsaved_buffer_is_checked_instead_of_the_file(project, session):
    initialize(session, project)
    path = project / "evaluate.py"
    path.write_text(CLEAN, encoding="utf-8")
    uri = open_document(session, path, EVALUATE)
    assert sorted(d["code"] for d in session.diagnostics(uri, 1)) == ["EP201", "EP504"]
    session.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                              "contentChanges": [{"text": CLEAN}]})
    assert session.diagnostics(uri, 2) == []


def test_saving_the_other_side_checks_the_open_documents_again(project, session):
    initialize(session, project)
    path = project / "evaluate.py"
    good = EVALUATE.replace("(0.5, 0.5, 0.5), (0.5, 0.5, 0.5)", "(0.485, 0.456, 0.406), (0.229, 0.224, 0.225)")
    path.write_text(good, encoding="utf-8")
    uri = open_document(session, path, good)
    assert [d["code"] for d in session.diagnostics(uri, 1)] == ["EP504"]
    data = project / "data.py"
    data_uri = open_document(session, data, TRAIN)
    assert session.diagnostics(data_uri, 1) == []
    changed = TRAIN.replace("MEAN = (0.485, 0.456, 0.406)", "MEAN = (0.5, 0.5, 0.5)")
    session.notify("textDocument/didChange", {"textDocument": {"uri": data_uri, "version": 2},
                                              "contentChanges": [{"text": changed}]})
    assert session.diagnostics(data_uri, 2) == []
    data.write_text(changed, encoding="utf-8")
    session.notify("textDocument/didSave", {"textDocument": {"uri": data_uri}})
    assert sorted(d["code"] for d in session.diagnostics(uri, 1)) == ["EP201", "EP504"]


def test_files_changed_outside_the_editor_check_the_open_documents_again(project, session):
    initialize(session, project, watch=True)
    registration = session.wait(lambda m: m.get("method") == "client/registerCapability")
    [watching] = registration["params"]["registrations"]
    assert watching["method"] == "workspace/didChangeWatchedFiles"
    assert {"globPattern": "**/*.py"} in watching["registerOptions"]["watchers"]
    path = project / "evaluate.py"
    path.write_text(CLEAN, encoding="utf-8")
    uri = open_document(session, path, CLEAN)
    assert session.diagnostics(uri, 1) == []
    data = project / "data.py"
    other = TRAIN.replace("T.Normalize(MEAN, STD)", "T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))")
    data.write_text(other, encoding="utf-8")  # as `git checkout` would, outside the editor
    session.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": data.as_uri(), "type": 2}]})
    assert [d["code"] for d in session.diagnostics(uri, 1)] == ["EP201"]  # checked again: its other side changed


def test_fix_all_runs_the_rounds_of_check_fix_on_the_buffer(project, session):
    initialize(session, project)
    path = project / "evaluate.py"
    uri = open_document(session, path, EVALUATE)  # a file that exists only in the editor
    assert len(session.diagnostics(uri, 1)) == 2
    [action] = session.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": START,
        "context": {"diagnostics": [], "only": ["source.fixAll"]}})
    assert action["kind"] == "source.fixAll.evalparity"
    fixed = apply(EVALUATE, action["edit"]["changes"][uri])
    assert fixed == EVALUATE.replace("    model.eval\n", "    model.eval()\n")  # the safe fix only
    assert not path.exists()


def test_fix_all_is_resolved_when_the_client_can_resolve(project, session):
    initialize(session, project, resolve=True)
    uri = open_document(session, project / "evaluate.py", EVALUATE)
    session.diagnostics(uri, 1)
    [action] = session.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": START,
        "context": {"diagnostics": [], "only": ["source"]}})
    assert "edit" not in action or action["edit"] is None
    resolved = session.request("codeAction/resolve", action)
    assert apply(EVALUATE, resolved["edit"]["changes"][uri]).count("model.eval()") == 1


def test_closing_a_document_clears_its_diagnostics(project, session):
    initialize(session, project)
    uri = open_document(session, project / "evaluate.py", EVALUATE)
    assert session.diagnostics(uri, 1)
    session.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    message = session.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                           and m["params"]["uri"] == uri and "version" not in m["params"])
    assert message["params"]["diagnostics"] == []


def test_remembered_facts_give_the_same_findings_and_buffers_never_reach_the_disk_cache(project, tmp_path_factory,
                                                                                        in_dir):
    from evalparity.server import Linter

    in_dir(project)
    folder = tmp_path_factory.mktemp("cache")
    path = project / "evaluate.py"
    path.write_text(EVALUATE, encoding="utf-8")
    linter = Linter(cache_dir=str(folder))

    def shown(result):
        return [(f.code, f.location, f.message, [r.location for r in f.related]) for f in result.findings]

    first = shown(linter.check(str(path), {}))
    entries = sorted(folder.rglob("*.pickle"))
    assert entries and linter.memory
    assert shown(linter.check(str(path), {})) == first == shown(Linter(use_cache=False).check(str(path), {}))
    assert [code for code, *_ in shown(linter.check(str(path), {str(path): CLEAN.encode()}))] == []
    assert sorted(folder.rglob("*.pickle")) == entries  # the buffer's facts were kept in memory only


def test_the_first_check_of_a_project_without_a_cache_fills_it_in_a_process_of_its_own(tmp_path_factory, in_dir,
                                                                                       monkeypatch, warm_process):
    import evalparity.server as server

    in_dir(SETTLED)
    folder = tmp_path_factory.mktemp("cache")
    path = SETTLED / "evaluate.py"
    warm_process.prepare()
    time.sleep(max(0.0, SETTLED_AT + 2.1 - time.time()))  # (when the test runs first of all)
    calls = []

    def run(args, **kw):  # the command in a real process, forked from a warm interpreter (tests/warm_start.py)
        calls.append((args, kw))
        assert args[:3] == [sys.executable, "-m", "evalparity"]
        return warm_process.run(args[3:], cwd=kw["cwd"], env=kw["env"], timeout=kw["timeout"])

    monkeypatch.setattr(server.subprocess, "run", run)
    linter = server.Linter(cache_dir=str(folder))
    server.Linter(cache_dir=str(tmp_path_factory.mktemp("other"))).check(str(path), {})
    assert not calls  # a project of three files is read faster than a process starts
    monkeypatch.setattr(server, "FILL_FROM", 2)  # as if it had hundreds
    first = [f.code for f in linter.check(str(path), {}).findings]
    assert first == ["EP201", "EP504"]
    [(args, kw)] = calls  # once, before the first check; its output never reaches the editor's connection
    assert args[-2:] == ["--force-exclude", str(path)] and kw["stdout"] == subprocess.DEVNULL
    assert kw["env"]["EVALPARITY_CACHE_DIR"] == str(folder) and sorted(folder.rglob("*.pickle"))
    linter.check(str(path), {})
    server.Linter(cache_dir=str(folder)).check(str(path), {})  # a new server: the cache is there now
    assert len(calls) == 1


# conversions ---------------------------------------------------------------------------------------
def test_positions_are_counted_in_the_clients_units():
    line = 'x = "😀"; val_tf = T.Compose([T.RandomHorizontalFlip()])'
    column = line.index("T.Random") + 1
    loc = Location("a.py", 1, column, 1, column + len("T.RandomHorizontalFlip()"))
    finding = Finding("EP101", "random", loc, related=[Related(Location("a.py", 1, 19, 1, 56), "evaluation", "role")],
                      severity="warning", fingerprint="f")
    lines = {"a.py": [line]}
    utf16 = diagnostic(finding, lines.get, PositionCodec(lsp.PositionEncodingKind.Utf16))
    assert (utf16.range.start.character, utf16.range.end.character) == (column, column + 24)  # 😀 is 2 units
    utf32 = diagnostic(finding, lines.get, PositionCodec(lsp.PositionEncodingKind.Utf32))
    assert utf32.range.start.character == column - 1
    assert utf16.severity == lsp.DiagnosticSeverity.Warning and utf16.code == "EP101"
    assert utf16.related_information[0].message == "role: evaluation"  # the related place's kind, then its label


def test_a_fix_is_offered_only_while_its_span_holds_the_text_it_was_computed_from():
    edit = {"path": "a.py", "line": 1, "column": 1, "end_line": 1, "end_column": 11, "content": "model.eval()",
            "original": "model.eval"}
    finding = Finding("EP504", "m", Location("a.py", 1, 1, 1, 11), severity="error",
                      fix={"applicability": "safe", "description": "d", "edits": [edit]})
    codec = PositionCodec(lsp.PositionEncodingKind.Utf16)
    changes = fix_edits(finding, {"a.py": "model.eval\r\n"}.get, codec)
    [text_edit] = changes[Path("a.py").absolute().as_uri()]
    assert (text_edit.new_text, text_edit.range.end.character) == ("model.eval()", 10)
    assert fix_edits(finding, {"a.py": "model.train\n"}.get, codec) is None
    moved = Finding("EP504", "m", Location("a.py", 2, 1, 2, 11), severity="error", fix={
        "applicability": "safe", "description": "d", "edits": [{**edit, "line": 2, "end_line": 2}]})
    # A form feed is no line break for Python, libcst or LSP (str.splitlines would count one).
    [text_edit] = fix_edits(moved, {"a.py": "x = 1  # \x0c\nmodel.eval\n"}.get, codec).popitem()[1]
    assert (text_edit.range.start.line, text_edit.range.end.character) == (1, 10)


# without the extra ---------------------------------------------------------------------------------
def test_without_pygls_server_exits_2_with_one_line_and_the_rest_works(monkeypatch):
    from evalparity.cli import cli

    monkeypatch.delitem(sys.modules, "evalparity.server", raising=False)  # imported again, without pygls
    for name in ("pygls", "pygls.lsp.server", "lsprotocol"):
        monkeypatch.setitem(sys.modules, name, None)
    out = CliRunner().invoke(cli, ["server"])
    assert out.exit_code == 2
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and "pip install 'evalparity[server]'" in lines[0], out.output
    assert CliRunner().invoke(cli, ["--help"]).exit_code == 0
    assert CliRunner().invoke(cli, ["rules"]).exit_code == 0
