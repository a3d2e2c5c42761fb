"""The Cognito UserDirectory against moto's cognito-idp, and a stage found by its stack.

moto signs its tokens with a fixed key (``kid`` "dummy") and ignores an app client's token
validity, so these tests read the tokens' claims without checking the signature and check
the ToolsClient's validity settings through DescribeUserPoolClient.
"""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from botocore.stub import Stubber

from sdw.aws import (
    AwsCallError,
    AwsConfigError,
    CognitoUserDirectory,
    create_stage_directory,
    read_stack_outputs,
)
from sdw.system import (
    InvalidPasswordError,
    NotAuthorizedError,
    TokenLifetime,
    UserExistsError,
    UserNotFoundError,
    auth_config,
)
from tests.functional.aws.support import REGION, Stack, Stage, stage_outputs

PASSWORD = "Corr3ct-horse"


@pytest.fixture
def directory(pooled_stage: Stage) -> CognitoUserDirectory:
    return pooled_stage.directory()


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def tools_client(stage: Stage) -> dict[str, Any]:
    found: dict[str, Any] = stage.client("cognito-idp").describe_user_pool_client(
        UserPoolId=stage.pool.user_pool_id, ClientId=stage.pool.tools_client_id
    )["UserPoolClient"]
    return found


# --------------------------------------------------------------------------- users


def test_a_created_user_can_be_got_listed_and_deleted(directory: CognitoUserDirectory) -> None:
    user = directory.create_user("ada@example.com", PASSWORD)
    assert user.email == "ada@example.com" and len(user.sub) == 36 and user.enabled
    assert user.created_at.endswith("Z")
    assert directory.get_user("ada@example.com") == user
    assert directory.list_users() == [user]
    directory.delete_user("ada@example.com")
    assert directory.list_users() == []
    with pytest.raises(UserNotFoundError):
        directory.get_user("ada@example.com")


def test_a_created_user_can_sign_in_at_once(pooled_stage: Stage, directory: CognitoUserDirectory) -> None:
    user = directory.create_user("ada@example.com", PASSWORD)
    status = pooled_stage.client("cognito-idp").admin_get_user(
        UserPoolId=pooled_stage.pool.user_pool_id, Username="ada@example.com"
    )["UserStatus"]
    assert status == "CONFIRMED"  # not FORCE_CHANGE_PASSWORD: the password is permanent
    tokens = directory.authenticate("ada@example.com", PASSWORD)
    id_claims = claims(tokens.id_token)
    assert (id_claims["sub"], id_claims["email"], id_claims["aud"]) == (
        user.sub,
        "ada@example.com",
        pooled_stage.pool.client_id,
    )
    assert id_claims["iss"] == directory.config().issuer
    assert claims(tokens.access_token)["client_id"] == pooled_stage.pool.client_id
    assert tokens.refresh_token and tokens.token_type == "Bearer"
    assert set(tokens.as_cognito()) == {"IdToken", "AccessToken", "RefreshToken", "ExpiresIn", "TokenType"}


def test_a_second_user_with_the_same_email_is_refused(directory: CognitoUserDirectory) -> None:
    directory.create_user("ada@example.com", PASSWORD)
    with pytest.raises(UserExistsError, match="already exists"):
        directory.create_user("ada@example.com", PASSWORD)


def test_a_password_the_policy_refuses_leaves_no_user_behind(directory: CognitoUserDirectory) -> None:
    with pytest.raises(InvalidPasswordError, match="Password did not conform with policy"):
        directory.create_user("ada@example.com", "short")
    assert directory.list_users() == []


def test_deleting_a_user_who_does_not_exist_says_so(directory: CognitoUserDirectory) -> None:
    with pytest.raises(UserNotFoundError, match=r"User does not exist\."):
        directory.delete_user("nobody@example.com")


def test_a_wrong_password_or_an_unknown_user_is_the_same_refusal(directory: CognitoUserDirectory) -> None:
    directory.create_user("ada@example.com", PASSWORD)
    with pytest.raises(NotAuthorizedError, match=r"^Incorrect username or password\.$"):
        directory.authenticate("ada@example.com", "Wr0ng-horse")
    with pytest.raises(NotAuthorizedError, match=r"^Incorrect username or password\.$"):
        directory.authenticate("nobody@example.com", PASSWORD)


def test_many_users_are_listed_across_pages(directory: CognitoUserDirectory) -> None:
    emails = [f"user{index:02d}@example.com" for index in range(65)]  # ListUsers pages hold 60
    for email in emails:
        directory.create_user(email, PASSWORD)
    assert sorted(user.email for user in directory.list_users()) == emails


# --------------------------------------------------------------------------- token lifetimes


