// Package compose loads a Docker Compose application with compose-go, applies
// the Defang compose contract (errors, warnings and fixups) and returns a
// cloud-neutral model. It knows nothing of clouds and imports no cloud SDK:
// the aws and azure packages turn this model into resources.
//
// Every slice in the model is sorted (services by name, ports by target,
// environment by name...) so that the same compose input always produces the
// same resources, byte for byte.
//
// Interpolation is deterministic: `${NAME}` references are resolved only from
// the `.env` file in the project directory and from LoadOptions.Variables
// (Variables win), never from the environment of the process running the
// program, so every machine plans the same resources. An environment value
// that refers to a variable neither source sets keeps its `${NAME}` template
// and reads NAME from the Project's config (a secret); elsewhere a missing
// variable becomes blank, as compose does, with a warning.
//
// Load runs a pipeline of small functions: compose-go loads, merges,
// interpolates and normalises (load.go, interpolate.go); convert.go then
// drives the Defang rules, which report errors (rules.go, ports.go) and
// warnings (warnings.go), fix up defaults (fixups.go) and convert
// environment and service references (env.go), healthchecks
// (healthcheck.go), sizing (resources.go) and extensions (extensions.go)
// into this model. Every error is collected, so that one load reports all
// the problems of a file.
package compose

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Project is a loaded, validated and fixed-up compose application.
type Project struct {
	// Name is the compose project name (normalised as compose does).
	Name string
	// WorkingDir is the absolute directory that relative paths resolve from.
	WorkingDir string
	// Services sorted by name.
	Services []*Service
	// Models are the top-level compose `models:` sorted by name.
	Models []Model
	// ConfigNames are the sorted names of every config value the application
	// reads: environment keys with a null value and `${NAME}` references that
	// no variable resolved.
	ConfigNames []string
	// Networks are the sorted names of the compose networks that services
	// join ("default" when a service names none).
	Networks []string
}

// IsEmpty reports a project that deploys nothing: no services (none defined,
// or profiles disabled them all) and no top-level models. The clouds then
// create no resources at all, not even a network.
func (p *Project) IsEmpty() bool {
	return len(p.Services) == 0 && len(p.Models) == 0
}

