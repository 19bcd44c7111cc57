package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// This file holds the error rules of the Defang compose contract. Each rule
// is a small function from compose-go types (or the model) to diagnostics,
// so that Load can report every problem of a file at once.

// serviceErrors runs the rules that only need the compose service.
func serviceErrors(svc types.ServiceConfig) []Diagnostic {
	var out []Diagnostic
	for _, rule := range []func(types.ServiceConfig) []Diagnostic{
		checkImageOrBuild,
		checkUnsupportedFields,
		checkDeployMode,
		checkCPUs,
	} {
		out = append(out, rule(svc)...)
	}
	return out
}

// checkImageOrBuild: a service needs something to run. Model provider
// services are the exception; serviceExtensions checks those.
func checkImageOrBuild(svc types.ServiceConfig) []Diagnostic {
	if svc.Image != "" || svc.Build != nil || svc.Provider != nil {
		return nil
	}
	return []Diagnostic{{Service: svc.Name, Field: "image",
		Message: "the service has neither an image nor a build section; set one of them"}}
}

// checkUnsupportedFields rejects settings a cloud container cannot honour;
// ignoring them would deploy something other than what the file says.
func checkUnsupportedFields(svc types.ServiceConfig) []Diagnostic {
	var out []Diagnostic
	add := func(set bool, field, why string) {
		if set {
			out = append(out, Diagnostic{Service: svc.Name, Field: field, Message: fmt.Sprintf("`%s` is not supported: %s", field, why)})
		}
	}
	add(len(svc.Devices) > 0, "devices", "host devices cannot be mapped into cloud containers (for GPUs use deploy.resources.reservations.devices)")
	add(len(svc.DNS) > 0, "dns", "containers use the cloud's DNS resolver")
	add(len(svc.DNSSearch) > 0, "dns_search", "containers use the cloud's DNS resolver and search domains")
	add(len(svc.GroupAdd) > 0, "group_add", "supplementary groups cannot be set on cloud containers")
	return out
}

// checkDeployMode: only replicated services can be scaled by task count;
// `global` (one per node) has no meaning without nodes.
func checkDeployMode(svc types.ServiceConfig) []Diagnostic {
	if svc.Deploy == nil || svc.Deploy.Mode == "" || svc.Deploy.Mode == "replicated" {
		return nil
	}
	return []Diagnostic{{Service: svc.Name, Field: "deploy.mode",
		Message: fmt.Sprintf("deploy mode %q is not supported; use \"replicated\" (the default) with deploy.replicas", svc.Deploy.Mode)}}
}

// checkCPUs rejects negative CPU counts wherever compose accepts them.
func checkCPUs(svc types.ServiceConfig) []Diagnostic {
	var out []Diagnostic
	check := func(v float32, field string) {
		if v < 0 {
			out = append(out, Diagnostic{Service: svc.Name, Field: field,
				Message: fmt.Sprintf("cpus must not be negative (got %g)", v)})
		}
	}
	check(svc.CPUS, "cpus")
	if svc.Deploy != nil {
		if r := svc.Deploy.Resources.Reservations; r != nil {
			check(r.NanoCPUs.Value(), "deploy.resources.reservations.cpus")
		}
		if l := svc.Deploy.Resources.Limits; l != nil {
			check(l.NanoCPUs.Value(), "deploy.resources.limits.cpus")
		}
	}
	return out
}

// isRemoteContext reports a build context that is a URL or a Git reference,
// with the prefixes compose-go itself treats as remote.
func isRemoteContext(ctx string) bool {
	if strings.Contains(ctx, "://") {
		return true
	}
	for _, prefix := range []string{"github.com/", "git@"} {
		if strings.HasPrefix(ctx, prefix) {
			return true
		}
	}
	return false
}

// buildErrors checks a build section against the file system: the context is
// packed and uploaded from here, so it must be a local directory that holds
// the Dockerfile.
func buildErrors(service string, bc *types.BuildConfig, projectDir string) []Diagnostic {
	if bc == nil {
		return nil
	}
	var out []Diagnostic
	add := func(field, msg string, args ...any) {
		out = append(out, Diagnostic{Service: service, Field: field, Message: fmt.Sprintf(msg, args...)})
	}
	ctx := bc.Context
	if ctx == "" {
		ctx = "."
	}
	switch {
	case isRemoteContext(ctx):
		add("build.context", "remote build contexts are not supported (%s); clone the repository and point build.context at a local directory", ctx)
	default:
		if !filepath.IsAbs(ctx) {
			ctx = filepath.Join(projectDir, ctx)
		}
		fi, err := os.Stat(ctx)
		switch {
		case err != nil:
			add("build.context", "build context %s does not exist", ctx)
		case !fi.IsDir():
			add("build.context", "build context %s is not a directory", ctx)
		}
	}
	if bc.DockerfileInline != "" {
		add("build.dockerfile_inline", "inline Dockerfiles are not supported; write the Dockerfile into the build context")
	}
	if df := bc.Dockerfile; df != "" {
		clean := filepath.ToSlash(filepath.Clean(df))
		switch {
		case filepath.IsAbs(df) || strings.HasPrefix(df, "/"):
			add("build.dockerfile", "the Dockerfile path %q must be relative to the build context, not absolute", df)
		case clean == ".." || strings.HasPrefix(clean, "../"):
			add("build.dockerfile", "the Dockerfile path %q climbs out of the build context; only the context is uploaded, so the Dockerfile must be inside it", df)
		}
	}
	return out
}

