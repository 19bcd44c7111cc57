package compose

import (
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/types"
)

// resolveEnvFiles merges a service's env_file entries into its environment
// the way compose does (explicit environment entries win, `- KEY` reads KEY
// from the project variables), except that a missing required env_file is
// reported as a diagnostic instead of aborting the load. The compose service
// is not modified.
func resolveEnvFiles(svc types.ServiceConfig, projectEnv map[string]string) (types.MappingWithEquals, []Diagnostic) {
	explicit := types.MappingWithEquals{}
	for k, v := range svc.Environment {
		explicit[k] = v
	}
	explicit = explicit.Resolve(func(k string) (string, bool) {
		v, ok := projectEnv[k]
		return v, ok
	})

	var errs []Diagnostic
	environment := explicit.ToMapping()
	for i, ef := range svc.EnvFiles {
		field := fmt.Sprintf("env_file[%d]", i)
		fi, err := os.Stat(ef.Path)
		if err != nil {
			if bool(ef.Required) {
				errs = append(errs, Diagnostic{Service: svc.Name, Field: field,
					Message: fmt.Sprintf("env file %s not found; create it or mark it required: false", ef.Path)})
			}
			continue
		}
		if fi.IsDir() {
			errs = append(errs, Diagnostic{Service: svc.Name, Field: field, Message: fmt.Sprintf("env file %s is a directory", ef.Path)})
			continue
		}
		if err := parseEnvFile(ef, environment, projectEnv, explicit); err != nil {
			errs = append(errs, Diagnostic{Service: svc.Name, Field: field, Message: fmt.Sprintf("reading env file %s: %v", ef.Path, err)})
		}
	}
	return environment.ToMappingWithEquals().OverrideBy(explicit), errs
}

