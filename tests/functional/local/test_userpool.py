"""The local user pool against a real SQLite database and key file in tmp_path."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from sdw.local import (
    DEV_USER_EMAIL,
    LocalUserPool,
    PasswordHasher,
    StateError,
    create_jwt_authorizer,
    create_local_user_pool,
    dev_user_password,
    ensure_dev_user,
)
from sdw.local.userpool import DEV_PASSWORD_FILE
from sdw.system import (
    InvalidParameterError,
    InvalidPasswordError,
    NotAuthorizedError,
    TokenLifetime,
    UserDirectory,
    UserExistsError,
    UserNotFoundError,
)
from tests.userpool_fixtures import (
    BASE_URL,
    DEFAULT_PASSWORD,
    FAST_SCRYPT,
    CountingHasher,
    FakeClock,
    make_pool,
    make_user_tokens,
    token_claims,
)


@pytest.fixture
def pool_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def user_pool(tmp_path: Path, pool_clock: FakeClock) -> Iterator[LocalUserPool]:
    with make_pool(tmp_path / ".sdw", clock=pool_clock) as pool:
        yield pool


def test_is_a_user_directory(user_pool: LocalUserPool) -> None:
    directory: UserDirectory = user_pool
    assert directory.list_users() == []


def test_the_pool_has_cognito_shaped_ids_and_an_issuer_on_the_local_runtime(user_pool: LocalUserPool) -> None:
    config = user_pool.config()
    assert config.region == "us-east-1"
    assert re.fullmatch(r"us-east-1_[A-Za-z0-9]{9}", config.user_pool_id)
    assert re.fullmatch(r"[a-z0-9]{26}", config.client_id)
    assert config.issuer == f"{BASE_URL}/{config.user_pool_id}"
    assert config.jwks_url == f"{config.issuer}/.well-known/jwks.json"


def test_creates_lists_and_deletes_users(user_pool: LocalUserPool) -> None:
    alice = user_pool.create_user("alice@example.com", DEFAULT_PASSWORD)
    bob = user_pool.create_user("  bob@example.com ", DEFAULT_PASSWORD)
    assert re.fullmatch(r"[0-9a-f-]{36}", alice.sub) and alice.sub != bob.sub
    assert alice.created_at == "2027-01-15T08:00:00Z"
    assert bob.email == "bob@example.com"
    assert [u.email for u in user_pool.list_users()] == ["alice@example.com", "bob@example.com"]
    user_pool.delete_user("ALICE@example.com")
    assert [u.email for u in user_pool.list_users()] == ["bob@example.com"]
    with pytest.raises(UserNotFoundError):
        user_pool.delete_user("alice@example.com")


def test_emails_are_unique_whatever_their_case(user_pool: LocalUserPool) -> None:
    user_pool.create_user("Alice@Example.com", DEFAULT_PASSWORD)
    with pytest.raises(UserExistsError) as caught:
        user_pool.create_user("alice@EXAMPLE.COM", DEFAULT_PASSWORD)
    assert caught.value.code == "UsernameExistsException"
    assert user_pool.get_user("ALICE@example.com").email == "Alice@Example.com"


@pytest.mark.parametrize(
    "email", ["", "alice", "alice@", "@example.com", "alice@example", "a b@example.com", "a@b@"]
)
def test_refuses_an_email_that_is_not_one(user_pool: LocalUserPool, email: str) -> None:
    with pytest.raises(InvalidParameterError, match=r"Invalid email address format\."):
        user_pool.create_user(email, DEFAULT_PASSWORD)
    assert user_pool.list_users() == []


def test_refuses_a_password_that_breaks_the_policy(user_pool: LocalUserPool) -> None:
    with pytest.raises(InvalidPasswordError, match="Password must have symbol characters"):
        user_pool.create_user("alice@example.com", "Password1")
    assert user_pool.list_users() == []


def test_signs_in_with_the_right_password_and_tokens_verify(user_pool: LocalUserPool) -> None:
    user = user_pool.create_user("alice@example.com", DEFAULT_PASSWORD)
    tokens = user_pool.authenticate("ALICE@example.com", DEFAULT_PASSWORD)
    authorizer = create_jwt_authorizer(user_pool)
    for token in (tokens.id_token, tokens.access_token):
        principal = authorizer.authorize(f"Bearer {token}")
        assert principal is not None and principal.user_id == user.sub
    assert tokens.expires_in == 3600


def test_a_wrong_password_and_an_unknown_user_get_the_same_error(user_pool: LocalUserPool) -> None:
    user_pool.create_user("alice@example.com", DEFAULT_PASSWORD)
    with pytest.raises(NotAuthorizedError) as wrong:
        user_pool.authenticate("alice@example.com", DEFAULT_PASSWORD + "x")
    with pytest.raises(NotAuthorizedError) as unknown:
        user_pool.authenticate("nobody@example.com", DEFAULT_PASSWORD)
    assert str(wrong.value) == str(unknown.value) == "Incorrect username or password."
    assert wrong.value.code == unknown.value.code == "NotAuthorizedException"


def test_an_unknown_user_costs_one_kdf_run_like_a_wrong_password(tmp_path: Path) -> None:
    hasher = CountingHasher()
    runs = hasher.runs
    with create_local_user_pool(tmp_path, base_url=BASE_URL, hasher=hasher) as pool:
        pool.create_user("alice@example.com", DEFAULT_PASSWORD)
        runs.clear()
        for email in ("alice@example.com", "nobody@example.com"):
            with pytest.raises(NotAuthorizedError):
                pool.authenticate(email, "Wrong-passw0rd")
    assert runs == ["Wrong-passw0rd", "Wrong-passw0rd"]


def test_the_database_keeps_no_password_or_refresh_token(user_pool: LocalUserPool) -> None:
    tokens = make_user_tokens(user_pool)
    data = (user_pool.state.path / "userpool.db").read_bytes() + b"".join(
        p.read_bytes() for p in user_pool.state.path.glob("userpool.db-*")
    )
    assert DEFAULT_PASSWORD.encode() not in data
    assert tokens.refresh_token.encode() not in data


def test_tokens_expire_after_the_configured_lifetime(tmp_path: Path) -> None:
    clock = FakeClock()
    with make_pool(tmp_path, clock=clock, token_ttl=60) as pool:
        tokens = make_user_tokens(pool)
        authorizer = create_jwt_authorizer(pool)
        assert tokens.expires_in == 60
        clock.advance(59)
        assert authorizer.authorize(tokens.access_token) is not None
        clock.advance(1)
        assert authorizer.authorize(tokens.access_token) is None


def test_a_refresh_token_gives_new_tokens_for_the_same_sign_in(
    user_pool: LocalUserPool, pool_clock: FakeClock
) -> None:
    first = make_user_tokens(user_pool)
    pool_clock.advance(3000)
    again = user_pool.refresh(first.refresh_token)
    assert again.refresh_token == first.refresh_token
    before, after = token_claims(first.id_token), token_claims(again.id_token)
    assert after["sub"] == before["sub"]
    assert after["auth_time"] == before["auth_time"] and after["origin_jti"] == before["origin_jti"]
    assert after["iat"] == before["iat"] + 3000
    assert create_jwt_authorizer(user_pool).authorize(again.id_token) is not None


def test_a_refresh_token_is_refused_when_unknown_expired_or_its_password_changed(
    user_pool: LocalUserPool, pool_clock: FakeClock
) -> None:
    with pytest.raises(NotAuthorizedError, match="Invalid Refresh Token"):
        user_pool.refresh("made-up")
    tokens = make_user_tokens(user_pool)
    user_pool.set_password("alice@example.com", "N3w-password")
    with pytest.raises(NotAuthorizedError, match="Invalid Refresh Token"):
        user_pool.refresh(tokens.refresh_token)
    with pytest.raises(NotAuthorizedError):
        user_pool.authenticate("alice@example.com", DEFAULT_PASSWORD)
    later = user_pool.authenticate("alice@example.com", "N3w-password")
    pool_clock.advance(LocalUserPool.REFRESH_TOKEN_TTL)
    with pytest.raises(NotAuthorizedError, match="Refresh Token has expired"):
        user_pool.refresh(later.refresh_token)


def test_a_deleted_users_refresh_token_stops_working(user_pool: LocalUserPool) -> None:
    tokens = make_user_tokens(user_pool)
    user_pool.delete_user("alice@example.com")
    with pytest.raises(NotAuthorizedError):
        user_pool.refresh(tokens.refresh_token)


def test_set_password_checks_the_policy_and_the_user(user_pool: LocalUserPool) -> None:
    with pytest.raises(UserNotFoundError):
        user_pool.set_password("nobody@example.com", "N3w-password")
    with pytest.raises(InvalidPasswordError):
        user_pool.set_password("nobody@example.com", "weak")


def test_the_pool_ids_and_key_survive_a_restart(tmp_path: Path) -> None:
    with make_pool(tmp_path / ".sdw") as first:
        config, jwks = first.config(), first.jwks()
        tokens = make_user_tokens(first)
    with make_pool(tmp_path / ".sdw") as second:
        assert second.config() == config
        assert second.jwks() == jwks
        assert create_jwt_authorizer(second).authorize(tokens.id_token) is not None
        assert second.authenticate("alice@example.com", DEFAULT_PASSWORD).id_token


def test_two_pools_have_their_own_ids_and_keys_and_refuse_each_others_tokens(tmp_path: Path) -> None:
    with make_pool(tmp_path / "a") as a, make_pool(tmp_path / "b") as b:
        assert a.config().user_pool_id != b.config().user_pool_id
        assert a.config().client_id != b.config().client_id
        assert a.jwks()["keys"][0]["kid"] != b.jwks()["keys"][0]["kid"]
        tokens_from_b = make_user_tokens(b)
        assert create_jwt_authorizer(a).authorize(tokens_from_b.access_token) is None
        assert create_jwt_authorizer(a).authorize(tokens_from_b.id_token) is None


def test_a_server_on_another_port_is_another_issuer(tmp_path: Path) -> None:
    with make_pool(tmp_path, base_url="http://127.0.0.1:3000") as on_3000:
        tokens = make_user_tokens(on_3000)
    with make_pool(tmp_path, base_url="http://127.0.0.1:3001") as on_3001:
        assert on_3001.config().user_pool_id == on_3000.config().user_pool_id
        assert create_jwt_authorizer(on_3001).authorize(tokens.id_token) is None


def test_the_region_is_fixed_when_the_pool_is_made(tmp_path: Path) -> None:
    with create_local_user_pool(
        tmp_path, base_url=BASE_URL, region="eu-west-1", hasher=PasswordHasher(FAST_SCRYPT)
    ):
        pass
    with create_local_user_pool(tmp_path, base_url=BASE_URL, region="us-west-2") as pool:
        assert pool.config().region == "eu-west-1"
        assert pool.config().user_pool_id.startswith("eu-west-1_")


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277])
def test_the_state_folder_and_every_file_in_it_are_private(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        with make_pool(tmp_path / ".sdw") as pool:
            make_user_tokens(pool)
            ensure_dev_user(pool)
            folder = pool.state.path
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
            files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    finally:
        os.umask(previous)
    assert "userpool.db-wal" in files
    assert {"userpool.db", "userpool-signing-key.pem", DEV_PASSWORD_FILE} <= set(files)
    assert all(m == 0o600 for m in files.values()), files


def test_the_jwks_and_discovery_documents_describe_the_pools_key(user_pool: LocalUserPool) -> None:
    config = user_pool.config()
    (key,) = user_pool.jwks()["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    discovery = user_pool.openid_configuration()
    assert discovery["issuer"] == config.issuer
    assert discovery["jwks_uri"] == config.jwks_url
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
    assert token_claims(make_user_tokens(user_pool).id_token)["iss"] == discovery["issuer"]


def test_a_corrupt_key_file_is_a_clear_state_error(tmp_path: Path) -> None:
    make_pool(tmp_path).close()
    (tmp_path / "userpool-signing-key.pem").write_bytes(b"garbage")
    with pytest.raises(StateError, match="delete the file to make a new pool key"):
        make_pool(tmp_path)


def test_the_dev_user_is_made_once_and_signed_in_without_its_password(tmp_path: Path) -> None:
    hasher = CountingHasher()
    runs = hasher.runs
    with create_local_user_pool(tmp_path, base_url=BASE_URL, hasher=hasher) as pool:
        first = ensure_dev_user(pool)
        assert len(runs) == 1  # the hash made when the user was created
        second = ensure_dev_user(pool)
        assert len(runs) == 1  # later calls pay for no KDF
        authorizer = create_jwt_authorizer(pool)
        for tokens in (first, second):
            principal = authorizer.authorize(tokens.id_token)
            assert principal is not None and principal.claims["email"] == DEV_USER_EMAIL
        assert [u.email for u in pool.list_users()] == [DEV_USER_EMAIL]
        password = dev_user_password(pool)
        assert pool.authenticate(DEV_USER_EMAIL, password)


def test_a_lost_dev_password_file_is_replaced_by_a_working_one(user_pool: LocalUserPool) -> None:
    ensure_dev_user(user_pool)
    user_pool.state.file(DEV_PASSWORD_FILE).unlink()
    password = dev_user_password(user_pool)
    assert user_pool.authenticate(DEV_USER_EMAIL, password)
    assert dev_user_password(user_pool) == password


@pytest.mark.parametrize("blank", [b"", b"\n  \n"])
def test_a_blank_dev_password_file_is_replaced_by_a_working_one(tmp_path: Path, blank: bytes) -> None:
    with make_pool(tmp_path / ".sdw") as pool:
        pool.state.write_private(DEV_PASSWORD_FILE, blank)
        ensure_dev_user(pool)  # creates the user with a fresh password, not with the blank one
        password = dev_user_password(pool)
        assert password.strip() and pool.authenticate(DEV_USER_EMAIL, password)


def test_a_user_added_to_a_group_gets_cognito_groups_in_their_next_tokens(user_pool: LocalUserPool) -> None:
    before = make_user_tokens(user_pool)
    user_pool.add_user_to_group("alice@example.com", "admin")
    user_pool.add_user_to_group("Alice@Example.com", "admin")  # idempotent, as AdminAddUserToGroup is
    user_pool.add_user_to_group("alice@example.com", "editors")
    assert user_pool.groups_for_user("alice@example.com") == ["admin", "editors"]
    after = user_pool.authenticate("alice@example.com", DEFAULT_PASSWORD)
    assert token_claims(after.id_token)["cognito:groups"] == ["admin", "editors"]
    assert token_claims(after.access_token)["cognito:groups"] == ["admin", "editors"]
    assert "cognito:groups" not in token_claims(before.id_token)  # tokens already issued keep their claims
    principal = create_jwt_authorizer(user_pool).authorize(f"Bearer {after.access_token}")
    assert principal is not None and principal.claims["cognito:groups"] == "[admin editors]"  # as HTTP API
    assert principal.groups == {"admin", "editors"}
    refreshed = user_pool.refresh(after.refresh_token)
    assert token_claims(refreshed.id_token)["cognito:groups"] == ["admin", "editors"]


def test_a_user_removed_from_a_group_loses_it_and_a_deleted_user_their_groups(
    user_pool: LocalUserPool,
) -> None:
    make_user_tokens(user_pool)
    user_pool.add_user_to_group("alice@example.com", "admin")
    user_pool.remove_user_from_group("alice@example.com", "admin")
    user_pool.remove_user_from_group("alice@example.com", "admin")  # not a member: nothing to do
    tokens = user_pool.authenticate("alice@example.com", DEFAULT_PASSWORD)
    assert "cognito:groups" not in token_claims(tokens.id_token)
    user_pool.add_user_to_group("alice@example.com", "admin")
    user_pool.delete_user("alice@example.com")
    user_pool.create_user("alice@example.com", DEFAULT_PASSWORD)  # a new user (a new sub) with the email
    assert user_pool.groups_for_user("alice@example.com") == []


@pytest.mark.parametrize("group", ["", "two words", "tab\there", "x" * 129])
def test_refuses_a_group_name_cognito_refuses(user_pool: LocalUserPool, group: str) -> None:
    make_user_tokens(user_pool)
    with pytest.raises(InvalidParameterError, match="Invalid group name"):
        user_pool.add_user_to_group("alice@example.com", group)


def test_adding_an_unknown_user_to_a_group_is_user_not_found(user_pool: LocalUserPool) -> None:
    with pytest.raises(UserNotFoundError):
        user_pool.add_user_to_group("nobody@example.com", "admin")
    with pytest.raises(UserNotFoundError):
        user_pool.groups_for_user("nobody@example.com")


def test_a_chosen_lifetime_sets_when_the_tokens_and_the_refresh_token_expire(
    user_pool: LocalUserPool, pool_clock: FakeClock
) -> None:
    make_user_tokens(user_pool)
    lifetime = TokenLifetime(id_token=600, access_token=600, refresh_token=7200)
    tokens = user_pool.authenticate("alice@example.com", DEFAULT_PASSWORD, lifetime=lifetime)
    assert tokens.expires_in == 600
    authorizer = create_jwt_authorizer(user_pool)
    pool_clock.advance(599)
    assert authorizer.authorize(tokens.id_token) is not None
    pool_clock.advance(1)
    assert authorizer.authorize(tokens.id_token) is None and authorizer.authorize(tokens.access_token) is None
    pool_clock.advance(7199 - 600)
    assert user_pool.refresh(tokens.refresh_token).expires_in == 3600  # a refresh: the default validity
    pool_clock.advance(1)
    with pytest.raises(NotAuthorizedError, match="Refresh Token has expired"):
        user_pool.refresh(tokens.refresh_token)
