"""Wire the local runtime: project, user pool, authorizer, invoker, gateway, server.

``create_local_runtime`` is the one place the pieces meet, used by ``sdw dev``, the
functional tests and the benchmark alike, so all three run the same thing. It binds the
socket first: the user pool's issuer is ``http://<host>:<port>/<userPoolId>``, so the port
must be known (port 0 picks a free one) before the pool and its authorizer are made.

Routes it adds (HTTP API's, payload format 2.0):

    POST /lib/<function>                             JWT     each function (plugins: /lib/<plugin>/<fn>)
    GET  /auth/config                                none    region, pool and client ids, issuer
    GET  /auth/verify                                JWT     the caller's claims
    GET  /<userPoolId>/.well-known/jwks.json         none    the pool's public keys
    GET  /<userPoolId>/.well-known/openid-configuration  none

    GET  /flows                                      JWT     the project's flows
    POST /run/{flow}                                 JWT     start an execution (sdw.system._flows)
    GET  /run/{flow}/{execution}                     JWT     poll it (id or URL-encoded ARN)
    GET  /run/{flow}/{execution}/history             JWT     its events
    POST /run/{flow}/{execution}/stop                JWT     stop it
    GET  /runs                                       JWT     the caller's executions

    GET  /usage                                      JWT     the caller's calls per month
    GET  /usage/{user_id}                            JWT     a user's (own id, or any for an admin)

The system routes (all but the pool's two documents, which Cognito serves on AWS) come
from ``sdw.system.SYSTEM_ROUTES``, the table the deploy compiler reads too, each bound here
to the ``sdw.system`` endpoint that serves it: a route of the table that nothing here
serves fails at start-up, so the two cannot drift apart.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sdw.asl import validate_definition
from sdw.local._authorizer import create_jwt_authorizer
from sdw.local._environ import install_scoped_environ
from sdw.local._events import EventBuilder, parse_query
from sdw.local._function_env import ConnectionAccessLog, FunctionEnvironment
from sdw.local._gateway import AccessLog, Gateway
from sdw.local._invoker import (
    DEFAULT_CONCURRENCY,
    Handler,
    HandlerLoader,
    LocalInvoker,
    create_handler_loader,
)
from sdw.local._output import OutputCapture
from sdw.local._routing import Router, SystemCall
from sdw.local._schedule_store import ScheduleStore
from sdw.local._scheduler import LocalScheduler
from sdw.local._secrets import LocalSecretStore
from sdw.local._server import LocalServer, bind_socket
from sdw.local._statedir import StateDir
from sdw.local._usage import BufferedUsageStore, create_local_usage_store
from sdw.local._workers import WorkerPool
from sdw.local.engine import LocalFlowEngine, create_flow_engine
from sdw.local.userpool import LocalUserPool, create_local_user_pool, local_base_url
from sdw.project import Function, LoadResult, PluginFetcher, Project, load_project
from sdw.runtime import UsageMeter, metering
from sdw.system import (
    SYSTEM_ROUTES,
    FlowEndpoints,
    FlowEngine,
    SystemHandler,
    SystemRequest,
    SystemResponse,
    UsageEndpoints,
    UsageStore,
    auth_handlers,
    flow_handlers,
    usage_handlers,
)


@dataclass
class LocalRuntime:
    """Everything ``sdw dev`` runs; ``close()`` releases the socket, threads and database."""

    load: LoadResult
    pool: LocalUserPool
    invoker: LocalInvoker
    gateway: Gateway
    server: LocalServer
    host: str
    port: int
    workers: WorkerPool
    engine: LocalFlowEngine
    environment: FunctionEnvironment
    scheduler: LocalScheduler
    usage: BufferedUsageStore  # counts reach usage.db within its flush interval; close() flushes

    @property
    def project(self) -> Project:
        return self.load.project

    @property
    def base_url(self) -> str:
        return local_base_url(self.host, self.port)

    def start_scheduler(self) -> bool:
        """Fire the project's schedules from now on, if this process runs executions (``sdw dev``)."""
        if not self.engine.runs_executions:
            return False
        self.scheduler.start()
        return True

    def close(self) -> None:
        self.server.stop()
        self.scheduler.stop()
        self.engine.close()  # running executions stay RUNNING; the next start resumes them
        self.environment.store.close()
        self.workers.shutdown()
        self.pool.close()
        self.usage.close()