// parseEnvFile reads one env file into vars. `${X}` inside it resolves from
// the project variables first, then the service's explicit environment, as
// in compose.
func parseEnvFile(ef types.EnvFile, vars types.Mapping, projectEnv map[string]string, explicit types.MappingWithEquals) error {
	f, err := os.Open(ef.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	return dotenv.ParseWithFormat(f, ef.Path, vars, func(k string) (string, bool) {
		if v, ok := projectEnv[k]; ok {
			return v, true
		}
		if v, ok := explicit[k]; ok && v != nil {
			return *v, true
		}
		return "", false
	}, ef.Format)
}

// rawEnvironment returns the uninterpolated string values of a service's
// `environment:` from the raw model: the templates compose-go interpolated.
// Nulls and non-string values (numbers, booleans) are left out: they hold no
// template.
func rawEnvironment(raw map[string]any, service string) map[string]string {
	services, _ := raw["services"].(map[string]any)
	svc, _ := services[service].(map[string]any)
	out := map[string]string{}
	switch env := svc["environment"].(type) {
	case map[string]any:
		for k, v := range env {
			if s, ok := v.(string); ok {
				out[k] = s
			}
		}
	case []any:
		for _, e := range env {
			s, ok := e.(string)
			if !ok {
				continue
			}
			if k, v, ok := strings.Cut(s, "="); ok {
				out[k] = v
			}
		}
	}
	return out
}

// serviceEnvironment builds the environment of a service, sorted by name.
//
//   - A null value (`KEY:` or `- KEY`) that no variable resolved reads the
//     config value KEY: Value "${KEY}", ConfigRefs [KEY].
//   - A value whose template refers to variables that are not set keeps
//     those `${NAME}` references and lists them in ConfigRefs; references
//     with a default (`${X:-d}`) keep compose's semantics.
//   - Anything else is the literal value compose-go computed.
func serviceEnvironment(resolved types.MappingWithEquals, raw map[string]string, lookup lookupFunc) []EnvVar {
	var out []EnvVar
	for _, name := range sortedKeys(resolved) {
		out = append(out, envVar(name, resolved[name], raw[name], lookup))
	}
	return out
}

// envVar converts one environment entry; tmpl is its raw template ("" when
// the raw model has none).
func envVar(name string, value *string, tmpl string, lookup lookupFunc) EnvVar {
	if value == nil {
		return EnvVar{Name: name, Value: "${" + name + "}", ConfigRefs: []string{name}}
	}
	e := EnvVar{Name: name, Value: *value}
	if !strings.Contains(tmpl, "$") {
		return e
	}
	kept, err := interpolate(tmpl, lookup, true)
	if err != nil || len(kept.Missing) == 0 {
		return e
	}
	// Only trust the template if, with blanks for the missing variables, it
	// gives exactly what compose-go computed; otherwise the value came from
	// somewhere else (an env_file, an override) and stays literal.
	if blank, err := interpolate(tmpl, lookup, false); err != nil || blank.Value != *value {
		return e
	}
	e.Value = kept.Value
	e.ConfigRefs = append([]string{}, kept.Missing...)
	sort.Strings(e.ConfigRefs)
	return e
}

// configNames is the sorted union of every service's config references.
func configNames(services []*Service) []string {
	set := map[string]bool{}
	for _, s := range services {
		for _, e := range s.Environment {
			for _, r := range e.ConfigRefs {
				set[r] = true
			}
		}
	}
	names := sortedKeys(set)
	if len(names) == 0 {
		return nil
	}
	return names
}

// missingConfigErrors reports, when the user's config names are checked,
// one error per environment variable that reads a config value they did not
// supply, and a last one listing every missing name at once.
// CheckConfig reports, as Errors naming each service and environment key,
// every config value the application reads that is not in supplied. Load
// runs it when LoadOptions.CheckConfig is set; a caller that learns the
// supplied names only later (a Project whose config is a secret Output) runs
// it then.
func CheckConfig(p *Project, supplied []string) error {
	if diags := missingConfigErrors(p.Services, supplied); len(diags) > 0 {
		return Errors(diags)
	}
	return nil
}

func missingConfigErrors(services []*Service, supplied []string) []Diagnostic {
	have := map[string]bool{}
	for _, n := range supplied {
		have[n] = true
	}
	var out []Diagnostic
	missingAll := map[string]bool{}
	for _, s := range services {
		for _, e := range s.Environment {
			var missing []string
			for _, r := range e.ConfigRefs {
				if !have[r] {
					missing = append(missing, r)
					missingAll[r] = true
				}
			}
			if len(missing) == 0 {
				continue
			}
			out = append(out, Diagnostic{Service: s.Name, Field: "environment." + e.Name, Message: missingConfigMessage(missing)})
		}
	}
	if len(missingAll) > 1 {
		names := sortedKeys(missingAll)
		out = append(out, Diagnostic{Field: "config", Message: fmt.Sprintf("%d config values are not set: %s", len(names), strings.Join(names, ", "))})
	}
	return out
}

func missingConfigMessage(names []string) string {
	if len(names) == 1 {
		return fmt.Sprintf("config value %q is not set; pass it in the Project's config input (pulumi config set --secret %s ...)", names[0], names[0])
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return fmt.Sprintf("config values %s are not set; pass them in the Project's config input (pulumi config set --secret NAME ...)", strings.Join(quoted, ", "))
}

// linkServiceRefs fills EnvVar.ServiceRefs: the other services that each
// value points at and that can be reached, those with ports and model
// provider services (served by the LLM gateway).
func linkServiceRefs(services []*Service) {
	reachable := map[string]bool{}
	for _, s := range services {
		if len(s.Ports) > 0 || s.ProviderModel != "" {
			reachable[s.Name] = true
		}
	}
	for _, s := range services {
		self := s.Name
		isTarget := func(name string) bool { return name != self && reachable[name] }
		for i := range s.Environment {
			set := map[string]bool{}
			for _, r := range findServiceRefs(s.Environment[i].Value, isTarget) {
				set[r.name] = true
			}
			if len(set) > 0 {
				s.Environment[i].ServiceRefs = sortedKeys(set)
			}
		}
	}
}

// RewriteServiceRefs replaces the service names that value points at by
// hosts[name], in exactly the forms ServiceRefs detects: the whole value
// ("db"), the host of a URL ("postgres://u:p@db:5432/x",
// "mongodb://a:1,b:2/x") and "name:port" ("cache:6379"). A name inside a
// longer word ("app" in "myapp" or "app_name") never changes.
func RewriteServiceRefs(value string, hosts map[string]string) string {
	refs := findServiceRefs(value, func(name string) bool {
		_, ok := hosts[name]
		return ok
	})
	for i := len(refs) - 1; i >= 0; i-- {
		r := refs[i]
		value = value[:r.start] + hosts[r.name] + value[r.end:]
	}
	return value
}

// serviceRef is one occurrence of a service name in a value. In a URL,
// schemeStart and authStart locate its scheme and what follows "://" (both
// -1 outside a URL), and first says the name is the URL's first host.
type serviceRef struct {
	start, end  int
	name        string
	schemeStart int
	authStart   int
	first       bool
}

// ServiceAddr is one reference to a service in a value, with what
// surrounds it, for clouds whose addresses differ from compose's in more
// than the host name (another port, a TLS scheme, credentials).
type ServiceAddr struct {
	Name string
	// Port is the digits after "name:", "" when none.
	Port string
	// Scheme is the scheme of the URL the name is a host of ("" outside a
	// URL); HasUserinfo says that URL has a "user[:password]@" part.
	Scheme      string
	HasUserinfo bool
	// FirstHost says the name is the URL's first (or only) host: a scheme
	// or userinfo change applies there only.
	FirstHost bool
}

// AddrRewrite says what replaces a ServiceAddr: HostPort replaces
// "name[:port]"; for the first host of a URL, a non-empty Scheme replaces
// the scheme, a non-empty Userinfo is inserted when the URL has none, and a
// non-nil Rest rewrites what follows the new host and port (more hosts, the
// path, the query and the rest of the value), e.g. WithQueryOptions.
type AddrRewrite struct {
	HostPort string
	Scheme   string
	Userinfo string
	Rest     func(rest string) string
}

// RewriteServiceAddrs rewrites every reference to a service that isService
// accepts, in the forms RewriteServiceRefs knows, as rewrite decides.
func RewriteServiceAddrs(value string, isService func(string) bool, rewrite func(ServiceAddr) AddrRewrite) string {
	refs := findServiceRefs(value, isService)
	for i := len(refs) - 1; i >= 0; i-- {
		r := refs[i]
		end := r.end
		addr := ServiceAddr{Name: r.name, FirstHost: r.first}
		if end+1 < len(value) && value[end] == ':' && isDigit(value[end+1]) {
			end++
			for end < len(value) && isDigit(value[end]) {
				end++
			}
			addr.Port = value[r.end+1 : end]
		}
		if r.schemeStart >= 0 {
			addr.Scheme = value[r.schemeStart : r.authStart-3]
			addr.HasUserinfo = r.start > r.authStart
		}
		rw := rewrite(addr)
		value = value[:r.start] + rw.HostPort + value[end:]
		if r.schemeStart < 0 || !r.first {
			continue
		}
		if rw.Rest != nil {
			at := r.start + len(rw.HostPort)
			value = value[:at] + rw.Rest(value[at:])
		}
		if rw.Userinfo != "" && !addr.HasUserinfo {
			value = value[:r.authStart] + rw.Userinfo + "@" + value[r.authStart:]
		}
		if rw.Scheme != "" {
			value = value[:r.schemeStart] + rw.Scheme + value[r.authStart-3:]
		}
	}
	return value
}

// isHostChar reports the characters a host name (or a compose service
// name) is made of; a reference must not touch one on either side.
func isHostChar(c byte) bool {
	return c == '-' || c == '_' || c == '.' ||
		(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isSchemeChar reports the characters of a URL scheme (RFC 3986).
func isSchemeChar(c byte) bool {
	return c == '+' || c == '-' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c)
}

// findServiceRefs finds the occurrences of service names in value, sorted
// by position and never overlapping.
func findServiceRefs(value string, isService func(string) bool) []serviceRef {
	if value == "" {
		return nil
	}
	if isService(value) {
		return []serviceRef{{start: 0, end: len(value), name: value, schemeStart: -1, authStart: -1}}
	}
	found := map[int]serviceRef{}

	// URL hosts: scheme://[userinfo@]host[:port][,host[:port]...][/path]
	for from := 0; ; {
		i := strings.Index(value[from:], "://")
		if i < 0 {
			break
		}
		authStart := from + i + 3
		authEnd := authStart
		for authEnd < len(value) && !strings.ContainsRune("/?# \t\n\"'<>", rune(value[authEnd])) {
			authEnd++
		}
		hostsStart := authStart
		if at := strings.LastIndex(value[authStart:authEnd], "@"); at >= 0 {
			hostsStart = authStart + at + 1
		}
		schemeStart := from + i
		for schemeStart > 0 && isSchemeChar(value[schemeStart-1]) {
			schemeStart--
		}
		pos := hostsStart
		for _, hp := range strings.Split(value[hostsStart:authEnd], ",") {
			host := hp
			if c := strings.IndexByte(hp, ':'); c >= 0 {
				host = hp[:c]
			}
			if host != "" && isService(host) {
				found[pos] = serviceRef{start: pos, end: pos + len(host), name: host,
					schemeStart: schemeStart, authStart: authStart, first: pos == hostsStart}
			}
			pos += len(hp) + 1
		}
		from = authEnd
		if from >= len(value) {
			break
		}
	}

	// name:port, where name stands on its own: at the start or after a
	// separator, but not after ':', '/' or '@', which make it part of a URL
	// (handled above) or of a path.
	for start := 0; start < len(value); {
		if !isHostChar(value[start]) {
			start++
			continue
		}
		end := start
		for end < len(value) && isHostChar(value[end]) {
			end++
		}
		name := value[start:end]
		before := byte(0)
		if start > 0 {
			before = value[start-1]
		}
		if before != ':' && before != '/' && before != '@' &&
			end+1 < len(value) && value[end] == ':' && isDigit(value[end+1]) && isService(name) {
			digits := end + 1
			for digits < len(value) && isDigit(value[digits]) {
				digits++
			}
			if digits == len(value) || (!isHostChar(value[digits]) && value[digits] != ':') {
				found[start] = serviceRef{start: start, end: end, name: name, schemeStart: -1, authStart: -1}
			}
		}
		start = end
	}

	refs := make([]serviceRef, 0, len(found))
	for _, r := range found {
		refs = append(refs, r)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].start < refs[j].start })
	return refs
}

// urlEnd is where the URL that starts a value's rest ends: at whitespace or
// a quote, as in "a=postgres://db/x b=...".
func urlEnd(rest string) int {
	if end := strings.IndexAny(rest, " \t\n\"'"); end >= 0 {
		return end
	}
	return len(rest)
}

// queryKeys are the lowercased keys of the query of the URL that starts
// rest.
func queryKeys(rest string) map[string]bool {
	keys := map[string]bool{}
	url := rest[:urlEnd(rest)]
	if q := strings.Index(url, "?"); q >= 0 {
		for _, kv := range strings.Split(url[q+1:], "&") {
			k, _, _ := strings.Cut(kv, "=")
			keys[strings.ToLower(k)] = true
		}
	}
	return keys
}

// WithQueryOptions adds options ("key=value") to the query of the URL whose
// first host ended just before rest ("[:port][,host...][/path][?query]",
// then whatever follows the URL in the value): after the options it already
// has, in the given order, leaving out those whose key the URL sets
// already (keys compare case-insensitively), so that a user's choice wins.
// It adds no path: a scheme that needs "/" before the query adds it first.
func WithQueryOptions(rest string, options ...string) string {
	end := urlEnd(rest)
	url, tail := rest[:end], rest[end:]
	have := queryKeys(rest)
	var add []string
	for _, o := range options {
		k, _, _ := strings.Cut(o, "=")
		if !have[strings.ToLower(k)] {
			add = append(add, o)
		}
	}
	if len(add) == 0 {
		return rest
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
		if strings.HasSuffix(url, "?") || strings.HasSuffix(url, "&") {
			sep = ""
		}
	}
	return url + sep + strings.Join(add, "&") + tail
}

// WithPath adds "/" to the URL whose first host ended just before rest when
// it has no path, before its query if any: MongoDB's connection string
// needs it there ("mongodb://host:27017/?tls=true").
func WithPath(rest string) string {
	end := urlEnd(rest)
	url := rest[:end]
	if strings.Contains(url, "/") {
		return rest
	}
	if q := strings.Index(url, "?"); q >= 0 {
		return url[:q] + "/" + rest[q:]
	}
	return url + "/" + rest[end:]
}

// IsPostgresScheme reports the URL schemes of PostgreSQL clients (libpq's
// postgresql:// and postgres://).
func IsPostgresScheme(scheme string) bool {
	s := strings.ToLower(scheme)
	return s == "postgres" || s == "postgresql"
}

// RequirePostgresTLS adds sslmode=require to the PostgreSQL URL whose first
// host ended just before rest (see WithQueryOptions), unless the URL
// chooses for itself: with sslmode (disable included), or with ssl, which
// libpq reads as sslmode=require ("ssl=true", for JDBC URLs' sake:
// https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS).
// Managed PostgreSQL refuses plain connections on both clouds: RDS for
// PostgreSQL 15 and later defaults rds.force_ssl to 1
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html),
// and Azure Flexible Server enforces TLS with require_secure_transport=ON
// by default (https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/how-to-connect-tls-ssl).
// "require" encrypts without checking the server's certificate against a CA
// the image may not have (RDS's CAs are Amazon's own); a user who ships the
// CA sets verify-full.
func RequirePostgresTLS(rest string) string {
	if queryKeys(rest)["ssl"] {
		return rest
	}
	return WithQueryOptions(rest, "sslmode=require")
}

