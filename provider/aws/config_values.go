package aws

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// configValues are the Project's config values, checked against what the
// application reads.
type configValues struct {
	project *compose.Project
	checked pulumi.StringMapOutput
}

// newConfigValues checks the config names when the values resolve (they may
// arrive as one secret Output); every value taken from it depends on this
// check, so a missing name fails the update with every missing name at once.
func newConfigValues(project *compose.Project, config pulumi.StringMapInput) *configValues {
	if config == nil {
		config = pulumi.StringMap{}
	}
	checked := config.ToStringMapOutput().ApplyT(func(values map[string]string) (map[string]string, error) {
		if err := compose.CheckConfig(project, sortedKeys(values)); err != nil {
			return nil, err
		}
		return values, nil
	}).(pulumi.StringMapOutput)
	return &configValues{project: project, checked: checked}
}

// value is one config value, secret.
func (c *configValues) value(key string) pulumi.StringOutput {
	return pulumi.ToSecret(c.checked.MapIndex(pulumi.String(key))).(pulumi.StringOutput)
}

// render is the value of an environment variable that must be a secret: it
// reads config (a template such as "postgres://u:${PW}@db/x"), or it is a
// mongodb:// URL of a store, which gets the master password. Every managed
// store it names is resolved to its endpoint (stores may be nil: none).
func (c *configValues) render(e compose.EnvVar, stores *storeRefs) pulumi.StringOutput {
	if stores == nil {
		stores = newStoreRefs()
	}
	return stores.resolveSecret(c.checked, func(values map[string]string) string {
		return e.Render(func(n string) string { return values[n] })
	})
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
			return c.render(e, nil)
		}
		return pulumi.ToSecret(pulumi.String(e.Value)).(pulumi.StringOutput)
	}
	return nil
}

// configParameters stores config values in SSM Parameter Store as
// SecureString parameters: one per config name, shared by every service that
// reads it whole, and one per environment variable whose value is a template
// around config values (e.g. a URL with a password in it).
type configParameters struct {
	byConfig map[string]*ssm.Parameter
	byEnv    map[string]*ssm.Parameter // "service/VAR"
}

func (c *configParameters) arnFor(service string, e compose.EnvVar) pulumi.StringOutput {
	if name, ok := e.DirectConfig(); ok {
		return c.byConfig[name].Arn
	}
	return c.byEnv[service+"/"+e.Name].Arn
}

// newConfigParameters creates the parameters of every service that runs a
// container (managed stores read their secrets directly).
func newConfigParameters(ctx *pulumi.Context, name string, project *compose.Project, cfg *configValues, hosts map[string]string, stores *storeRefs, parent pulumi.ResourceOption) (*configParameters, error) {
	params := &configParameters{byConfig: map[string]*ssm.Parameter{}, byEnv: map[string]*ssm.Parameter{}}
	prefix := "/defang/" + project.Name + "/" + ctx.Stack()
	newParam := func(logical, path, description string, value pulumi.StringOutput) (*ssm.Parameter, error) {
		return ssm.NewParameter(ctx, logical, &ssm.ParameterArgs{
			Name: pulumi.String(path), Type: pulumi.String("SecureString"),
			Value: value, Description: pulumi.String(description),
		}, parent)
	}
	for _, key := range project.ConfigNames {
		param, err := newParam(name+"-config-"+key, prefix+"/config/"+key,
			"Config value "+key+" of "+project.Name, cfg.value(key))
		if err != nil {
			return nil, err
		}
		params.byConfig[key] = param
	}
	for _, s := range project.Services {
		if !runsContainer(s) {
			continue // stores and LLM gateways read their own secrets
		}
		_, _, secretEnv := splitEnvironment(s, hosts)
		for _, e := range secretEnv {
			if _, direct := e.DirectConfig(); direct {
				continue
			}
			param, err := newParam(name+"-env-"+compose.DNSLabel(s.Name)+"-"+e.Name, prefix+"/"+s.Name+"/env/"+e.Name,
				"Environment "+e.Name+" of service "+s.Name+", built from config values", cfg.render(e, stores))
			if err != nil {
				return nil, err
			}
			params.byEnv[s.Name+"/"+e.Name] = param
		}
	}
	return params, nil
}
