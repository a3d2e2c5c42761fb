"""GET /auth/config and GET /auth/verify, against the ports only (no I/O)."""

from __future__ import annotations

import json

from sdw.system import (
    PoolConfig,
    Principal,
    SystemResponse,
    Tokens,
    User,
    auth_config,
    principal_from_event,
    verify_caller,
)

CONFIG = PoolConfig(
    region="eu-west-1",
    user_pool_id="eu-west-1_AbCdEf123",
    client_id="abcdefghijklmnopqrstuvwxyz",
    issuer="https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
    jwks_url="https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json",
)


class StubDirectory:
    """A UserDirectory that only knows its config: /auth/config needs nothing else."""

    def config(self) -> PoolConfig:
        return CONFIG

    def create_user(self, email: str, password: str) -> User:
        raise AssertionError("not used")

    def list_users(self) -> list[User]:
        raise AssertionError("not used")

    def delete_user(self, email: str) -> None:
        raise AssertionError("not used")

    def authenticate(self, email: str, password: str) -> Tokens:
        raise AssertionError("not used")


def test_auth_config_gives_the_pool_with_cognito_and_amplify_names() -> None:
    response = auth_config(StubDirectory())
    assert response == SystemResponse(
        200,
        {
            "region": "eu-west-1",
            "userPoolId": "eu-west-1_AbCdEf123",
            "clientId": "abcdefghijklmnopqrstuvwxyz",
            "userPoolClientId": "abcdefghijklmnopqrstuvwxyz",
            "issuer": CONFIG.issuer,
            "jwksUrl": CONFIG.jwks_url,
        },
    )


def test_verify_echoes_the_callers_claims_and_scopes() -> None:
    principal = Principal(
        claims={"sub": "u-1", "exp": "1800003600"}, scopes=["aws.cognito.signin.user.admin"]
    )
    response = verify_caller(principal)
    assert response.status == 200
    assert response.body == {
        "userId": "u-1",
        "claims": {"sub": "u-1", "exp": "1800003600"},
        "scopes": ["aws.cognito.signin.user.admin"],
    }


def test_verify_gives_null_scopes_for_an_id_token() -> None:
    assert verify_caller(Principal(claims={"sub": "u-1"})).body["scopes"] is None


def test_verify_without_a_caller_is_api_gateways_401() -> None:
    assert verify_caller(None) == SystemResponse(401, {"message": "Unauthorized"})


def test_a_response_becomes_the_lambda_result_of_a_2_0_integration() -> None:
    result = SystemResponse(401, {"message": "Unauthorized"}).as_lambda_result()
    assert result == {
        "statusCode": 401,
        "headers": {"content-type": "application/json"},
        "body": '{"message":"Unauthorized"}',
    }
    assert json.loads(result["body"]) == {"message": "Unauthorized"}


def test_reads_the_caller_from_an_http_api_event() -> None:
    event = {
        "requestContext": {
            "authorizer": {"jwt": {"claims": {"sub": "u-1", "token_use": "access"}, "scopes": ["a", "b"]}}
        }
    }
    principal = principal_from_event(event)
    assert principal == Principal(claims={"sub": "u-1", "token_use": "access"}, scopes=["a", "b"])
    assert principal is not None and principal.user_id == "u-1"


def test_an_event_without_jwt_claims_has_no_caller() -> None:
    for event in (
        {},
        {"requestContext": None},
        {"requestContext": {}},
        {"requestContext": {"authorizer": {"lambda": {"sub": "x"}}}},
        {"requestContext": {"authorizer": {"jwt": {"claims": {"email": "a@b.co"}}}}},
        {"requestContext": {"authorizer": {"jwt": {"claims": "sub"}}}},
    ):
        assert principal_from_event(event) is None, event


def test_id_token_events_carry_null_scopes() -> None:
    event = {"requestContext": {"authorizer": {"jwt": {"claims": {"sub": "u-1"}, "scopes": None}}}}
    principal = principal_from_event(event)
    assert principal is not None and principal.scopes is None
