import pytest
from django.core.exceptions import ImproperlyConfigured

from kundenversteher.lib.env import env_bool, env_database, env_int, env_secret


def test_env_bool_rejects_ambiguous_values(monkeypatch):
    monkeypatch.setenv("KV_X", "yes")
    with pytest.raises(ImproperlyConfigured, match="KV_X"):
        env_bool("KV_X", default=False)
    monkeypatch.setenv("KV_X", "on")
    assert env_bool("KV_X", default=False) is True


def test_env_int_names_the_variable_on_error(monkeypatch):
    monkeypatch.setenv("KV_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="KV_N='ten'"):
        env_int("KV_N", default=1)


def test_env_secret_reads_a_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "key"
    secret_file.write_text("s3cret\n")
    monkeypatch.delenv("KV_S", raising=False)
    monkeypatch.setenv("KV_S_FILE", str(secret_file))
    assert env_secret("KV_S") == "s3cret"


def test_env_secret_without_value_or_default_fails(monkeypatch):
    monkeypatch.delenv("KV_S", raising=False)
    monkeypatch.delenv("KV_S_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="KV_S"):
        env_secret("KV_S")


def test_env_database_parses_postgres_and_sqlite(monkeypatch):
    monkeypatch.setenv("KV_DB", "postgresql://kv:pw@db.internal:5432/kv")
    config = env_database("KV_DB", default="sqlite:///x.db")
    assert (config["ENGINE"], config["HOST"], config["NAME"]) == (
        "django.db.backends.postgresql",
        "db.internal",
        "kv",
    )
    monkeypatch.delenv("KV_DB")
    sqlite = env_database("KV_DB", default="sqlite:////tmp/x.db")
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
