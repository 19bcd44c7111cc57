package aws

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// Environment values that name a managed store (`db`, `postgres://u:p@db:5432/x`,
// `redis://cache:6379`) must reach the store's endpoint, which AWS assigns
// (RDS, ElastiCache and DocumentDB endpoints carry a random part) and which is
// therefore only known at deploy time. The rewrite happens in two steps: at
// construction the service name becomes a placeholder (storeHost), and once
// the endpoints resolve, resolveStoreRefs puts the endpoint in its place and
// adjusts the connection for what the store requires:
//
//   - Redis: ElastiCache serves TLS only (transit encryption), so a
//     `redis://` URL becomes `rediss://`. The endpoint itself is used, not an
//     alias, because clients check the certificate against the host name.
//   - MongoDB: DocumentDB always authenticates and, with its default cluster
//     parameter group, requires TLS. A `mongodb://` URL gets the master user
//     and password, and the options AWS documents for a TLS-enabled cluster
//     (documentDBOptions). The password makes the value a secret: it reaches
//     the container from an SSM SecureString parameter of its own, never as
//     plain text (storeSecret). The URL names Amazon's CA bundle as
//     global-bundle.pem, which the image must contain; compose warns about
//     it (mongoCABundleWarnings).
//   - Postgres: RDS for PostgreSQL 15 and later refuses plain connections
//     (rds.force_ssl defaults to 1,
//     https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html);
//     a `postgres://` or `postgresql://` URL gets sslmode=require unless it
//     chooses its own (compose.RequirePostgresTLS).
//
// Other forms (`DB_HOST=db`, `MONGO_HOST=mongo`, `cache:6379`) get the
// endpoint only: the client builds its connection from more variables, and
// its TLS and credentials are the application's to set.

// storeKind is the engine behind a managed store.
type storeKind string

const (
	storePostgres storeKind = "postgres"
	storeRedis    storeKind = "redis"
	storeMongo    storeKind = "mongodb"
)

const (
	storeHostPrefix = "\x00defang-store:"
	storeHostSuffix = "\x00"
)

// storeHost is the placeholder that stands for a store's endpoint until it
// is known. It cannot occur in a compose value (NUL bytes).
func storeHost(service string) string { return storeHostPrefix + service + storeHostSuffix }

// hasStoreRefs reports whether a value still holds a placeholder.
func hasStoreRefs(value string) bool { return strings.Contains(value, storeHostPrefix) }

// documentDBOptions are the connection string options AWS documents for a
// DocumentDB cluster with TLS enabled: TLS with Amazon's CA bundle, the
// replica set (every cluster's is rs0) read from secondaries, and no
// retryable writes, which DocumentDB does not support
// (https://docs.aws.amazon.com/documentdb/latest/developerguide/connect_programmatically.html,
// https://docs.aws.amazon.com/documentdb/latest/developerguide/functional-differences.html#functional-differences.retryable-writes).
// authSource=admin because DocumentDB keeps users in, and authenticates
// them against, the admin database
// (https://docs.aws.amazon.com/documentdb/latest/developerguide/role_based_access_control.html),
// while a driver would otherwise authenticate against the URL's database.
var documentDBOptions = []string{"tls=true", "tlsCAFile=" + compose.DocumentDBCABundle, "replicaSet=rs0",
	"readPreference=secondaryPreferred", "retryWrites=false", "authSource=admin"}

// resolvedStores are a project's stores once their outputs are known.
type resolvedStores struct {
	kinds     map[string]storeKind
	endpoints map[string]string
	// credentials holds each DocumentDB's master user ("<service>/user")
	// and password ("<service>/password"); nil for values that must stay
	// plain.
	credentials map[string]string
}

// resolveStoreRefs replaces every placeholder in value by the endpoint of its
// store and adjusts the URL around it (see above).
func resolveStoreRefs(value string, st resolvedStores) string {
	for {
		start := strings.Index(value, storeHostPrefix)
		if start < 0 {
			return value
		}
		end := strings.Index(value[start+len(storeHostPrefix):], storeHostSuffix)
		if end < 0 {
			return value
		}
		end += start + len(storeHostPrefix)
		service := value[start+len(storeHostPrefix) : end]
		before, after := value[:start], value[end+len(storeHostSuffix):]
		scheme := schemeBefore(before)
		switch kind := st.kinds[service]; {
		case kind == storeRedis && scheme == "redis":
			before = before[:len(before)-len(hostPrefixAfterScheme(before))-len("redis://")] + "rediss://" + hostPrefixAfterScheme(before)
		case kind == storeMongo && scheme == "mongodb":
			user, password := st.credentials[service+"/user"], st.credentials[service+"/password"]
			if user != "" && password != "" {
				before = withMasterCredentials(before, user, password)
			}
			after = compose.WithQueryOptions(compose.WithPath(after), documentDBOptions...)
		case kind == storePostgres && compose.IsPostgresScheme(scheme):
			after = compose.RequirePostgresTLS(after)
		}
		value = before + st.endpoints[service] + after
	}
}

