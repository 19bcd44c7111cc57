// Package llm decides, from the compose model alone, which LLM gateways a
// project needs and what its services get from them; each cloud then
// deploys the gateways its own way (LiteLLM on ECS, AI Foundry on Azure).
package llm

import (
	"fmt"
	"sort"
	"strings"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// LLM planning: which gateways a compose project needs and what its
// services get from them. A pure function of the compose model, so that the
// decisions are table-tested without Pulumi.
//
//   - A model provider service (`provider: {type: model, options: {model:
//     X}}`) becomes a gateway named after the service, serving X. Every
//     service that depends_on it gets <SERVICE>_URL (the gateway URL) and
//     <SERVICE>_MODEL (X), as Docker Compose and the Defang CLI set them,
//     unless it sets them itself. Its OPENAI_API_KEY, when set and not
//     empty, is the gateway's API key.
//   - Each top-level model gets a gateway of its own, named after the model
//     key: its own private hostname and task, as `docker compose` gives
//     each model its own endpoint and as the Defang CLI deploys them. One
//     shared gateway would save a task, but then one model's traffic,
//     crash or update would take down every model. A service that lists
//     the model under `models:` gets its endpoint_var (the gateway URL) and
//     model_var (the model, e.g. ai/smollm2), unless it sets them itself.
//   - An x-defang-llm service with its own image or build calls Bedrock
//     itself: it is listed in BedrockServices, for a task role with
//     BedrockAppTaskPolicy over BedrockModelIds().

// Where a gateway comes from.
const (
	FromProvider = "provider" // a `provider: {type: model}` service
	FromModels   = "models"   // a top-level compose model
)

// Gateway is one LLM gateway a project needs.
type Gateway struct {
	// ServiceName is the compose service or top-level model name; the
	// gateway's private hostname is its DNS label.
	ServiceName string
	// Source is FromProvider or FromModels.
	Source string
	// Models are the aliases it serves; the first is its default.
	Models []string
	// Hostname and Url are how dependents reach it (see Plan's address).
	Hostname string
	Url      string
	// ApiKey is the provider service's OPENAI_API_KEY (a literal, or a
	// config-backed secret), nil when unset or empty: no authentication.
	ApiKey *compose.EnvVar
	// Cpus and MemoryMiB are the provider service's reservations (0 unset).
	Cpus      float64
	MemoryMiB int
	// Networks are the compose networks whose members may call it: the
	// provider service's and those of every service that uses it, sorted.
	Networks []string
	// Dependents are the services that use it (depends_on or models:),
	// sorted: they should start after it.
	Dependents []string
}

// PlanResult is what PlanLLM decides for a project.
type PlanResult struct {
	// Gateways sorted by ServiceName.
	Gateways []Gateway
	// ServiceEnv holds, per dependent service, the environment values its
	// gateways give it (only names the service does not set itself).
	ServiceEnv map[string]map[string]string
	// BedrockServices are the x-defang-llm services with an image or build
	// of their own, sorted.
	BedrockServices []string
	// Errors name top-level models whose gateway cannot get a hostname of
	// its own (its DNS label is taken by a service or another model).
	Errors compose.Errors
}

// Gateway returns the gateway of the given service or model name, or nil.
func (p PlanResult) Gateway(name string) *Gateway {
	for i := range p.Gateways {
		if p.Gateways[i].ServiceName == name {
			return &p.Gateways[i]
		}
	}
	return nil
}

// Plan decides the LLM gateways of a compose project (see the package
// comment). address gives a gateway's host name and base URL from its
// service or model name: they differ per cloud.
func Plan(p *compose.Project, address func(name string) (hostname, url string)) PlanResult {
	plan := PlanResult{ServiceEnv: map[string]map[string]string{}}
	providers := map[string]*Gateway{}
	models := map[string]*Gateway{}
	networks := map[*Gateway][]string{}
	dependents := map[*Gateway][]string{}
	newGateway := func(name, source, model string) *Gateway {
		host, url := address(name)
		return &Gateway{ServiceName: name, Source: source, Models: []string{model}, Hostname: host, Url: url}
	}

	labels := map[string]string{} // DNS label -> what owns it
	for _, s := range p.Services {
		labels[compose.DNSLabel(s.Name)] = fmt.Sprintf("service %q", s.Name)
		switch {
		case s.ProviderModel != "":
			g := newGateway(s.Name, FromProvider, s.ProviderModel)
			g.Cpus, g.MemoryMiB = s.CPUs, int(s.MemoryMiB)
			for _, e := range s.Environment {
				if e.Name == "OPENAI_API_KEY" && (e.IsSecret() || e.Value != "") {
					e := e
					g.ApiKey = &e
				}
			}
			providers[s.Name] = g
			networks[g] = append(networks[g], s.Networks...)
		case s.LLM:
			plan.BedrockServices = append(plan.BedrockServices, s.Name)
		}
	}
	for _, m := range p.Models {
		label := compose.DNSLabel(m.Name)
		if owner, taken := labels[label]; taken {
			plan.Errors = append(plan.Errors, compose.Diagnostic{Field: "models." + m.Name,
				Message: fmt.Sprintf("the model's gateway would be reachable as %q, which %s already is; rename one of them", label, owner)})
			continue
		}
		labels[label] = fmt.Sprintf("model %q", m.Name)
		models[m.Name] = newGateway(m.Name, FromModels, m.Model)
	}

	for _, s := range p.Services {
		if s.ProviderModel != "" {
			continue
		}
		own := map[string]bool{}
		for _, e := range s.Environment {
			own[e.Name] = true
		}
		set := func(name, value string) {
			if own[name] {
				return
			}
			if plan.ServiceEnv[s.Name] == nil {
				plan.ServiceEnv[s.Name] = map[string]string{}
			}
			plan.ServiceEnv[s.Name][name] = value
		}
		use := func(g *Gateway) {
			dependents[g] = append(dependents[g], s.Name)
			networks[g] = append(networks[g], s.Networks...)
		}
		for _, dep := range s.DependsOn {
			if g, ok := providers[dep]; ok {
				prefix := envPrefix(dep)
				set(prefix+"_URL", g.Url)
				set(prefix+"_MODEL", g.Models[0])
				use(g)
			}
		}
		for _, sm := range s.Models {
			if g, ok := models[sm.Name]; ok {
				set(sm.EndpointVar, g.Url)
				set(sm.ModelVar, g.Models[0])
				use(g)
			}
		}
	}

	for _, all := range []map[string]*Gateway{providers, models} {
		for _, g := range all {
			g.Networks = sortedUnique(networks[g])
			g.Dependents = sortedUnique(dependents[g])
			plan.Gateways = append(plan.Gateways, *g)
		}
	}
	// Names are unique: a model whose label a service has was left out.
	sort.Slice(plan.Gateways, func(i, j int) bool { return plan.Gateways[i].ServiceName < plan.Gateways[j].ServiceName })
	return plan
}

// envPrefix is a service name as an environment variable prefix, as Docker
// Compose forms <SERVICE>_URL: uppercased, other characters made '_'.
func envPrefix(name string) string {
	var sb strings.Builder
	for _, r := range strings.ToUpper(name) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('_')
		}
	}
	return sb.String()
}

// sortedUnique returns the distinct non-empty strings of list, sorted.
func sortedUnique(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
