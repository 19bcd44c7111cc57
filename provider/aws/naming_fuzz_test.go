package aws

import (
	"regexp"
	"strings"
	"testing"

	"github.com/DefangLabs/pulumi-defang/provider/internal/namefuzz"
)

// The fuzz targets below feed the naming functions every project, stack and
// service name a user can give (namefuzz maps the fuzzer's bytes onto the
// characters compose and Pulumi allow) and assert what the clouds need of
// the result: no panic, within the limit, in the charset, and the same
// result for the same input. Seeded from the compose corpus; with only the
// seeds they run as ordinary tests, `make fuzz` explores (mk/fuzz.mk).

// Patterns of the AWS APIs, from botocore 1.44.8's service models (the
// version mk/moto-constraints.txt pins):
var (
	// ecr/2015-09-21 RepositoryName: min 2, max 256.
	ecrRepositoryPattern = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$`)
	// logs/2014-03-28 LogGroupName: min 1, max 512.
	logGroupPattern = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]+$`)
	// physicalName's own contract, the strictest of its callers' rules
	// (ELBv2 names: letters, digits and hyphens, not starting or ending
	// with a hyphen; RDS identifiers: no two consecutive hyphens).
	physicalPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// fuzzNameSeeds adds (project, stack, service) seeds: every corpus project
// with one of the corpus services, and long names at the limits.
func fuzzNameSeeds(f *testing.F) {
	projects, services, err := namefuzz.CorpusNames()
	if err != nil {
		f.Fatal(err)
	}
	for i, p := range projects {
		f.Add([]byte(p), []byte("dev"), []byte(services[i%len(services)]))
	}
	long := strings.Repeat("a", namefuzz.MaxName)
	f.Add([]byte(long), []byte(strings.Repeat("s", namefuzz.MaxStack)), []byte(long))
	f.Add([]byte("my-shop-app"), []byte("prod"), []byte("Api.V2"))
}

// fuzzNames is the names the fuzzer's bytes stand for.
func fuzzNames(project, stack, service []byte) (string, string, string) {
	return namefuzz.Project(project), namefuzz.Stack(stack), namefuzz.Service(service)
}

func FuzzPhysicalName(f *testing.F) {
	fuzzNameSeeds(f)
	f.Fuzz(func(t *testing.T, project, stack, service []byte) {
		p, st, s := fuzzNames(project, stack, service)
		// The limits physicalName is called with, and the shapes of parts
		// its callers pass (load balancers, target groups, roles, store
		// identifiers, snapshots, task families).
		for _, max := range []int{specLoadBalancer.rule.Max, specDBInstance.rule.Max, specRole.rule.Max, maxSnapshotIdentifier, 255} {
			for _, parts := range [][]string{{p, "alb"}, {p, s, "8080"}, {p, st, s, "exec"}, {p, st, s}, {"db", p, st, s, "final"}} {
				n := physicalName(max, parts...)
				if len(n) > max || !physicalPattern.MatchString(n) {
					t.Fatalf("physicalName(%d, %q) = %q (%d characters): want 1 to %d of [a-z0-9] joined by single '-'",
						max, parts, n, len(n), max)
				}
				if again := physicalName(max, parts...); again != n {
					t.Fatalf("physicalName(%d, %q) is not deterministic: %q then %q", max, parts, n, again)
				}
			}
		}
	})
}

func FuzzLogGroupName(f *testing.F) {
	fuzzNameSeeds(f)
	f.Fuzz(func(t *testing.T, project, stack, service []byte) {
		p, st, s := fuzzNames(project, stack, service)
		for _, parts := range [][]string{{p, st, s}, {p, st, "builds"}} {
			n := logGroupName(parts...)
			if len(n) > maxLogGroupName || !logGroupPattern.MatchString(n) || !strings.HasPrefix(n, "/defang/") {
				t.Fatalf("logGroupName(%q) = %q (%d characters): want /defang/..., 1 to %d of %s",
					parts, n, len(n), maxLogGroupName, logGroupPattern)
			}
			if again := logGroupName(parts...); again != n {
				t.Fatalf("logGroupName(%q) is not deterministic: %q then %q", parts, n, again)
			}
		}
	})
}

func FuzzRepositoryName(f *testing.F) {
	fuzzNameSeeds(f)
	f.Fuzz(func(t *testing.T, project, stack, service []byte) {
		p, st, s := fuzzNames(project, stack, service)
		n := repositoryName(p, st, s)
		if len(n) < 2 || len(n) > maxECRRepoName || !ecrRepositoryPattern.MatchString(n) {
			t.Fatalf("repositoryName(%q, %q, %q) = %q (%d characters): want 2 to %d characters matching %s",
				p, st, s, n, len(n), maxECRRepoName, ecrRepositoryPattern)
		}
		if again := repositoryName(p, st, s); again != n {
			t.Fatalf("repositoryName(%q, %q, %q) is not deterministic: %q then %q", p, st, s, n, again)
		}
	})
}
