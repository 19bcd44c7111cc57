package compose

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// This file holds the warnings of the Defang compose contract: things that
// deploy, but not quite as the file reads, and never silently.

// serviceWarnings runs every per-service warning rule.
func serviceWarnings(svc types.ServiceConfig, s *Service) []Diagnostic {
	var out []Diagnostic
	out = append(out, volumeWarnings(svc)...)
	out = append(out, memoryWarnings(s)...)
	out = append(out, ingressHealthcheckWarnings(s)...)
	out = append(out, statefulImageWarnings(s)...)
	out = append(out, managedStoreIngressWarnings(s)...)
	out = append(out, publishedPortWarnings(svc)...)
	out = append(out, udpHostWarnings(svc)...)
	out = append(out, secretEnvWarnings(s)...)
	out = append(out, quotedEnvWarnings(s)...)
	out = append(out, literalTemplateWarnings(s)...)
	out = append(out, extensionWarnings(svc)...)
	out = append(out, ignoredFeatureWarnings(svc)...)
	return out
}

// volumeWarnings: volumes are not supported yet; what a container writes
// to one is lost when its task is replaced.
func volumeWarnings(svc types.ServiceConfig) []Diagnostic {
	var out []Diagnostic
	if len(svc.Volumes) > 0 {
		out = append(out, Diagnostic{Service: svc.Name, Field: "volumes",
			Message: "volumes are not supported yet and are ignored: files are not mounted and data written there is lost when the container is replaced"})
	}
	if len(svc.VolumesFrom) > 0 {
		out = append(out, Diagnostic{Service: svc.Name, Field: "volumes_from",
			Message: "volumes_from is not supported yet and is ignored"})
	}
	return out
}

// memoryWarnings: without a memory reservation the service gets the
// smallest size of its mode, which may not be enough. Managed stores and
// model providers are sized by the mode instead.
func memoryWarnings(s *Service) []Diagnostic {
	if s.MemoryMiB > 0 || s.IsManaged() || s.ProviderModel != "" {
		return nil
	}
	return []Diagnostic{{Service: s.Name, Field: "deploy.resources.reservations.memory",
		Message: "no memory reservation: the smallest size is used, which may be too small; set deploy.resources.reservations.memory"}}
}

// ingressHealthcheckWarnings: without a healthcheck a deployment cannot wait
// for the service to be ready and the load balancer probes a default path.
func ingressHealthcheckWarnings(s *Service) []Diagnostic {
	ingress := s.IngressPorts()
	if len(ingress) == 0 || s.Healthcheck != nil || s.IsManaged() {
		return nil
	}
	if p := ingress[0]; p.Protocol == ProtocolUDP {
		// Load balancers probe UDP over TCP or HTTP (AWS's network load
		// balancer does), so the URL to suggest is not the UDP port's.
		return []Diagnostic{{Service: s.Name, Field: "healthcheck",
			Message: fmt.Sprintf("ingress port %d/udp has no healthcheck: deployments cannot wait for the service to be ready, and the load balancer probes UDP port %d over TCP on a TCP port of the service; add one that curls an HTTP port of it (e.g. test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8080/\"])", p.Target, p.Target)}}
	}
	return []Diagnostic{{Service: s.Name, Field: "healthcheck",
		Message: fmt.Sprintf("ingress port %d has no healthcheck: deployments cannot wait for the service to be ready and the load balancer probes a default path; add one (e.g. test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:%d/\"])", ingress[0].Target, ingress[0].Target)}}
}

// udpHostWarnings: a UDP port without a mode becomes a host port, as
// Defang's fixupPort makes it (with the same warning), which is easily
// missed when the file meant to publish it.
func udpHostWarnings(svc types.ServiceConfig) []Diagnostic {
	var out []Diagnostic
	for i, p := range svc.Ports {
		if strings.EqualFold(p.Protocol, ProtocolUDP) && p.Mode == "" {
			out = append(out, Diagnostic{Service: svc.Name, Field: fmt.Sprintf("ports[%d].mode", i),
				Message: fmt.Sprintf("UDP port %d has no mode: it is a host port, reachable by the project's services only (set mode: host to silence this, or mode: ingress to publish it)", p.Target)})
		}
	}
	return out
}

