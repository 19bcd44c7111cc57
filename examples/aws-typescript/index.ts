import * as pulumi from "@pulumi/pulumi";
import * as defang from "@defang-io/pulumi-defang";

const config = new pulumi.Config();

// compose.yaml next to this program is found by default, like `docker compose`.
const app = new defang.Project("shop", {
    cloud: "aws",
    mode: config.get("mode") ?? "affordable",
    config: {
        SESSION_SECRET: config.requireSecret("SESSION_SECRET"),
        DB_PASSWORD: config.requireSecret("DB_PASSWORD"),
    },
});

export const endpoints = app.endpoints;
export const services = app.services;
export const vpcId = app.vpcId;
