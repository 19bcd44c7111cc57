package azure

import (
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// configValues are the Project's config values, checked against what the
// application reads when they resolve (they may arrive as one secret
// Output): every value taken from them depends on the check, so a missing
// name fails the update with every missing name at once.
type configValues struct {
	checked pulumi.StringMapOutput
}

func newConfigValues(project *compose.Project, config pulumi.StringMapInput) *configValues {
	if config == nil {
		config = pulumi.StringMap{}
	}
	checked := config.ToStringMapOutput().ApplyT(func(values map[string]string) (map[string]string, error) {
		names := make([]string, 0, len(values))
		for k := range values {
			names = append(names, k)
		}
		sort.Strings(names)
		if err := compose.CheckConfig(project, names); err != nil {
			return nil, err
		}
		return values, nil
	}).(pulumi.StringMapOutput)
	return &configValues{checked: pulumi.ToSecret(checked).(pulumi.StringMapOutput)}
}

// render is the value of an environment variable that reads config (a
// template such as "postgres://u:${PW}@db/x", already rewritten to Azure
// addresses), secret, with its placeholders resolved.
func (c *configValues) render(e compose.EnvVar, refs *refValues) pulumi.StringOutput {
	return pulumi.ToSecret(pulumi.All(c.checked, refs.all()).ApplyT(func(v []any) string {
		values, known := v[0].(map[string]string), v[1].(map[string]string)
		return substitute(e.Render(func(n string) string { return values[n] }), known)
	})).(pulumi.StringOutput)
}

// secretOf is a service's own environment value as a secret input: rendered
// from config when it reads config, else its literal value; nil when the
// service does not set it.
func (c *configValues) secretOf(s *compose.Service, name string) pulumi.StringInput {
	for _, e := range s.Environment {
		if e.Name != name {
			continue
		}
		if e.IsSecret() {
			return c.render(e, newRefValues())
		}
		return pulumi.ToSecret(pulumi.String(e.Value)).(pulumi.StringOutput)
	}
	return nil
}

// appEnvironment is a Container App's environment sorted by how it reaches
// the app: plain values, values resolved at deploy time (an FQDN), and
// Key Vault references (config values, and anything holding a key).
type appEnvironment struct {
	plain    map[string]string
	resolved map[string]string
	secrets  pulumi.StringMap
}

// serviceEnvironment rewrites a service's environment to Azure addresses
// (addresses.go), adds what its LLM gateways give it, and stores every
// secret value in the project's Key Vault.
func serviceEnvironment(ctx *pulumi.Context, name string, s *compose.Service, book *addressBook, refs *refValues,
	cfg *configValues, gateways *gatewayDeployment, env *AppsEnvironment, group pulumi.StringOutput,
	parent pulumi.ResourceOption) (*appEnvironment, error) {
	out := &appEnvironment{plain: map[string]string{}, resolved: map[string]string{}, secrets: pulumi.StringMap{}}
	vaultSecret := func(variable string, value pulumi.StringOutput) error {
		secret, err := NewVaultSecret(ctx, name+"-env-"+compose.DNSLabel(s.Name)+"-"+variable, VaultSecretArgs{
			ResourceGroupName: group, VaultName: env.VaultName,
			SecretName: VaultSecretName("env", s.Name, variable), Value: value,
		}, parent)
		if err != nil {
			return err
		}
		out.secrets[variable] = secret.Uri
		return nil
	}
	for _, e := range s.Environment {
		if len(e.ServiceRefs) > 0 {
			e.Value = book.rewriteValue(e.Value)
		}
		switch {
		case e.IsSecret():
			if key, direct := e.DirectConfig(); direct && !hasRefs(e.Value) {
				out.secrets[e.Name] = env.ConfigSecretUris.MapIndex(pulumi.String(key))
				continue
			}
			if err := vaultSecret(e.Name, cfg.render(e, refs)); err != nil {
				return nil, err
			}
		case refs.usesSecret(e.Value):
			if err := vaultSecret(e.Name, refs.resolveSecret(e.Value)); err != nil {
				return nil, err
			}
		case hasRefs(e.Value):
			out.resolved[e.Name] = e.Value
		default:
			out.plain[e.Name] = e.Value
		}
	}
	for k, v := range gateways.plan.ServiceEnv[s.Name] {
		if _, set := out.plain[k]; !set {
			out.plain[k] = v
		}
	}
	// The AI Foundry account's key replaces whatever OPENAI_API_KEY the
	// service sets: on Azure the gateway accepts that key only.
	if used := gateways.usedBy(s.Name); len(used) > 0 {
		delete(out.plain, openAIKeyVar)
		delete(out.resolved, openAIKeyVar)
		if err := vaultSecret(openAIKeyVar, used[0].ApiKey()); err != nil {
			return nil, err
		}
	}
	if own := gateways.own[s.Name]; own != nil {
		for _, k := range own.environment(out) {
			if err := vaultSecret(k, own.gateway.ApiKey()); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// openAIKeyVar is the variable OpenAI clients read their key from.
const openAIKeyVar = "OPENAI_API_KEY"

// publicTCPPorts are the ports an app publishes over external TCP ingress.
func (i *ingressPlan) publicTCPPorts() []int {
	if i == nil {
		return nil
	}
	var out []int
	if i.external && i.transport == "tcp" {
		out = append(out, i.exposedPort)
	}
	for _, p := range i.additional {
		if p.external {
			out = append(out, p.exposedPort)
		}
	}
	return out
}
