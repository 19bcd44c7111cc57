package compose

import (
	"math"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/types"
)

// builder turns a compose-go project into the model, collecting every error
// and warning on the way rather than stopping at the first.
type builder struct {
	cp   *types.Project
	raw  map[string]any // uninterpolated merged model; nil when unavailable
	env  map[string]string
	opts LoadOptions

	errs  []Diagnostic
	warns []Diagnostic
}

func newBuilder(cp *types.Project, raw map[string]any, env map[string]string, opts LoadOptions) *builder {
	return &builder{cp: cp, raw: raw, env: env, opts: opts}
}

func (b *builder) fail(d ...Diagnostic) { b.errs = append(b.errs, d...) }
func (b *builder) warn(d ...Diagnostic) { b.warns = append(b.warns, d...) }

// build runs the pipeline. Project-level problems come first, then each
// service's in name order, so that the diagnostics are deterministic.
func (b *builder) build() *Project {
	cp := b.cp
	p := &Project{Name: cp.Name, WorkingDir: cp.WorkingDir}
	names := cp.ServiceNames()

	active := make(map[string]bool, len(names))
	for _, n := range names {
		active[n] = true
	}
	if b.raw != nil {
		b.warn(missingVariableWarnings(b.raw, mapLookup(b.env), active)...)
	}
	b.warn(emptyProjectWarnings(cp)...)
	b.fail(dnsLabelCollisions(names)...)
	b.fail(consistencyErrors(cp)...)
	b.warn(undeclaredNetworkWarnings(cp)...)
	b.warn(projectWarnings(cp, b.raw)...)

	for _, name := range names {
		p.Services = append(p.Services, b.service(cp.Services[name]))
	}

	linkServiceRefs(p.Services)
	b.warn(mongoCABundleWarnings(p.Services)...)
	p.Models = projectModels(cp.Models)
	p.ConfigNames = configNames(p.Services)
	p.Networks = projectNetworks(p.Services)
	if b.opts.CheckConfig {
		b.fail(missingConfigErrors(p.Services, b.opts.ConfigNames)...)
	}
	return p
}

// service converts one compose service and runs its rules.
func (b *builder) service(svc types.ServiceConfig) *Service {
	projectDir := b.cp.WorkingDir
	s := &Service{
		Name:         svc.Name,
		Image:        svc.Image,
		Command:      copyStrings(svc.Command),
		Entrypoint:   copyStrings(svc.Entrypoint),
		WorkingDir:   svc.WorkingDir,
		User:         svc.User,
		DomainName:   svc.DomainName,
		Platform:     svc.Platform,
		DependsOn:    dependsOn(svc, b.cp),
		Networks:     serviceNetworks(svc),
		Ulimits:      ulimits(svc),
		ShmSizeBytes: int64(svc.ShmSize),
	}
	if svc.StopGracePeriod != nil {
		s.StopGracePeriodSeconds = durationSeconds(*svc.StopGracePeriod)
	}

	// Errors that only need the compose service.
	b.fail(serviceErrors(svc)...)
	b.fail(buildErrors(svc.Name, svc.Build, projectDir)...)
	s.Build = convertBuild(svc.Build, projectDir)
	if s.Build != nil {
		b.warn(buildWarnings(svc.Name, svc.Build, s.Build)...)
	}

	// Extensions and provider services decide what the service is.
	ext, extErrs, extWarns := serviceExtensions(svc)
	b.fail(extErrs...)
	b.warn(extWarns...)
	s.Postgres, s.Redis, s.Mongo = ext.Postgres, ext.Redis, ext.Mongo
	s.LLM, s.Autoscaling, s.ProviderModel = ext.LLM, ext.Autoscaling, ext.ProviderModel
	s.Policies = ext.Policies
	s.Models = serviceModels(svc)

	// Environment, with config references resolved from the raw model.
	resolved, envErrs := resolveEnvFiles(svc, b.env)
	b.fail(envErrs...)
	s.Environment = serviceEnvironment(resolved, rawEnvironment(b.raw, svc.Name), mapLookup(b.env))

	// Ports: convert, check, then fix up.
	ports, portErrs := convertPorts(svc.Name, svc.Ports)
	b.fail(portErrs...)
	b.fail(portErrors(svc.Name, ports)...)
	s.Ports = fixupPorts(ports)
	s.Ports = fixupManagedStorePorts(s)
	fixupManagedStores(s)

	// A managed store's healthcheck is never run (no container runs for
	// it), so its timing is left alone.
	hcConfig := svc.HealthCheck
	if !s.IsManaged() {
		var clampWarns []Diagnostic
		hcConfig, clampWarns = clampHealthcheckTimeout(svc.Name, hcConfig)
		b.warn(clampWarns...)
	}
	hc, hcWarns := convertHealthcheck(hcConfig)
	s.Healthcheck = hc
	b.warn(prefixService(svc.Name, hcWarns)...)

	res := serviceResources(svc)
	s.CPUs, s.MemoryMiB, s.GPUs = res.CPUs, res.MemoryMiB, res.GPUs
	s.Replicas = replicas(svc)

	// Rules that need the fixed-up model.
	b.fail(domainnameErrors(s)...)
	b.warn(serviceWarnings(svc, s)...)
	return s
}

