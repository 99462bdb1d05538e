"""A hostile hub or mirror (anyone who sets HF_ENDPOINT): nothing is written outside the cache,
the token stays with the hub, oversize or altered files are deleted, each case is one clear message."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from fake_hub import COMMIT, FakeHub

from aigc_desktop.engine.local.catalog import is_downloaded
from aigc_desktop.engine.local.download import download, safe_file_name
from aigc_desktop.engine.errors import ModelLoadError


@pytest.fixture
def repo(tiny_gpt2_dir, tmp_path):
    folder = tmp_path / "repo"
    shutil.copytree(tiny_gpt2_dir, folder)
    return folder


def files_under(folder):
    return sorted(str(p) for p in folder.rglob("*")) if folder.exists() else []


def outside_cache(tmp_path):
    """Every file under tmp_path that is neither the test's repo nor the hub cache."""
    return [p for p in tmp_path.rglob("*")
            if p.is_file() and not {"hub-cache", "repo", "app-data"} & set(p.relative_to(tmp_path).parts)]


@pytest.mark.parametrize("name", ["../../../evil.safetensors", "/tmp/evil.safetensors", "a/../../b.safetensors",
                                  "..\\..\\evil.safetensors", "./x.safetensors", "a//b.safetensors"])
def test_file_names_that_leave_the_snapshot_are_refused_before_any_download(hub_env, repo, tmp_path, name,
                                                                             hostile_tally):
    hostile_tally["cases tried"] += 1
    with FakeHub({"acme/tiny": repo}, listed=(name,)) as hub:
        hub_env(hub)
        with pytest.raises(ModelLoadError, match="outside") as info:
            download("acme/tiny")
        assert not any("/resolve/" in path for _, path, _ in hub.requests)
    assert "\n" not in str(info.value)
    assert outside_cache(tmp_path) == [] and files_under(tmp_path / "hub-cache") == []


def test_safe_file_name_follows_the_hub_rules():
    assert safe_file_name("model.safetensors") and safe_file_name("onnx/model.safetensors")
    for bad in ("", "..", "../a", "a/..", "/a", "C:a", "a\\b", "a\0b", None, 5):
        assert not safe_file_name(bad)


@pytest.mark.parametrize("tamper", [{"commit": "../../../../outside"}, {"commit": "0" * 39},
                                    {"commit": COMMIT.upper()}, {"etag": "../../../escaped"},
                                    {"etag": ".."}])
def test_commit_ids_and_etags_that_leave_the_cache_are_refused(hub_env, repo, tmp_path, tamper, hostile_tally):
    hostile_tally["cases tried"] += 1
    with FakeHub({"acme/tiny": repo}, tamper={"config.json": tamper}) as hub:
        hub_env(hub)
        with pytest.raises(ModelLoadError, match="invalid version id"):
            download("acme/tiny")
    assert outside_cache(tmp_path) == []
    assert not [p for p in (tmp_path / "hub-cache").rglob("*") if p.is_file()]


def test_token_goes_to_the_hub_but_never_to_another_host(hub_env, repo, monkeypatch, hostile_tally):
    hostile_tally["cases tried"] += 1
    monkeypatch.setenv("HF_TOKEN", "hf_secret_token_1234")
    with FakeHub({"acme/tiny": repo}) as cdn:
        target = f"{cdn.endpoint}/acme/tiny/resolve/main/model.safetensors"
        with FakeHub({"acme/tiny": repo}, tamper={"model.safetensors": {"redirect": target}}) as hub:
            hub_env(hub)
            download("acme/tiny")
            hub_auth = [auth for path, auth in hub.authorizations if "/resolve/" in path]
        cdn_auth = [auth for _, auth in cdn.authorizations]
    assert cdn_auth and all(auth is None for auth in cdn_auth)
    assert hub_auth and all(auth == "Bearer hf_secret_token_1234" for auth in hub_auth)
    assert is_downloaded("acme/tiny")


def test_body_larger_than_declared_is_cut_off_and_deleted(hub_env, repo, tmp_path, hostile_tally):
    hostile_tally["cases tried"] += 1
    data = (repo / "model.safetensors").read_bytes()
    body = data + b"\0" * (5 << 20)  # a mirror that keeps sending
    with FakeHub({"acme/tiny": repo}, tamper={"model.safetensors": {"body": body}}) as hub:
        hub_env(hub)
        with pytest.raises(ModelLoadError, match="larger than the hub said"):
            download("acme/tiny")
    blobs = tmp_path / "hub-cache" / "models--acme--tiny" / "blobs"
    assert not [p for p in blobs.iterdir() if p.stat().st_size > len(data)]
    assert not list(blobs.glob("*.partial")) and not is_downloaded("acme/tiny")


def test_altered_file_fails_its_sha256_and_is_deleted(hub_env, repo, tmp_path, hostile_tally):
    hostile_tally["cases tried"] += 1
    data = (repo / "model.safetensors").read_bytes()
    altered = data[:-1] + bytes([data[-1] ^ 1])
    with FakeHub({"acme/tiny": repo}, tamper={"model.safetensors": {"body": altered}}) as hub:
        hub_env(hub)
        with pytest.raises(ModelLoadError, match="checksum") as info:
            download("acme/tiny")
    etag = hashlib.sha256(data).hexdigest()
    blobs = tmp_path / "hub-cache" / "models--acme--tiny" / "blobs"
    assert not (blobs / etag).exists() and not (blobs / (etag + ".partial")).exists()
    assert "\n" not in str(info.value) and not is_downloaded("acme/tiny")


def test_an_oversize_partial_left_from_before_is_started_over(hub_env, repo, tmp_path, hostile_tally):
    hostile_tally["cases tried"] += 1
    data = (repo / "model.safetensors").read_bytes()
    etag = hashlib.sha256(data).hexdigest()
    blobs = tmp_path / "hub-cache" / "models--acme--tiny" / "blobs"
    blobs.mkdir(parents=True)
    (blobs / (etag + ".partial")).write_bytes(b"\1" * (len(data) + 10))
    with FakeHub({"acme/tiny": repo}) as hub:
        hub_env(hub)
        download("acme/tiny")
    assert (blobs / etag).read_bytes() == data and is_downloaded("acme/tiny")


def test_invalid_repo_id_is_refused(hub_env, hostile_tally):
    hostile_tally["cases tried"] += 1
    with FakeHub({}) as hub:
        hub_env(hub)
        with pytest.raises(ModelLoadError, match="not a valid"):
            download("../../etc")
        assert hub.requests == []


def test_a_downloaded_model_is_checked_like_a_local_folder(hub_env, repo, hostile_tally):
    """Files that pass their checksums can still describe a model the weights do not fill."""
    import json

    from aigc_desktop.engine.local.loading import load_model

    hostile_tally["cases tried"] += 1
    config = json.loads((repo / "config.json").read_text())
    config["n_layer"] = 4  # the weights hold 2
    (repo / "config.json").write_text(json.dumps(config))
    with FakeHub({"acme/tiny": repo}) as hub:
        hub_env(hub)
        download("acme/tiny")
    with pytest.raises(ModelLoadError, match="random layers") as info:
        load_model("acme/tiny", "cpu", allow_download=False)
    assert "\n" not in str(info.value)