// statefulImages maps the base name of well-known stateful images to what
// they are; the managed ones name their extension.
var statefulImages = map[string]struct{ kind, extension string }{
	"postgres":          {"Postgres", extPostgres},
	"postgresql":        {"Postgres", extPostgres},
	"pgvector":          {"Postgres", extPostgres},
	"postgis":           {"Postgres", extPostgres},
	"timescaledb":       {"Postgres", extPostgres},
	"redis":             {"Redis", extRedis},
	"redis-stack":       {"Redis", extRedis},
	"valkey":            {"Redis", extRedis},
	"mongo":             {"MongoDB", extMongo},
	"mongodb":           {"MongoDB", extMongo},
	"mysql":             {"MySQL", ""},
	"mariadb":           {"MariaDB", ""},
	"rabbitmq":          {"RabbitMQ", ""},
	"elasticsearch":     {"Elasticsearch", ""},
	"opensearch":        {"OpenSearch", ""},
	"cassandra":         {"Cassandra", ""},
	"couchdb":           {"CouchDB", ""},
	"neo4j":             {"Neo4j", ""},
	"influxdb":          {"InfluxDB", ""},
	"clickhouse-server": {"ClickHouse", ""},
	"minio":             {"MinIO", ""},
	"kafka":             {"Kafka", ""},
	"zookeeper":         {"ZooKeeper", ""},
	"etcd":              {"etcd", ""},
}

// statefulImageWarnings: a database image run as a plain container keeps
// its data only until the container is replaced.
func statefulImageWarnings(s *Service) []Diagnostic {
	if s.IsManaged() || s.Image == "" {
		return nil
	}
	st, ok := statefulImages[imageBaseName(s.Image)]
	if !ok {
		return nil
	}
	msg := fmt.Sprintf("%s image %q will run as a container without persistent storage: its data is lost when the container is replaced", st.kind, s.Image)
	if st.extension != "" {
		msg += fmt.Sprintf("; add %s: true for a managed %s", st.extension, st.kind)
	}
	return []Diagnostic{{Service: s.Name, Field: "image", Message: msg}}
}

// managedStoreIngressWarnings: a managed store is reached privately only.
func managedStoreIngressWarnings(s *Service) []Diagnostic {
	if !s.IsManaged() {
		return nil
	}
	var out []Diagnostic
	for _, p := range s.IngressPorts() {
		out = append(out, Diagnostic{Service: s.Name, Field: "ports",
			Message: fmt.Sprintf("port %d is ingress, but a managed store is only reachable privately; use mode: host", p.Target)})
	}
	return out
}

// publishedPortWarnings: the load balancer listens on the published port and
// forwards to the target, while other services always use the target; a
// difference is easily a surprise.
func publishedPortWarnings(svc types.ServiceConfig) []Diagnostic {
	var out []Diagnostic
	for i, p := range svc.Ports {
		n, err := strconv.ParseUint(p.Published, 10, 32)
		if p.Published == "" || err != nil || n == 0 || uint32(n) == p.Target {
			continue
		}
		out = append(out, Diagnostic{Service: svc.Name, Field: fmt.Sprintf("ports[%d].published", i),
			Message: fmt.Sprintf("published port %d differs from target port %d: on AWS the load balancer listens on %d and forwards to %d (Azure external ingress serves HTTPS on 443), and other services reach this one on %d", n, p.Target, n, p.Target, p.Target)})
	}
	return out
}

// secretWords mark environment names whose values are usually secrets.
var secretWords = []string{"PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"}

// looksSecret reports a variable name that usually holds a secret, unless
// it names where the secret is rather than the secret itself.
func looksSecret(name string) bool {
	upper := strings.ToUpper(name)
	for _, suffix := range []string{"_FILE", "_PATH", "_URL", "_ENDPOINT", "_HOST"} {
		if strings.HasSuffix(upper, suffix) {
			return false
		}
	}
	for _, w := range secretWords {
		if strings.Contains(upper, w) {
			return true
		}
	}
	return false
}

// secretEnvWarnings: a literal value is stored in plain text in the
// deployment and its state; config values are stored as secrets.
func secretEnvWarnings(s *Service) []Diagnostic {
	var out []Diagnostic
	for _, e := range s.Environment {
		if e.IsSecret() || e.Value == "" || !looksSecret(e.Name) {
			continue
		}
		switch strings.ToLower(e.Value) {
		case "true", "false", "yes", "no", "on", "off":
			continue
		}
		if _, err := strconv.ParseFloat(e.Value, 64); err == nil {
			continue
		}
		out = append(out, Diagnostic{Service: s.Name, Field: "environment." + e.Name,
			Message: fmt.Sprintf("looks like a secret but has a literal value, which is stored in plain text; leave the value out (`- %s`) and set it as config (pulumi config set --secret %s ...)", e.Name, e.Name)})
	}
	return out
}

