"""Language server: `evalparity server` speaks the Language Server Protocol on standard input and output
(pygls; `pip install 'evalparity[server]'`), the editor's front end beside the command line.

A document is checked when it is opened, changed (after a short pause in typing) and saved, with the
editor's unsaved text in place of the file (`discovery.paths.overriding`) within its project on disk, so
pairs across files are found as `evalparity check FILE` finds them, and from the same cache. Each
finding becomes a diagnostic with the rule's code, severity and documentation link, and its other sides
as related information. Fixes are code actions built from the findings' own fixes (`evalparity.fixes`):
one quick fix per finding, labelled safe or unsafe, and `source.fixAll.evalparity`, which runs the same
re-checked rounds as `check --fix` on the buffer.

Analyses run one at a time on a worker thread (the engine keeps per-run state in globals), so the
connection keeps answering while a large project is checked; a result is published only while the
document is still at the version that was checked.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import queue
import re
import subprocess
import sys
import threading
import time
import tokenize
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import click
from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from evalparity import __version__
from evalparity.discovery.cache import Cache
from evalparity.discovery.paths import (
    DEFAULT_EXCLUDES,
    clear_git_cache,
    display_path,
    overridden,
    overriding,
    project_home,
)
from evalparity.engine import check as run_check
from evalparity.findings import Finding, Result, details
from evalparity.fixes import SAFE
from evalparity.fixes.apply import decode, newline_of
from evalparity.report import rule_url
from evalparity.suppress import NOQA

NAME = "evalparity"
TYPING_PAUSE = 0.3  # seconds without a change before a changed document is checked again
FIX_ALL = f"{lsp.CodeActionKind.SourceFixAll.value}.{NAME}"
SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning,
            "info": lsp.DiagnosticSeverity.Information}
SUFFIXES = (".py",)
WATCHED = ("**/*.py", "**/*.ipynb", "**/pyproject.toml", "**/evalparity.toml", "**/.evalparity.toml")
MAX_REMEMBERED = 20_000  # files whose facts the server keeps in memory between checks
FILL_FROM = 200  # Python files in a project from which a first check fills the cache in a process of its own
FILL_TIMEOUT = 1800  # seconds a first fill of the cache may take before the server reads the files itself

log = logging.getLogger(__name__)


class SettingsError(Exception):
    """The project's configuration or knowledge files cannot be read (the message says why)."""


@dataclass
class Checked:
    """One analysis of a document: the findings located in it, at the version and text that was checked."""

    uri: str
    path: str  # as findings name it (display path)
    version: int | None
    text: str
    result: Result
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0


class RememberingCache(Cache):
    """The on-disk cache, and the facts it gave or took during the server's life kept in memory as well
    (by content key, the most recent MAX_REMEMBERED): a check after a save reads back only what changed.
    Facts of an unsaved buffer are kept in memory only, never written to the disk cache."""

    def __init__(self, root: Path, salt: str, folder: str | None, memory: OrderedDict) -> None:
        super().__init__(root, salt, folder)
        self.memory = memory

    def get(self, key: str):
        facts = self.memory.get(key)
        if facts is None:
            facts = super().get(key)
            if facts is None:
                return None
        self._remember(key, facts)
        return facts

    def put(self, key: str, facts) -> None:
        self._remember(key, facts)
        if not overridden(facts.path):
            super().put(key, facts)

    def _remember(self, key: str, facts) -> None:
        self.memory[key] = facts
        self.memory.move_to_end(key)
        while len(self.memory) > MAX_REMEMBERED:
            self.memory.popitem(last=False)


def _many_files(root: Path, enough: int) -> bool:
    """The project has at least `enough` Python files (outside the folders excluded by default): worth
    a process of its own for the first fill of the cache."""
    count = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in DEFAULT_EXCLUDES and not d.startswith(".")]
        count += sum(1 for name in names if name.endswith((".py", ".ipynb")))
        if count >= enough:
            return True
    return False


