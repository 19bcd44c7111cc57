package azure

import (
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// Compose values name services ("http://api:8080", "redis://cache:6379",
// "postgres://u:p@db:5432/x"). On Azure those addresses change in more
// than the host name:
//
//   - an app is reached by its Container App name (the service name,
//     shortened past 32 characters). Its TCP ports keep their numbers. Its
//     main HTTP port, when the app is external, is only served at
//     https://<app>.<environment domain> (port 443), so "http://web:8080"
//     becomes "https://web.<domain>" (and a bare "web:8080" becomes
//     "web.<domain>:443"); an internal HTTP app listens on its port as is;
//   - a managed Postgres is reached at its server's FQDN, and a
//     postgres:// or postgresql:// URL gets sslmode=require unless it sets
//     sslmode or ssl itself: Flexible Server refuses plain connections
//     (require_secure_transport is ON by default,
//     https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/how-to-connect-tls-ssl),
//     and its certificates chain to DigiCert Global Root G2, which the
//     common trust stores hold
//     (https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/concepts-networking-ssl-tls).
//     Other forms ("DB_HOST=db") get the FQDN only: their client's TLS
//     setting (PGSSLMODE=require for libpq) is the user's to make;
//   - Azure Managed Redis serves TLS only, on port 10000, with an access
//     key: "redis://cache:6379" becomes "rediss://:<key>@<host>:10000"
//     (the key makes the value a secret: it goes to Key Vault);
//   - an LLM gateway is the AI Foundry account's OpenAI endpoint:
//     "http://llm/api/v1/" becomes its https base URL.
//
// Values that depend on what Azure assigns (FQDNs, keys) are rewritten in
// two steps, as on AWS: at construction the address becomes text with
// placeholders (ref), and once the outputs resolve, refValues.resolve puts
// them in.

const (
	refPrefix = "\x00defang-ref:"
	refSuffix = "\x00"
)

// ref is the placeholder of a value known at deploy time. It cannot occur in
// a compose value (NUL bytes).
func ref(key string) string { return refPrefix + key + refSuffix }

// hasRefs reports whether a value holds placeholders.
func hasRefs(value string) bool { return strings.Contains(value, refPrefix) }

// refValues holds the deploy-time values that placeholders stand for:
// plain ones (FQDNs) and secret ones (keys), apart, so that a value that
// uses no secret does not become one.
type refValues struct {
	plain   pulumi.StringMap
	secrets pulumi.StringMap
}

func newRefValues() *refValues {
	return &refValues{plain: pulumi.StringMap{}, secrets: pulumi.StringMap{}}
}

func (r *refValues) set(key string, value pulumi.StringOutput, secret bool) {
	if secret {
		r.secrets[key] = pulumi.ToSecret(value).(pulumi.StringOutput)
		return
	}
	r.plain[key] = value
}

// usesSecret reports whether value holds a placeholder of a secret.
func (r *refValues) usesSecret(value string) bool {
	for key := range r.secrets {
		if strings.Contains(value, ref(key)) {
			return true
		}
	}
	return false
}

// all is every known value, secret when any secret is known.
func (r *refValues) all() pulumi.StringMapOutput {
	return pulumi.All(r.plain.ToStringMapOutput(), r.secrets.ToStringMapOutput()).ApplyT(func(v []any) map[string]string {
		out := map[string]string{}
		for _, m := range v {
			for k, val := range m.(map[string]string) {
				out[k] = val
			}
		}
		return out
	}).(pulumi.StringMapOutput)
}

// substitute replaces every placeholder in value.
func substitute(value string, values map[string]string) string {
	for {
		start := strings.Index(value, refPrefix)
		if start < 0 {
			return value
		}
		end := strings.Index(value[start+len(refPrefix):], refSuffix)
		if end < 0 {
			return value
		}
		end += start + len(refPrefix)
		key := value[start+len(refPrefix) : end]
		value = value[:start] + values[key] + value[end+len(refSuffix):]
	}
}

// resolvePlain returns values (which use no secret placeholder) with their
// placeholders replaced, once the outputs are known.
func (r *refValues) resolvePlain(values map[string]string) pulumi.StringMapOutput {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return r.plain.ToStringMapOutput().ApplyT(func(known map[string]string) map[string]string {
		out := map[string]string{}
		for _, k := range keys {
			out[k] = substitute(values[k], known)
		}
		return out
	}).(pulumi.StringMapOutput)
}

// resolveSecret is one value with its placeholders replaced, secret.
func (r *refValues) resolveSecret(value string) pulumi.StringOutput {
	return pulumi.ToSecret(r.all().ApplyT(func(known map[string]string) string {
		return substitute(value, known)
	})).(pulumi.StringOutput)
}

// appAddress is how the project's apps reach one Container App.
type appAddress struct {
	appName string
	// httpPort is the main ingress port when it is served over HTTP(S),
	// 0 otherwise; external says the main ingress is public.
	httpPort int
	external bool
}

// addressBook maps the services that values may name to their Azure
// addresses.
type addressBook struct {
	apps     map[string]appAddress
	postgres map[string]bool
	redis    map[string]bool
	// gateways maps an LLM provider service to its OpenAI base URL.
	gateways map[string]string
}

func newAddressBook() *addressBook {
	return &addressBook{apps: map[string]appAddress{}, postgres: map[string]bool{}, redis: map[string]bool{},
		gateways: map[string]string{}}
}

func (b *addressBook) has(name string) bool {
	_, app := b.apps[name]
	_, gw := b.gateways[name]
	return app || gw || b.postgres[name] || b.redis[name]
}

// environmentDomainRef stands for the Container Apps environment's default
// domain; storeHostRef and redisAuthRef for a store's host and Redis key.
const environmentDomainRef = "environment.domain"

func storeHostRef(service string) string { return service + ".host" }
func redisAuthRef(service string) string { return service + ".auth" }

// rewrite is the address of one reference (see the comment at the top).
func (b *addressBook) rewrite(a compose.ServiceAddr) compose.AddrRewrite {
	withPort := func(host, port string) string {
		if port == "" {
			return host
		}
		return host + ":" + port
	}
	switch {
	case b.postgres[a.Name]:
		rw := compose.AddrRewrite{HostPort: withPort(ref(storeHostRef(a.Name)), a.Port)}
		if compose.IsPostgresScheme(a.Scheme) {
			rw.Rest = compose.RequirePostgresTLS
		}
		return rw
	case b.redis[a.Name]:
		rw := compose.AddrRewrite{HostPort: ref(storeHostRef(a.Name))}
		if a.Port != "" || a.Scheme != "" {
			rw.HostPort += ":" + strconv.Itoa(RedisPort)
		}
		if a.Scheme == "redis" || a.Scheme == "rediss" {
			rw.Scheme, rw.Userinfo = "rediss", ref(redisAuthRef(a.Name))
		}
		return rw
	case b.gateways[a.Name] != "":
		host := strings.TrimSuffix(strings.TrimPrefix(b.gateways[a.Name], "https://"), "/openai/v1/")
		if a.Scheme == "" {
			return compose.AddrRewrite{HostPort: host + ":443"}
		}
		return compose.AddrRewrite{HostPort: host, Scheme: "https"}
	}
	app := b.apps[a.Name]
	if app.external && app.httpPort != 0 && (a.Port == "" || a.Port == strconv.Itoa(app.httpPort)) {
		fqdn := app.appName + "." + ref(environmentDomainRef)
		switch a.Scheme {
		case "":
			return compose.AddrRewrite{HostPort: fqdn + ":443"}
		case "http", "ws":
			return compose.AddrRewrite{HostPort: fqdn, Scheme: a.Scheme + "s"}
		}
		return compose.AddrRewrite{HostPort: fqdn}
	}
	return compose.AddrRewrite{HostPort: withPort(app.appName, a.Port)}
}

// rewriteValue applies rewrite to a value and mends a gateway URL's path
// ("http://llm/api/v1/" names the compose gateway's path; Azure's OpenAI
// API lives under /openai/v1/).
func (b *addressBook) rewriteValue(value string) string {
	out := compose.RewriteServiceAddrs(value, b.has, b.rewrite)
	for _, base := range b.gateways {
		host := strings.TrimSuffix(base, "openai/v1/")
		out = strings.ReplaceAll(out, host+"api/v1", host+"openai/v1")
	}
	return out
}
