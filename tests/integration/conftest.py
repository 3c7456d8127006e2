"""Fixtures that start real floe servers on free loopback ports and stop them afterwards."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLOE_BIN = os.environ.get("FLOE_BIN", os.path.join(REPO, "build", "debug", "floe"))
AWS_CLI = "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else "aws"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FloeServer:
    """One floe process (one region) with its own data directory."""

    def __init__(self, data_dir=None, region="us-east-1", extra_args=(), env=None, port=None):
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="floe-it-")
        self.region = region
        self.port = port or free_port()
        self.extra_args = list(extra_args)
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.log_path = os.path.join(tempfile.gettempdir(), f"floe-{self.port}.log")

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=20):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [FLOE_BIN, "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir,
             "--region", self.region, *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"floe exited with {self.proc.returncode}: {open(self.log_path).read()[-2000:]}")
            try:
                with urllib.request.urlopen(self.endpoint + "/", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("floe did not become ready")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()

    def cleanup(self):
        self.stop()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def client(self, service="dynamodb", **kwargs):
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=self.region,
            aws_access_key_id=kwargs.pop("key", "AKIDTEST"),
            aws_secret_access_key=kwargs.pop("secret", "secret"),
            config=Config(retries={"max_attempts": 1, "mode": "standard"}), **kwargs)


@pytest.fixture(scope="session")
def server():
    s = FloeServer().start()
    yield s
    s.cleanup()


@pytest.fixture(scope="session")
def ddb(server):
    return server.client()


_counter = [0]


@pytest.fixture
def table_name():
    _counter[0] += 1
    return f"t{os.getpid()}_{_counter[0]}"


def make_table(ddb, name, hash_type="S", range_type=None, billing="PAY_PER_REQUEST"):
    defs = [{"AttributeName": "pk", "AttributeType": hash_type}]
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if range_type:
        defs.append({"AttributeName": "sk", "AttributeType": range_type})
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
    kwargs = {"BillingMode": billing}
    if billing == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    ddb.create_table(TableName=name, AttributeDefinitions=defs, KeySchema=schema, **kwargs)
    return name