class Linter:
    """Checks one file of a project with given contents for some files (the editor's buffers): the
    command line's configuration, knowledge base and cache, and the engine. No LSP types here."""

    def __init__(self, use_cache: bool = True, cache_dir: str | None = None) -> None:
        self.use_cache = use_cache
        self.cache_dir = cache_dir
        self.memory: OrderedDict = OrderedDict()  # cache key → facts, shared by the checks of every project
        self.warmed: set[tuple[Path, Path]] = set()  # (cache folder, project) looked at for a first fill

    def _setup(self, path: str):
        from evalparity.cli import _load_kb, _settings, cache_salt

        try:  # excluded files stay quiet in the editor, as with --force-exclude
            config, options = _settings([path], None, False, (), (), (), (), (), True)
            kb = _load_kb(tuple(str(p) for p in (config.knowledge if config else ())))
        except click.ClickException as exc:
            raise SettingsError(exc.format_message()) from None
        cache = None
        if self.use_cache:
            cache = RememberingCache(project_home(Path(path).parent), cache_salt(kb, config), self.cache_dir,
                                     self.memory)
        return options, kb, cache

    def check(self, path: str, buffers: dict[str, bytes]) -> Result:
        """`buffers`: absolute path → the editor's text, for the open files whose text is not what is on disk."""
        options, kb, cache = self._setup(path)
        root = options.project_root
        if cache is not None and root is not None and (cache.root, root) not in self.warmed:
            self.warmed.add((cache.root, root))
            if not cache.disabled and not cache.manifest().entries and _many_files(root, FILL_FROM):
                self.fill_cache(path)
        with overriding(buffers):
            return run_check([path], kb=kb, jobs=1, cache=cache, options=options)

    def fill_cache(self, path: str) -> None:
        """The first check of a project without a cache: `evalparity check FILE` in a process of its own
        reads the project from disk with every core (this process checks with one, beside the editor's
        connection) and fills the cache this check then reads. Its output goes nowhere: standard output is
        the connection to the editor."""
        env = dict(os.environ)
        if self.cache_dir:
            env["EVALPARITY_CACHE_DIR"] = self.cache_dir
        try:
            subprocess.run([sys.executable, "-m", "evalparity", "check", "--silent", "--exit-zero", "--force-exclude",
                            path], cwd=os.getcwd(), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=FILL_TIMEOUT, check=False)
        except (OSError, subprocess.SubprocessError):
            pass  # the check that follows reads the files itself

    def fix_all(self, path: str, buffers: dict[str, bytes], unsafe: bool = False) -> bytes | None:
        """The file's text after `check --fix`'s rounds (each re-checked, nothing written), None when no
        fix applies."""
        from evalparity.fixes.rounds import settle

        options, kb, cache = self._setup(path)
        scope = {display_path(path)}

        def run(contents=None) -> Result:
            with overriding({**buffers, **(contents or {})}):
                return run_check([path], kb=kb, jobs=1, cache=cache, options=options)

        with overriding(buffers):  # the fixes start from the buffer, not from the file on disk
            outcome = settle(run(), run, unsafe, scope)
        return outcome.contents.get(display_path(path)) if outcome.changed() else None


class Worker:
    """One daemon thread that runs the analyses in turn: the engine keeps per-run state in globals, and
    leaving the editor never waits for an analysis to finish."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._run, name="evalparity-check", daemon=True).start()

    def submit(self, function, *args) -> Future:
        future: Future = Future()
        self.jobs.put((future, function, args))
        return future

    def _run(self) -> None:
        while True:
            future, function, args = self.jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as exc:  # handed to the waiting coroutine
                future.set_exception(exc)


def encoded(text: str) -> bytes:
    """A buffer's text as its file would hold it: in the encoding its PEP 263 declaration names (UTF-8
    when there is none), so that columns and non-ASCII text come out as they do for the file."""
    data = text.encode("utf-8")
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        return data if encoding in ("utf-8", "utf-8-sig") else text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeEncodeError):
        return data


# ---- conversions ---------------------------------------------------------------------------------

_NEWLINE = re.compile(r"\r\n|\r|\n")


def _lines(text: str) -> list[str]:
    """Lines as LSP, libcst and the fixes count them: split at \\n, \\r\\n and \\r only (str.splitlines
    also splits at form feeds and Unicode line separators, which Python source may hold)."""
    return _NEWLINE.split(text)


def _position(lines: list[str], line: int, column: int, codec) -> lsp.Position:
    """A 1-based line and character column → the client's 0-based position in its code units."""
    return codec.position_to_client_units(lines, lsp.Position(line=max(line - 1, 0), character=max(column - 1, 0)))


def _range(lines: list[str], loc, codec) -> lsp.Range:
    start = _position(lines, loc.line, loc.column, codec)
    end = _position(lines, loc.end_line, loc.end_column, codec)
    return lsp.Range(start=start, end=end if (end.line, end.character) >= (start.line, start.character) else start)


def _uri(path: str) -> str:
    return from_fs_path(os.path.abspath(path)) or path


