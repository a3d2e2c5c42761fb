"""The moto server the e2e deploys to: stock moto plus tests/e2e/moto_compat's models.

    python -m tests.e2e.moto_server    (from the project root) prints "PORT <n>" once it
                                       listens on 127.0.0.1:<n>; stops when stdin closes

A process of its own, so moto's state and warnings stay out of the test process, and it
stops with the test even if the test dies (its stdin closes).
"""

from __future__ import annotations

import sys
import warnings

from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from tests.e2e.moto_compat import register


def main() -> None:
    warnings.simplefilter("ignore")  # moto's own deprecation chatter; not the code under test
    register()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    print(f"PORT {server.get_host_and_port()[1]}", flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