def test_a_lifetime_sets_the_tools_clients_validity_and_signs_in_through_it(
    pooled_stage: Stage, directory: CognitoUserDirectory
) -> None:
    directory.create_user("ada@example.com", PASSWORD)
    before = tools_client(pooled_stage)
    lifetime = TokenLifetime(id_token=3600, access_token=3600, refresh_token=7 * 86400)
    tokens = directory.authenticate("ada@example.com", PASSWORD, lifetime=lifetime)
    assert claims(tokens.id_token)["aud"] == pooled_stage.pool.tools_client_id
    after = tools_client(pooled_stage)
    assert (after["IdTokenValidity"], after["AccessTokenValidity"], after["RefreshTokenValidity"]) == (
        3600,
        3600,
        604800,
    )
    assert after["TokenValidityUnits"] == {
        "IdToken": "seconds",
        "AccessToken": "seconds",
        "RefreshToken": "seconds",
    }
    for kept in ("ClientName", "ExplicitAuthFlows", "PreventUserExistenceErrors", "ReadAttributes"):
        assert after[kept] == before[kept], kept
    app = pooled_stage.client("cognito-idp").describe_user_pool_client(
        UserPoolId=pooled_stage.pool.user_pool_id, ClientId=pooled_stage.pool.client_id
    )["UserPoolClient"]
    assert "IdTokenValidity" not in app or app["IdTokenValidity"] != 3600  # the apps' client is untouched


def test_the_tools_client_is_not_updated_when_it_already_has_the_lifetime(pooled_stage: Stage) -> None:
    client = pooled_stage.client("cognito-idp")
    directory = CognitoUserDirectory(client, pooled_stage.pool)
    directory.create_user("ada@example.com", PASSWORD)
    lifetime = TokenLifetime(id_token=600, access_token=600, refresh_token=3600)
    directory.authenticate("ada@example.com", PASSWORD, lifetime=lifetime)
    calls: list[str] = []
    client.meta.events.register("before-call.cognito-idp.*", lambda model, **_: calls.append(model.name))
    directory.authenticate("ada@example.com", PASSWORD, lifetime=lifetime)
    assert calls == ["DescribeUserPoolClient", "InitiateAuth"]


# --------------------------------------------------------------------------- config, the stage's stack


def test_the_config_is_cognitos_issuer_and_keys_without_a_call(
    directory: CognitoUserDirectory, pooled_stage: Stage
) -> None:
    pool_id = pooled_stage.pool.user_pool_id
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    assert auth_config(directory).body == {
        "region": REGION,
        "userPoolId": pool_id,
        "clientId": pooled_stage.pool.client_id,
        "userPoolClientId": pooled_stage.pool.client_id,
        "issuer": issuer,
        "jwksUrl": f"{issuer}/.well-known/jwks.json",
    }


def test_a_stage_is_found_by_its_stacks_outputs(pooled_stage: Stage) -> None:
    session = Stack(pooled_stage.session, "sdw-dev", stage_outputs(pooled_stage))
    directory = create_stage_directory("dev", region=REGION, session=session)
    assert directory.config().user_pool_id == pooled_stage.pool.user_pool_id
    directory.create_user("ada@example.com", PASSWORD)
    assert claims(directory.authenticate("ada@example.com", PASSWORD).id_token)["email"] == "ada@example.com"


def test_a_stage_that_is_not_deployed_is_named_in_the_error(pooled_stage: Stage) -> None:
    session = Stack(pooled_stage.session, "billing-prod", None)
    with pytest.raises(
        AwsConfigError, match=r"there is no stack 'billing-prod' in us-east-1: deploy the stage"
    ):
        create_stage_directory("prod", service="billing", region=REGION, session=session)


def test_a_stack_without_the_pool_outputs_says_which_are_missing(pooled_stage: Stage) -> None:
    outputs = {key: value for key, value in stage_outputs(pooled_stage).items() if key != "ToolsClientId"}
    session = Stack(pooled_stage.session, "sdw-dev", outputs)
    with pytest.raises(AwsConfigError, match="has no output ToolsClientId"):
        create_stage_directory("dev", region=REGION, session=session)


def test_other_stack_errors_are_aws_call_errors(pooled_stage: Stage) -> None:
    client = pooled_stage.client("cloudformation")
    with Stubber(client) as stubber:
        stubber.add_client_error(
            "describe_stacks",
            service_error_code="AccessDenied",
            service_message="not allowed",
            http_status_code=403,
        )
        with pytest.raises(AwsCallError, match="AWS DescribeStacks failed: not allowed") as raised:
            read_stack_outputs(client, "sdw-dev")
    assert raised.value.code == "AccessDenied"