def create_local_runtime(
    project_root: Path,
    state_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 3000,
    region: str = "us-east-1",
    integration_timeout: float = Gateway.INTEGRATION_TIMEOUT_S,
    access_log: AccessLog | None = None,
    output: OutputCapture | None = None,
    workers: int = 64,
    concurrency: int = DEFAULT_CONCURRENCY,
    clock: Callable[[], float] = time.time,
    sock: socket.socket | None = None,
    fetch_plugin: PluginFetcher | None = None,
) -> LocalRuntime:
    """Load the project and wire a runtime listening on host:port (0 = a free port).

    ``sock``: an already listening socket to serve on instead (a worker process of
    ``sdw dev --workers N`` serves the socket its parent bound). ``workers``: the warm
    handler threads; ``concurrency``: the calls one function may run at once (the excess is
    throttled, as Lambda throttles past a function's concurrency). ``fetch_plugin`` checks
    out config.json's git plugins (sdw.local's ``GitPluginFetcher``). Schedules fire once
    ``start_scheduler()`` is called (``sdw dev`` does, when it serves).
    """
    load = load_project(project_root, validate_definition=validate_definition, region=region,
                        fetch_plugin=fetch_plugin)
    if sock is None:
        sock = bind_socket(host, port)
    bound_port = sock.getsockname()[1]
    pool: LocalUserPool | None = None
    usage: BufferedUsageStore | None = None
    try:
        pool = create_local_user_pool(state_dir, base_url=local_base_url(host, bound_port), region=region,
                                      clock=clock)
        authorizer = create_jwt_authorizer(pool)
        pool_workers = WorkerPool(workers)
        state = StateDir(state_dir)
        environment = create_function_environment(load.project, state, clock=clock)
        usage = BufferedUsageStore(create_local_usage_store(state_dir, clock=clock))
        usage.start()
        meter = UsageMeter(usage, clock=clock)
        loader = counting_calls(environment.wrap_loader(create_handler_loader(load.project.root)), meter)
        invoker = LocalInvoker(load.project, pool=pool_workers, region=region, output=output,
                               wall_clock=clock, loader=loader, concurrency=concurrency)
        router = Router()
        for function in load.project.functions:
            router.add_function(function.key)
        add_auth_routes(router, pool)
        events = EventBuilder(wall_clock=clock)
        gateway = Gateway(router, invoker, authorizer, events=events, integration_timeout=integration_timeout,
                          access_log=access_log)
        server = LocalServer(gateway, sock)
        engine = create_flow_engine(load.project, state_dir, invoker, clock=clock, region=region)
    except BaseException:  # a state file it cannot open, say: release what is open so far
        sock.close()
        for opened in (pool, usage):
            if opened is not None:
                opened.close()
        raise
    add_flow_routes(router, engine, load.project, created=flow_file_dates(load.project),
                    count_call=meter.count)
    add_usage_routes(router, usage)
    scheduler = LocalScheduler(load.project.flows, ScheduleStore(state), engine.start, clock=clock,
                               region=region)
    return LocalRuntime(load, pool, invoker, gateway, server, host, bound_port, pool_workers, engine,
                        environment, scheduler, usage)


def create_function_environment(
    project: Project, state: StateDir, *, clock: Callable[[], float] = time.time
) -> FunctionEnvironment:
    """Secrets and connections from the state folder's store, for the project's service and stage ``local``.

    ``os.environ`` becomes the per-function overlay (sdw.local._environ) only when a
    function declares secrets: a project without any keeps the plain process environment.
    """
    if any(function.secrets for function in project.functions):
        install_scoped_environ()
    store = LocalSecretStore(state, service=project.service)
    return FunctionEnvironment(store, ConnectionAccessLog(state), clock=clock)


def counting_calls(loader: HandlerLoader, meter: UsageMeter) -> HandlerLoader:
    """``loader`` whose handlers count their decorated calls with ``meter`` (``track_usage_middleware``).

    The meter is set for the call's context only (sdw.runtime's ``metering``), so two
    runtimes in one process (tests) never count into each other's table.
    """

    def load(function: Function) -> Handler:
        handler = loader(function)

        def call(event: Any, context: Any) -> Any:
            with metering(meter):
                return handler(event, context)

        return call

    return load


