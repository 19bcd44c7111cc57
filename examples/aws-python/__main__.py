"""Deploys compose.yaml (next to this program) to AWS with defang.Project."""
import pulumi
import pulumi_defang as defang

config = pulumi.Config()

# compose.yaml next to this program is found by default, like `docker compose`.
app = defang.Project(
    "shop",
    cloud="aws",
    mode=config.get("mode") or "affordable",
    config={
        "SESSION_SECRET": config.require_secret("SESSION_SECRET"),
        "DB_PASSWORD": config.require_secret("DB_PASSWORD"),
    },
)

pulumi.export("endpoints", app.endpoints)
pulumi.export("services", app.services)
pulumi.export("vpcId", app.vpc_id)