// DocumentDBCABundle is the file that a managed MongoDB's URLs name in
// tlsCAFile: Amazon's CA bundle, under the name AWS's examples give it
// (https://docs.aws.amazon.com/documentdb/latest/developerguide/connect_programmatically.html).
// DocumentDB's certificates chain to Amazon's own CAs, which no image trusts
// by default, so the client needs the bundle to verify them.
const DocumentDBCABundle = "global-bundle.pem"

// documentDBCABundleURL is where AWS publishes the bundle.
const documentDBCABundleURL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"

// mongoCABundleWarnings: a mongodb:// URL that names a managed MongoDB is
// deployed with tlsCAFile=global-bundle.pem (provider/aws/store_refs.go), a
// path relative to the container's working directory that no image has
// unless its author put it there. Nothing can ship it for them (the
// bundle's content is AWS's to publish, and the image is theirs), so each
// such URL is a warning that names the service, the variable and the path
// the image must contain. A URL that sets its own tlsCAFile has made its
// choice. x-defang-mongodb deploys on AWS only (Azure refuses it), so the
// warning speaks of DocumentDB.
func mongoCABundleWarnings(services []*Service) []Diagnostic {
	mongo := map[string]bool{}
	for _, s := range services {
		if s.Mongo != nil {
			mongo[s.Name] = true
		}
	}
	if len(mongo) == 0 {
		return nil
	}
	var out []Diagnostic
	for _, s := range services {
		if s.IsManaged() || s.ProviderModel != "" {
			continue
		}
		where := DocumentDBCABundle + " in the image's working directory (its WORKDIR)"
		if s.WorkingDir != "" {
			where = path.Join(s.WorkingDir, DocumentDBCABundle)
		}
		for _, e := range s.Environment {
			for _, r := range findServiceRefs(e.Value, func(n string) bool { return mongo[n] && n != s.Name }) {
				if r.schemeStart < 0 || !r.first || !strings.EqualFold(e.Value[r.schemeStart:r.authStart-3], "mongodb") ||
					queryKeys(e.Value[r.end:])["tlscafile"] {
					continue
				}
				out = append(out, Diagnostic{Service: s.Name, Field: "environment." + e.Name, Message: fmt.Sprintf(
					"names the managed MongoDB %q, whose DocumentDB URL gets tlsCAFile=%s: the image must contain Amazon's CA bundle (%s) at %s, or the URL must set tlsCAFile to where the image keeps it",
					r.name, DocumentDBCABundle, documentDBCABundleURL, where)})
				break
			}
		}
	}
	return out
}