// quotedEnvWarnings: in `environment:` compose keeps quotes as part of the
// value (only env files strip them), so `- KEY="x"` sets KEY to `"x"`.
func quotedEnvWarnings(s *Service) []Diagnostic {
	var out []Diagnostic
	for _, e := range s.Environment {
		v := e.Value
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			out = append(out, Diagnostic{Service: s.Name, Field: "environment." + e.Name,
				Message: "the value is wrapped in quotes, which compose keeps as part of the value; remove them unless the application expects them"})
		}
	}
	return out
}

// literalTemplateWarnings: a value that reads config is a template in which
// every `${NAME}` stands for config NAME, so a literal `${X}` (written `$${X}`)
// in the same value would be replaced too.
func literalTemplateWarnings(s *Service) []Diagnostic {
	var out []Diagnostic
	for _, e := range s.Environment {
		if !e.IsSecret() {
			continue
		}
		refs := map[string]bool{}
		for _, r := range e.ConfigRefs {
			refs[r] = true
		}
		for _, m := range configRefPattern.FindAllStringSubmatch(e.Value, -1) {
			if !refs[m[1]] {
				out = append(out, Diagnostic{Service: s.Name, Field: "environment." + e.Name,
					Message: fmt.Sprintf("the value reads config and also contains a literal ${%s}, which would be read as config value %s too; avoid literal ${...} in such values", m[1], m[1])})
				break
			}
		}
	}
	return out
}

// extensionWarnings: an `x-` key that Defang does not know does nothing,
// which for a misspelt x-defang-postgres means an unmanaged database.
func extensionWarnings(svc types.ServiceConfig) []Diagnostic {
	var out []Diagnostic
	for _, k := range sortedKeys(svc.Extensions) {
		if strings.HasPrefix(k, "x-") && !supportedExtensions[k] {
			out = append(out, Diagnostic{Service: svc.Name, Field: k,
				Message: fmt.Sprintf("unknown extension %s is ignored; supported: %s, %s, %s, %s, %s, %s", k, extPostgres, extRedis, extMongo, extLLM, extAutoscaling, extPolicies)})
		}
	}
	return out
}

// ignoredFeatureWarnings lists compose settings that the clouds cannot
// honour and that change how the service behaves.
func ignoredFeatureWarnings(svc types.ServiceConfig) []Diagnostic {
	var out []Diagnostic
	add := func(set bool, field, msg string) {
		if set {
			out = append(out, Diagnostic{Service: svc.Name, Field: field, Message: msg})
		}
	}
	oneOff := "services run continuously and are restarted when they exit, so a one-off task (a migration, say) runs again and again"
	add(svc.Restart == types.RestartPolicyNo, "restart", `restart: "no" is not honoured: `+oneOff)
	add(svc.Deploy != nil && svc.Deploy.RestartPolicy != nil && svc.Deploy.RestartPolicy.Condition == "none",
		"deploy.restart_policy.condition", `condition "none" is not honoured: `+oneOff)
	add(len(svc.Expose) > 0, "expose", "expose is ignored: declare the ports with mode: host to make them reachable from other services")
	add(len(svc.Secrets) > 0, "secrets", "secrets are not supported and are ignored; read secrets from config through environment variables (`- NAME`)")
	add(len(svc.Configs) > 0, "configs", "configs are not supported and are ignored; bake files into the image")
	add(svc.Hostname != "", "hostname", fmt.Sprintf("hostname %q is ignored: other services reach this one by its service name (%s)", svc.Hostname, DNSLabel(svc.Name)))
	add(svc.NetworkMode != "", "network_mode", "network_mode is ignored: services share the project's private network")
	add(svc.Privileged, "privileged", "privileged containers are not supported; the container runs unprivileged")
	add(len(svc.CapAdd) > 0, "cap_add", "cap_add is ignored: cloud containers cannot gain kernel capabilities")
	add(len(svc.CapDrop) > 0, "cap_drop", "cap_drop is ignored: the container keeps the cloud's default capabilities")
	add(len(svc.ExtraHosts) > 0, "extra_hosts", "extra_hosts is ignored: host names resolve through DNS")
	add(len(svc.Tmpfs) > 0, "tmpfs", "tmpfs mounts are ignored")
	add(len(svc.Sysctls) > 0, "sysctls", "sysctls are ignored")
	add(svc.Pid != "", "pid", "pid is ignored")
	add(svc.Ipc != "", "ipc", "ipc is ignored")
	add(svc.ReadOnly, "read_only", "read_only is ignored: the root file system stays writable")
	add(svc.Deploy != nil && len(svc.Deploy.Placement.Constraints) > 0, "deploy.placement", "placement constraints are ignored")
	return out
}

