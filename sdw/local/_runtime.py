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

System routes are added with ``runtime.gateway.router.add_system(...)``.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sdw.asl import validate_definition
from sdw.local._authorizer import create_jwt_authorizer
from sdw.local._events import EventBuilder, parse_query
from sdw.local._gateway import AccessLog, Gateway
from sdw.local._invoker import DEFAULT_CONCURRENCY, LocalInvoker
from sdw.local._output import OutputCapture
from sdw.local._routing import Router, SystemCall
from sdw.local._server import LocalServer, bind_socket
from sdw.local._workers import WorkerPool
from sdw.local.engine import LocalFlowEngine, create_flow_engine
from sdw.local.userpool import LocalUserPool, create_local_user_pool, local_base_url
from sdw.project import LoadResult, Project, load_project
from sdw.system import FlowEndpoints, FlowEngine, SystemResponse, auth_config, verify_caller


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

    @property
    def project(self) -> Project:
        return self.load.project

    @property
    def base_url(self) -> str:
        return local_base_url(self.host, self.port)

    def close(self) -> None:
        self.server.stop()
        self.engine.close()  # running executions stay RUNNING; the next start resumes them
        self.workers.shutdown()
        self.pool.close()


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
) -> LocalRuntime:
    """Load the project and wire a runtime listening on host:port (0 = a free port).

    ``sock``: an already listening socket to serve on instead (a worker process of
    ``sdw dev --workers N`` serves the socket its parent bound). ``workers``: the warm
    handler threads; ``concurrency``: the calls one function may run at once (the excess is
    throttled, as Lambda throttles past a function's concurrency).
    """
    load = load_project(project_root, validate_definition=validate_definition, region=region)
    if sock is None:
        sock = bind_socket(host, port)
    bound_port = sock.getsockname()[1]
    pool: LocalUserPool | None = None
    try:
        pool = create_local_user_pool(state_dir, base_url=local_base_url(host, bound_port), region=region,
                                      clock=clock)
        authorizer = create_jwt_authorizer(pool)
        pool_workers = WorkerPool(workers)
        invoker = LocalInvoker(load.project, pool=pool_workers, region=region, output=output,
                               wall_clock=clock, concurrency=concurrency)
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
        if pool is not None:
            pool.close()
        raise
    add_flow_routes(router, engine, load.project)
    return LocalRuntime(load, pool, invoker, gateway, server, host, bound_port, pool_workers, engine)


def add_auth_routes(router: Router, pool: LocalUserPool) -> None:
    """/auth/config, /auth/verify and the pool's two discovery documents."""
    pool_id = pool.config().user_pool_id

    def config(_call: SystemCall) -> SystemResponse:
        return auth_config(pool)

    def verify(call: SystemCall) -> SystemResponse:
        return verify_caller(call.principal)

    def jwks(_call: SystemCall) -> SystemResponse:
        return SystemResponse(200, pool.jwks())

    def discovery(_call: SystemCall) -> SystemResponse:
        document: dict[str, Any] = pool.openid_configuration()
        return SystemResponse(200, document)

    router.add_system("GET", "/auth/config", config, authorized=False)
    router.add_system("GET", "/auth/verify", verify, authorized=True)
    router.add_system("GET", f"/{pool_id}/.well-known/jwks.json", jwks, authorized=False)
    router.add_system("GET", f"/{pool_id}/.well-known/openid-configuration", discovery, authorized=False)


def add_flow_routes(router: Router, engine: FlowEngine, project: Project) -> None:
    """/flows, /run/... and /runs, behind the JWT authorizer; the logic is sdw.system's FlowEndpoints.

    HTTP API hands an integration its path parameters URL-decoded, so ``{execution}`` sent
    as ``arn%3Aaws%3Astates%3A...`` reaches the endpoint as the ARN (the router matches
    the raw path, where an encoded segment holds no ``/``). Query parameters are joined
    as HTTP API joins them (``a=1&a=2`` is ``"1,2"``). The engine does I/O, so the routes
    run on a thread, not on the event loop.
    """
    endpoints = FlowEndpoints(engine, project)

    def query(call: SystemCall) -> dict[str, str]:
        return parse_query(call.request.raw_query) if call.request.raw_query else {}

    def param(call: SystemCall, name: str) -> str:
        return unquote(call.path_parameters[name])  # bad escapes become U+FFFD: no such flow or id

    def target(call: SystemCall) -> tuple[str, str]:
        return param(call, "flow"), param(call, "execution")

    def flows(call: SystemCall) -> SystemResponse:
        return endpoints.list_flows(call.principal, query(call))

    def start(call: SystemCall) -> SystemResponse:
        return endpoints.start_run(call.principal, param(call, "flow"), query(call), call.request.body)

    def describe(call: SystemCall) -> SystemResponse:
        return endpoints.describe_run(call.principal, *target(call), query(call))

    def history(call: SystemCall) -> SystemResponse:
        return endpoints.run_history(call.principal, *target(call), query(call))

    def stop(call: SystemCall) -> SystemResponse:
        return endpoints.stop_run(call.principal, *target(call), query(call), call.request.body)

    def runs(call: SystemCall) -> SystemResponse:
        return endpoints.list_runs(call.principal, query(call))

    router.add_system("GET", "/flows", flows, authorized=True)
    router.add_system("POST", "/run/{flow}", start, authorized=True, blocking=True)
    router.add_system("GET", "/run/{flow}/{execution}", describe, authorized=True, blocking=True)
    router.add_system("GET", "/run/{flow}/{execution}/history", history, authorized=True, blocking=True)
    router.add_system("POST", "/run/{flow}/{execution}/stop", stop, authorized=True, blocking=True)
    router.add_system("GET", "/runs", runs, authorized=True, blocking=True)


__all__ = ["LocalRuntime", "add_auth_routes", "add_flow_routes", "create_local_runtime"]
