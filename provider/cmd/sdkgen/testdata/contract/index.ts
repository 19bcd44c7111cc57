// Contract check for the generated TypeScript SDK (compiled by
// `make build-sdk-nodejs`, never run). It pins down what DESIGN.md section 2
// promises a TypeScript user: a Project takes compose input and a `config` map
// whose values may be Outputs (config secrets), and exposes its outputs.
//
// Schema shape this needs for `config` (neither the map nor its values plain):
//   "config": {"type": "object", "additionalProperties": {"type": "string"}, "secret": true}
// which generates  config?: pulumi.Input<{[key: string]: pulumi.Input<string>}>.
// With pulumi-go-provider's infer, declare the field as
//   Config map[string]pulumi.StringInput `pulumi:"config,optional" provider:"secret"`
// A pulumi.StringMapInput (or map[string]string) field makes the values plain
// ("plain": true on additionalProperties), and the Outputs below stop compiling.
import * as pulumi from "@pulumi/pulumi";
import * as defang from "@defang-io/pulumi-defang";

const cfg = new pulumi.Config();
const dbPassword: pulumi.Output<string> = cfg.requireSecret("dbPassword");

const project = new defang.Project("app", {
    composeYaml: "services:\n  web:\n    image: nginx\n",
    config: {
        DB_PASSWORD: dbPassword, // an Output inside the map
        API_KEY: pulumi.secret("k"), // a secret Output
        PLAIN: "value", // a plain string
    },
});

// The whole map may be an Output as well.
new defang.Project("app2", {
    composeFiles: ["compose.yaml"],
    config: pulumi.output({ DB_PASSWORD: dbPassword }),
});

export const projectName = project.projectName;
export const endpoints = project.endpoints;
export const services = project.services;