// buildWarnings points out build settings that will not work as written.
func buildWarnings(service string, bc *types.BuildConfig, b *Build) []Diagnostic {
	var out []Diagnostic
	add := func(set bool, field, msg string) {
		if set {
			out = append(out, Diagnostic{Service: service, Field: field, Message: msg})
		}
	}
	if !isRemoteContext(b.Context) && bc.DockerfileInline == "" {
		if fi, err := os.Stat(b.Context); err == nil && fi.IsDir() {
			_, err := os.Stat(filepath.Join(b.Context, b.Dockerfile))
			add(err != nil, "build.dockerfile", fmt.Sprintf("the build context has no %s; the build will fail unless it is added", b.Dockerfile))
		}
	}
	add(len(bc.AdditionalContexts) > 0, "build.additional_contexts", "additional build contexts are not uploaded and are ignored")
	add(len(bc.Secrets) > 0, "build.secrets", "build secrets are not supported and are ignored")
	add(len(bc.SSH) > 0, "build.ssh", "build SSH agents are not supported and are ignored")
	return out
}

// projectWarnings covers top-level sections that are ignored. raw is the
// uninterpolated model (nil when unavailable): compose-go drops `version`
// from the loaded project, and only logs about it.
func projectWarnings(cp *types.Project, raw map[string]any) []Diagnostic {
	var out []Diagnostic
	if _, ok := raw["version"]; ok {
		out = append(out, Diagnostic{Field: "version", Message: "the attribute `version` is obsolete and ignored; remove it"})
	}
	if len(cp.Jobs) > 0 {
		out = append(out, Diagnostic{Field: "jobs", Message: fmt.Sprintf("jobs are not supported and are ignored (%s)", strings.Join(sortedKeys(cp.Jobs), ", "))})
	}
	return out
}

// ModeWarnings returns the warnings that depend on the deployment mode: in
// high_availability a service with one replica and no autoscaling is
// interrupted by every update and every zone failure. Managed stores and
// model providers are made highly available by the mode itself.
func ModeWarnings(p *Project, mode string) []Diagnostic {
	if p == nil {
		return nil
	}
	var out []Diagnostic
	for _, s := range p.Services {
		switch {
		case mode == "affordable" && s.GPUs > 0 && !s.IsManaged() && s.ProviderModel == "":
			out = append(out, Diagnostic{Service: s.Name, Field: "deploy.resources.reservations.devices",
				Message: "GPU containers have no outbound internet in affordable mode (no NAT gateway): a model that downloads its weights at start needs balanced or high_availability"})
		case mode == "high_availability" && !s.IsManaged() && s.ProviderModel == "" && !s.Autoscaling && s.Replicas == 1:
			out = append(out, Diagnostic{Service: s.Name, Field: "deploy.replicas",
				Message: "runs a single replica in high_availability mode, so updates and zone failures interrupt it; set deploy.replicas to 2 or more, or x-defang-autoscaling: true"})
		}
	}
	return out
}

// undeclaredNetworkWarnings: compose refuses a service network that the
// top-level `networks:` does not declare, Defang declares it implicitly (it
// loads without compose's consistency check); so do we, saying so.
func undeclaredNetworkWarnings(cp *types.Project) []Diagnostic {
	var out []Diagnostic
	for _, name := range cp.ServiceNames() {
		for _, net := range sortedKeys(cp.Services[name].Networks) {
			if _, ok := cp.Networks[net]; !ok {
				out = append(out, Diagnostic{Service: name, Field: "networks",
					Message: fmt.Sprintf("network %q is not declared in the top-level networks; it is declared implicitly", net)})
			}
		}
	}
	return out
}

// emptyProjectWarnings: a file with no services, or whose profiles disable
// them all, and no models deploys nothing (see Project.IsEmpty); that is allowed (an application being set up,
// or torn down by its profiles) but never silent.
func emptyProjectWarnings(cp *types.Project) []Diagnostic {
	if len(cp.Services) > 0 || len(cp.Models) > 0 {
		return nil
	}
	if disabled := sortedKeys(cp.DisabledServices); len(disabled) > 0 {
		return []Diagnostic{{Field: "services", Message: fmt.Sprintf("the enabled profiles disable every service (%s); nothing is deployed", strings.Join(disabled, ", "))}}
	}
	return []Diagnostic{{Field: "services", Message: "the compose application defines no services; nothing is deployed"}}
}