def add_system_routes(
    router: Router, function: str, handlers: Mapping[str, SystemHandler], *, inline: Collection[str] = ()
) -> None:
    """The routes ``SYSTEM_ROUTES`` gives ``functions/base/<function>``, each to its handler by route key.

    ``handlers`` is sdw.system's table for that Lambda (``flow_handlers`` ...), the very one
    the AWS Lambda dispatches on: each gets the SystemRequest of the local call. Handlers
    run on a thread (they do I/O) except those whose keys are ``inline``. A route of the
    table without a handler here, or a handler for a route not in the table, is a
    programming error, raised at once.
    """
    routes = [route for route in SYSTEM_ROUTES if route.function == function]
    unmatched = sorted({route.key for route in routes} ^ set(handlers))
    if unmatched:
        raise ValueError(f"functions/base/{function}: routes and handlers differ on {', '.join(unmatched)}")
    for route in routes:
        router.add_system(route.method, route.path, _local_call(handlers[route.key]),
                          authorized=route.authorized, blocking=route.key not in inline)


def _local_call(handler: SystemHandler) -> Callable[[SystemCall], SystemResponse]:
    def call(call: SystemCall) -> SystemResponse:
        return handler(system_request(call))

    return call


def system_request(call: SystemCall) -> SystemRequest:
    """The SystemRequest of a local call, as API Gateway would hand it to the Lambda.

    HTTP API hands an integration its path parameters URL-decoded, so ``{execution}``
    sent as ``arn%3Aaws%3Astates%3A...`` reaches the endpoint as the ARN (the router
    matches the raw path, where an encoded segment holds no ``/``; bad escapes become
    U+FFFD: no such flow, id or user), and its query with repeated keys joined by ``,``.
    """
    raw_query = call.request.raw_query
    return SystemRequest(
        principal=call.principal,
        path={name: unquote(value) for name, value in call.path_parameters.items()},
        query=parse_query(raw_query) if raw_query else {},
        body=call.request.body,
    )


def add_auth_routes(router: Router, pool: LocalUserPool) -> None:
    """/auth/config, /auth/verify and the pool's two discovery documents (Cognito's own on AWS)."""
    pool_id = pool.config().user_pool_id

    def jwks(_call: SystemCall) -> SystemResponse:
        return SystemResponse(200, pool.jwks())

    def discovery(_call: SystemCall) -> SystemResponse:
        document: dict[str, Any] = pool.openid_configuration()
        return SystemResponse(200, document)

    add_system_routes(router, "auth", auth_handlers(pool), inline={"GET /auth/config", "GET /auth/verify"})
    router.add_system("GET", f"/{pool_id}/.well-known/jwks.json", jwks, authorized=False)
    router.add_system("GET", f"/{pool_id}/.well-known/openid-configuration", discovery, authorized=False)


def add_flow_routes(
    router: Router,
    engine: FlowEngine,
    project: Project,
    *,
    created: Mapping[str, str] | None = None,
    count_call: Callable[[str], object] | None = None,
) -> None:
    """/flows, /run/... and /runs, behind the JWT authorizer; the logic is sdw.system's FlowEndpoints.

    The engine does I/O, so the routes that reach it run on a thread, not on the event
    loop. ``created``: when each flow was made, by key (``flow_file_dates``);
    ``count_call``: counts a ``POST /run`` for its caller (the usage meter's ``count``).
    """
    dates = dict(created or {})
    endpoints = FlowEndpoints(engine, project, created=lambda: dates, count_call=count_call)
    add_system_routes(router, "flows", flow_handlers(endpoints), inline={"GET /flows"})


def add_usage_routes(router: Router, store: UsageStore) -> None:
    """/usage and /usage/{user_id}, behind the JWT authorizer; the logic is sdw.system's UsageEndpoints."""
    add_system_routes(router, "api_usage", usage_handlers(UsageEndpoints(store)))


def flow_file_dates(project: Project) -> dict[str, str]:
    """When each flow was made, locally: its file's modification time, ISO-8601 UTC with milliseconds.

    Read once, when the runtime loads the project (as ``sdw dev`` loads flows once); on AWS
    ``created`` is the state machine's ``creationDate`` instead.
    """
    dates: dict[str, str] = {}
    for flow in project.flows:
        try:
            modified = flow.file.stat().st_mtime
        except OSError:
            continue  # gone since it loaded: shown as null
        moment = datetime.fromtimestamp(modified, UTC)
        dates[flow.key] = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return dates


__all__ = [
    "LocalRuntime",
    "add_auth_routes",
    "add_flow_routes",
    "add_system_routes",
    "add_usage_routes",
    "counting_calls",
    "create_function_environment",
    "create_local_runtime",
    "flow_file_dates",
    "system_request",
]
