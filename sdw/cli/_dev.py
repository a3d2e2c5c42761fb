"""``sdw dev``: serve the project on one machine, as API Gateway + Lambda + Cognito would.

It loads the tree, reports every problem (file:line) and serves the good functions
anyway, makes sure a dev user exists, prints the routes and a ready-to-paste ``curl``
with a fresh dev token, then serves until Ctrl-C. Heavy modules (the ASL interpreter,
boto3) are never imported here: start-up time is part of the product.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import TextIO

import click

from sdw.cli._config import Config, create_config


def _log_to(stream: TextIO, level: int) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    sdw_log = logging.getLogger("sdw")
    sdw_log.handlers[:] = [handler]
    sdw_log.setLevel(level)
    sdw_log.propagate = False  # the root logger belongs to the functions (Lambda's log format)


_FOLDER = click.Path(file_okay=False)


@click.command("dev")
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1, or SDW_HOST).")
@click.option("--port", type=int, default=None, help="Port (default 3000, or SDW_PORT; 0: any free port).")
@click.option("--project-dir", default=None, type=_FOLDER, help="The project tree (default: here).")
@click.option("--state-dir", default=None, type=_FOLDER, help="Local state (default: <project>/.sdw).")
@click.option("--quiet", is_flag=True, help="No line per request.")
def dev(
    host: str | None, port: int | None, project_dir: str | None, state_dir: str | None, quiet: bool
) -> None:
    """Run the local runtime: every functions/lib/<name> at POST /lib/<name>, behind JWTs."""
    from sdw.local._output import OutputCapture
    from sdw.local._runtime import create_local_runtime
    from sdw.local._userpool import ensure_dev_user
    from sdw.project import ProjectError, Severity

    config: Config = create_config(project_dir=project_dir, state_dir=state_dir, host=host, port=port)
    err = sys.stderr
    _log_to(err, logging.INFO)
    output = OutputCapture()

    def access_log(line: str) -> None:
        err.write(line + "\n")

    try:
        runtime = create_local_runtime(
            config.project_root, config.state_dir, host=config.host, port=config.port, region=config.region,
            access_log=None if quiet else access_log, output=output,
        )
    except ProjectError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        reason = exc.strerror or exc
        raise click.ClickException(f"cannot listen on {config.host}:{config.port}: {reason}") from None
    for problem in runtime.load.problems:
        click.echo(str(problem), err=True)
    errors = sum(1 for p in runtime.load.problems if p.severity is Severity.ERROR)
    tokens = ensure_dev_user(runtime.pool)
    base = runtime.base_url
    lines = [f"sdw dev: {len(runtime.project.functions)} function(s) from {config.project_root}"
             + (f" ({errors} not served: see above)" if errors else "")]
    for route in runtime.gateway.router.routes:
        lines.append(f"  {route.method:<4} {base}{route.path}{'   (JWT)' if route.authorized else ''}")
    keys = [fn.key for fn in runtime.project.functions]
    ping = "ping" if "ping" in keys or not keys else keys[0]
    lines += [
        "",
        f"Try it (a fresh token for the dev user, valid {tokens.expires_in // 60} minutes):",
        f"  curl -X POST {base}/lib/{ping} -H 'Authorization: Bearer {tokens.id_token}'",
        "",
    ]
    click.echo("\n".join(lines))

    def on_ready(bound: int) -> None:
        click.echo(f"Listening on {base} (Ctrl-C to stop)")
        sys.stdout.flush()
        threading.Thread(target=_report_syntax_errors, args=(runtime,), daemon=True).start()

    output.install()
    try:
        runtime.server.run(on_ready)
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled, once it has shut down cleanly
    finally:
        output.uninstall()
        runtime.close()
    click.echo("sdw dev: stopped")


def _report_syntax_errors(runtime: object) -> None:
    """Compile every handler once after start: a syntax error is reported before its first call."""
    from sdw.local._runtime import LocalRuntime

    assert isinstance(runtime, LocalRuntime)
    log = logging.getLogger("sdw.dev")
    for failure in runtime.invoker.check_syntax():
        log.error("%s", failure)