def diagnostic(finding: Finding, lines_of, codec) -> lsp.Diagnostic:
    """`lines_of(display path)`: the text lines positions are counted in (the buffer, or the file)."""
    loc = finding.location
    related = [lsp.DiagnosticRelatedInformation(
        location=lsp.Location(uri=_uri(r.location.path), range=_range(lines_of(r.location.path), r.location, codec)),
        message=r.label) for r in finding.related]
    fix = finding.fix if finding.fix and finding.fix.get("edits") else None
    return lsp.Diagnostic(
        range=_range(lines_of(loc.path), loc, codec), message="\n".join([finding.message, *details(finding)]),
        severity=SEVERITY.get(finding.severity, lsp.DiagnosticSeverity.Warning), code=finding.code,
        code_description=lsp.CodeDescription(href=rule_url(finding.code)), source=NAME,
        related_information=related or None,
        data={"fingerprint": finding.fingerprint, "fix": fix["applicability"] if fix else None})


def _text_at(lines: list[str], line: int, column: int, end_line: int, end_column: int) -> str:
    def at(n: int) -> str:
        return lines[n - 1] if 0 < n <= len(lines) else ""
    if line == end_line:
        return at(line)[column - 1:end_column - 1]
    middle = (at(n) for n in range(line + 1, end_line))
    return "\n".join([at(line)[column - 1:], *middle, at(end_line)[:end_column - 1]])


def fix_edits(finding: Finding, text_of, codec) -> dict[str, list[lsp.TextEdit]] | None:
    """The finding's fix as text edits by URI; None when a span no longer holds the text the fix was
    computed from (the buffer changed since the check)."""
    changes: dict[str, list[lsp.TextEdit]] = {}
    for edit in finding.fix["edits"]:
        text = text_of(edit["path"])
        if text is None:
            return None
        lines = _lines(text)
        if _text_at(lines, edit["line"], edit["column"], edit["end_line"], edit["end_column"]) != edit["original"]:
            return None
        start = _position(lines, edit["line"], edit["column"], codec)
        end = _position(lines, edit["end_line"], edit["end_column"], codec)
        content = edit["content"].replace("\n", newline_of(text))
        changes.setdefault(_uri(edit["path"]), []).append(
            lsp.TextEdit(range=lsp.Range(start=start, end=end), new_text=content))
    return changes


def noqa_edit(finding: Finding, lines: list[str], codec) -> lsp.TextEdit | None:
    """`# noqa: CODE` on the finding's last line (where evalparity looks for it), added to the codes of a
    `# noqa:` already there; None where a comment cannot go (a line continued with a backslash)."""
    number = finding.location.end_line
    if not 0 < number <= len(lines):
        return None
    line = lines[number - 1]
    if line.rstrip().endswith("\\"):
        return None
    existing = NOQA.search(line)
    if existing is not None and existing.group("codes") is None:
        return None  # a bare noqa comment already silences every code there

    def at(column: int) -> lsp.Position:
        return codec.position_to_client_units(lines, lsp.Position(line=number - 1, character=column))

    if existing is not None:
        end = at(existing.end("codes"))
        return lsp.TextEdit(range=lsp.Range(start=end, end=end), new_text=f", {finding.code}")
    return lsp.TextEdit(range=lsp.Range(start=at(len(line.rstrip())), end=at(len(line))),
                        new_text=f"  # noqa: {finding.code}")


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and \
        (b.start.line, b.start.character) <= (a.end.line, a.end.character)


def _whole(text: str, codec) -> lsp.Range:
    lines = _lines(text)
    end = codec.position_to_client_units(lines, lsp.Position(line=len(lines) - 1, character=len(lines[-1])))
    return lsp.Range(start=lsp.Position(line=0, character=0), end=end)


# ---- the server ----------------------------------------------------------------------------------