// domainnameErrors: a `domainname` is served by the load balancer, so the
// service needs a port the load balancer reaches.
func domainnameErrors(s *Service) []Diagnostic {
	if s.DomainName == "" || len(s.IngressPorts()) > 0 {
		return nil
	}
	return []Diagnostic{{Service: s.Name, Field: "domainname",
		Message: fmt.Sprintf("domainname %q needs an ingress port to serve; add a port with mode: ingress", s.DomainName)}}
}

// DNSLabel turns a service name into a DNS label: lowercase, every character
// other than a-z and 0-9 (in compose names: '_' and '.') becomes '-', leading
// and trailing '-' are trimmed, and a label longer than 63 characters is
// shortened with a hash of the name so that it stays unique and stable.
func DNSLabel(name string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('-')
		}
	}
	label := strings.Trim(sb.String(), "-")
	if len(label) <= 63 && label != "" {
		return label
	}
	sum := sha256.Sum256([]byte(name))
	suffix := hex.EncodeToString(sum[:])[:8]
	if label == "" {
		return "svc-" + suffix
	}
	return strings.TrimRight(label[:54], "-") + "-" + suffix
}

// dnsLabelCollisions: services are reached by their DNS label, so two names
// that map to the same label would be the same host.
func dnsLabelCollisions(names []string) []Diagnostic {
	var out []Diagnostic
	first := map[string]string{}
	for _, n := range names {
		label := DNSLabel(n)
		if other, ok := first[label]; ok {
			out = append(out, Diagnostic{Service: n, Field: "name",
				Message: fmt.Sprintf("service names %q and %q both become the DNS name %q; rename one of them", other, n, label)})
			continue
		}
		first[label] = n
	}
	return out
}

// consistencyErrors replaces compose-go's consistency check, which stops at
// the first problem and visits services in map order: it reports references
// to things the file does not define, deterministically and all at once.
func consistencyErrors(cp *types.Project) []Diagnostic {
	var out []Diagnostic
	for _, name := range cp.ServiceNames() {
		svc := cp.Services[name]
		add := func(field, msg string, args ...any) {
			out = append(out, Diagnostic{Service: name, Field: field, Message: fmt.Sprintf(msg, args...)})
		}
		for _, dep := range sortedKeys(svc.DependsOn) {
			if _, ok := cp.Services[dep]; ok {
				continue
			}
			if _, disabled := cp.DisabledServices[dep]; disabled {
				if svc.DependsOn[dep].Required {
					add("depends_on", "depends on service %q, which is disabled by its profiles; enable its profile or set required: false", dep)
				}
				continue
			}
			add("depends_on", "depends on undefined service %q", dep)
		}
		for i, v := range svc.Volumes {
			if v.Type == types.VolumeTypeVolume && v.Source != "" {
				if _, ok := cp.Volumes[v.Source]; !ok {
					add(fmt.Sprintf("volumes[%d]", i), "refers to undefined volume %q", v.Source)
				}
			}
		}
		for _, m := range sortedKeys(svc.Models) {
			if _, ok := cp.Models[m]; !ok {
				add("models", "refers to undefined model %q", m)
			}
		}
		for i, s := range svc.Secrets {
			if _, ok := cp.Secrets[s.Source]; !ok {
				add(fmt.Sprintf("secrets[%d]", i), "refers to undefined secret %q", s.Source)
			}
		}
		for i, c := range svc.Configs {
			if _, ok := cp.Configs[c.Source]; !ok {
				add(fmt.Sprintf("configs[%d]", i), "refers to undefined config %q", c.Source)
			}
		}
		if hc := svc.HealthCheck; hc != nil && len(hc.Test) > 0 {
			switch hc.Test[0] {
			case "CMD", "CMD-SHELL", "NONE":
			default:
				add("healthcheck.test", "the test must start with \"CMD\", \"CMD-SHELL\" or \"NONE\" (got %q)", hc.Test[0])
			}
		}
		if svc.Scale != nil && svc.Deploy != nil && svc.Deploy.Replicas != nil && *svc.Scale != *svc.Deploy.Replicas {
			add("scale", "scale (%d) and deploy.replicas (%d) disagree; set only one", *svc.Scale, *svc.Deploy.Replicas)
		}
		if r := replicasSetting(svc); r != nil && *r < 0 {
			add("deploy.replicas", "replicas must not be negative (got %d)", *r)
		}
	}
	return out
}
