"""Contract check for the generated Python SDK, run by `make build-sdk-python`
with Pulumi's mocks (no engine, no plugin): a Project accepts Outputs (config
secrets) as values of its `config` map, sends that map marked secret, and
registers under its schema token."""

import unittest

import pulumi


class Mocks(pulumi.runtime.Mocks):
    def __init__(self):
        self.registered = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.registered[args.name] = args
        outputs = dict(args.inputs)
        outputs.setdefault("projectName", args.name)
        outputs.setdefault("endpoints", {})
        outputs.setdefault("services", {})
        return [args.name + "-id", outputs]

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


# Pulumi's wire encoding of a secret: {SIG_KEY: SECRET_SIG, "value": ...}.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def unwrap_secret(value):
    """Returns (plain value, whether it was marked secret)."""
    if isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG:
        return value["value"], True
    return value, False


MOCKS = Mocks()
pulumi.runtime.set_mocks(MOCKS, preview=False)

import pulumi_defang as defang  # noqa: E402  (mocks must be set first)


class ProjectContract(unittest.TestCase):
    @pulumi.runtime.test
    def test_config_accepts_outputs(self):
        project = defang.Project(
            "app",
            compose_yaml="services:\n  web:\n    image: nginx\n",
            config={"DB_PASSWORD": pulumi.Output.secret("s3cret"), "PLAIN": "value"},
        )

        def check(project_name):
            args = MOCKS.registered["app"]
            self.assertEqual(args.typ, "defang:index:Project")
            config, secret = unwrap_secret(args.inputs["config"])
            self.assertTrue(secret, "config must reach the engine marked secret")
            self.assertEqual(config, {"DB_PASSWORD": "s3cret", "PLAIN": "value"})
            self.assertEqual(project_name, "app")

        return project.project_name.apply(check)


if __name__ == "__main__":
    unittest.main()