// Service returns the service with the given name, or nil.
func (p *Project) Service(name string) *Service {
	for _, s := range p.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Service is one compose service after the Defang rules ran.
type Service struct {
	Name string
	// Image is the image reference; empty when the service is only built.
	Image string
	// Build is set when the service has a `build:` section.
	Build *Build
	// Command and Entrypoint are nil when the image's defaults apply.
	Command    []string
	Entrypoint []string
	WorkingDir string
	User       string
	// Environment sorted by name.
	Environment []EnvVar
	// Ports sorted by target port, then protocol.
	Ports       []Port
	Healthcheck *Healthcheck
	// CPUs reserved (0 when unset). Taken from reservations, else limits.
	CPUs float64
	// MemoryMiB reserved (0 when unset). Taken from reservations, else limits.
	MemoryMiB int64
	// GPUs is the number of GPU devices reserved; 0 for none.
	GPUs int
	// Replicas is the task count; 1 when unset.
	Replicas int
	// StopGracePeriodSeconds is 0 when unset.
	StopGracePeriodSeconds int
	// DependsOn names the services this one starts after, sorted.
	DependsOn []string
	// Networks the service joins, sorted ("default" when none named).
	Networks []string
	// DomainName is the compose `domainname:`.
	DomainName string
	// Managed stores: at most one of these is set.
	Postgres *ManagedStore
	Redis    *ManagedStore
	Mongo    *ManagedStore
	// LLM is `x-defang-llm: true`, or a service with `provider: {type: model}`.
	LLM bool
	// ProviderModel is the model name of a `provider: {type: model}` service
	// (its `provider.options.model`, e.g. ai/smollm2); such a service runs no
	// image of its own and is always LLM. Empty for ordinary services.
	ProviderModel string
	// Autoscaling is `x-defang-autoscaling: true`.
	Autoscaling bool
	// Policies are the `x-defang-policies` entries, sorted and distinct:
	// what the service's identity is granted (IAM policy ARNs on AWS, role
	// definitions on Azure). The cloud packages check that each is theirs.
	Policies []string
	// Models the service uses (service-level `models:`), sorted by model name.
	Models []ServiceModel
	// Platform is the compose `platform:` (e.g. linux/arm64), empty when unset.
	Platform string
	// Ulimits are the compose `ulimits:`, sorted by name.
	Ulimits []Ulimit
	// ShmSizeBytes is the service's `shm_size` (its /dev/shm), 0 when unset.
	ShmSizeBytes int64
}

// Ulimit is one compose ulimit; a single value is both limits.
type Ulimit struct {
	Name       string
	Soft, Hard int
}

// IngressPorts returns the ports published through the load balancer.
func (s *Service) IngressPorts() []Port {
	var out []Port
	for _, p := range s.Ports {
		if p.Mode == PortModeIngress {
			out = append(out, p)
		}
	}
	return out
}

// IsManaged reports whether the service is replaced by a managed store.
func (s *Service) IsManaged() bool {
	return s.Postgres != nil || s.Redis != nil || s.Mongo != nil
}

// Build is a compose `build:` section with paths resolved.
type Build struct {
	// Context is the absolute path of the build context directory.
	Context string
	// Dockerfile is relative to Context ("Dockerfile" when unset).
	Dockerfile string
	// Args are the build arguments (plain values; nil entries dropped).
	Args map[string]string
	// Target is the multi-stage build target.
	Target string
	// ShmSizeBytes is the build's shared memory size, 0 when unset.
	ShmSizeBytes int64
}

// SortedArgs returns the build args as sorted KEY=VALUE pairs.
func (b *Build) SortedArgs() []string {
	out := make([]string, 0, len(b.Args))
	for k, v := range b.Args {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// EnvVar is one environment variable of a service.
type EnvVar struct {
	Name string
	// Value is the literal value. When ConfigRefs is not empty it is a
	// template in which each `${NAME}` stands for the config value NAME.
	Value string
	// ConfigRefs are the sorted names of the config values the value reads.
	// A null compose value reads the config value of its own name
	// (Value "${NAME}", ConfigRefs [NAME]).
	ConfigRefs []string
	// ServiceRefs are the sorted names of services this value points at
	// (`http://api:8080`, `db`, `redis://cache:6379`); the cloud layer
	// rewrites them to private hostnames or managed endpoints.
	ServiceRefs []string
}

// IsSecret reports whether the value comes (partly) from config and so must
// reach the container as a secret reference, never as plain text.
func (e EnvVar) IsSecret() bool { return len(e.ConfigRefs) > 0 }

// DirectConfig returns NAME when the whole value is exactly one config value.
func (e EnvVar) DirectConfig() (string, bool) {
	if len(e.ConfigRefs) == 1 && e.Value == "${"+e.ConfigRefs[0]+"}" {
		return e.ConfigRefs[0], true
	}
	return "", false
}

var configRefPattern = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// Render replaces each `${NAME}` of a config template by lookup(NAME).
func (e EnvVar) Render(lookup func(name string) string) string {
	if !e.IsSecret() {
		return e.Value
	}
	return configRefPattern.ReplaceAllStringFunc(e.Value, func(m string) string {
		return lookup(m[2 : len(m)-1])
	})
}

// Port modes and protocols after fixups.
const (
	PortModeIngress = "ingress"
	PortModeHost    = "host"

	ProtocolTCP = "tcp"
	ProtocolUDP = "udp"

	AppProtocolHTTP  = "http"
	AppProtocolHTTP2 = "http2"
	AppProtocolGRPC  = "grpc"
	// AppProtocolTCP marks an ingress port served raw over TCP (a network
	// load balancer on AWS) rather than through the HTTP load balancer.
	AppProtocolTCP = "tcp"
)

// Port is one compose port after fixups: Mode is always set, and a TCP
// ingress port always has an AppProtocol (a UDP one never has one).
type Port struct {
	Target uint32
	// Published is the port on the load balancer; equals Target when unset.
	Published   uint32
	Protocol    string // tcp or udp
	AppProtocol string // http, http2, grpc or tcp for TCP ingress; empty for UDP, may be empty for host
	Mode        string // ingress or host
}

// IsHTTP reports whether the port is served by the HTTP load balancer.
func (p Port) IsHTTP() bool {
	return p.Mode == PortModeIngress && p.AppProtocol != AppProtocolTCP && p.Protocol == ProtocolTCP
}

// Healthcheck is a compose healthcheck with durations in seconds.
type Healthcheck struct {
	// Test is the compose test: ["CMD", ...] or ["CMD-SHELL", "..."].
	Test               []string
	IntervalSeconds    int // 0 when unset
	TimeoutSeconds     int // 0 when unset
	StartPeriodSeconds int // 0 when unset
	Retries            int // 0 when unset
	// HTTPPath and HTTPPort come from a curl or wget URL in the test; the load
	// balancer's health check uses them. Empty/0 when the test has no URL.
	HTTPPath string
	HTTPPort uint32
}

// ManagedStore is the configuration of a managed Postgres, Redis or MongoDB.
type ManagedStore struct {
	// Version is the major version taken from the image tag, empty if none.
	Version string
	// Image is the compose image the store replaces (e.g. postgres:16).
	Image string
	// AllowDowntime allows replacing the store in place on changes.
	AllowDowntime bool
	// FromSnapshot names a snapshot to restore from, empty for none.
	FromSnapshot string
	// Port is the port the store listens on (its default when none given).
	Port uint32
}

// Model is a top-level compose `models:` entry.
type Model struct {
	Name  string
	Model string // e.g. ai/smollm2
}

// ServiceModel binds a model to a service's environment variables.
type ServiceModel struct {
	Name        string // key of the top-level models map
	EndpointVar string // defaults to <NAME>_URL
	ModelVar    string // defaults to <NAME>_MODEL
}

// Diagnostic is one problem or warning, naming the service and the field.
type Diagnostic struct {
	Service string // empty for project-level problems
	Field   string // e.g. "ports[0].target", "environment.API_KEY"
	Message string
}

func (d Diagnostic) String() string {
	switch {
	case d.Service != "" && d.Field != "":
		return fmt.Sprintf("service %q: %s: %s", d.Service, d.Field, d.Message)
	case d.Service != "":
		return fmt.Sprintf("service %q: %s", d.Service, d.Message)
	case d.Field != "":
		return fmt.Sprintf("%s: %s", d.Field, d.Message)
	default:
		return d.Message
	}
}

// Errors is every error found in a compose application, reported together.
type Errors []Diagnostic

func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, d := range e {
		lines[i] = d.String()
	}
	if len(lines) == 1 {
		return "invalid compose application: " + lines[0]
	}
	return fmt.Sprintf("invalid compose application (%d problems):\n  - %s", len(lines), strings.Join(lines, "\n  - "))
}

// OrderByDependencies returns the services so that each comes after the
// services it depends on (ties in compose order); loading already rejected
// cycles.
func OrderByDependencies(services []*Service) []*Service {
	byName := map[string]*Service{}
	for _, s := range services {
		byName[s.Name] = s
	}
	var out []*Service
	done := map[string]bool{}
	var visit func(s *Service)
	visit = func(s *Service) {
		if done[s.Name] {
			return
		}
		done[s.Name] = true
		for _, d := range s.DependsOn {
			if dep, ok := byName[d]; ok {
				visit(dep)
			}
		}
		out = append(out, s)
	}
	for _, s := range services {
		visit(s)
	}
	return out
}
