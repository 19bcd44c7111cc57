package aws

import (
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Environment values that name a managed store (`db`, `postgres://u:p@db:5432/x`,
// `redis://cache:6379`) must reach the store's endpoint, which AWS assigns
// (RDS, ElastiCache and DocumentDB endpoints carry a random part) and which is
// therefore only known at deploy time. The rewrite happens in two steps: at
// construction the service name becomes a placeholder (storeHost), and once
// the endpoints resolve, resolveStoreRefs puts the endpoint in its place and
// adjusts the connection for the store's TLS:
//
//   - Redis: ElastiCache serves TLS only (transit encryption), so a
//     `redis://` URL becomes `rediss://`. The endpoint itself is used, not an
//     alias, because clients check the certificate against the host name.
//   - MongoDB: DocumentDB needs TLS, its replica set name and no retryable
//     writes; a `mongodb://` URL gets AWS's documented options
//     tls=true&tlsCAFile=global-bundle.pem&replicaSet=rs0&
//     readPreference=secondaryPreferred&retryWrites=false (the image must
//     ship Amazon's CA bundle as global-bundle.pem, as AWS documents).
//   - Postgres: the endpoint replaces the name; RDS accepts TLS (sslmode)
//     and plain connections alike.

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

// documentDBOptions are the connection options DocumentDB needs.
var documentDBOptions = []string{"tls=true", "tlsCAFile=global-bundle.pem", "replicaSet=rs0",
	"readPreference=secondaryPreferred", "retryWrites=false"}

// resolveStoreRefs replaces every placeholder in value by the endpoint of its
// store and adjusts the URL around it for the store's TLS (see above).
func resolveStoreRefs(value string, endpoints map[string]string, kinds map[string]storeKind) string {
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
		switch {
		case kinds[service] == storeRedis && scheme == "redis":
			before = before[:len(before)-len(hostPrefixAfterScheme(before))-len("redis://")] + "rediss://" + hostPrefixAfterScheme(before)
		case kinds[service] == storeMongo && scheme == "mongodb":
			after = withQueryOptions(after, documentDBOptions)
		}
		value = before + endpoints[service] + after
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

// withQueryOptions adds options to the URL whose host ended just before
// rest ("[:port][,host...][/db][?query]"), keeping those already set.
func withQueryOptions(rest string, options []string) string {
	end := strings.IndexAny(rest, " \t\"'")
	if end < 0 {
		end = len(rest)
	}
	url, tail := rest[:end], rest[end:]
	// The path starts at the first slash; without one, add "/".
	if !strings.Contains(url, "/") {
		if q := strings.Index(url, "?"); q >= 0 {
			url = url[:q] + "/" + url[q:]
		} else {
			url += "/"
		}
	}
	have := map[string]bool{}
	if q := strings.Index(url, "?"); q >= 0 {
		for _, kv := range strings.Split(url[q+1:], "&") {
			k, _, _ := strings.Cut(kv, "=")
			have[strings.ToLower(k)] = true
		}
	}
	var add []string
	for _, o := range options {
		k, _, _ := strings.Cut(o, "=")
		if !have[strings.ToLower(k)] {
			add = append(add, o)
		}
	}
	if len(add) == 0 {
		return url + tail
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

// storeRefs holds the endpoints of a project's managed stores, for values
// that name them.
type storeRefs struct {
	kinds     map[string]storeKind
	endpoints pulumi.StringMap
}

func newStoreRefs() *storeRefs {
	return &storeRefs{kinds: map[string]storeKind{}, endpoints: pulumi.StringMap{}}
}

func (r *storeRefs) add(service string, kind storeKind, endpoint pulumi.StringOutput) {
	r.kinds[service] = kind
	r.endpoints[service] = endpoint
}

// resolve returns the values with every placeholder replaced, once the
// endpoints are known.
func (r *storeRefs) resolve(values map[string]string) pulumi.StringMapOutput {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return r.endpoints.ToStringMapOutput().ApplyT(func(endpoints map[string]string) map[string]string {
		out := map[string]string{}
		for _, k := range keys {
			out[k] = resolveStoreRefs(values[k], endpoints, r.kinds)
		}
		return out
	}).(pulumi.StringMapOutput)
}
