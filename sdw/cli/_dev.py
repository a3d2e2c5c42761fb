"""``sdw dev``: serve the project on one machine, as API Gateway + Lambda + Cognito would.

It loads the tree, reports every problem (file:line) and serves the good functions
anyway, makes sure a dev user exists, prints the routes and a ready-to-paste ``curl``
with a fresh dev token, then serves until Ctrl-C. A setting it cannot use (a port past
65535), a port in use or a state folder it cannot open is one line and exit status 1.

``--workers N`` runs N processes on the one listening socket (the parent binds it and
passes it down; the kernel spreads connections). Each process imports the handlers on
its own, so module state is per process, as it is per instance when Lambda runs a
function on several instances at once. One process is the default (one warm instance,
predictable state while developing); more use more cores under load (bench/README.md).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

import click

from sdw.cli._common import load_config
from sdw.cli._config import MAX_PORT, Config

_FOLDER = click.Path(file_okay=False)


def _log_to(stream: TextIO, level: int) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    sdw_log = logging.getLogger("sdw")
    sdw_log.handlers[:] = [handler]
    sdw_log.setLevel(level)
    sdw_log.propagate = False  # the root logger belongs to the functions (Lambda's log format)


@click.command("dev")
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1, or SDW_HOST).")
@click.option("--port", type=click.IntRange(0, MAX_PORT), default=None,
              help="Port (default 3000, or SDW_PORT; 0: any free port).")
@click.option("--project-dir", default=None, type=_FOLDER, help="The project tree (default: here).")
@click.option("--state-dir", default=None, type=_FOLDER, help="Local state (default: <project>/.sdw).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes sharing the port (each its own warm instances).")
@click.option("--concurrency", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              help="Calls one function may run at once (Lambda's default); more are throttled.")
@click.option("--quiet", is_flag=True, help="No line per request.")
@click.option("--worker-fd", type=int, default=None, hidden=True)
@click.option("--parent-pid", type=int, default=None, hidden=True)
def dev(
    host: str | None, port: int | None, project_dir: str | None, state_dir: str | None, workers: int,
    concurrency: int, quiet: bool, worker_fd: int | None, parent_pid: int | None,
) -> None:
    """Run the local runtime: every functions/lib/<name> at POST /lib/<name>, behind JWTs."""
    from sdw.local import (
        FlowFileWatch,
        LocalError,
        OutputCapture,
        announce_server,
        create_git_plugin_fetcher,
        create_local_runtime,
    )
    from sdw.project import ProjectError

    config = load_config(project_dir=project_dir, state_dir=state_dir, host=host, port=port)
    err = sys.stderr
    _log_to(err, logging.INFO)
    output = OutputCapture()

    def access_log(line: str) -> None:
        err.write(line + "\n")

    from sdw.local import adopt_socket

    inherited = None if worker_fd is None else adopt_socket(worker_fd)
    # git plugins: fetched by the parent; a worker uses the checkouts it made
    fetcher = create_git_plugin_fetcher(config.state_dir, os.environ, offline=inherited is not None)
    try:
        runtime = create_local_runtime(
            config.project_root, config.state_dir, host=config.host, port=config.port, region=config.region,
            access_log=None if quiet else access_log, output=output, sock=inherited, concurrency=concurrency,
            fetch_plugin=fetcher,
        )
    except (ProjectError, LocalError) as exc:  # no project folder; a state file it cannot use
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        reason = exc.strerror or exc
        raise click.ClickException(f"cannot listen on {config.host}:{config.port}: {reason}") from None

    if parent_pid is not None:  # a worker: serve quietly until the parent goes away
        threading.Thread(target=_exit_with_parent, args=(runtime, parent_pid), daemon=True).start()
        _serve(runtime, output, None)
        return

    try:
        _print_banner(runtime, config)
    except LocalError as exc:  # the dev user's pool could not be written
        runtime.close()
        raise click.ClickException(str(exc)) from None
    children: list[subprocess.Popen[bytes]] = []
    withdrawn: list[Callable[[], None]] = []

    project = runtime.project
    watch = FlowFileWatch([project.root / "flows", *(plugin.root / "flows" for plugin in project.plugins)],
                          project.root)

    def on_ready(bound: int) -> None:
        # where this server listens, for `sdw users token`, `sdw run`... (sdw/local/_running.py)
        withdrawn.append(announce_server(runtime.pool.state, runtime.base_url))
        watch.start()  # an edited flow file is not reloaded: say so when it happens
        children.extend(_start_workers(workers - 1, runtime, config, quiet, concurrency))
        runtime.start_scheduler()
        suffix = f", {workers} worker processes" if workers > 1 else ""
        click.echo(f"Listening on {runtime.base_url}{suffix} (Ctrl-C to stop)")
        sys.stdout.flush()
        threading.Thread(target=_report_syntax_errors, args=(runtime,), daemon=True).start()

    try:
        _serve(runtime, output, on_ready)
    finally:
        watch.stop()
        _stop_workers(children)
        for withdraw in withdrawn:
            withdraw()
    click.echo("sdw dev: stopped")


def _serve(runtime: Any, output: Any, on_ready: Any) -> None:
    output.install()
    try:
        runtime.server.run(on_ready)
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled, once it has shut down cleanly
    finally:
        output.uninstall()
        runtime.close()


def _print_banner(runtime: Any, config: Config) -> None:
    from sdw.local.userpool import ensure_dev_user
    from sdw.project import Severity

    for problem in runtime.load.problems:
        click.echo(str(problem), err=True)
    for message in runtime.environment.missing_secrets(runtime.project):
        click.echo(f"error: {message}", err=True)
    errors = sum(1 for p in runtime.load.problems if p.severity is Severity.ERROR)
    tokens = ensure_dev_user(runtime.pool)
    base = runtime.base_url
    lines = [f"sdw dev: {len(runtime.project.functions)} function(s) from {config.project_root}"
             + (f" ({errors} not served: see above)" if errors else "")]
    for route in runtime.gateway.router.routes:
        lines.append(f"  {route.method:<4} {base}{route.path}{'   (JWT)' if route.authorized else ''}")
    keys = [fn.key for fn in runtime.project.functions]
    ping = "ping" if "ping" in keys or not keys else keys[0]
    scheduled = [f"{flow.key} {flow.schedule}" for flow in runtime.project.flows if flow.schedule is not None]
    if scheduled:
        lines.append("Schedules (UTC; sdw schedules list shows the next fire times): " + ", ".join(scheduled))
    if runtime.project.flows:
        count = len(runtime.project.flows)
        lines += ["", f"{count} flow(s) read now: after editing flows/*.yml, restart sdw dev "
                      "(handlers reload by themselves; flows do not)."]
    lines += [
        "",
        f"Try it (a fresh token for the dev user, valid {tokens.expires_in // 60} minutes):",
        f"  curl -X POST {base}/lib/{ping} -H 'Authorization: Bearer {tokens.id_token}'",
        "",
    ]
    click.echo("\n".join(lines))


def _start_workers(
    count: int, runtime: Any, config: Config, quiet: bool, concurrency: int
) -> list[subprocess.Popen[bytes]]:
    """``count`` more processes serving the socket this one bound."""
    if count <= 0:
        return []
    fd = runtime.server.fileno()
    command = [
        sys.executable, "-c", "from sdw.cli import main; main()", "dev",
        "--project-dir", str(config.project_root), "--state-dir", str(config.state_dir),
        "--host", config.host, "--port", str(runtime.port),
        "--worker-fd", str(fd), "--parent-pid", str(os.getpid()), "--concurrency", str(concurrency),
        *(["--quiet"] if quiet else []),
    ]
    return [subprocess.Popen(command, pass_fds=(fd,)) for _ in range(count)]  # noqa: S603 - our own argv


def _stop_workers(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    for child in children:
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(5)


def _exit_with_parent(runtime: Any, parent_pid: int) -> None:
    """A worker whose parent died (even by SIGKILL) stops instead of serving on alone."""
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    with contextlib.suppress(Exception):
        runtime.server.stop(timeout=0)


def _report_syntax_errors(runtime: Any) -> None:
    """Compile every handler once after start: a syntax error is reported before its first call."""
    log = logging.getLogger("sdw.dev")
    for failure in runtime.invoker.check_syntax():
        log.error("%s", failure)
