"""GET /auth/config and GET /auth/verify on AWS: sdw.system's auth endpoints over the stage's pool.

Neither route calls AWS: the config is the pool's ids and issuer (from the environment),
and verify echoes the claims API Gateway's JWT authorizer put in the event.
"""

from __future__ import annotations

import os

from sdw.aws import create_auth_lambda

handler = create_auth_lambda(os.environ)
