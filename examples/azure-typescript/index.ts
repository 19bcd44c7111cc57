import * as pulumi from "@pulumi/pulumi";
import * as defang from "@defang-io/pulumi-defang";

const config = new pulumi.Config();

// The same compose.yaml as examples/aws-typescript: only the cloud changes.
// The location is the stack config azure-native:location.
const app = new defang.Project("shop", {
    cloud: "azure",
    mode: config.get("mode") ?? "affordable",
    config: {
        SESSION_SECRET: config.requireSecret("SESSION_SECRET"),
        // Azure requires the Postgres admin password to mix three of upper
        // case, lower case, digits and symbols.
        DB_PASSWORD: config.requireSecret("DB_PASSWORD"),
    },
});

export const endpoints = app.endpoints;
export const services = app.services;
export const resourceGroupName = app.resourceGroupName;
export const environmentId = app.environmentId;