// ulimits lists a service's ulimits by name; a single value is both the
// soft and the hard limit, as in Docker.
func ulimits(svc types.ServiceConfig) []Ulimit {
	var out []Ulimit
	for _, name := range sortedKeys(svc.Ulimits) {
		u := svc.Ulimits[name]
		if u == nil {
			continue
		}
		soft, hard := u.Soft, u.Hard
		if u.Single != 0 {
			soft, hard = u.Single, u.Single
		}
		out = append(out, Ulimit{Name: name, Soft: soft, Hard: hard})
	}
	return out
}

func copyStrings(in []string) []string {
	if in == nil {
		return nil
	}
	return append([]string{}, in...)
}

// durationSeconds rounds up so that a sub-second duration does not read as
// "unset" (0).
func durationSeconds(d types.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(math.Ceil(float64(d) / 1e9))
}

// dependsOn lists the services this one starts after, dropping those that
// profiles disabled (compose ignores optional ones; required ones are an
// error reported by consistencyErrors).
func dependsOn(svc types.ServiceConfig, cp *types.Project) []string {
	var out []string
	for name := range svc.DependsOn {
		if _, ok := cp.Services[name]; ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func serviceNetworks(svc types.ServiceConfig) []string {
	out := sortedKeys(svc.Networks)
	if len(out) == 0 {
		out = []string{"default"}
	}
	return out
}

func projectNetworks(services []*Service) []string {
	set := map[string]bool{}
	for _, s := range services {
		for _, n := range s.Networks {
			set[n] = true
		}
	}
	return sortedKeys(set)
}

// convertBuild resolves the build section; nil when the service has none.
func convertBuild(bc *types.BuildConfig, projectDir string) *Build {
	if bc == nil {
		return nil
	}
	b := &Build{
		Context:      bc.Context,
		Dockerfile:   bc.Dockerfile,
		Target:       bc.Target,
		ShmSizeBytes: int64(bc.ShmSize),
	}
	if b.Context == "" {
		b.Context = "."
	}
	if !isRemoteContext(b.Context) && !filepath.IsAbs(b.Context) {
		b.Context = filepath.Join(projectDir, b.Context)
	}
	if b.Dockerfile == "" {
		b.Dockerfile = "Dockerfile"
	}
	for k, v := range bc.Args {
		if v == nil {
			continue // compose drops build args that no variable sets
		}
		if b.Args == nil {
			b.Args = map[string]string{}
		}
		b.Args[k] = *v
	}
	return b
}

// prefixService names the service in diagnostics produced by helpers that
// do not know it.
func prefixService(service string, diags []Diagnostic) []Diagnostic {
	for i := range diags {
		diags[i].Service = service
	}
	return diags
}