class EvalparityServer(LanguageServer):
    def __init__(self, linter: Linter | None = None) -> None:
        super().__init__(NAME, __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.linter = linter or Linter()
        self.checked: dict[str, Checked] = {}  # uri → the last analysis published
        self.pending: dict[str, asyncio.Task] = {}
        self.worker = Worker()
        self.reported: set[str] = set()  # configuration errors already shown

    # -- documents --

    def path_of(self, uri: str) -> str | None:
        """The file a document is, when it is a Python file on the file system."""
        if not uri.startswith("file:"):
            return None
        path = to_fs_path(uri)
        return path if path and path.endswith(SUFFIXES) else None

    def buffers(self) -> dict[str, bytes]:
        """The open documents whose text is not the file's: analysed instead of what is on disk."""
        found: dict[str, bytes] = {}
        for uri, document in list(self.workspace.text_documents.items()):
            path = self.path_of(uri)
            if path is None:
                continue
            data = encoded(document.source)
            try:
                same = Path(path).read_bytes() == data
            except OSError:
                same = False
            if not same:
                found[path] = data
        return found

    def text_of(self, path: str) -> str | None:
        """A file's text as the editor has it (the open buffer), else as it is on disk."""
        uri = _uri(path)
        if uri in self.workspace.text_documents:
            return self.workspace.get_text_document(uri).source
        try:
            return Path(path).read_bytes().decode("utf-8", "replace")
        except OSError:
            return None

    def lines_of(self, result: Result):
        def lines(path: str) -> list[str]:
            text = self.text_of(path)
            return _lines(text) if text is not None else list(result.sources.get(path, ()))
        return lines

    # -- checking --

    def schedule(self, uri: str, delay: float = 0.0) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.ensure_future(self._check_later(uri, delay))

    async def _check_later(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        path = self.path_of(uri)
        if path is None or uri not in self.workspace.text_documents:
            return
        document = self.workspace.get_text_document(uri)
        version, text = document.version, document.source
        buffers = self.buffers()  # here, where the editor's changes are applied, not on the worker thread
        buffers[path] = encoded(text)
        try:
            checked = await asyncio.wrap_future(self.worker.submit(self._check, uri, path, version, text, buffers))
        except SettingsError as exc:
            self._tell(str(exc))
            return
        except Exception as exc:  # a bug of evalparity's: said once, and the server goes on
            log.exception("checking %s failed", path)
            self._tell(f"internal error while checking {path} ({type(exc).__name__}: {exc}); please report it")
            return
        finally:
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]
        current = self.workspace.text_documents.get(uri)
        if current is None or current.version != version:
            return  # changed or closed meanwhile: a newer check is on its way, or nothing is shown
        self.checked[uri] = checked
        self.publish(checked)

    def _check(self, uri: str, path: str, version: int | None, text: str, buffers: dict[str, bytes]) -> Checked:
        started = time.perf_counter()
        try:
            same = Path(path).read_bytes() == buffers[path]
        except OSError:
            same = False
        if same:  # the saved file: the cache's manifest answers for it as for the others
            del buffers[path]
        result = self.linter.check(path, buffers)
        shown = display_path(path)
        mine = [f for f in result.findings if f.location.path == shown]
        return Checked(uri, shown, version, text, result, mine, time.perf_counter() - started)

    def publish(self, checked: Checked) -> None:
        codec = self.workspace.position_codec
        diagnostics = [diagnostic(f, self.lines_of(checked.result), codec) for f in checked.findings]
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=checked.uri, diagnostics=diagnostics, version=checked.version))
        for error in checked.result.errors:
            if error.kind == "internal":
                self._tell(f"internal error: {error.path}: {error.message}; please report it")
        self.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Log, message=(
            f"evalparity: {checked.path}: {len(diagnostics)} finding{'s' if len(diagnostics) != 1 else ''} "
            f"in {checked.seconds:.2f} s ({checked.result.files_checked} file checked, "
            f"{checked.result.files_analysed or 0} analysed)")))

    def forget(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.checked.pop(uri, None)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def _tell(self, message: str) -> None:
        if message not in self.reported:
            self.reported.add(message)
            self.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error,
                                                           message=f"evalparity: {message}"))

    # -- fixes --

    def code_actions(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        checked = self.checked.get(uri)
        document = self.workspace.text_documents.get(uri)
        if checked is None or document is None or document.version != checked.version:
            return []  # the buffer changed since its check: its fixes would land in the wrong place
        only = params.context.only
        actions: list[lsp.CodeAction] = []
        codec = self.workspace.position_codec
        lines_of = self.lines_of(checked.result)
        wants = (lambda kind: only is None or any(kind == k or kind.startswith(f"{k}.") for k in only))
        if wants(lsp.CodeActionKind.QuickFix.value):
            fixes, silencers = [], []
            for finding in checked.findings:
                shown = diagnostic(finding, lines_of, codec)
                if not _overlaps(shown.range, params.range):
                    continue
                fix = finding.fix
                changes = fix_edits(finding, self.text_of, codec) if fix and fix.get("edits") else None
                if changes is not None:
                    safe = fix.get("applicability") == SAFE
                    label = "safe fix" if safe else "unsafe fix: it changes results, review it"
                    fixes.append(lsp.CodeAction(
                        title=f"{finding.code}: {fix['description']} ({label})", kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[shown], is_preferred=safe, edit=lsp.WorkspaceEdit(changes=changes)))
                edit = noqa_edit(finding, _lines(checked.text), codec)
                if edit is not None:
                    silencers.append(lsp.CodeAction(
                        title=f"{finding.code}: disable for this line (# noqa: {finding.code})",
                        kind=lsp.CodeActionKind.QuickFix, diagnostics=[shown],
                        edit=lsp.WorkspaceEdit(changes={uri: [edit]})))
            actions += fixes + silencers  # the fixes first
        if only is not None and wants(FIX_ALL) and any(
                f.fix and f.fix.get("edits") and f.fix.get("applicability") == SAFE for f in checked.findings):
            actions.append(lsp.CodeAction(title="evalparity: fix all safe fixes", kind=FIX_ALL,
                                          data={"uri": uri, "version": checked.version}))
        return actions

    def resolves_edits(self) -> bool:
        """The client can receive a code action without its edit and resolve it when chosen."""
        document = self.client_capabilities.text_document
        support = document.code_action.resolve_support if document and document.code_action else None
        return bool(support and "edit" in support.properties)

    async def resolve_fix_all(self, action: lsp.CodeAction) -> lsp.CodeAction:
        data = action.data or {}
        uri = data.get("uri")
        path = self.path_of(uri) if isinstance(uri, str) else None
        document = self.workspace.text_documents.get(uri) if path else None
        if document is None or document.version != data.get("version"):
            return action
        text, buffers = document.source, self.buffers()
        buffers[path] = encoded(text)
        try:
            fixed = await asyncio.wrap_future(self.worker.submit(self.linter.fix_all, path, buffers))
        except SettingsError as exc:
            self._tell(str(exc))
            return action
        current = self.workspace.text_documents.get(uri)
        if fixed is not None and current is not None and current.version == document.version:
            whole = lsp.TextEdit(range=_whole(text, self.workspace.position_codec), new_text=decode(fixed)[0])
            action.edit = lsp.WorkspaceEdit(changes={uri: [whole]})
        return action


def build(linter: Linter | None = None) -> EvalparityServer:
    server = EvalparityServer(linter)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: EvalparityServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: EvalparityServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, TYPING_PAUSE)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: EvalparityServer, params: lsp.DidSaveTextDocumentParams) -> None:
        saved = params.text_document.uri
        clear_git_cache()  # what git ignores is asked again (it is kept for the process's life otherwise)
        ls.schedule(saved)
        for uri in list(ls.workspace.text_documents):  # a saved file can be the other side of their findings
            if uri != saved and uri in ls.checked:
                ls.schedule(uri, TYPING_PAUSE)

    @server.feature(lsp.INITIALIZED)
    def initialized(ls: EvalparityServer, params: lsp.InitializedParams) -> None:
        workspace = ls.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if watched and watched.dynamic_registration:  # files changed outside the editor (git checkout, …)
            ls.client_register_capability(lsp.RegistrationParams(registrations=[lsp.Registration(
                id="evalparity-watched-files", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=lsp.DidChangeWatchedFilesRegistrationOptions(watchers=[
                    lsp.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]))]))

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files_changed(ls: EvalparityServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        clear_git_cache()
        for uri in list(ls.checked):  # their findings may have another side in a changed file
            ls.schedule(uri, TYPING_PAUSE)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: EvalparityServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=True))
    async def code_action(ls: EvalparityServer, params: lsp.CodeActionParams):
        actions = ls.code_actions(params)
        if not ls.resolves_edits():  # the client cannot ask for the edit later: fix all now
            actions = [await ls.resolve_fix_all(a) if a.kind == FIX_ALL else a for a in actions]
            actions = [a for a in actions if a.kind != FIX_ALL or a.edit is not None]
        return actions or None

    @server.feature(lsp.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: EvalparityServer, action: lsp.CodeAction) -> lsp.CodeAction:
        if action.kind == FIX_ALL:
            return await ls.resolve_fix_all(action)
        return action

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: EvalparityServer, params) -> None:
        for task in ls.pending.values():
            task.cancel()

    return server


def serve(use_cache: bool = True, cache_dir: str | None = None) -> None:
    """Run the server on standard input and output until the client says exit."""
    import gc

    from evalparity.extract.files import ONE_RUN_THRESHOLDS, settle_loaded_facts

    # A long-lived process: nothing is frozen out of the collector's sight (what a check drops must be
    # collectable), but it runs as rarely as in a command-line run, since checks allocate the same way.
    settle_loaded_facts(False)
    gc.set_threshold(*ONE_RUN_THRESHOLDS)
    logging.basicConfig(level=logging.WARNING, format="evalparity server: %(message)s")
    connection = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print anywhere would corrupt the protocol: only the server writes there
    build(Linter(use_cache, cache_dir)).start_io(sys.stdin.buffer, connection)