// withMasterCredentials puts the master user and password into the URL
// whose first host starts right after prefix ("...mongodb://[userinfo@]"):
// where the URL has no userinfo, and where its user is the master user (on
// a DocumentDB cluster that user has the master password only, whatever
// the URL said). A URL that names another user keeps its userinfo as
// written: that user is one the application creates on the cluster. Both
// are percent-encoded, as the connection string format requires for
// anything but unreserved characters
// (https://www.mongodb.com/docs/manual/reference/connection-string/).
func withMasterCredentials(prefix, user, password string) string {
	auth := hostPrefixAfterScheme(prefix)
	head := prefix[:len(prefix)-len(auth)]
	master := percentEncode(user) + ":" + percentEncode(password) + "@"
	if auth == "" {
		return head + master
	}
	at := strings.LastIndex(auth, "@")
	if at < 0 || at != len(auth)-1 {
		return prefix // not the URL's first host
	}
	name, _, _ := strings.Cut(auth[:at], ":")
	if decoded, err := url.PathUnescape(name); err == nil && decoded == user {
		return head + master
	}
	return prefix
}

// percentEncode escapes every byte but RFC 3986's unreserved characters,
// which every URL parser reads back as they were.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isLetter(rune(c)) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// storeSecret reports whether a value must be a secret because of the
// stores it names: a mongodb:// URL of a store gets the master password.
// The value is known at construction; which store it names is not looked
// at, since only a DocumentDB has a mongodb:// address.
func storeSecret(value string) bool {
	for rest, offset := value, 0; ; {
		i := strings.Index(rest, storeHostPrefix)
		if i < 0 {
			return false
		}
		if schemeBefore(value[:offset+i]) == "mongodb" {
			return true
		}
		offset += i + len(storeHostPrefix)
		rest = value[offset:]
	}
}

// schemeBefore returns the scheme of the URL whose host starts right after
// prefix ("redis" for "URL=redis://user@"), or "" when prefix does not end
// in a URL's scheme and optional userinfo.
func schemeBefore(prefix string) string {
	i := strings.LastIndex(prefix, "://")
	if i < 0 || strings.ContainsAny(prefix[i+len("://"):], "/ ") {
		return ""
	}
	start := i
	for start > 0 && isSchemeChar(prefix[start-1]) {
		start--
	}
	return strings.ToLower(prefix[start:i])
}

// hostPrefixAfterScheme is what lies between "://" and the host (userinfo).
func hostPrefixAfterScheme(prefix string) string {
	return prefix[strings.LastIndex(prefix, "://")+len("://"):]
}

func isSchemeChar(c byte) bool {
	return c == '+' || c == '-' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// storeRefs holds the endpoints of a project's managed stores, and the
// DocumentDB master credentials, for values that name them.
type storeRefs struct {
	kinds     map[string]storeKind
	endpoints pulumi.StringMap
	// credentials are secret: only secret values (render) read them.
	credentials pulumi.StringMap
}

func newStoreRefs() *storeRefs {
	return &storeRefs{kinds: map[string]storeKind{}, endpoints: pulumi.StringMap{}, credentials: pulumi.StringMap{}}
}

func (r *storeRefs) add(service string, kind storeKind, endpoint pulumi.StringOutput) {
	r.kinds[service] = kind
	r.endpoints[service] = endpoint
}

// addCredentials records a DocumentDB's master credentials.
func (r *storeRefs) addCredentials(service string, docs *ManagedMongo) {
	r.credentials[service+"/user"] = docs.masterUsername
	r.credentials[service+"/password"] = pulumi.ToSecret(docs.masterPassword).(pulumi.StringOutput)
}

// resolve returns the values with every placeholder replaced, once the
// endpoints are known. The values stay plain: they get no credentials.
func (r *storeRefs) resolve(values map[string]string) pulumi.StringMapOutput {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return r.endpoints.ToStringMapOutput().ApplyT(func(endpoints map[string]string) map[string]string {
		out := map[string]string{}
		for _, k := range keys {
			out[k] = resolveStoreRefs(values[k], resolvedStores{kinds: r.kinds, endpoints: endpoints})
		}
		return out
	}).(pulumi.StringMapOutput)
}

// resolveSecret is value with every placeholder replaced, credentials
// included, as a secret; value is computed from the config values once
// they are known.
func (r *storeRefs) resolveSecret(config pulumi.StringMapOutput, value func(config map[string]string) string) pulumi.StringOutput {
	return pulumi.ToSecret(pulumi.All(config, r.endpoints, r.credentials).ApplyT(func(v []any) string {
		st := resolvedStores{kinds: r.kinds, endpoints: v[1].(map[string]string), credentials: v[2].(map[string]string)}
		return resolveStoreRefs(value(v[0].(map[string]string)), st)
	})).(pulumi.StringOutput)
}
